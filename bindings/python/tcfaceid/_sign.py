"""``sign`` and ``Signer``: TC3-HMAC-SHA256 headers for callers with their own HTTP stack."""

from __future__ import annotations

import threading
from ctypes import byref, c_char_p, c_int64, c_size_t
from typing import Dict, Optional, Union

from . import _ffi
from ._ffi import SignerRef, lib
from ._managed import Managed

#: The signing service of FaceID (API version 2018-03-01); OCR (2018-11-19) signs with ``"ocr"``.
FACEID_SERVICE = "faceid"


class _Outputs(threading.local):
    """This thread's output slots for ``tcfaceid_signer_sign_text`` (the text and its
    length), made once per thread: a call fills them and :meth:`Signer.sign` reads them at once,
    on the same thread. The text is a ``c_char_p``: its ``value`` copies it without a foreign
    call (the block is a C string: no NUL inside), and the slot itself is given back to
    ``tcfaceid_string_free``."""

    def __init__(self) -> None:
        self.text = c_char_p()
        self.length = c_size_t()
        self.text_ref = byref(self.text)
        self.length_ref = byref(self.length)


_OUTPUTS = _Outputs()


def _body_bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"body must be bytes or str, not {type(body).__name__}")


def _check_timestamp(timestamp: object) -> int:
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise TypeError(f"timestamp must be an int (Unix seconds), not {type(timestamp).__name__}")
    if not -(2**63) <= timestamp < 2**63:
        raise ValueError("timestamp is out of the int64 range")
    return timestamp


class Signer(Managed):
    """A reusable signer: one credential and one signing service, the day's key cached in C.

    Each :meth:`sign` is one foreign call (plus freeing the returned text), its arguments typed
    and checked in Python (``_ffi.bare``), the strings it was given before reused encoded.
    Thread-safe: many threads may sign with one ``Signer``. ``close()`` (or ``with``) wipes the
    keys.

    Args:
        secret_id: the SecretId.
        secret_key: the SecretKey (copied into memory the library wipes on close).
        service: the product's signing service: ``"faceid"`` (FaceID, 2018-03-01) or ``"ocr"``
            (OCR, 2018-11-19); never derived from the host.
        token: the session token of temporary credentials (X-TC-Token); ``None`` for none.

    Raises:
        TypeError, ValueError: an argument of the wrong type, or a string with a NUL.
        CredentialsError: ``secret_id`` / ``secret_key`` empty or padded with whitespace.
        InvalidArgumentError: ``service`` empty or with control characters.
    """

    _free_function = lib.deferred("tcfaceid_signer_free")

    def __init__(
        self,
        secret_id: str,
        secret_key: str,
        service: str = FACEID_SERVICE,
        token: Optional[str] = None,
    ) -> None:
        handle = SignerRef()
        lib.tcfaceid_signer_new(
            _ffi.encode(secret_id, "secret_id"),
            _ffi.encode(secret_key, "secret_key"),
            _ffi.encode_optional(token, "token"),
            _ffi.encode(service, "service"),
            byref(handle),
        )
        self._set_handle(handle)
        self._sign_text = _ffi.bare("tcfaceid_signer_sign_text")
        # The per-call strings (host, region, action, version) checked and encoded before:
        # they rarely vary. Emptied when it holds more than a few.
        self._encoded: Dict[object, bytes] = {}

    def _encode(self, value: object, name: str) -> bytes:
        """``_ffi.encode(value, name)``, kept for the next call. The cache is looked up first
        (an unhashable value is not in it), so a wrong type gets ``_ffi.encode``'s message."""
        try:
            return self._encoded[value]
        except (KeyError, TypeError):
            pass
        encoded = _ffi.encode(value, name)
        if len(self._encoded) >= 64:
            self._encoded.clear()
        self._encoded[value] = encoded
        return encoded

    def sign(
        self,
        host: str,
        action: str,
        version: str,
        timestamp: int,
        body: Union[bytes, str],
        region: Optional[str] = None,
    ) -> Dict[str, str]:
        """Sign one API call (POST, JSON body); the arguments and result are those of
        :func:`sign`."""
        body_bytes = body if type(body) is bytes else _body_bytes(body)  # noqa: E721
        encode = self._encode
        out = _OUTPUTS
        result = self._sign_text(
            self._handle(),
            encode(host, "host"),
            None if region is None else encode(region, "region"),
            encode(action, "action"),
            encode(version, "version"),
            c_int64(_check_timestamp(timestamp)),
            body_bytes,
            c_size_t(len(body_bytes)),
            out.text_ref,
            out.length_ref,
        )
        if result:
            raise _ffi.last_error(result)
        text = out.text
        try:
            block = text.value.decode("utf-8")  # type: ignore[union-attr]
        finally:
            lib.tcfaceid_string_free(text)
        headers: Dict[str, str] = {}
        for line in block.split("\r\n")[:-1]:
            name, _, value = line.partition(": ")
            headers[name] = value
        return headers


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
    service: str = FACEID_SERVICE,
) -> Dict[str, str]:
    """Sign one API call (POST, JSON body) with TC3-HMAC-SHA256.

    Returns every header to send, in this order: Authorization, Content-Type, Host,
    X-TC-Action, X-TC-Timestamp, X-TC-Version, then X-TC-Region and X-TC-Token when given.
    Send ``body`` byte for byte as signed, with these headers, to ``https://<host>/``.
    To sign more than once with one credential, keep a :class:`Signer`.

    Args:
        secret_id: the SecretId.
        secret_key: the SecretKey (used for this call only; wiped by the library afterwards).
        host: the Host header as sent, e.g. ``"faceid.tencentcloudapi.com"`` (with ``:port``
            when not the default).
        action: e.g. ``"ApplyCardVerification"``.
        version: e.g. ``"2018-03-01"``.
        timestamp: Unix seconds, sent as X-TC-Timestamp (the service refuses a skew over
            5 minutes).
        body: the exact JSON body; a ``str`` is encoded as UTF-8.
        region: X-TC-Region, e.g. ``"ap-singapore"``; ``None`` to omit it.
        token: the session token of temporary credentials (X-TC-Token); ``None`` for none.
        service: the signing service, ``"faceid"`` (the default) or ``"ocr"``.

    Raises:
        TypeError: an argument has the wrong type (``timestamp`` must be an ``int``).
        ValueError: a string holds a NUL character.
        CredentialsError: ``secret_id`` / ``secret_key`` empty or padded with whitespace.
        InvalidArgumentError: ``host``, ``action``, ``version`` or ``service`` empty, a value
            with control characters, or a timestamp outside the calendar (``field`` names the
            parameter).
    """
    # Check the per-call arguments first, so a wrong type never gets as far as C.
    _body_bytes(body)
    _check_timestamp(timestamp)
    for value, name in ((host, "host"), (action, "action"), (version, "version")):
        _ffi.encode(value, name)
    with Signer(secret_id, secret_key, service=service, token=token) as signer:
        return signer.sign(host, action, version, timestamp, body, region=region)
