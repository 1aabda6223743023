"""Flat memory: 10,000 calls of sign and 2,000 of CardRequest validate/body must not grow the
process. A missing ``tcfaceid_*_free`` or ``tcfaceid_string_free`` leaks a handle or a string
per call, which shows as megabytes here (about 10 MB for sign, 30 MB or more for requests)."""

from __future__ import annotations

import gc
import sys
import unittest
from typing import Callable

import _support

import tcfaceid

WARM_UP = 1_000
#: Allowed growth of the resident set over the measured calls (allocator noise, not a leak).
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
    def measure(self, name: str, call: Callable[[], None], calls: int) -> None:
        for _ in range(min(WARM_UP, calls // 2)):
            call()
        gc.collect()
        before = _support.rss_bytes() or 0
        for _ in range(calls):
            call()
        gc.collect()
        after = _support.rss_bytes() or 0
        growth = after - before
        sys.stderr.write(
            f"\n  {name}: {calls} calls, RSS {before / 2**20:.2f} MiB -> {after / 2**20:.2f} MiB "
            f"({growth / 1024:+.0f} KiB) ... "
        )
        self.assertLess(growth, BOUND, f"{name}: RSS grew by {growth} bytes over {calls} calls")

    def test_sign(self) -> None:
        # A leaked handle or string costs about 1 KiB per call: 10,000 calls to show it.
        self.measure("sign", sign_once, 10_000)

    def test_card_request_validate(self) -> None:
        # A leaked request or body costs 16 KiB or more per call: 2,000 calls show 30 MB.
        self.measure("CardRequest validate+body", request_once, 2_000)


if __name__ == "__main__":
    unittest.main()
