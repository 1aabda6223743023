"""Credential sources of a :class:`~tcfaceid.Client` beyond static keys: the default chain,
the CVM instance role, TKE OIDC, STS AssumeRole on top of any source, and a Python callable
(through ``tcfaceid_client_builder_set_credentials_callback``)."""

from __future__ import annotations

import datetime
import logging
from typing import Any, Callable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _ffi
from ._ffi import CREDENTIALS_CALLBACK, lib

#: What a credentials callable returns: ``(secret_id, secret_key[, token[, expires_at]])`` or a
#: mapping with those keys. ``expires_at``: Unix seconds (int or float), an aware
#: ``datetime``, or ``None`` / ``0`` for keys that do not expire.
CredentialsValue = Union[Sequence[Any], Mapping[str, Any]]
CredentialsFunction = Callable[[], CredentialsValue]

Setters = List[Tuple[Any, Tuple[Any, ...]]]

_log = logging.getLogger("tcfaceid")


def _expiry(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("expires_at must be an aware datetime (with a time zone)")
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = type(value).__name__
        raise TypeError(f"expires_at must be Unix seconds or a datetime, not {kind}")
    return int(value)


def _unpack(value: CredentialsValue) -> Tuple[str, str, Optional[str], int]:
    if isinstance(value, Mapping):
        return (
            value["secret_id"],
            value["secret_key"],
            value.get("token"),
            _expiry(value.get("expires_at")),
        )
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        value = ()
    if not 2 <= len(value) <= 4:
        raise TypeError(
            "a credentials callable returns (secret_id, secret_key[, token[, expires_at]])"
        )
    items = list(value) + [None] * (4 - len(value))
    return items[0], items[1], items[2], _expiry(items[3])


def callback_for(function: CredentialsFunction) -> Any:
    """The C callback calling ``function``. Keep it alive as long as the C client."""

    def call(_user_data: Optional[int], sink: Optional[int]) -> int:
        try:
            secret_id, secret_key, token, expires_at = _unpack(function())
            lib.tcfaceid_credentials_sink_set(
                sink,
                _ffi.encode(secret_id, "secret_id"),
                _ffi.encode(secret_key, "secret_key"),
                _ffi.encode_optional(token, "token"),
                expires_at,
            )
            return 0
        except BaseException as error:  # nothing may unwind into C
            # The type only: the message could hold what the callable was handling.
            _log.warning("the credentials callable failed: %s", type(error).__name__)
            return 1

    return CREDENTIALS_CALLBACK(call)


def source_setters(
    credentials: Union[str, CredentialsFunction], role: Optional[str], cvm_role: bool
) -> Setters:
    """The builder call for ``credentials="chain" | "cvm-role" | "oidc"`` or a callable."""
    if role is not None and credentials != "cvm-role":
        raise ValueError('role is only used with credentials="cvm-role"')
    if cvm_role and credentials != "chain":
        raise ValueError('cvm_role is only used with credentials="chain"')
    if callable(credentials):
        callback = callback_for(credentials)
        return [(lib.tcfaceid_client_builder_set_credentials_callback, (callback, None))]
    if credentials == "chain":
        return [(lib.tcfaceid_client_builder_set_credentials_chain, (bool(cvm_role),))]
    if credentials == "cvm-role":
        return [
            (
                lib.tcfaceid_client_builder_set_credentials_cvm_role,
                (_ffi.encode_optional(role, "role"),),
            )
        ]
    if credentials == "oidc":
        return [(lib.tcfaceid_client_builder_set_credentials_oidc, ())]
    if not isinstance(credentials, str):
        raise TypeError(
            f"credentials must be a str, a callable or None, not {type(credentials).__name__}"
        )
    raise ValueError(
        'credentials must be "env", "profile", "chain", "cvm-role", "oidc" or a callable, '
        f"not {credentials!r}"
    )


def assume_role_setters(
    assume_role: Union[None, str, Mapping[str, Any]], sts_endpoint: Optional[str]
) -> Setters:
    """The builder calls for ``assume_role=`` (a role ARN, or a mapping with ``role_arn``,
    ``session_name`` (default ``"tcfaceid-python"``) and ``duration`` seconds (default 7200))
    and ``sts_endpoint=``."""
    setters: Setters = []
    if sts_endpoint is not None:
        setters.append(
            (
                lib.tcfaceid_client_builder_set_sts_endpoint,
                (_ffi.encode(sts_endpoint, "sts_endpoint"),),
            )
        )
    if assume_role is None:
        return setters
    if isinstance(assume_role, str):
        assume_role = {"role_arn": assume_role}
    if not isinstance(assume_role, Mapping):
        kind = type(assume_role).__name__
        raise TypeError(f"assume_role must be a role ARN or a mapping, not {kind}")
    unknown = set(assume_role) - {"role_arn", "session_name", "duration"}
    if unknown:
        raise ValueError(f"assume_role has unknown keys: {', '.join(sorted(unknown))}")
    duration = assume_role.get("duration", 0)
    if isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration <= 43200:
        raise ValueError("assume_role duration must be whole seconds from 1 to 43200")
    setters.append(
        (
            lib.tcfaceid_client_builder_set_assume_role,
            (
                _ffi.encode(assume_role.get("role_arn"), "role_arn"),
                _ffi.encode(assume_role.get("session_name", "tcfaceid-python"), "session_name"),
                duration,
            ),
        )
    )
    return setters
