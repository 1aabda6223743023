"""The base class of every Python object that owns a C handle."""

from __future__ import annotations

import sys
from typing import Any, Callable, ClassVar, Optional, TypeVar

_Self = TypeVar("_Self", bound="Managed")


class Managed:
    """Owns one C handle and frees it exactly once.

    * :meth:`close` frees the handle; calling it again does nothing.
    * ``with obj:`` closes on exit.
    * ``__del__`` closes an object that was not closed, except while the interpreter shuts
      down (the library may already be gone then; the OS reclaims the memory).
    * Using an object after :meth:`close` raises ``ValueError`` (as a closed file does).
    * :meth:`_consume` hands the handle to a C function that takes ownership of it (e.g. the
      builder given to ``tcfaceid_client_builder_build``): the object is then closed without
      being freed.

    The handle lives in the instance ``__dict__`` and is taken out with one ``dict.pop``, so
    two threads closing the same object cannot free it twice.

    Subclasses set ``_free_function`` to the C ``_free`` function of their handle type.
    """

    #: The C function freeing this handle type (a ctypes function; NULL-safe).
    _free_function: ClassVar[Callable[[Any], None]]

    def _set_handle(self, handle: Any) -> None:
        """Take ownership of ``handle`` (a non-NULL ctypes pointer)."""
        if not handle:
            raise RuntimeError(f"tcfaceid returned a NULL {type(self).__name__} handle")
        self.__dict__["_ptr"] = handle

    def _handle(self) -> Any:
        """The live handle; ``ValueError`` once closed."""
        handle = self.__dict__.get("_ptr")
        if handle is None:
            raise ValueError(f"this {type(self).__name__} is closed")
        return handle

    def _consume(self) -> Any:
        """Give the handle away (the caller's C function now owns it); ``ValueError`` if closed."""
        handle = self.__dict__.pop("_ptr", None)
        if handle is None:
            raise ValueError(f"this {type(self).__name__} is closed")
        return handle

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (or the handle was consumed)."""
        return self.__dict__.get("_ptr") is None

    def close(self) -> None:
        """Free the C handle. Safe to call more than once."""
        handle: Optional[Any] = self.__dict__.pop("_ptr", None)
        if handle is not None:
            type(self)._free_function(handle)

    def __enter__(self: _Self) -> _Self:
        if self.closed:
            raise ValueError(f"this {type(self).__name__} is closed")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self, _is_finalizing: Callable[[], bool] = sys.is_finalizing) -> None:
        # `_is_finalizing` is bound when the class is made, so it still works while module
        # globals are being torn down at exit.
        if _is_finalizing():
            return
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass
