"""``sign``: TC3-HMAC-SHA256 headers for callers with their own HTTP stack."""

from __future__ import annotations

from ctypes import byref
from typing import Dict, Optional, Union

from . import _ffi
from ._ffi import SignedHeadersRef, lib
from ._managed import Managed


class _SignedHeaders(Managed):
    """Owns a ``tcfaceid_signed_headers`` (internal: :func:`sign` copies it into a dict)."""

    _free_function = lib.deferred("tcfaceid_signed_headers_free")

    def items(self) -> Dict[str, str]:
        handle = self._handle()
        return {
            _ffi.text(lib.tcfaceid_signed_headers_name(handle, i)): _ffi.text(
                lib.tcfaceid_signed_headers_value(handle, i)
            )
            for i in range(lib.tcfaceid_signed_headers_count(handle))
        }


def sign(
    secret_id: str,
    secret_key: str,
    host: str,
    action: str,
    version: str,
    timestamp: int,
    body: Union[bytes, str],
    region: Optional[str] = None,
    token: Optional[str] = None,
) -> Dict[str, str]:
    """Sign a FaceID API call (POST, JSON body) with TC3-HMAC-SHA256.

    Returns every header to send, in this order: Authorization, Content-Type, Host,
    X-TC-Action, X-TC-Timestamp, X-TC-Version, then X-TC-Region and X-TC-Token when given.
    Send ``body`` byte for byte as signed, with these headers, to ``https://<host>/``.

    Args:
        secret_id: the SecretId.
        secret_key: the SecretKey (used for this call only; never kept by the library).
        host: the Host header as sent, e.g. ``"faceid.tencentcloudapi.com"`` (with ``:port``
            when not the default).
        action: e.g. ``"ApplyCardVerification"``.
        version: e.g. ``"2018-03-01"``.
        timestamp: Unix seconds, sent as X-TC-Timestamp (the service refuses a skew over
            5 minutes).
        body: the exact JSON body; a ``str`` is encoded as UTF-8.
        region: X-TC-Region, e.g. ``"ap-singapore"``; ``None`` to omit it.
        token: the session token of temporary credentials (X-TC-Token); ``None`` for none.

    Raises:
        TypeError: an argument has the wrong type (``timestamp`` must be an ``int``).
        ValueError: a string holds a NUL character.
        CredentialsError: ``secret_id`` / ``secret_key`` empty or padded with whitespace.
        InvalidArgumentError: ``host``, ``action`` or ``version`` empty, a value with control
            characters, or a timestamp outside the calendar (``field`` names the parameter).
    """
    c_secret_id = _ffi.encode(secret_id, "secret_id")
    c_secret_key = _ffi.encode(secret_key, "secret_key")
    c_host = _ffi.encode(host, "host")
    c_action = _ffi.encode(action, "action")
    c_version = _ffi.encode(version, "version")
    c_region = _ffi.encode_optional(region, "region")
    c_token = _ffi.encode_optional(token, "token")
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise TypeError(f"timestamp must be an int (Unix seconds), not {type(timestamp).__name__}")
    if not -(2**63) <= timestamp < 2**63:
        raise ValueError("timestamp is out of the int64 range")
    if isinstance(body, str):
        body_bytes = body.encode("utf-8")
    elif isinstance(body, (bytes, bytearray, memoryview)):
        body_bytes = bytes(body)
    else:
        raise TypeError(f"body must be bytes or str, not {type(body).__name__}")
    handle = SignedHeadersRef()
    lib.tcfaceid_sign(
        c_secret_id,
        c_secret_key,
        c_token,
        c_host,
        c_region,
        c_action,
        c_version,
        timestamp,
        body_bytes,
        len(body_bytes),
        byref(handle),
    )
    headers = _SignedHeaders()
    headers._set_handle(handle)
    with headers:
        return headers.items()
