"""Flat memory: 10,000 calls of sign and of CardRequest validate/body must not grow the
process. A missing ``tcfaceid_*_free`` or ``tcfaceid_string_free`` leaks a handle or a string
per call, which shows as megabytes here."""

from __future__ import annotations

import gc
import sys
import unittest
from typing import Callable

import _support

import tcfaceid

WARM_UP = 1_000
CALLS = 10_000
#: Allowed growth of the resident set over CALLS calls (allocator noise, not a leak).
BOUND = 2 * 1024 * 1024

# The sample JPEG padded to 16 KiB: a leaked request or body costs ~16-22 KiB per call.
IMAGE = _support.sample_bytes("front.jpg") + bytes(16 * 1024)
BODY = b'{"Nationality":"IDN","CardType":"ID_CARD","ImageUrlFront":"https://example.com/f.jpg"}'


def sign_once() -> None:
    headers = tcfaceid.sign(
        "AKIDEXAMPLE",
        "secret-key",
        "faceid.tencentcloudapi.com",
        "ApplyCardVerification",
        "2018-03-01",
        1700000000,
        BODY,
        region="ap-singapore",
        token="session-token",
    )
    assert len(headers) == 8


def request_once() -> None:
    with tcfaceid.CardRequest("HKG", "ID_CARD", front=IMAGE, back=IMAGE) as request:
        request.validate()
        assert len(request.body()) > 2 * len(IMAGE)
    try:
        tcfaceid.CardRequest("IDN", "ID_CARD", front=_support.GIF_BYTES).validate()
    except tcfaceid.ImageError:
        pass  # the failing path (last error, exception) must not leak either


@unittest.skipIf(_support.rss_bytes() is None, "needs /proc/self/statm (Linux)")
class FlatMemoryTest(unittest.TestCase):
    def measure(self, name: str, call: Callable[[], None]) -> None:
        for _ in range(WARM_UP):
            call()
        gc.collect()
        before = _support.rss_bytes() or 0
        for _ in range(CALLS):
            call()
        gc.collect()
        after = _support.rss_bytes() or 0
        growth = after - before
        sys.stderr.write(
            f"\n  {name}: {CALLS} calls, RSS {before / 2**20:.2f} MiB -> {after / 2**20:.2f} MiB "
            f"({growth / 1024:+.0f} KiB) ... "
        )
        self.assertLess(growth, BOUND, f"{name}: RSS grew by {growth} bytes over {CALLS} calls")

    def test_sign(self) -> None:
        self.measure("sign", sign_once)

    def test_card_request_validate(self) -> None:
        self.measure("CardRequest validate+body", request_once)


if __name__ == "__main__":
    unittest.main()
