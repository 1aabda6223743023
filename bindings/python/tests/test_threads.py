"""Threads sharing one Client: correct results and errors per thread, calls running in parallel
(ctypes drops the GIL and the binding takes no global lock)."""

from __future__ import annotations

import json
import threading
import unittest
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
        """All THREADS calls are inside the server at the same time: the server holds each
        request at a barrier of THREADS parties and answers PROCESSING only when they all
        arrived. A lock in the binding, or a GIL held during the C call (this server is Python
        in this process), would break the barrier (REJECTED, after its timeout)."""
        barrier = threading.Barrier(THREADS, timeout=20)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    barrier.wait()
                    status = "PROCESSING"
                except threading.BrokenBarrierError:
                    status = "REJECTED"
                body = json.dumps({"Response": {"Status": status, "RequestId": "r"}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        endpoint = "http://127.0.0.1:%d" % server.server_address[1]
        try:
            with EMULATOR.client(endpoint=endpoint, timeout=60) as client:
                with ThreadPoolExecutor(THREADS) as pool:
                    statuses = list(
                        pool.map(
                            lambda _: client.get_card_verification_result("t").status,
                            range(THREADS),
                        )
                    )
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(statuses, [tcfaceid.Status.PROCESSING] * THREADS)

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
