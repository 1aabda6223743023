#!/usr/bin/env python3
"""The official Tencent Cloud Python SDK (PyPI ``tencentcloud-sdk-python-intl-en``, current
generation) against the emulator: ApplyCardVerificationExternal then
GetCardVerificationExternalResult for every document of OCR's back-side table, with
ReturnHeadImage, and the refusals the service would give (AUTO, a missing back, a wrong key,
a wrong region). Run by ``make official-sdk-test`` in a venv that has only the SDK.

    ocr_flow.py EMULATOR_BINARY

Exits 0 when every check passed; prints one line per document and a summary.
"""

from __future__ import annotations

import subprocess
import sys

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.ocr.v20181119 import models, ocr_client

DEMO_ID = "AKIDTCFACEIDEMULATOR0000000000000000"
DEMO_KEY = "tcfaceid-emulator-demo-secret-key"
FRONT = "https://example.com/front.jpg"
BACK = "https://example.com/back.jpg"

# OCR spec §3.3 by API code: back required for ID_CARD, DRIVING_LICENSE, PASSPORT,
# RESIDENCE_PERMIT (None: no row). The same table as tests/vectors/ocr-back-side-table.md.
Y, N, X = True, False, None
TABLE = {
    "ARG": (Y, Y, N, X), "AUS": (Y, Y, N, Y), "BGD": (Y, Y, N, X), "CAN": (Y, N, Y, Y),
    "CHL": (Y, Y, N, X), "DEU": (Y, Y, N, Y), "HKG": (Y, X, X, X), "IDN": (N, N, X, X),
    "JPN": (Y, N, X, X), "KHM": (Y, Y, N, X), "MAC": (Y, X, X, X), "MEX": (Y, N, N, X),
    "MMR": (Y, N, N, X), "MYS": (Y, Y, X, X), "NGA": (Y, Y, N, Y), "NZL": (N, Y, N, N),
    "PAK": (Y, Y, N, X), "PHL": (Y, N, X, X), "RUS": (N, Y, N, X), "SGP": (Y, Y, N, Y),
    "THA": (N, Y, X, X), "TWN": (Y, X, X, X),
}
CARD_TYPES = ("ID_CARD", "DRIVING_LICENSE", "PASSPORT", "RESIDENCE_PERMIT")

failures = []


def check(ok: bool, what: str) -> None:
    if not ok:
        failures.append(what)
        print(f"FAILED: {what}", file=sys.stderr)


def start_emulator(binary: str) -> "tuple[subprocess.Popen[bytes], str]":
    process = subprocess.Popen(
        [binary, "--port", "0", "--quiet", "--processing-polls", "1"],
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    line = process.stdout.readline().decode().strip()
    prefix = "tcfaceid-emulator listening on http://"
    if not line.startswith(prefix):
        process.kill()
        raise SystemExit(f"the emulator printed no ready line: {line!r}")
    return process, line[len(prefix):]


def client(host: str, key: str = DEMO_KEY, region: str = "ap-singapore") -> ocr_client.OcrClient:
    http = HttpProfile()
    http.endpoint = host
    http.scheme = "http"
    profile = ClientProfile(httpProfile=http, signMethod="TC3-HMAC-SHA256")
    return ocr_client.OcrClient(credential.Credential(DEMO_ID, key), region, profile)


def apply(c: ocr_client.OcrClient, params: dict) -> str:
    request = models.ApplyCardVerificationExternalRequest()
    request.from_json_string(__import__("json").dumps(params))
    return c.ApplyCardVerificationExternal(request).CardVerificationToken


def poll(c: ocr_client.OcrClient, token: str) -> models.GetCardVerificationExternalResultResponse:
    request = models.GetCardVerificationExternalResultRequest()
    request.CardVerificationToken = token
    for _ in range(10):
        response = c.GetCardVerificationExternalResult(request)
        if response.Status != "PROCESSING":
            return response
        # No pause: the emulator counts PROCESSING answers per poll, not in time.
    raise AssertionError(f"token {token}: still PROCESSING")


def refused(c: ocr_client.OcrClient, params: dict) -> str:
    try:
        apply(c, params)
    except TencentCloudSDKException as e:
        return e.get_code()
    return "(accepted)"


def main(binary: str) -> int:
    process, host = start_emulator(binary)
    try:
        sdk = client(host)
        documents = 0
        for code, row in TABLE.items():
            for card_type, back in zip(CARD_TYPES, row):
                if back is None:
                    continue
                documents += 1
                params = {"Nationality": code, "CardType": card_type, "ImageUrlFront": FRONT,
                          "ReturnHeadImage": True}
                if back:
                    params["ImageUrlBack"] = BACK
                response = poll(sdk, apply(sdk, params))
                what = f"{code} {card_type}"
                check(response.Status == "COMPLETED", f"{what}: Status {response.Status}")
                check(response.CardInfo is not None and
                      response.CardInfo.IssuedCountryCode == code, f"{what}: CardInfo")
                check((response.BackCardInfo is not None) == back, f"{what}: BackCardInfo")
                check(bool(response.HeadImageBase64), f"{what}: HeadImageBase64")
                print(f"{what:<22} {response.Status:<10} back={'yes' if back else 'no '} "
                      f"head image {len(response.HeadImageBase64)} chars")
                if back:
                    missing = dict(params)
                    del missing["ImageUrlBack"]
                    got = refused(sdk, missing)
                    check(got == "InvalidParameterValue.InvalidParameterValueLimit",
                          f"{what} without a back: {got}")
        check(documents == 61, f"{documents} documents, not 61")
        for params, want in [
            ({"Nationality": "SGP", "CardType": "AUTO", "ImageUrlFront": FRONT},
             "InvalidParameterValue.InvalidParameterValueLimit"),
            ({"Nationality": "SGP", "CardType": "PASSPORT"},
             "InvalidParameterValue.InvalidParameterValueLimit"),
        ]:
            got = refused(sdk, params)
            check(got == want, f"{params}: {got}")
            print(f"refused {params['CardType']:<9} {got}")
        ok = {"Nationality": "SGP", "CardType": "PASSPORT", "ImageUrlFront": FRONT}
        got = refused(client(host, key="not-the-key"), ok)
        check(got == "AuthFailure.SignatureFailure", f"wrong key: {got}")
        print(f"refused wrong key  {got}")
        got = refused(client(host, region="ap-hongkong"), ok)
        check(got == "UnsupportedRegion", f"wrong region: {got}")
        print(f"refused ap-hongkong {got}")
    finally:
        process.kill()
        process.wait()
    print(f"official SDK: {documents} documents, {len(failures)} failed checks")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: {sys.argv[0]} EMULATOR_BINARY")
    sys.exit(main(sys.argv[1]))
