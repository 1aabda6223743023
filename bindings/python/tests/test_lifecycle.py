"""Handle life cycle: close twice, use after close, ``with``, ``__del__`` (also at interpreter
shutdown), ownership handed to C, and closing a client while another thread uses it."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import unittest
from typing import Any, Callable, List
from unittest import mock

import _support

import tcfaceid
from tcfaceid import _client, _results, _sign

EMULATOR: _support.Emulator
FRONT_JPG = _support.SAMPLES / "front.jpg"
URL = "https://example.com/front.jpg"


def setUpModule() -> None:
    global EMULATOR
    EMULATOR = _support.Emulator()


def tearDownModule() -> None:
    EMULATOR.stop()


def counting(free: Callable[[Any], None], calls: List[Any]) -> Any:
    """A stand-in ``_free_function`` that records each call and really frees."""

    def spy(handle: Any) -> None:
        calls.append(handle)
        free(handle)

    return staticmethod(spy)


class UnraisableCatcher:
    """Collects exceptions raised in ``__del__`` (``sys.unraisablehook``) during a block."""

    def __enter__(self) -> List[Any]:
        self.seen: List[Any] = []
        self._saved = sys.unraisablehook
        sys.unraisablehook = self.seen.append
        return self.seen

    def __exit__(self, *exc_info: object) -> None:
        gc.collect()
        sys.unraisablehook = self._saved


class CloseTest(unittest.TestCase):
    def test_close_twice_is_fine_and_frees_once(self) -> None:
        calls: List[Any] = []
        real = tcfaceid.CardRequest._free_function
        with mock.patch.object(tcfaceid.CardRequest, "_free_function", counting(real, calls)):
            request = tcfaceid.CardRequest("IDN", "ID_CARD", front=FRONT_JPG)
            self.assertFalse(request.closed)
            request.close()
            request.close()
            self.assertTrue(request.closed)
        self.assertEqual(len(calls), 1)
        client = EMULATOR.client()
        client.close()
        client.close()
        self.assertTrue(client.closed)
        self.assertIn("closed", repr(client))

    def test_use_after_close_raises_value_error(self) -> None:
        request = tcfaceid.CardRequest("IDN", "ID_CARD", front=FRONT_JPG)
        request.close()
        for action in (
            request.validate,
            request.body,
            lambda: request.set_front(FRONT_JPG),
            lambda: request.clear(tcfaceid.Side.BACK),
            lambda: setattr(request, "nationality", "HKG"),
            lambda: request.__enter__(),
        ):
            with self.assertRaises(ValueError):
                action()
        client = EMULATOR.client()
        client.close()
        live = tcfaceid.CardRequest("IDN", "ID_CARD", front=URL)
        closed_calls: List[Callable[[], object]] = [
            lambda: client.apply_card_verification("IDN", "ID_CARD", URL),
            lambda: client.get_card_verification_result("token"),
            lambda: client.verify_card("IDN", "ID_CARD", URL),
            lambda: client.call_json("GetCardVerificationResult", "{}"),
            lambda: client.apply(live),
            lambda: client.__enter__(),
        ]
        for closed_call in closed_calls:
            with self.assertRaisesRegex(ValueError, "Client is closed"):
                closed_call()
        with EMULATOR.client() as open_client:
            with self.assertRaisesRegex(ValueError, "CardRequest is closed"):
                open_client.apply(request)
        live.close()

    def test_with_closes_and_returns_the_object(self) -> None:
        with EMULATOR.client() as client, tcfaceid.CardRequest(
            "IDN", "ID_CARD", front=URL
        ) as request:
            self.assertIsInstance(client, tcfaceid.Client)
            self.assertIsInstance(request, tcfaceid.CardRequest)
            client.apply(request)
        self.assertTrue(client.closed)
        self.assertTrue(request.closed)

    def test_del_frees_the_handle(self) -> None:
        calls: List[Any] = []
        real = tcfaceid.CardRequest._free_function
        with mock.patch.object(tcfaceid.CardRequest, "_free_function", counting(real, calls)):
            request = tcfaceid.CardRequest("IDN", "ID_CARD", front=FRONT_JPG)
            del request
            gc.collect()
        self.assertEqual(len(calls), 1)

    def test_a_failed_constructor_leaves_nothing_behind(self) -> None:
        calls: List[Any] = []
        real = tcfaceid.CardRequest._free_function
        with UnraisableCatcher() as unraisable:
            with mock.patch.object(tcfaceid.CardRequest, "_free_function", counting(real, calls)):
                with self.assertRaises(TypeError):
                    tcfaceid.CardRequest("IDN", "ID_CARD", front=object())  # type: ignore[arg-type]
                gc.collect()
            with self.assertRaises(tcfaceid.ValidationError):
                EMULATOR.client(region="nowhere")
            with self.assertRaises(TypeError):
                EMULATOR.client(timeout="soon")
        self.assertEqual(len(calls), 1, "the request made before the TypeError is freed once")
        self.assertEqual(unraisable, [])

    def test_response_and_signer_handles_are_freed_once_per_call(self) -> None:
        counts = {}
        patches = []
        for cls in (
            _results.VerificationResultHandle,
            _sign.Signer,
        ):
            calls: List[Any] = []
            counts[cls.__name__] = calls
            patches.append(
                mock.patch.object(cls, "_free_function", counting(cls._free_function, calls))
            )
        for p in patches:
            p.start()
        try:
            with EMULATOR.client() as client:
                token = client.apply_card_verification("IDN", "ID_CARD", URL).token
                client.get_card_verification_result(token)
                client.verify_card("IDN", "ID_CARD", URL)
            tcfaceid.sign("a", "b", "host", "Action", "2018-03-01", 1, b"{}")
        finally:
            for p in patches:
                p.stop()
        self.assertEqual(
            {name: len(calls) for name, calls in counts.items()},
            {"VerificationResultHandle": 2, "Signer": 1},
        )


class OwnershipTest(unittest.TestCase):
    """The builder belongs to tcfaceid_client_builder_build once called, even when it fails."""

    def builder_frees(self, **settings: Any) -> int:
        calls: List[Any] = []
        builder_cls = _client._ClientBuilder
        with mock.patch.object(
            builder_cls, "_free_function", counting(builder_cls._free_function, calls)
        ):
            try:
                EMULATOR.client(**settings).close()
            except tcfaceid.TcFaceIdError:
                pass
        return len(calls)

    def test_build_consumes_the_builder(self) -> None:
        self.assertEqual(self.builder_frees(), 0, "built: consumed by C")
        self.assertEqual(
            self.builder_frees(region="nowhere"), 0, "build failed: still consumed by C"
        )
        self.assertEqual(
            self.builder_frees(secret_key=" padded"), 1, "a setter failed: freed by Python"
        )

    def test_consume_hands_over_once(self) -> None:
        request = tcfaceid.CardRequest("IDN", "ID_CARD")
        handle = request._consume()
        self.assertTrue(request.closed)
        with self.assertRaises(ValueError):
            request._consume()
        request.close()  # nothing to free any more
        tcfaceid.CardRequest._free_function(handle)


class SharedCloseTest(unittest.TestCase):
    def test_closing_a_client_in_use_waits_for_the_call_in_flight(self) -> None:
        with _support.Emulator("--delay-ms", "1500") as slow:
            client = slow.client()
            outcome: List[Any] = []

            def call() -> None:
                try:
                    outcome.append(client.apply_card_verification("IDN", "ID_CARD", URL).token)
                except Exception as e:  # noqa: BLE001
                    outcome.append(e)

            worker = threading.Thread(target=call)
            worker.start()
            slow.stats(wait="requests")  # the call is in flight: the emulator holds its request
            self.assertEqual(client._in_flight, 1)
            client.close()  # returns at once
            self.assertTrue(client.closed)
            self.assertIn("_ptr", client.__dict__, "freed only once the call returns")
            with self.assertRaises(ValueError):
                client.get_card_verification_result("x")
            worker.join(10)
        self.assertEqual(len(outcome), 1)
        self.assertIsInstance(outcome[0], str, outcome)
        self.assertNotIn("_ptr", client.__dict__)


class ShutdownTest(unittest.TestCase):
    def test_objects_alive_at_interpreter_exit_do_not_crash_it(self) -> None:
        script = textwrap.dedent(
            f"""
            import tcfaceid
            client = tcfaceid.Client(secret_id="AKID", secret_key="key",
                                     endpoint={EMULATOR.endpoint!r}, region="ap-singapore")
            request = tcfaceid.CardRequest("IDN", "ID_CARD", front={str(FRONT_JPG)!r})
            class Cycle:
                pass
            cycle = Cycle()
            cycle.self = cycle
            cycle.objects = [tcfaceid.Client(secret_id="AKID", secret_key="key",
                                             endpoint={EMULATOR.endpoint!r},
                                             region="ap-jakarta"),
                             tcfaceid.CardRequest("HKG", "ID_CARD")]
            del cycle
            print("done")
            """
        )
        run = subprocess.run(
            [sys.executable, "-c", script],
            env=_support.python_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.strip(), "done")
        self.assertEqual(run.stderr, "")


if __name__ == "__main__":
    unittest.main()
