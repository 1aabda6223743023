"""Issue 10 through the package: the token on every error after a billed apply, resume,
Ctrl-C and Cancel, retries that never send a second apply, hostile hints and card data, and the
plain-http guard. A scripted loopback server plays the service where the emulator cannot."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
import unittest
from typing import Any, Dict, List, Optional

import tcfaceid
from _support import DEMO_SECRET_ID, DEMO_SECRET_KEY, REGION, Emulator

TOKEN = "tok-py-never-lose"
FRONT = "https://example.com/front.jpg"


#: An apply answer without polling hints: the client follows its poll plan.
APPLY_WITHOUT_HINTS = b'{"Response":{"CardVerificationToken":"%s","RequestId":"r"}}' % TOKEN.encode()
PROCESSING = b'{"Response":{"Status":"PROCESSING","RequestId":"r"}}'
#: Poll at once, then wait 30 s after each PROCESSING answer.
SLOW_PLAN = (0.0, 30.0, 5)


def apply_ok(wait: str = "0") -> bytes:
    return (
        '{"Response":{"CardVerificationToken":"%s","AsyncCardVerificationMaxPollingTimes":5,'
        '"AsyncCardVerificationPollingWaitTime":%s,"RequestId":"r-apply"}}' % (TOKEN, wait)
    ).encode()


class Scripted:
    """Answers ApplyCardVerification with ``apply`` and any other action with ``get``; each is
    JSON bytes, or "drop" (close after reading the request), "hang" (never answer), "500"."""

    def __init__(self, apply: object, get: object) -> None:
        self.apply, self.get = apply, get
        self.applies = 0
        self.apply_seen = threading.Event()  # an apply read
        self.poll_seen = threading.Event()  # another request (a poll) read
        self.poll_answered = threading.Event()  # a poll answered in full
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(32)
        self.endpoint = "http://127.0.0.1:%d" % self._socket.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            while True:
                head = self._read(conn)
                if head is None:
                    return
                is_apply = "x-tc-action: applycardverification" in head
                if is_apply:
                    self.applies += 1
                    self.apply_seen.set()
                else:
                    self.poll_seen.set()
                reply = self.apply if is_apply else self.get
                if reply == "drop":
                    return
                if reply == "hang":
                    while conn.recv(64):
                        pass
                    return
                status, body = ("500 Oops", b"oops") if reply == "500" else ("200 OK", reply)
                assert isinstance(body, bytes)
                head_out = "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                conn.sendall((head_out % (status, len(body))).encode() + body)
                if not is_apply:
                    self.poll_answered.set()

    @staticmethod
    def _read(conn: socket.socket) -> Optional[str]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        text = head.decode("latin-1").lower()
        length = 0
        for line in text.split("\r\n"):
            if line.startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return text

    def client(self, **settings: object) -> tcfaceid.Client:
        options: Dict[str, Any] = dict(
            secret_id=DEMO_SECRET_ID,
            secret_key=DEMO_SECRET_KEY,
            region=REGION,
            endpoint=self.endpoint,
            timeout=2.0,
            retries=3,
            backoff=(0.01, 0.04),
        )
        options.update(settings)
        return tcfaceid.Client(**options)

    def close(self) -> None:
        self._socket.close()


class TokenOnEveryError(unittest.TestCase):
    def test_every_failure_after_the_apply_carries_the_token(self) -> None:
        cases = [
            ("drop", tcfaceid.TransportError),
            ("500", tcfaceid.HttpStatusError),
            (b"<html>", tcfaceid.ProtocolError),
            ("hang", tcfaceid.TcTimeoutError),
            (b'{"Response":{"Status":"PROCESSING","RequestId":"r"}}', tcfaceid.PollingGaveUpError),
        ]
        for get, kind in cases:
            server = Scripted(apply_ok(), get)
            with self.subTest(get=get), server.client() as client:
                with self.assertRaises(kind) as caught:
                    client.verify_card("IDN", "ID_CARD", FRONT, deadline=20)
                self.assertEqual(caught.exception.token, TOKEN)
                self.assertEqual(server.applies, 1, "one apply, retries on")
            server.close()

    def test_a_huge_polling_hint_is_not_a_panic(self) -> None:
        server = Scripted(apply_ok("18446744073709551615"), "hang")
        with server.client() as client:
            with self.assertRaises(tcfaceid.PollDeadlineExceededError) as caught:
                client.verify_card("IDN", "ID_CARD", FRONT, deadline=2)
            self.assertEqual(caught.exception.token, TOKEN)
        server.close()

    def test_numbers_in_card_info_keep_the_verdict(self) -> None:
        verdict = json.dumps(
            {
                "Response": {
                    "Status": "PASSED",
                    "CardInfo": {"HKIDCard": {"CnName": 7, "Sex": True, "Birthday": None}},
                    "RequestId": "r",
                }
            }
        ).encode()
        server = Scripted(apply_ok(), verdict)
        with server.client() as client:
            result = client.verify_card("IDN", "ID_CARD", FRONT, deadline=10)
        self.assertEqual(result.status, tcfaceid.Status.PASSED)
        assert result.card_info is not None
        self.assertEqual(result.card_info["HKIDCard"], {"CnName": "7", "Sex": "true"})
        server.close()


    def test_a_nul_inside_json_strings_comes_through(self) -> None:
        apply = (
            b'{"Response":{"CardVerificationToken":"%s","AsyncCardVerificationPollingWaitTime":0,'
            b'"RequestId":"r\\u0000apply"}}' % TOKEN.encode()
        )
        verdict = (
            b'{"Response":{"Status":"PASSED","CardInfo":{"GeneralCard":'
            b'{"FullName":"a\\u0000b"}},"RequestId":"r"}}'
        )
        server = Scripted(apply, verdict)
        with server.client() as client:
            applied = client.apply_card_verification("IDN", "ID_CARD", FRONT)
            self.assertEqual(applied.token, TOKEN)
            self.assertEqual(applied.raw_json, apply.decode())
            result = client.verify_card("IDN", "ID_CARD", FRONT, deadline=10)
            answer = client.call_json("GetCardVerificationResult", {"CardVerificationToken": TOKEN})
        self.assertEqual(result.status, tcfaceid.Status.PASSED)
        self.assertEqual(result.raw_json, verdict.decode())
        assert result.front_card is not None
        self.assertEqual(result.front_card.full_name, "a\x00b")
        self.assertEqual(answer["Response"]["CardInfo"]["GeneralCard"]["FullName"], "a\x00b")
        server.close()


class Resume(unittest.TestCase):
    def test_resume_polls_a_token_to_its_verdict_without_applying(self) -> None:
        with Emulator("--processing-polls", "0") as emulator, emulator.client() as client:
            token = client.apply_card_verification("IDN", "ID_CARD", FRONT).token
            result = client.resume(token, deadline=10)
            self.assertEqual(result.status, tcfaceid.Status.PASSED)
            self.assertEqual(result.token, token)


class Cancellation(unittest.TestCase):
    def test_a_cancel_handle_stops_verify_from_another_thread(self) -> None:
        server = Scripted(APPLY_WITHOUT_HINTS, PROCESSING)
        cancel = tcfaceid.Cancel()

        def trigger_after_the_first_poll() -> None:
            # A poll answered: the apply is over for the client, which now waits 30 s.
            self.assertTrue(server.poll_answered.wait(30))
            cancel.trigger()

        timer = threading.Thread(target=trigger_after_the_first_poll)
        timer.start()
        with server.client(timeout=60, poll_plan=SLOW_PLAN) as client:
            with self.assertRaises(tcfaceid.CancelledError) as caught:
                client.verify_card("IDN", "ID_CARD", FRONT, deadline=60, cancel=cancel)
        timer.join()
        self.assertEqual(caught.exception.token, TOKEN)
        self.assertTrue(cancel.triggered)
        cancel.close()
        server.close()

    def test_ctrl_c_ends_verify_card_with_the_token(self) -> None:
        # Python's own Ctrl-C handler, whatever the test runner inherited (a shell starts a
        # background job with SIGINT ignored, and Python then keeps it ignored).
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, previous)
        latencies: List[float] = []
        # In flight: a poll read, never answered. Asleep: a poll answered PROCESSING, 30 s
        # follow. Either way the apply is over for the client.
        phases = ((apply_ok("0"), "hang", False), (APPLY_WITHOUT_HINTS, PROCESSING, True))
        for apply, get, asleep in phases:
            server = Scripted(apply, get)
            sent: List[float] = []
            in_phase = server.poll_answered if asleep else server.poll_seen

            def interrupt() -> None:
                self.assertTrue(in_phase.wait(30))
                sent.append(time.monotonic())
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

            with server.client(timeout=60, poll_plan=SLOW_PLAN) as client:
                helper = threading.Thread(target=interrupt)
                helper.start()
                with self.assertRaises(KeyboardInterrupt) as caught:
                    client.verify_card("IDN", "ID_CARD", FRONT, deadline=60)
                latencies.append(time.monotonic() - sent[0])
                helper.join()
            interrupted = caught.exception
            self.assertIsInstance(interrupted, tcfaceid.VerificationInterrupted)
            assert isinstance(interrupted, tcfaceid.VerificationInterrupted)
            self.assertEqual(interrupted.token, TOKEN)
            self.assertIsInstance(interrupted.error, tcfaceid.CancelledError)
            server.close()
        print("\nCtrl-C latency (in flight, asleep): %s" % ", ".join("%.3f s" % x for x in latencies))
        self.assertLess(max(latencies), 1.0)


class SafeRetries(unittest.TestCase):
    def test_an_apply_is_never_sent_twice_after_it_was_written(self) -> None:
        for fault in ("drop", "500", b"<html>", "hang"):
            server = Scripted(fault, b"{}")
            with self.subTest(fault=fault), server.client(timeout=1.0) as client:
                with self.assertRaises(tcfaceid.TcFaceIdError) as caught:
                    client.verify_card("IDN", "ID_CARD", FRONT, deadline=10)
                self.assertEqual(caught.exception.token, "")
                self.assertEqual(server.applies, 1, "retries=3, one apply")
            server.close()

    def test_plain_http_needs_loopback_or_an_explicit_allowance(self) -> None:
        settings: Dict[str, Any] = dict(
            secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY, region=REGION
        )
        with self.assertRaises(tcfaceid.ValidationError) as caught:
            tcfaceid.Client(endpoint="http://faceid.example.com", **settings)
        self.assertIn("allow_insecure_http", caught.exception.message)
        tcfaceid.Client(
            endpoint="http://faceid.example.com", allow_insecure_http=True, **settings
        ).close()


if __name__ == "__main__":
    unittest.main()
