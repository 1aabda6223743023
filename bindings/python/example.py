#!/usr/bin/env python3
"""tcfaceid example: verify one identity document end to end (the Python twin of
bindings/c/example.c: same arguments, environment, output and exit status).

    example.py NATIONALITY CARD_TYPE FRONT_IMAGE [BACK_IMAGE]

FRONT_IMAGE / BACK_IMAGE are file paths (PNG or JPEG) or http(s) URLs.
Credentials and region come from the standard environment variables
(TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, optional TENCENTCLOUD_SECURITY_TOKEN,
TENCENTCLOUD_REGION); the endpoint from TCFACEID_ENDPOINT (default: the real service).

It applies (ApplyCardVerification), then polls GetCardVerificationResult as the service's
hints say until the verdict, and prints the token, status, warn infos and card info.
Exit status: 0 when a verdict is printed; 1 with the error's details otherwise; 2 on usage.
"""

from __future__ import annotations

import os
import sys
import time
from typing import List, Optional

import tcfaceid


def report_error(what: str, error: tcfaceid.TcFaceIdError) -> int:
    """Print a library error as the C example does and return the exit status."""

    def err(line: str) -> None:
        print(line, file=sys.stderr)

    err(f"error: {what} failed: result {int(error.code)} ({error.description})")
    err(f"  message:      {error.message}")
    if error.field:
        err(f"  field:        {error.field}")
    if error.service_code:
        err(f"  service code: {error.service_code}")
    if error.request_id:
        err(f"  request id:   {error.request_id}")
    if error.http_status:
        err(f"  HTTP status:  {error.http_status}")
    return 1


def or_dash(text: Optional[str]) -> str:
    """The text, or "-" when it is missing or empty."""
    return text if text else "-"


def build_client() -> tcfaceid.Client:
    """The client from the environment (the region from TENCENTCLOUD_REGION when set)."""
    endpoint = os.environ.get("TCFACEID_ENDPOINT") or None
    return tcfaceid.Client(credentials="env", endpoint=endpoint)


def verify(client: tcfaceid.Client, args: List[str]) -> int:
    """Apply, poll to the verdict, print it; return the exit status."""
    try:
        request = tcfaceid.CardRequest(args[0], args[1], front=args[2])
        if len(args) == 4:
            request.set_back(args[3])
    except tcfaceid.TcFaceIdError as e:
        return report_error("preparing the request", e)

    with request:
        try:
            applied = client.apply(request)
        except tcfaceid.TcFaceIdError as e:
            return report_error("ApplyCardVerification", e)
    print(f"token:       {applied.token}")
    print(f"request id:  {applied.request_id}")
    print(
        f"polling:     up to {applied.max_polling_times} polls, {applied.polling_wait_secs} s apart"
    )

    result = None
    for poll in range(1, applied.max_polling_times + 1):
        time.sleep(applied.polling_wait_secs)
        try:
            result = client.get_card_verification_result(applied.token)
        except tcfaceid.TcFaceIdError as e:
            return report_error("GetCardVerificationResult", e)
        print(f"poll {poll}:      {result.status_str}")
        if result.status is not tcfaceid.Status.PROCESSING:
            break
    if result is None or result.status is tcfaceid.Status.PROCESSING:
        print(
            f"error: no verdict after {applied.max_polling_times} polls; "
            "poll again later with the token",
            file=sys.stderr,
        )
        return 1

    print(f"status:      {result.status_str}")
    print(f"nationality: {or_dash(result.nationality)}")
    print(f"card type:   {or_dash(result.card_type)}")
    print(f"sub type:    {or_dash(result.card_sub_type)}")
    print(f"warn infos:  {len(result.warn_infos)}")
    for info in result.warn_infos:
        print(f"  - {info}")
    print(f"card info:   {or_dash(result.card_info_json)}")
    return 0


def main(argv: List[str]) -> int:
    """Run the example; return the exit status."""
    if len(argv) < 4 or len(argv) > 5:
        print(f"usage: {argv[0]} NATIONALITY CARD_TYPE FRONT_IMAGE [BACK_IMAGE]", file=sys.stderr)
        print("  images are PNG/JPEG file paths or http(s) URLs; see the README", file=sys.stderr)
        return 2
    # The library's strings are UTF-8 (card info may hold CJK text): print them as C does,
    # whatever the locale says.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    print(tcfaceid.library_version())

    try:
        client = build_client()
    except tcfaceid.TcFaceIdError as e:
        return report_error("building the client", e)
    except ValueError as e:  # e.g. an environment value holding a NUL character
        print(f"error: building the client failed: {e}", file=sys.stderr)
        return 1
    with client:
        try:
            return verify(client, argv[1:])
        except ValueError as e:  # an argument that is not valid text (e.g. not UTF-8)
            print(f"error: preparing the request failed: {e}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
