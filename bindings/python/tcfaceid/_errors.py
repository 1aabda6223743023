"""Result codes and the exception hierarchy.

Every failing C call becomes one exception, chosen by its result code (see
``include/tcfaceid.h``): the exact code when it has its own class, else the class of its
hundred-range, so a code added to a range later still lands in the right class::

    TcFaceIdError
     +-- InvalidArgumentError          1xx  an argument the C library refused
     +-- ValidationError               2xx  the service's request rules, checked locally
     +-- ImageError                    3xx  the image is unusable (format, size, base64, file)
     +-- CredentialsError              4xx  missing or malformed credentials
     +-- TransportError                5xx  no complete response (DNS, connect, reset)
     |    +-- TlsError                 501
     |    +-- TcTimeoutError           502  (also a builtin TimeoutError)
     +-- HttpStatusError               6xx  an HTTP status other than 200
     +-- ServiceError                  7xx  Response.Error from the service
     |    +-- AuthFailureError         701  AuthFailure.*
     |    +-- RateLimitedError         702  RequestLimitExceeded*
     |    +-- ActionOfflineError       703  ActionOffline / InvalidAction
     +-- ProtocolError                 8xx  the response is not the expected JSON
     |    +-- ResponseTooLargeError    801
     +-- PollingGaveUpError            9xx  no verdict in time (``token`` to poll again)
     |    +-- PollDeadlineExceededError    900
     |    +-- PollAttemptsExhaustedError   901
     +-- CancelledError                902  a cancel handle was triggered
     +-- InternalPanicError            1000 a bug inside the library (caught; still usable)

Misuse found in Python before any C call raises the builtin ``TypeError`` (wrong type) or
``ValueError`` (bad value, e.g. a string holding a NUL character, a negative timeout, or a
closed object), never a :class:`TcFaceIdError`.

Every error raised after a successful (billed) ApplyCardVerification carries its ``token``, read
from the library (``tcfaceid_last_error_token``): resume with ``Client.resume(token)`` instead
of applying again. A Ctrl-C during ``Client.verify_card`` raises :class:`VerificationInterrupted`,
a ``KeyboardInterrupt`` that carries the token too.

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

import enum
from typing import Dict, Type, Union


class ResultCode(enum.IntEnum):
    """The C library's ``tcfaceid_result`` codes (never renumbered)."""

    OK = 0
    NULL_ARGUMENT = 100
    INVALID_UTF8 = 101
    INVALID_ARGUMENT = 102
    # 103: reserved (was BUFFER_TOO_SMALL, never returned)
    INVALID_NATIONALITY = 200
    INVALID_CARD_TYPE = 201
    FRONT_IMAGE_REQUIRED = 202
    BACK_IMAGE_REQUIRED = 203
    INVALID_IMAGE_URL = 204
    INVALID_REGION = 205
    INVALID_ENDPOINT = 206
    INVALID_LANGUAGE = 207
    INVALID_OPTION = 208
    UNSUPPORTED_FIELD = 209
    INVALID_WEBHOOK_URL = 210
    IMAGE_UNSUPPORTED_FORMAT = 300
    IMAGE_CORRUPT = 301
    IMAGE_RESOLUTION_TOO_LARGE = 302
    IMAGE_TOO_LARGE = 303
    IMAGE_INVALID_BASE64 = 304
    IMAGE_UNREADABLE = 305
    IMAGE_EMPTY = 306
    IMAGE_RESOLUTION_TOO_SMALL = 307
    CREDENTIALS_MISSING = 400
    CREDENTIALS_INVALID = 401
    CREDENTIALS_UNAVAILABLE = 402
    TRANSPORT = 500
    TLS = 501
    TIMEOUT = 502
    HTTP_STATUS = 600
    SERVICE = 700
    SERVICE_AUTH_FAILURE = 701
    SERVICE_RATE_LIMITED = 702
    SERVICE_ACTION_OFFLINE = 703
    PROTOCOL = 800
    RESPONSE_TOO_LARGE = 801
    POLL_DEADLINE_EXCEEDED = 900
    POLL_ATTEMPTS_EXHAUSTED = 901
    CANCELLED = 902
    PANIC = 1000


