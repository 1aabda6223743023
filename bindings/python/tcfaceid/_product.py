"""``Api``: which product a client talks to (``tcfaceid_api``)."""

from __future__ import annotations

import enum
import os
from typing import Optional, Union

#: The environment variable the examples read to choose the product: ``faceid`` or ``ocr``.
ENV_API = "TCFACEID_API"


class Api(enum.IntEnum):
    """A product (``tcfaceid_api``); a keyword ``api=`` also takes ``"faceid"`` / ``"ocr"``."""

    #: FaceID 2018-03-01, ApplyCardVerification / GetCardVerificationResult (the default).
    #: Tencent removed it from its SDKs on 2026-03-09: accounts may get ActionOffline.
    FACEID = 0
    #: OCR 2018-11-19, ApplyCardVerificationExternal / GetCardVerificationExternalResult
    #: (service ``ocr``, endpoint ``https://ocr.intl.tencentcloudapi.com``, ap-singapore).
    OCR = 1

    @classmethod
    def from_env(cls, default: Api = FACEID) -> Api:  # type: ignore[assignment]
        """The product named by ``TCFACEID_API`` (``faceid`` / ``ocr``), else ``default``."""
        value = os.environ.get(ENV_API, "")
        return api_from(value) if value else cls(default)


def api_from(value: Union[Api, str, None]) -> Api:
    """An :class:`Api` from an ``Api`` or its name (any case); ``TypeError`` / ``ValueError``."""
    if isinstance(value, Api):
        return value
    if isinstance(value, str):
        try:
            return Api[value.upper()]
        except KeyError:
            raise ValueError(f'api must be "faceid" or "ocr", not {value!r}') from None
    raise TypeError(f"api must be a tcfaceid.Api or a str, not {type(value).__name__}")


def optional_api(value: Union[Api, str, None]) -> Optional[Api]:
    """:func:`api_from`, with ``None`` kept."""
    return None if value is None else api_from(value)
