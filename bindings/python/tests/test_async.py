"""``tcfaceid.AsyncClient`` on one event loop against the emulator: many verifications in
flight at once, the loop kept free while they run, errors and closing."""

from __future__ import annotations

import asyncio
import time
import unittest
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import _support

import tcfaceid

CONCURRENT = 40
FRONT_JPG = _support.SAMPLES / "front.jpg"
BACK_JPG = _support.SAMPLES / "back.jpg"


def async_client(emulator: _support.Emulator, **settings: Any) -> tcfaceid.AsyncClient:
    """An AsyncClient of ``emulator`` with the demo credentials."""
    options: Dict[str, Any] = {
        "secret_id": _support.DEMO_SECRET_ID,
        "secret_key": _support.DEMO_SECRET_KEY,
        "endpoint": emulator.endpoint,
        "region": _support.REGION,
    }
    options.update(settings)
    return tcfaceid.AsyncClient(**options)


class AsyncClientTest(unittest.TestCase):
    def test_many_concurrent_verifications_on_one_loop(self) -> None:
        # Each verification takes 300 ms (the emulator's polling wait; no hints, the client polls
        # every 10 ms) on its worker thread: while they do,
        # a ticker on the same loop must run. Had a call blocked the loop, the first call would
        # finish before the ticker (scheduled after every call) ever ran.
        verdicts = {
            "passed": tcfaceid.Status.PASSED,
            "warning": tcfaceid.Status.WARNING,
            "rejected": tcfaceid.Status.REJECTED,
        }
        kinds = list(verdicts)

        async def main() -> None:
            ticks_before_first_result: List[int] = []
            ticks = 0

            plan = (0.01, 0.01, 1000)
            async with async_client(emulator, max_workers=CONCURRENT, poll_plan=plan) as client:

                async def one(index: int) -> tcfaceid.VerificationResult:
                    kind = kinds[index % 3]
                    result = await client.verify_card(
                        "IDN", "ID_CARD", f"https://example.com/{kind}-{index}.jpg"
                    )
                    if not ticks_before_first_result:
                        ticks_before_first_result.append(ticks)
                    return result

                calls = [asyncio.ensure_future(one(i)) for i in range(CONCURRENT)]

                async def ticker() -> None:
                    nonlocal ticks
                    while not all(call.done() for call in calls):
                        ticks += 1
                        await asyncio.sleep(0.01)  # the pace measured, not a wait

                results, _ = await asyncio.gather(asyncio.gather(*calls), ticker())
            self.assertGreater(ticks_before_first_result[0], 0, "the loop was blocked")
            self.assertEqual(
                [r.status for r in results], [verdicts[kinds[i % 3]] for i in range(CONCURRENT)]
            )
            self.assertEqual(len({r.token for r in results}), CONCURRENT, "one token per call")

        flags = ("--processing-polls", "0", "--polling-wait-ms", "300", "--no-polling-hints")
        with _support.Emulator(*flags) as emulator:
            asyncio.run(main())

    def test_every_method_and_its_errors(self) -> None:
        async def main() -> None:
            async with async_client(emulator) as client:
                applied = await client.apply_card_verification("HKG", "ID_CARD", FRONT_JPG, BACK_JPG)
                self.assertTrue(applied.token)
                polled = await client.get_card_verification_result(applied.token)
                self.assertEqual(polled.token, applied.token)
                with tcfaceid.CardRequest("HKG", "ID_CARD", FRONT_JPG, BACK_JPG) as request:
                    applied_again = await client.apply(request)
                    verdict = await client.verify(request, deadline=60)
                self.assertNotEqual(applied_again.token, applied.token)
                self.assertEqual(verdict.status, tcfaceid.Status.PASSED)
                answer = await client.call_json(
                    "GetCardVerificationResult", {"CardVerificationToken": applied.token}
                )
                self.assertIn("Response", answer)
                # A local check fails on the worker thread and is raised in the task, with the
                # last error of that thread.
                with self.assertRaises(tcfaceid.ValidationError) as caught:
                    await client.verify_card("XXX", "ID_CARD", FRONT_JPG)
                self.assertEqual(caught.exception.field, "Nationality")
                with self.assertRaises(TypeError):
                    await client.apply("not a request")  # type: ignore[arg-type]
            self.assertTrue(client.closed)
            with self.assertRaises(ValueError):
                await client.get_card_verification_result(applied.token)

        with _support.Emulator() as emulator:
            asyncio.run(main())

    def test_service_errors_reach_the_task(self) -> None:
        async def main() -> None:
            async with async_client(emulator) as client:
                with self.assertRaises(tcfaceid.RateLimitedError) as caught:
                    await client.get_card_verification_result("some-token")
                self.assertTrue(caught.exception.request_id)

        with _support.Emulator("--fault", "rate-limit") as emulator:
            asyncio.run(main())

    def test_cancelling_the_task_cancels_the_call_and_keeps_the_token(self) -> None:
        # The emulator never gives a verdict and hints a 600 s wait: only a cancel in the
        # library can end these calls before their deadlines (300 s, 900 s).
        async def main() -> None:
            loop = asyncio.get_running_loop()
            async with async_client(emulator) as client:
                applied = await client.apply_card_verification("HKG", "ID_CARD", FRONT_JPG, BACK_JPG)
                for name, call in (
                    ("resume", client.resume(applied.token)),
                    (
                        "verify_card",
                        client.verify_card("HKG", "ID_CARD", FRONT_JPG, BACK_JPG, deadline=900),
                    ),
                ):
                    # The call has started once the emulator has its request (the apply, or
                    # the resume's first poll); its result cannot come first.
                    counter = "apply_calls" if name == "verify_card" else "result_calls"
                    seen = emulator.stats()[counter]
                    task = asyncio.ensure_future(call)
                    await loop.run_in_executor(None, emulator.stats, counter, seen + 1)
                    self.assertFalse(task.done())
                    start = time.monotonic()
                    task.cancel()
                    with self.assertRaises(asyncio.CancelledError) as caught:
                        await task
                    self.assertLess(time.monotonic() - start, 10.0, "the call was not cancelled")
                    cause = caught.exception.__cause__
                    self.assertIsInstance(cause, tcfaceid.CancelledError)
                    assert isinstance(cause, tcfaceid.CancelledError)
                    self.assertEqual(cause.code, tcfaceid.ResultCode.CANCELLED)
                    if name == "resume":
                        self.assertEqual(cause.token, applied.token)
                # Many at once on one loop, all cancelled: once half of them are polling (the
                # others anywhere in their call, or still queued for a worker thread).
                seen = emulator.stats()["result_calls"]
                tasks = [
                    asyncio.ensure_future(client.resume(applied.token)) for _ in range(CONCURRENT)
                ]
                polled = seen + CONCURRENT // 2
                await loop.run_in_executor(None, emulator.stats, "result_calls", polled)
                for task in tasks:
                    task.cancel()
                # Each task awaited on its own: gather(return_exceptions=True) would hand back
                # fresh CancelledErrors without the cause.
                tokens = []
                for task in tasks:
                    with self.assertRaises(asyncio.CancelledError) as caught:
                        await task
                    tokens.append(getattr(caught.exception.__cause__, "token", None))
                self.assertEqual(tokens, [applied.token] * CONCURRENT)

        flags = ("--processing-polls", "1000000", "--polling-wait-secs", "600")
        with _support.Emulator(*flags) as emulator:
            asyncio.run(main())

    def test_arguments(self) -> None:
        with ThreadPoolExecutor(1) as executor, self.assertRaises(ValueError):
            tcfaceid.AsyncClient(max_workers=2, executor=executor)
        with self.assertRaises(TypeError):
            tcfaceid.AsyncClient(no_such_option=1)


if __name__ == "__main__":
    unittest.main()
