"""``Cancel``: a cancel handle (``tcfaceid_cancel``), and running a blocking call so that
Ctrl-C cancels it."""

from __future__ import annotations

import signal
import threading
from ctypes import byref
from typing import Callable, Optional, Set, TypeVar

from ._errors import CancelledError, TcFaceIdError, VerificationInterrupted
from ._ffi import CancelRef, lib
from ._managed import Managed

_T = TypeVar("_T")

#: How often the main thread wakes to let a pending KeyboardInterrupt be raised.
_WAIT_SLICE = 0.02


class Cancel(Managed):
    """A cancel handle: give it to :meth:`Client.verify_card`, :meth:`Client.verify` or
    :meth:`Client.resume` as ``cancel=``, and call :meth:`trigger` from any thread (or an
    asyncio callback) to stop that call: it raises :class:`CancelledError` within 100 ms,
    with ``token`` set when the apply had succeeded. Once triggered it stays triggered; use a
    new one per call.

    Threads: any thread may call :meth:`trigger` while a call uses the handle.
    """

    _free_function = lib.deferred("tcfaceid_cancel_free")

    def __init__(self) -> None:
        handle = CancelRef()
        lib.tcfaceid_cancel_new(byref(handle))
        self._set_handle(handle)

    def trigger(self) -> None:
        """Stop every call using this handle as soon as it can. Safe from any thread."""
        lib.tcfaceid_cancel_trigger(self._handle())

    @property
    def triggered(self) -> bool:
        """Whether :meth:`trigger` was called."""
        return bool(lib.tcfaceid_cancel_is_triggered(self._handle()))


def run_interruptibly(call: Callable[[Cancel], _T], cancel: Optional[Cancel]) -> _T:
    """Run ``call(cancel_handle)``. On the main thread it runs on a helper thread while the main
    thread waits in short slices, so that Ctrl-C triggers the handle: the call then ends within
    about 0.1 s and :class:`VerificationInterrupted` (a ``KeyboardInterrupt``) is raised with the
    token. Elsewhere it runs directly (another thread cannot receive Ctrl-C)."""
    handle = cancel if cancel is not None else Cancel()
    try:
        if threading.current_thread() is not threading.main_thread():
            return call(handle)
        outcome: dict = {}  # type: ignore[type-arg]
        # An Event, not Thread.join: a join interrupted by KeyboardInterrupt can make the next
        # join return before the thread ends.
        done = threading.Event()

        def work() -> None:
            try:
                outcome["value"] = call(handle)
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
                outcome["error"] = error
            finally:
                done.set()

        worker = threading.Thread(target=work, name="tcfaceid-call", daemon=True)
        # Ctrl-C is held back while the worker starts and released inside the try: landing
        # between the start and the try, it would escape as a plain KeyboardInterrupt (no
        # token) while the call goes on (under load the worker can apply before start returns).
        held = _hold_sigint()
        worker.start()
        try:
            _release_sigint(held)
            while not done.wait(_WAIT_SLICE):
                pass
        except KeyboardInterrupt:
            handle.trigger()
            done.wait()
            error = outcome.get("error")
            if isinstance(error, TcFaceIdError):
                raise VerificationInterrupted(error) from error
            raise VerificationInterrupted(CancelledError("interrupted", code=902)) from None
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]  # type: ignore[no-any-return]
    finally:
        if cancel is None:
            handle.close()


def _hold_sigint() -> Optional[Set[int]]:
    """Block SIGINT in this thread where the platform can; the previous mask, else None."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _release_sigint(held: Optional[Set[int]]) -> None:
    """Restore the mask :func:`_hold_sigint` returned (a Ctrl-C held back is raised now)."""
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


__all__ = ["Cancel", "run_interruptibly"]
