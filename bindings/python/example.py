#!/usr/bin/env python3
"""tcfaceid example: verify one identity document end to end, with either product (the
Python twin of bindings/c/example.c: same arguments, environment, output and exit status).

    example.py NATIONALITY CARD_TYPE FRONT_IMAGE [BACK_IMAGE]

FRONT_IMAGE / BACK_IMAGE are file paths (PNG or JPEG) or http(s) URLs.
Credentials and region come from the standard environment variables
(TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, optional TENCENTCLOUD_SECURITY_TOKEN,
TENCENTCLOUD_REGION); the endpoint from TCFACEID_ENDPOINT (default: the product's service).
TCFACEID_API=ocr selects OCR (ApplyCardVerificationExternal; it also asks for the head image);
faceid or unset, FaceID. TCFACEID_POLL_MS is the wait before each poll without server hints.

It applies, then polls the result action until a terminal status, and prints the token,
status, warn infos (with their meanings) and what was read off the card.
Exit status: 0 when a terminal status is printed; 1 with the error's details otherwise;
2 on usage.
"""

from __future__ import annotations

import os
import sys
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


def build_client(api: tcfaceid.Api) -> tcfaceid.Client:
    """The client of ``api`` from the environment (the region from TENCENTCLOUD_REGION)."""
    endpoint = os.environ.get("TCFACEID_ENDPOINT") or None
    poll_ms = os.environ.get("TCFACEID_POLL_MS")
    plan = None
    if poll_ms:
        wait = int(poll_ms) / 1000
        plan = (wait, wait, 60)
    return tcfaceid.Client(api=api, credentials="env", endpoint=endpoint, poll_plan=plan)


def verify(client: tcfaceid.Client, args: List[str]) -> int:
    """Apply, poll to a terminal status, print it; return the exit status."""
    try:
        request = tcfaceid.CardRequest(args[0], args[1], front=args[2])
        if len(args) == 4:
            request.set_back(args[3])
    except tcfaceid.TcFaceIdError as e:
        return report_error("preparing the request", e)

    with request:
        try:
            if client.api is tcfaceid.Api.OCR:
                request.return_head_image = True
            result = client.verify(request, deadline=300)
        except tcfaceid.TcFaceIdError as e:
            return report_error("verifying the card", e)
    print(f"token:       {result.token}")
    print(f"polls:       {result.polls}")
    print(f"status:      {result.status_str}")
    print(f"nationality: {or_dash(result.nationality)}")
    print(f"card type:   {or_dash(result.card_type)}")
    print(f"warn infos:  {len(result.warn_infos)}")
    for code, meaning in result.warnings:
        print(f"  - {code} ({or_dash(meaning)})")
    if client.api is tcfaceid.Api.FACEID:
        print(f"card info:   {or_dash(result.card_info_json)}")
    for side, card in (("front", result.front_card), ("back", result.back_card)):
        if card is None:
            continue
        print(f"{side} card:")
        city = card.address.city if card.address else None
        for name, value in (
            ("FullName", card.full_name),
            ("LicenseNumber", card.license_number),
            ("Birthday", card.birthday),
            ("Address.City", city),
        ):
            if value is not None:
                print(f"  {name:<13} {value}")
    if result.head_image:
        print(f"head image:  {len(result.head_image)} bytes")
    return 0


def main(argv: List[str]) -> int:
    """Run the example; return the exit status."""
    name = os.environ.get("TCFACEID_API") or "faceid"
    if len(argv) < 4 or len(argv) > 5 or name not in ("faceid", "ocr"):
        print(
            f"usage: [TCFACEID_API=faceid|ocr] {argv[0]} NATIONALITY CARD_TYPE FRONT_IMAGE "
            "[BACK_IMAGE]",
            file=sys.stderr,
        )
        print("  images are PNG/JPEG file paths or http(s) URLs; see the README", file=sys.stderr)
        return 2
    # The library's strings are UTF-8 (card info may hold CJK text): print them as C does,
    # whatever the locale says.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    api = tcfaceid.Api.from_env()
    print(f"{tcfaceid.library_version()}, product {api.name.lower()}")

    try:
        client = build_client(api)
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
