"""Python signing beside the official SDK's, in one run (`make bench` only; issue 11 item 6).

tcfaceid.sign (one-shot) and tcfaceid.Signer.sign (the day's key cached in C) against the
official Tencent Cloud Python SDK building the same signed ApplyCardVerification request
(AbstractClient._build_req_with_tc3_signature: headers, JSON body, TC3 signature). Run with the
SDK's venv python and PYTHONPATH=bindings/python; the library is found as python-test finds it.
"""

import json
import os
import timeit

import tcfaceid
from tencentcloud.common import credential
from tencentcloud.common.abstract_client import AbstractClient
from tencentcloud.common.http.request import RequestInternal

SECRET_ID = "AKIDbench"
SECRET_KEY = "bench-secret-key"
HOST = "faceid.tencentcloudapi.com"
ACTION = "ApplyCardVerification"
VERSION = "2018-03-01"
PARAMS = {"Nationality": "IDN", "CardType": "ID_CARD", "ImageUrlFront": "https://example.com/front.jpg"}
BODY = json.dumps(PARAMS).encode()


class FaceIdClient(AbstractClient):
    _apiVersion = VERSION
    _endpoint = HOST
    _service = "faceid"


def best_us(fns, number, rounds=7):
    """For each of `fns`, the best of `rounds` rounds of `number` calls, in microseconds per
    call; the functions take turns within each round, so that a busy moment of a shared machine
    does not fall on one of them only."""
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], timeit.timeit(fn, number=number) / number * 1e6)
    return best


def main():
    official = FaceIdClient(credential.Credential(SECRET_ID, SECRET_KEY), "ap-singapore")
    signer = tcfaceid.Signer(SECRET_ID, SECRET_KEY)

    def sdk():
        req = RequestInternal(HOST, "POST", "/")
        official._build_req_with_tc3_signature(ACTION, PARAMS, req)
        assert req.header["Authorization"].startswith("TC3-HMAC-SHA256")

    def one_shot():
        tcfaceid.sign(SECRET_ID, SECRET_KEY, HOST, ACTION, VERSION, 1_700_000_000, BODY,
                      region="ap-singapore")

    def reusable():
        signer.sign(HOST, ACTION, VERSION, 1_700_000_000, BODY, region="ap-singapore")

    n = 10_000
    base, *ours = best_us([sdk, one_shot, reusable], n)
    print(f"python signing (best of 7 rounds x {n}, in turn): official SDK {base:.1f} us")
    for name, t in zip(("tcfaceid.sign", "tcfaceid.Signer.sign"), ours):
        print(f"  {name:<22} {t:6.1f} us  {t / base:.2f}x the official SDK (target <= 0.33x)")
        summary(f"Python {name}: {t:.1f} us = {t / base:.2f}x the official SDK's "
                f"{base:.1f} us (target <= 0.33x)")


def summary(line):
    """A line of make bench's closing summary (TCFACEID_BENCH_SUMMARY, when set)."""
    path = os.environ.get("TCFACEID_BENCH_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


if __name__ == "__main__":
    main()
