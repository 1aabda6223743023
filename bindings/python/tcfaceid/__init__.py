"""tcfaceid: Tencent Cloud FaceID document verification from Python.

A pure-Python ctypes binding of ``libtcfaceid`` (the Rust library with a C ABI in this
repository): ApplyCardVerification, GetCardVerificationResult polled to a verdict, any other
action as JSON, and TC3-HMAC-SHA256 signing.

>>> import tcfaceid
>>> with tcfaceid.Client(credentials="env", region="ap-singapore") as client:  # doctest: +SKIP
...     result = client.verify_card(nationality="HKG", card_type="ID_CARD",
...                                 front="front.jpg", back="back.jpg")
...     print(result.status, result.card_info)

The library is found through ``TCFACEID_LIBRARY``, the package's own copy, the system loader
(a ``make install`` copy), or the repository's ``target/`` (see :mod:`tcfaceid._ffi`). Importing
never fails for a missing library: the first call that needs it raises
:class:`LibraryLoadError` (an ``ImportError``) listing what was tried.

Errors are :class:`TcFaceIdError` subclasses (see :mod:`tcfaceid._errors` for the tree);
Python misuse raises ``TypeError`` / ``ValueError`` before any C call.
"""

from __future__ import annotations

from . import _ffi  # the library itself is loaded on first use
from ._async import AsyncClient
from ._cancel import Cancel
from ._client import Client
from ._errors import (
    ActionOfflineError,
    AuthFailureError,
    CancelledError,
    CredentialsError,
    HttpStatusError,
    ImageError,
    InternalPanicError,
    InvalidArgumentError,
    LibraryLoadError,
    PollAttemptsExhaustedError,
    PollDeadlineExceededError,
    PollingGaveUpError,
    ProtocolError,
    RateLimitedError,
    ResponseTooLargeError,
    ResultCode,
    ServiceError,
    TcFaceIdError,
    TcTimeoutError,
    TlsError,
    TransportError,
    ValidationError,
    VerificationInterrupted,
)
from ._product import Api
from ._request import Base64Image, CardRequest, ImageInput, Side
from ._results import (
    AddressInfo,
    ApplyResult,
    GeneralCard,
    Status,
    VerificationResult,
    parse_verification_result,
    warn_info_meaning,
)
from ._sign import Signer, sign
from ._version import __version__


def library_version() -> str:
    """The loaded library's ``tcfaceid_version()``, e.g. ``"tcfaceid/0.3.0"``."""
    return _ffi.library_version()


def library_path() -> str:
    """The path of the loaded library (a bare name when the system loader found it)."""
    return _ffi.library_path()


def result_str(code: int) -> str:
    """The library's static description of a result code (``tcfaceid_result_str``)."""
    if isinstance(code, bool) or not isinstance(code, int):
        raise TypeError(f"code must be an int, not {type(code).__name__}")
    if not 0 <= code < 2**32:
        raise ValueError("code must fit in a uint32_t")
    return _ffi.text(_ffi.lib.tcfaceid_result_str(code))


__all__ = [
    "__version__",
    "library_version",
    "library_path",
    "result_str",
    # Calls.
    "Client",
    "AsyncClient",
    "Api",
    "CardRequest",
    "GeneralCard",
    "AddressInfo",
    "parse_verification_result",
    "warn_info_meaning",
    "Base64Image",
    "ImageInput",
    "Side",
    "sign",
    "Signer",
    # Results.
    "ApplyResult",
    "VerificationResult",
    "Status",
    # Errors.
    "ResultCode",
    "LibraryLoadError",
    "TcFaceIdError",
    "InvalidArgumentError",
    "ValidationError",
    "ImageError",
    "CredentialsError",
    "TransportError",
    "TlsError",
    "TcTimeoutError",
    "HttpStatusError",
    "ServiceError",
    "AuthFailureError",
    "RateLimitedError",
    "ActionOfflineError",
    "ProtocolError",
    "ResponseTooLargeError",
    "PollingGaveUpError",
    "PollDeadlineExceededError",
    "PollAttemptsExhaustedError",
    "CancelledError",
    "VerificationInterrupted",
    "Cancel",
    "InternalPanicError",
]
