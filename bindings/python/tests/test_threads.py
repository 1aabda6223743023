"""Threads sharing one Client: correct results and errors per thread, calls running in parallel
(ctypes drops the GIL and the binding takes no global lock)."""

from __future__ import annotations

import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import _support

import tcfaceid

THREADS = 8
FRONT_JPG = _support.SAMPLES / "front.jpg"
BACK_JPG = _support.SAMPLES / "back.jpg"

EMULATOR: _support.Emulator


def setUpModule() -> None:
    global EMULATOR
    EMULATOR = _support.Emulator()


def tearDownModule() -> None:
    EMULATOR.stop()


class SharedClientTest(unittest.TestCase):
    def test_eight_threads_share_one_client(self) -> None:
        verdicts = {
            "passed": tcfaceid.Status.PASSED,
            "warning": tcfaceid.Status.WARNING,
            "rejected": tcfaceid.Status.REJECTED,
        }
        barrier = threading.Barrier(THREADS)

        def work(index: int) -> Dict[str, Any]:
            kind = list(verdicts)[index % 3]
            barrier.wait()
            seen: Dict[str, Any] = {"kind": kind, "tokens": set()}
            for round_ in range(5):
                # Alternate a success and each kind of failure, so that every thread's last
                # error is overwritten by its own calls between a failure and its report.
                result = client.verify_card(
                    "IDN", "ID_CARD", f"https://example.com/{kind}-{index}.jpg"
                )
                seen.setdefault("statuses", []).append(result.status)
                seen["tokens"].add(result.token)
                try:
                    client.apply_card_verification("HKG", "ID_CARD", FRONT_JPG)
                except tcfaceid.ValidationError as e:
                    seen.setdefault("validation", []).append((e.code, e.field))
                try:
                    client.get_card_verification_result(f"no-such-token-{index}-{round_}")
                except tcfaceid.ServiceError as e:
                    seen.setdefault("service", []).append(
                        (type(e), e.service_code, bool(e.request_id))
                    )
                applied = client.apply_card_verification("HKG", "ID_CARD", FRONT_JPG, BACK_JPG)
                seen["tokens"].add(applied.token)
            return seen

        with EMULATOR.client() as client:
            with ThreadPoolExecutor(THREADS) as pool:
                results = list(pool.map(work, range(THREADS)))

        all_tokens: List[str] = []
        for seen in results:
            self.assertEqual(seen["statuses"], [verdicts[seen["kind"]]] * 5)
            self.assertEqual(
                seen["validation"],
                [(tcfaceid.ResultCode.BACK_IMAGE_REQUIRED, "ImageBase64Back")] * 5,
            )
            self.assertEqual(
                seen["service"],
                [(tcfaceid.ServiceError, "InvalidParameterValue.InvalidParameterValueLimit", True)]
                * 5,
            )
            all_tokens.extend(seen["tokens"])
        self.assertEqual(len(all_tokens), len(set(all_tokens)), "every call got its own token")
        self.assertEqual(len(all_tokens), THREADS * 10)

    def test_calls_run_in_parallel(self) -> None:
        delay = 1.0
        with _support.Emulator(
            "--delay-ms", str(int(delay * 1000))
        ) as slow, slow.client() as client:
            barrier = threading.Barrier(THREADS)

            def one(_: int) -> str:
                barrier.wait()
                return client.apply_card_verification(
                    "IDN", "ID_CARD", "https://example.com/f.jpg"
                ).token

            start = time.monotonic()
            with ThreadPoolExecutor(THREADS) as pool:
                tokens = list(pool.map(one, range(THREADS)))
            elapsed = time.monotonic() - start
        self.assertEqual(len(set(tokens)), THREADS)
        # One after the other would take THREADS * delay (8 s); in parallel, about delay.
        self.assertLess(elapsed, THREADS * delay / 2, f"{elapsed:.2f} s: the calls were serialised")

    def test_sign_and_requests_in_threads(self) -> None:
        expected = tcfaceid.sign("AKID", "key", "h", "A", "2018-03-01", 1700000000, b"{}")

        def work(index: int) -> bool:
            for _ in range(200):
                if (
                    tcfaceid.sign("AKID", "key", "h", "A", "2018-03-01", 1700000000, b"{}")
                    != expected
                ):
                    return False
                with tcfaceid.CardRequest("IDN", "ID_CARD", front=FRONT_JPG) as request:
                    request.validate()
                try:
                    tcfaceid.CardRequest("XXX", "ID_CARD", front=FRONT_JPG).validate()
                    return False
                except tcfaceid.ValidationError as e:
                    if e.field != "Nationality":
                        return False
            return True

        with ThreadPoolExecutor(THREADS) as pool:
            self.assertTrue(all(pool.map(work, range(THREADS))))


if __name__ == "__main__":
    unittest.main()
