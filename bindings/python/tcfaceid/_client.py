"""``Client``: a client of FaceID or OCR (``tcfaceid_client``), safe to share between threads."""

from __future__ import annotations

import json
import math
import os
from ctypes import byref, c_size_t, c_void_p
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from . import _credentials, _ffi
from ._ffi import (
    ClientBuilderRef,
    ClientRef,
    VerificationResultRef,
    lib,
)
from . import _errors
from ._cancel import Cancel, run_interruptibly
from ._managed import Managed
from ._product import Api, optional_api
from ._request import CardRequest, ImageInput
from ._results import (
    APPLY_FIELDS,
    ApplyResult,
    VerificationResult,
    apply_result_from,
    take_verification_result,
)

#: Largest value of a C ``uint64_t`` / ``int64_t`` argument.
_U64_MAX = 2**64 - 1
_I64_RANGE = (-(2**63), 2**63 - 1)


class _ClientBuilder(Managed):
    """Owns a ``tcfaceid_client_builder`` until ``tcfaceid_client_builder_build`` consumes it."""

    _free_function = lib.deferred("tcfaceid_client_builder_free")


class Client(Managed):
    """A client of one product: signs and sends its apply and result actions (FaceID
    ApplyCardVerification / GetCardVerificationResult, or OCR ApplyCardVerificationExternal /
    GetCardVerificationExternalResult) and any other action, over kept-alive HTTPS
    connections.

    Every argument is keyword-only and optional; ``None`` keeps the library's default.

    Credentials (one way at most):
        * ``secret_id`` and ``secret_key`` (and ``token`` for temporary credentials);
        * ``credentials="env"``: ``TENCENTCLOUD_SECRET_ID``, ``TENCENTCLOUD_SECRET_KEY`` and
          the optional ``TENCENTCLOUD_SECURITY_TOKEN``;
        * ``credentials="profile"`` (or just ``profile="name"``): the profile file
          (``TENCENTCLOUD_CREDENTIALS_FILE``, else ``~/.tencentcloud/credentials``), section
          ``profile`` (default ``"default"``);
        * ``credentials="chain"``: the default chain: the environment, the profile file
          (then ``/etc/tencentcloud/credentials``), TKE OIDC when the four ``TKE_*``
          variables are set, then, with ``cvm_role=True``, the CVM instance role; the error
          names every source tried when none works;
        * ``credentials="cvm-role"``: the CVM instance role's temporary keys from the metadata
          service (``role="name"``, else the one it gives; ``TCFACEID_METADATA_ENDPOINT``
          overrides the service's address), refreshed 300 s before they expire;
        * ``credentials="oidc"``: TKE workload identity (``TKE_REGION``, ``TKE_PROVIDER_ID``,
          ``TKE_WEB_IDENTITY_TOKEN_FILE``, ``TKE_ROLE_ARN``), re-read at every refresh;
        * ``credentials=callable``: called with no argument when keys are needed or the last
          ones are within 300 s of expiry (never from two threads at once); returns
          ``(secret_id, secret_key[, token[, expires_at]])`` or a mapping with those keys
          (``expires_at`` Unix seconds or an aware datetime; ``None`` never expires). When it
          raises, still-valid keys stay in use, else the call fails with ``CredentialsError``;
        * nothing: the environment, then the profile file, then TKE OIDC.

        ``assume_role="qcs::cam::uin/...:roleName/..."`` (or a mapping with ``role_arn``,
        ``session_name``, ``duration``) signs with the temporary keys of that role, assumed
        through STS with the keys above (``sts_endpoint=`` or ``TCFACEID_STS_ENDPOINT``
        overrides ``https://sts.tencentcloudapi.com``).

    Args:
        api: the product, ``"faceid"`` (default) or ``"ocr"`` (or a :class:`Api`). It brings
            the default endpoint, the signing service, the version, the action names, the
            regions, the request rules and the poll plan used without server hints.
        region: FaceID ``"ap-hongkong"``, ``"ap-jakarta"`` or ``"ap-singapore"``; OCR
            ``"ap-singapore"`` (default: ``TENCENTCLOUD_REGION``; OCR: else ap-singapore).
        endpoint: any ``https://`` URL (default: the product's,
            ``https://faceid.tencentcloudapi.com`` / ``https://ocr.intl.tencentcloudapi.com``),
            or an ``http://`` URL (the emulator, a local gateway).
        poll_plan: ``(first_wait, wait, max_polls)``: seconds before the first poll and
            before each later one, and the most polls, used when the service gives no hints
            (OCR never does). Default: FaceID (5, 5, 60), OCR (3, 5, 60).
        allow_insecure_http: accept ``http://`` to a host other than this machine (default
            False). The requests carry identity documents, which would cross the network in
            clear: only on a trusted network.
        language: the service's message language, ``"en-US"`` (default) or ``"zh-CN"``.
        connect_timeout: seconds for DNS, TCP and TLS (default 10).
        timeout: the overall deadline of one call in seconds, retries included (default 30).
        max_response_bytes: the largest response body read (default 1 MiB, at least 1024).
        retries: how many times to retry after the first attempt (0..9; default 0); never
            business errors. ApplyCardVerification (billed) is sent again only when it
            certainly did not reach the service (name resolution, connect or TLS handshake
            failed) or the service said it did not process it (``RequestLimitExceeded*``);
            never after the request was written (no answer, a timeout, HTTP 5xx, garbage),
            which could bill a second job. GetCardVerificationResult is retried on every
            transient failure (network, timeout, HTTP 5xx, ``RequestLimitExceeded*``).
        backoff: ``(base, max)`` seconds of the jittered exponential backoff between retries.
        proxy: a proxy URL (default: ``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY``).
        ca_file: a PEM file of CA certificates to trust instead of the bundled roots.
        clock_offset_secs: seconds added to the local clock when stamping requests.

    Raises:
        TypeError: an argument has the wrong type.
        ValueError: contradictory credentials, a negative number, a string holding NUL.
        ValidationError: region, endpoint, language or an option is not accepted.
        CredentialsError: no usable credentials.
        TlsError: the CA file is unusable.

    Threads: any number of threads may call one client at once; nothing is locked while a
    call runs. :meth:`close` makes new calls raise ``ValueError``; the C client is freed once
    the calls in flight return. The secret key is kept (and wiped on free) by the library; the
    ``str`` given here cannot be wiped by Python.
    """

    _free_function = lib.deferred("tcfaceid_client_free")

    def __init__(
        self,
        *,
        api: Union[Api, str, None] = None,
        poll_plan: Optional[Tuple[float, float, int]] = None,
        secret_id: Optional[str] = None,
        secret_key: Optional[str] = None,
        token: Optional[str] = None,
        credentials: Optional[Union[str, _credentials.CredentialsFunction]] = None,
        profile: Optional[str] = None,
        role: Optional[str] = None,
        cvm_role: bool = False,
        assume_role: Optional[Union[str, Mapping[str, Any]]] = None,
        sts_endpoint: Optional[str] = None,
        region: Optional[str] = None,
        endpoint: Optional[str] = None,
        language: Optional[str] = None,
        connect_timeout: Optional[float] = None,
        timeout: Optional[float] = None,
        max_response_bytes: Optional[int] = None,
        retries: Optional[int] = None,
        backoff: Tuple[float, float] = (0.2, 5.0),
        proxy: Optional[str] = None,
        ca_file: Optional[Union[str, os.PathLike[str]]] = None,
        clock_offset_secs: Optional[int] = None,
        allow_insecure_http: bool = False,
    ) -> None:
        # One entry per call in flight (see _call).
        self._calls: List[None] = []
        self._closing = False
        self._endpoint = endpoint
        self._region = region
        # Every check and conversion happens before the builder exists.
        product = optional_api(api)
        self._api = Api.FACEID if product is None else product
        if credentials is not None and credentials not in ("env", "profile"):
            if secret_id is not None or secret_key is not None or profile is not None:
                raise ValueError(
                    "give one credentials source: secret_id/secret_key, profile or credentials="
                )
            setters = _credentials.source_setters(credentials, role, cvm_role)
        else:
            if role is not None or cvm_role:
                raise ValueError(
                    'role and cvm_role are only used with credentials="cvm-role" / "chain"'
                )
            setters = _credential_setters(secret_id, secret_key, token, credentials, profile)
        setters += _credentials.assume_role_setters(assume_role, sts_endpoint)
        # The C client calls it until freed: keep it as long as this object.
        self._credentials_callback = next(
            (a for _, args in setters for a in args if isinstance(a, _ffi.CREDENTIALS_CALLBACK)),
            None,
        )
        if product is not None:
            setters.append((lib.tcfaceid_client_builder_set_api, (product,)))
        if poll_plan is not None:
            if not isinstance(poll_plan, tuple) or len(poll_plan) != 3:
                raise TypeError("poll_plan must be a (first_wait, wait, max_polls) tuple")
            plan = (
                _millis(poll_plan[0], "poll_plan[0]"),
                _millis(poll_plan[1], "poll_plan[1]"),
                _count(poll_plan[2], "poll_plan[2]", _U64_MAX),
            )
            setters.append((lib.tcfaceid_client_builder_set_poll_plan, plan))
        for name, value, setter in (
            ("region", region, lib.tcfaceid_client_builder_set_region),
            ("endpoint", endpoint, lib.tcfaceid_client_builder_set_endpoint),
            ("language", language, lib.tcfaceid_client_builder_set_language),
            ("proxy", proxy, lib.tcfaceid_client_builder_set_proxy),
        ):
            if value is not None:
                setters.append((setter, (_ffi.encode(value, name),)))
        if not isinstance(allow_insecure_http, bool):
            raise TypeError("allow_insecure_http must be a bool")
        if allow_insecure_http:
            setters.append((lib.tcfaceid_client_builder_set_allow_insecure_http, (True,)))
        if ca_file is not None:
            if not isinstance(ca_file, (str, os.PathLike)):
                raise TypeError(f"ca_file must be a path, not {type(ca_file).__name__}")
            path = os.fspath(ca_file)
            setters.append(
                (lib.tcfaceid_client_builder_set_ca_file, (_ffi.encode(path, "ca_file"),))
            )
        if connect_timeout is not None:
            setters.append(
                (
                    lib.tcfaceid_client_builder_set_connect_timeout_ms,
                    (_millis(connect_timeout, "connect_timeout"),),
                )
            )
        if timeout is not None:
            setters.append(
                (lib.tcfaceid_client_builder_set_timeout_ms, (_millis(timeout, "timeout"),))
            )
        if max_response_bytes is not None:
            setters.append(
                (
                    lib.tcfaceid_client_builder_set_max_response_bytes,
                    (_count(max_response_bytes, "max_response_bytes", _U64_MAX),),
                )
            )
        if retries is not None:
            attempts = _count(retries, "retries", 2**32 - 2) + 1
            if not isinstance(backoff, tuple) or len(backoff) != 2:
                raise TypeError("backoff must be a (base, max) tuple of seconds")
            base_ms, max_ms = (_millis(backoff[0], "backoff[0]"), _millis(backoff[1], "backoff[1]"))
            setters.append((lib.tcfaceid_client_builder_set_retries, (attempts, base_ms, max_ms)))
        if clock_offset_secs is not None:
            if isinstance(clock_offset_secs, bool) or not isinstance(clock_offset_secs, int):
                raise TypeError(
                    f"clock_offset_secs must be an int, not {type(clock_offset_secs).__name__}"
                )
            if not _I64_RANGE[0] <= clock_offset_secs <= _I64_RANGE[1]:
                raise ValueError("clock_offset_secs is out of the int64 range")
            setters.append(
                (lib.tcfaceid_client_builder_set_clock_offset_secs, (clock_offset_secs,))
            )

        builder = _ClientBuilder()
        handle = ClientBuilderRef()
        lib.tcfaceid_client_builder_new(byref(handle))
        builder._set_handle(handle)
        with builder:  # frees the builder if a setter fails
            for setter, args in setters:
                setter(builder._handle(), *args)
            client = ClientRef()
            # _build consumes the builder even when it fails.
            lib.tcfaceid_client_builder_build(builder._consume(), byref(client))
        self._set_handle(client)
        self._apply_card_verification = _ffi.bare(
            "tcfaceid_client_apply_card_verification_fields"
        )

    # --- life cycle ---------------------------------------------------------------------

    def _call(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(C client, *args)``, counted as a call in flight (``ValueError`` once
        closing): :meth:`close` waits for no call but frees after the last.

        No lock: the count is a list whose ``append`` and ``pop`` are atomic (as is reading
        a flag). A call is counted before it looks at ``_closing`` and :meth:`close` sets
        ``_closing`` before it looks at the count, so either :meth:`close` sees the call (and
        leaves the freeing to the call's end) or the call sees ``_closing`` (and never uses the
        handle). The handle itself is taken out with one ``dict.pop``, so it is freed once."""
        calls = self._calls
        calls.append(None)
        try:
            handle = None if self._closing else self.__dict__.get("_ptr")
            if handle is None:
                raise ValueError("this Client is closed")
            return function(handle, *args)
        finally:
            calls.pop()
            if self._closing and not calls:
                Managed.close(self)

    @property
    def _in_flight(self) -> int:
        """How many calls are running (for tests)."""
        return len(self._calls)

    def credentials_refresh_error(self) -> Optional[Exception]:
        """The last failed credentials refresh while still-valid keys stayed in use (a
        ``CredentialsError`` naming the source and the cause), or ``None``."""
        try:
            self._call(lib.tcfaceid_client_credentials_refresh_error)
        except _errors.CredentialsError as error:
            return error
        return None

    @property
    def api(self) -> Api:
        """The product this client talks to."""
        return self._api

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closing or Managed.closed.fget(self)  # type: ignore[attr-defined]

    def close(self) -> None:
        """Close the client: new calls raise ``ValueError``. The C client is freed now, or
        when the last call still running in another thread returns. Safe to call twice."""
        calls = self.__dict__.get("_calls")
        if calls is None:  # __init__ failed before the client existed
            return
        self._closing = True  # before looking at the calls: see _call
        if not calls:
            Managed.close(self)

    def __repr__(self) -> str:
        where = self._endpoint or "default endpoint"
        region = f" {self._region}" if self._region else ""
        state = " closed" if self.closed else ""
        return f"<tcfaceid.Client {self._api.name.lower()} {where}{region}{state}>"

    # --- calls --------------------------------------------------------------------------

    def apply(self, request: CardRequest) -> ApplyResult:
        """Submit a :class:`CardRequest` (ApplyCardVerification) after every local check.

        Returns the token and the polling hints. Raises :class:`ValidationError` /
        :class:`ImageError` (nothing sent), or the network and service errors.
        """
        if not isinstance(request, CardRequest):
            raise TypeError(f"request must be a tcfaceid.CardRequest, not {type(request).__name__}")
        out = APPLY_FIELDS
        # The hot path: one foreign call applies and lends the answer's fields to this
        # thread's slots; every argument is already of its C type (_ffi.bare).
        result = self._call(self._apply_card_verification, request._handle(), *out.refs)
        if result:
            raise _ffi.last_error(result)
        return apply_result_from(out)

    def apply_card_verification(
        self,
        nationality: str,
        card_type: str,
        front: ImageInput,
        back: Optional[ImageInput] = None,
        *,
        allow_unknown_codes: bool = False,
        return_head_image: Optional[bool] = None,
        webhook_url: Optional[str] = None,
    ) -> ApplyResult:
        """Check and submit a document (ApplyCardVerification); see :class:`CardRequest` for
        the arguments and :data:`ImageInput` for what an image may be.

        Returns:
            An :class:`ApplyResult`: the token to poll with
            :meth:`get_card_verification_result`, and the polling hints.

        Raises:
            ValidationError, ImageError: a local check failed; nothing was sent.
            TransportError, TcTimeoutError, HttpStatusError, ServiceError, ProtocolError.
        """
        with CardRequest(
            nationality,
            card_type,
            front,
            back,
            allow_unknown_codes=allow_unknown_codes,
            return_head_image=return_head_image,
            webhook_url=webhook_url,
        ) as request:
            return self.apply(request)

    def get_card_verification_result(self, token: str) -> VerificationResult:
        """One GetCardVerificationResult call: the status (PROCESSING until the verdict) and,
        on a verdict, the fields read off the card.

        Raises:
            InvalidArgumentError: an empty token.
            TransportError, TcTimeoutError, HttpStatusError, ServiceError, ProtocolError.
        """
        c_token = _ffi.encode(token, "token")
        out = VerificationResultRef()
        self._call(lib.tcfaceid_client_get_card_verification_result, c_token, byref(out))
        return take_verification_result(out)

    def verify(
        self, request: CardRequest, *, deadline: float = 300.0, cancel: Optional[Cancel] = None
    ) -> VerificationResult:
        """Apply a :class:`CardRequest`, then poll as the service's hints say until the
        verdict or ``deadline`` seconds from now; see :meth:`verify_card`."""
        if not isinstance(request, CardRequest):
            raise TypeError(f"request must be a tcfaceid.CardRequest, not {type(request).__name__}")
        _check_cancel(cancel)
        deadline_ms = _millis(deadline, "deadline")

        def call(handle: Cancel) -> VerificationResult:
            out = VerificationResultRef()
            self._call(
                lib.tcfaceid_client_verify_card_cancellable,
                request._handle(),
                deadline_ms,
                handle._handle(),
                byref(out),
            )
            return take_verification_result(out)

        return run_interruptibly(call, cancel)

    def verify_card(
        self,
        nationality: str,
        card_type: str,
        front: ImageInput,
        back: Optional[ImageInput] = None,
        *,
        allow_unknown_codes: bool = False,
        return_head_image: Optional[bool] = None,
        webhook_url: Optional[str] = None,
        deadline: float = 300.0,
        cancel: Optional[Cancel] = None,
    ) -> VerificationResult:
        """Apply, then poll the result action until a terminal status: as FaceID's hints say
        when given (waiting AsyncCardVerificationPollingWaitTime seconds before each poll, at
        most AsyncCardVerificationMaxPollingTimes polls), else by ``poll_plan`` (OCR).

        The call blocks (without holding the GIL) for up to ``deadline`` seconds. Called on the
        main thread it stays interruptible: Ctrl-C ends it within 0.2 s with
        :class:`VerificationInterrupted` (a ``KeyboardInterrupt``) carrying the ``token``.
        ``cancel`` (a :class:`Cancel`) lets another thread or an event loop stop it.

        Returns:
            The verdict (PASSED, WARNING or REJECTED) as a :class:`VerificationResult`.

        Raises:
            PollDeadlineExceededError, PollAttemptsExhaustedError: no verdict in time.
            CancelledError: ``cancel`` was triggered.
            Any error of :meth:`apply_card_verification` and
            :meth:`get_card_verification_result`. Every error after a successful (billed)
            apply carries the ``token``: resume with :meth:`resume`, never apply again.
        """
        with CardRequest(
            nationality,
            card_type,
            front,
            back,
            allow_unknown_codes=allow_unknown_codes,
            return_head_image=return_head_image,
            webhook_url=webhook_url,
        ) as request:
            return self.verify(request, deadline=deadline, cancel=cancel)

    def resume(
        self, token: str, *, deadline: float = 300.0, cancel: Optional[Cancel] = None
    ) -> VerificationResult:
        """Resume a verification from its token (``error.token`` of a failed
        :meth:`verify_card`): poll at once, then every 5 s (at most 60 polls) until the
        verdict, ``deadline`` seconds from now, or ``cancel``. Never applies again; Ctrl-C
        and errors behave as in :meth:`verify_card` and carry the token."""
        c_token = _ffi.encode(token, "token")
        _check_cancel(cancel)
        deadline_ms = _millis(deadline, "deadline")

        def call(handle: Cancel) -> VerificationResult:
            out = VerificationResultRef()
            self._call(
                lib.tcfaceid_client_resume, c_token, deadline_ms, handle._handle(), byref(out)
            )
            return take_verification_result(out)

        return run_interruptibly(call, cancel)

    def call_json(
        self, action: str, body: Union[str, Dict[str, Any], None] = None
    ) -> Dict[str, Any]:
        """Sign and send any action of the client's product (its version and service).

        Args:
            action: the action's name, e.g. ``"GetCardVerificationResult"``.
            body: the JSON body: a ``str`` is sent byte for byte, a ``dict`` is serialised,
                ``None`` sends ``{}``.

        Returns:
            The whole response parsed, ``{"Response": {...}}``.

        Raises:
            InvalidArgumentError: an action that is not a name.
            ServiceError (and subclasses): the response carries ``Response.Error``.
            TransportError, TcTimeoutError, HttpStatusError, ProtocolError.
        """
        c_action = _ffi.encode(action, "action")
        if body is None:
            text = "{}"
        elif isinstance(body, dict):
            text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        elif isinstance(body, str):
            text = body
        else:
            raise TypeError(f"body must be a str, a dict or None, not {type(body).__name__}")
        c_body = _ffi.encode(text, "body")
        out, length = c_void_p(), c_size_t()
        self._call(lib.tcfaceid_client_call_json, c_action, c_body, byref(out), byref(length))
        return json.loads(_ffi.take_owned_string(out, length))  # type: ignore[no-any-return]


def _credential_setters(
    secret_id: Optional[str],
    secret_key: Optional[str],
    token: Optional[str],
    credentials: Optional[str],
    profile: Optional[str],
) -> list:  # type: ignore[type-arg]
    """The builder calls choosing the credentials, after checking the arguments agree."""
    explicit = secret_id is not None or secret_key is not None
    if credentials is None and profile is not None:
        credentials = "profile"
    if explicit:
        if secret_id is None or secret_key is None:
            raise ValueError("give both secret_id and secret_key, or neither")
        if credentials is not None:
            raise ValueError("give either secret_id/secret_key or credentials=, not both")
        args = (
            _ffi.encode(secret_id, "secret_id"),
            _ffi.encode(secret_key, "secret_key"),
            _ffi.encode_optional(token, "token"),
        )
        return [(lib.tcfaceid_client_builder_set_credentials, args)]
    if token is not None:
        raise ValueError("token is only used with secret_id and secret_key")
    if credentials is None:
        return []
    if credentials == "env":
        if profile is not None:
            raise ValueError('profile is only used with credentials="profile"')
        return [(lib.tcfaceid_client_builder_set_credentials_from_env, ())]
    if credentials == "profile":
        return [
            (
                lib.tcfaceid_client_builder_set_credentials_from_profile,
                (_ffi.encode_optional(profile, "profile"),),
            )
        ]
    if not isinstance(credentials, str):
        raise TypeError(f"credentials must be a str or None, not {type(credentials).__name__}")
    raise ValueError(f'credentials must be "env" or "profile", not {credentials!r}')


def _check_cancel(cancel: object) -> None:
    if cancel is not None and not isinstance(cancel, Cancel):
        raise TypeError(f"cancel must be a tcfaceid.Cancel or None, not {type(cancel).__name__}")


def _millis(seconds: object, name: str) -> int:
    """Seconds (int or float) as whole milliseconds for C; ``TypeError`` / ``ValueError``."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(seconds).__name__}")
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"{name} must be a non-negative number of seconds, not {seconds!r}")
    if math.isinf(seconds) or seconds * 1000 > _U64_MAX:
        raise ValueError(f"{name} is too large")
    # Round up, so that a small positive value never becomes 0 ms.
    return int(math.ceil(round(seconds * 1000, 6)))


def _count(value: object, name: str, maximum: int) -> int:
    """A non-negative ``int`` for C; ``TypeError`` / ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 <= value <= maximum:
        raise ValueError(f"{name} must be between 0 and {maximum}, not {value}")
    return value