class LibraryLoadError(ImportError):
    """``libtcfaceid`` could not be found, loaded, or is not a version this package supports.

    Raised by ``import tcfaceid``. The message lists every path tried, why each was refused,
    and how to fix it (build the library or set ``TCFACEID_LIBRARY``).
    """


class TcFaceIdError(Exception):
    """A call into the tcfaceid library failed.

    Attributes:
        code: the C result code (a :class:`ResultCode`, or a plain ``int`` for a code this
            package does not know).
        message: the library's message, in English; it never contains the secret key.
        field: the argument or request field at fault (e.g. ``"Nationality"``,
            ``"ImageBase64Back"``, ``"secret_key"``), or ``""``.
        service_code: the service's ``Response.Error.Code`` (e.g.
            ``"AuthFailure.SignatureFailure"``), or ``""`` when the failure did not come from
            the service.
        request_id: the service's RequestId (quote it to Tencent support), or ``""``.
        http_status: the HTTP status of the response behind the failure, or ``0``.
        description: the static description of :attr:`code` (``tcfaceid_result_str``).
        token: the CardVerificationToken when the failure came after a successful (billed)
            apply (transport, timeout, protocol, service, polling and cancellation errors
            alike), else ``""``: resume with :meth:`Client.resume` instead of applying again.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int = 0,
        field: str = "",
        service_code: str = "",
        request_id: str = "",
        http_status: int = 0,
        description: str = "",
        token: str = "",
    ) -> None:
        super().__init__(message)
        self.code: Union[ResultCode, int] = _as_result_code(code)
        self.message = message
        self.field = field
        self.service_code = service_code
        self.request_id = request_id
        self.http_status = http_status
        self.description = description
        self.token = token

    def __str__(self) -> str:
        details = []
        if self.service_code and self.service_code not in self.message:
            details.append(self.service_code)
        if self.http_status and self.http_status != 200:
            details.append(f"HTTP {self.http_status}")
        if self.request_id:
            details.append(f"RequestId {self.request_id}")
        suffix = f" ({', '.join(details)})" if details else ""
        return f"{self.message}{suffix}"

    def __repr__(self) -> str:
        code = self.code.name if isinstance(self.code, ResultCode) else self.code
        return f"{type(self).__name__}({self.message!r}, code={code})"


class InvalidArgumentError(TcFaceIdError):
    """1xx: the C library refused an argument (NULL, not UTF-8, an unknown value).

    Python checks types and obvious values first and raises ``TypeError`` / ``ValueError``;
    this is what the library itself refused, e.g. an empty token or an action that is not a
    name. :attr:`field` names the parameter.
    """


class ValidationError(TcFaceIdError):
    """2xx: the request breaks one of the service's rules, found locally; nothing was sent.

    Bad Nationality or CardType, a missing front or back image, an image URL that is not
    http(s), or a client setting out of range (region, endpoint, language, timeouts, retries).
    :attr:`field` names the request field (e.g. ``"ImageBase64Back"``).
    """


class ImageError(TcFaceIdError):
    """3xx: an image is unusable: not PNG/JPEG, corrupt, over 8000 px, over 5 MiB of base64,
    bad base64, an unreadable file, or empty. Found locally; nothing was sent."""


class CredentialsError(TcFaceIdError):
    """4xx: no credentials were found, or they are unusable (empty, padded with whitespace,
    a malformed profile file)."""


class TransportError(TcFaceIdError):
    """5xx: the call got no complete response (DNS, connection refused or reset).

    The request may or may not have reached the service.
    """


class TlsError(TransportError):
    """501: the TLS handshake failed, or the CA file given is unusable."""


class TcTimeoutError(TransportError, TimeoutError):
    """502: the call did not finish within its deadline (connect timeout or overall timeout).

    Also a builtin :class:`TimeoutError`, so ``except TimeoutError`` catches it.
    """


class HttpStatusError(TcFaceIdError):
    """6xx: the server answered with an HTTP status other than 200 (see :attr:`http_status`)."""


class ServiceError(TcFaceIdError):
    """7xx: the service answered with ``Response.Error``; see :attr:`service_code` and
    :attr:`request_id`. Subclasses single out the errors a program usually handles apart."""


class AuthFailureError(ServiceError):
    """701: the service refused the credentials or the signature (``AuthFailure.*``)."""


class RateLimitedError(ServiceError):
    """702: the service's rate limit was hit (``RequestLimitExceeded*``); retry later, or
    build the client with ``retries``."""


class ActionOfflineError(ServiceError):
    """703: the action is retired at the service (``ActionOffline`` / ``InvalidAction``)."""


class ProtocolError(TcFaceIdError):
    """8xx: the response was not the JSON expected (not JSON, wrong shape, missing fields)."""


class ResponseTooLargeError(ProtocolError):
    """801: the response body was larger than the client's ``max_response_bytes``."""


