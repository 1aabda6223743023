"""``AsyncClient``: the methods of :class:`Client` as coroutines, for asyncio.

Each call runs the blocking C call on a worker thread of a thread pool (ctypes releases the GIL
during the call), so the event loop stays free: many verifications can be in flight on one
loop at once, all sharing one C client (which is thread-safe).

Cancelling a task awaiting :meth:`AsyncClient.verify_card`, :meth:`AsyncClient.verify` or
:meth:`AsyncClient.resume` cancels the call in the library through a :class:`Cancel` handle:
the call ends within about 0.1 s, and the task gets ``asyncio.CancelledError`` whose
``__cause__`` is the library's :class:`tcfaceid.CancelledError`, with the ``token`` when the
apply had succeeded (resume with it; never apply again).
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Callable, Dict, Optional, TypeVar, Union

from ._cancel import Cancel
from ._client import Client
from ._errors import TcFaceIdError
from ._request import CardRequest, ImageInput
from ._results import ApplyResult, VerificationResult

_T = TypeVar("_T")

#: Worker threads of the pool an AsyncClient makes: calls in flight at once beyond this wait.
DEFAULT_MAX_WORKERS = 32


class AsyncClient:
    """A :class:`Client` whose calls are awaitable.

    ``AsyncClient(**options)`` takes the keyword arguments of :class:`Client`, plus:

    Args:
        max_workers: the threads of the pool the calls run on (default 32): at most that many
            calls are in flight at once; more wait their turn.
        executor: an executor of your own to run the calls on instead (not shut down by
            :meth:`aclose`).

    Use ``async with tcfaceid.AsyncClient(...) as client:``, or call :meth:`aclose`.

    Cancelling a task awaiting :meth:`verify_card`, :meth:`verify` or :meth:`resume` cancels
    the call in the library (see the module documentation). The single requests
    (:meth:`apply`, :meth:`get_card_verification_result`, :meth:`call_json`) cannot be
    interrupted: the task is cancelled at once and the request ends on its thread within the
    client's ``timeout``, its result dropped.
    """

    def __init__(
        self,
        *,
        max_workers: Optional[int] = None,
        executor: Optional[Executor] = None,
        **options: Any,
    ) -> None:
        if executor is not None and max_workers is not None:
            raise ValueError("give max_workers or executor, not both")
        self._client = Client(**options)
        self._own_executor = executor is None
        self._executor: Executor = executor or ThreadPoolExecutor(
            max_workers=DEFAULT_MAX_WORKERS if max_workers is None else max_workers,
            thread_name_prefix="tcfaceid",
        )

    @property
    def client(self) -> Client:
        """The blocking :class:`Client` underneath."""
        return self._client

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` (or :meth:`close`) was called."""
        return self._client.closed

    async def _run(self, call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """``call(*args, **kwargs)`` on the pool, awaited without blocking the loop."""
        if self.closed:
            raise ValueError("this AsyncClient is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(call, *args, **kwargs))

    async def _run_cancellable(self, call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """As :meth:`_run`, for a call taking ``cancel=``: cancelling the awaiting task triggers
        the handle, waits for the call to end, and raises ``asyncio.CancelledError`` chained
        to the library's error (which carries the token)."""
        if self.closed:
            raise ValueError("this AsyncClient is closed")
        loop = asyncio.get_running_loop()
        cancel = Cancel()
        future = loop.run_in_executor(
            self._executor, functools.partial(call, *args, cancel=cancel, **kwargs)
        )
        # The handle is freed on the loop thread once the call has returned (the future is
        # only ever awaited through shield / wait, so it is never cancelled early), and
        # trigger() runs on the loop thread too: no free while in use, no trigger after free.
        future.add_done_callback(lambda _: cancel.close())
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            cancel.trigger()
            await asyncio.wait({future})
            error = future.exception()
            if isinstance(error, TcFaceIdError):
                raise asyncio.CancelledError(str(error)) from error
            raise

    async def apply(self, request: CardRequest) -> ApplyResult:
        """:meth:`Client.apply`, awaitable."""
        return await self._run(self._client.apply, request)

    async def apply_card_verification(
        self,
        nationality: str,
        card_type: str,
        front: ImageInput,
        back: Optional[ImageInput] = None,
        *,
        allow_unknown_codes: bool = False,
    ) -> ApplyResult:
        """:meth:`Client.apply_card_verification`, awaitable."""
        return await self._run(
            self._client.apply_card_verification,
            nationality,
            card_type,
            front,
            back,
            allow_unknown_codes=allow_unknown_codes,
        )

    async def get_card_verification_result(self, token: str) -> VerificationResult:
        """:meth:`Client.get_card_verification_result`, awaitable."""
        return await self._run(self._client.get_card_verification_result, token)

    async def verify(self, request: CardRequest, *, deadline: float = 300.0) -> VerificationResult:
        """:meth:`Client.verify`, awaitable."""
        return await self._run_cancellable(self._client.verify, request, deadline=deadline)

    async def verify_card(
        self,
        nationality: str,
        card_type: str,
        front: ImageInput,
        back: Optional[ImageInput] = None,
        *,
        allow_unknown_codes: bool = False,
        deadline: float = 300.0,
    ) -> VerificationResult:
        """:meth:`Client.verify_card`, awaitable."""
        return await self._run_cancellable(
            self._client.verify_card,
            nationality,
            card_type,
            front,
            back,
            allow_unknown_codes=allow_unknown_codes,
            deadline=deadline,
        )

    async def resume(self, token: str, *, deadline: float = 300.0) -> VerificationResult:
        """:meth:`Client.resume`, awaitable (cancellable)."""
        return await self._run_cancellable(self._client.resume, token, deadline=deadline)

    async def call_json(
        self, action: str, body: Union[str, Dict[str, Any], None] = None
    ) -> Dict[str, Any]:
        """:meth:`Client.call_json`, awaitable."""
        return await self._run(self._client.call_json, action, body)

    def close(self) -> None:
        """Close the client (calls in flight finish first) and shut the own pool down without
        waiting. Safe to call twice."""
        self._client.close()
        if self._own_executor:
            self._executor.shutdown(wait=False)

    async def aclose(self) -> None:
        """:meth:`close`, awaitable."""
        self.close()

    async def __aenter__(self) -> AsyncClient:
        if self.closed:
            raise ValueError("this AsyncClient is closed")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return repr(self._client).replace("tcfaceid.Client", "tcfaceid.AsyncClient", 1)
