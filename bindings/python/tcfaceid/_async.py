"""``AsyncClient``: the methods of :class:`Client` as coroutines, for asyncio.

Each call runs the blocking C call on a worker thread of a thread pool (ctypes releases the GIL
during the call), so the event loop stays free: many verifications can be in flight on one
loop at once, all sharing one C client (which is thread-safe).
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Callable, Dict, Optional, TypeVar, Union

from ._client import Client
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

    Cancelling a task awaiting a call raises ``CancelledError`` in the task at once; the call
    itself still runs to its end on its thread (it cannot be interrupted; a ``deadline`` /
    ``timeout`` bounds it), and its result is dropped.
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
        return await self._run(self._client.verify, request, deadline=deadline)

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
        return await self._run(
            self._client.verify_card,
            nationality,
            card_type,
            front,
            back,
            allow_unknown_codes=allow_unknown_codes,
            deadline=deadline,
        )

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