class PollingGaveUpError(TcFaceIdError):
    """9xx: polling stopped without a verdict; the verification may still finish: resume
    it later with :meth:`Client.resume` and :attr:`token`."""


class PollDeadlineExceededError(PollingGaveUpError):
    """900: the caller's deadline came before a verdict."""


class PollAttemptsExhaustedError(PollingGaveUpError):
    """901: the service's maximum number of polls was reached without a verdict."""


class CancelledError(TcFaceIdError):
    """902: the call was cancelled (a :class:`Cancel` handle was triggered). :attr:`token`
    is set when the apply had succeeded."""


class VerificationInterrupted(KeyboardInterrupt):
    """Ctrl-C during :meth:`Client.verify_card` (or :meth:`Client.resume`): a
    ``KeyboardInterrupt`` (``except KeyboardInterrupt`` still catches it) that carries the
    token, to resume the billed verification later.

    Attributes:
        token: the CardVerificationToken, or ``""`` when Ctrl-C came before the apply was
            answered (the service may still process that apply).
        error: the library's :class:`CancelledError` (or the error the call ended with).
    """

    def __init__(self, error: TcFaceIdError) -> None:
        super().__init__(f"interrupted; token {error.token!r}" if error.token else "interrupted")
        self.error = error
        self.token = error.token


class InternalPanicError(TcFaceIdError):
    """1000: a bug inside the library was caught at the C boundary (please report it).

    The process and the library stay usable.
    """


_BY_CODE: Dict[int, Type[TcFaceIdError]] = {
    ResultCode.TLS: TlsError,
    ResultCode.TIMEOUT: TcTimeoutError,
    ResultCode.SERVICE_AUTH_FAILURE: AuthFailureError,
    ResultCode.SERVICE_RATE_LIMITED: RateLimitedError,
    ResultCode.SERVICE_ACTION_OFFLINE: ActionOfflineError,
    ResultCode.RESPONSE_TOO_LARGE: ResponseTooLargeError,
    ResultCode.POLL_DEADLINE_EXCEEDED: PollDeadlineExceededError,
    ResultCode.POLL_ATTEMPTS_EXHAUSTED: PollAttemptsExhaustedError,
    ResultCode.CANCELLED: CancelledError,
    ResultCode.PANIC: InternalPanicError,
}

_BY_RANGE: Dict[int, Type[TcFaceIdError]] = {
    1: InvalidArgumentError,
    2: ValidationError,
    3: ImageError,
    4: CredentialsError,
    5: TransportError,
    6: HttpStatusError,
    7: ServiceError,
    8: ProtocolError,
    9: PollingGaveUpError,
    10: InternalPanicError,
}


def error_class(code: int) -> Type[TcFaceIdError]:
    """The exception class for a result code: its own class, else its range's, else the base."""
    return _BY_CODE.get(code) or _BY_RANGE.get(code // 100) or TcFaceIdError


def make_error(
    code: int,
    message: str,
    *,
    field: str = "",
    service_code: str = "",
    request_id: str = "",
    http_status: int = 0,
    description: str = "",
    token: str = "",
) -> TcFaceIdError:
    """Build the exception for a failed call from the details of the C library's last error."""
    return error_class(code)(
        message or description or f"tcfaceid result {code}",
        code=code,
        field=field,
        service_code=service_code,
        request_id=request_id,
        http_status=http_status,
        description=description,
        token=token,
    )


def _as_result_code(code: int) -> Union[ResultCode, int]:
    try:
        return ResultCode(code)
    except ValueError:
        return code


__all__ = [
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
    "InternalPanicError",
    "make_error",
    "error_class",
]
