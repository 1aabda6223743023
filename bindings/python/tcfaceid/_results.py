"""Results of the service calls, as frozen dataclasses copied out of the C handles."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from . import _ffi
from ._ffi import lib
from ._managed import Managed


class Status(enum.Enum):
    """The state of a verification (``tcfaceid_status``)."""

    #: A status this library does not know; :attr:`VerificationResult.status_str` has it.
    UNKNOWN = 0
    #: Still being processed: poll again.
    PROCESSING = 1
    #: The document passed.
    PASSED = 2
    #: Passed with warnings (see :attr:`VerificationResult.warn_infos`).
    WARNING = 3
    #: Rejected (see :attr:`VerificationResult.warn_infos`).
    REJECTED = 4

    @classmethod
    def from_code(cls, code: int) -> Status:
        """The status for a C ``tcfaceid_status`` value (``UNKNOWN`` for any other number)."""
        try:
            return cls(code)
        except ValueError:
            return cls.UNKNOWN

    @property
    def is_verdict(self) -> bool:
        """True for PASSED, WARNING and REJECTED: polling is over."""
        return self in (Status.PASSED, Status.WARNING, Status.REJECTED)


@dataclass(frozen=True)
class ApplyResult:
    """ApplyCardVerification's answer: the token to poll with and the polling hints.

    Attributes:
        token: the CardVerificationToken.
        max_polling_times: the most result polls the service expects
            (AsyncCardVerificationMaxPollingTimes; 60 when the service gave none).
        polling_wait_secs: seconds to wait before each poll
            (AsyncCardVerificationPollingWaitTime; 5 when the service gave none).
        request_id: the service's RequestId.
        raw_json: the whole response body, ``{"Response":{...}}``.
    """

    token: str
    max_polling_times: int
    polling_wait_secs: int
    request_id: str
    raw_json: str


@dataclass(frozen=True)
class VerificationResult:
    """GetCardVerificationResult's answer: the status and, on a verdict, the card's fields.

    Attributes:
        status: the status as a :class:`Status`.
        status_str: the status as the service sent it (useful when ``UNKNOWN``).
        token: the CardVerificationToken this result is for.
        polls: GetCardVerificationResult calls made to get it (1 for a single call).
        warn_infos: the WarnInfo reasons (for WARNING and REJECTED), in order.
        nationality: the document's nationality as read, or ``None`` (e.g. while PROCESSING).
        card_type: the CardType as read, or ``None``.
        card_sub_type: the CardSubType (e.g. ``"NATIONAL_ID"``), or ``None``.
        card_info: CardInfo parsed from :attr:`card_info_json`, or ``None``.
        card_info_json: CardInfo as the library gives it: a JSON object with only the fields
            the service filled, e.g. ``{"HKIDCard":{...}}``; or ``None``.
        id_verification_token: the IDVerificationToken, or ``None``.
        request_id: the service's RequestId.
        raw_json: the whole response body, ``{"Response":{...}}``.
    """

    status: Status
    status_str: str
    token: str
    polls: int
    warn_infos: Tuple[str, ...]
    nationality: Optional[str]
    card_type: Optional[str]
    card_sub_type: Optional[str]
    card_info: Optional[Dict[str, Any]]
    card_info_json: Optional[str]
    id_verification_token: Optional[str]
    request_id: str
    raw_json: str

    @property
    def is_verdict(self) -> bool:
        """True once the status is PASSED, WARNING or REJECTED."""
        return self.status.is_verdict


def apply_result_from(handle: Any) -> ApplyResult:
    """Copy every field out of a ``tcfaceid_apply_response`` (the caller frees it)."""
    return ApplyResult(
        token=_ffi.text(lib.tcfaceid_apply_response_token(handle)),
        max_polling_times=int(lib.tcfaceid_apply_response_max_polling_times(handle)),
        polling_wait_secs=int(lib.tcfaceid_apply_response_polling_wait_secs(handle)),
        request_id=_ffi.text(lib.tcfaceid_apply_response_request_id(handle)),
        raw_json=_ffi.text(lib.tcfaceid_apply_response_json(handle)),
    )


def verification_result_from(handle: Any) -> VerificationResult:
    """Copy every field out of a ``tcfaceid_verification_result`` (the caller frees it)."""
    count = lib.tcfaceid_verification_result_warn_info_count(handle)
    card_info_json = _ffi.optional_text(lib.tcfaceid_verification_result_card_info_json(handle))
    return VerificationResult(
        status=Status.from_code(lib.tcfaceid_verification_result_status(handle)),
        status_str=_ffi.text(lib.tcfaceid_verification_result_status_str(handle)),
        token=_ffi.text(lib.tcfaceid_verification_result_token(handle)),
        polls=int(lib.tcfaceid_verification_result_polls(handle)),
        warn_infos=tuple(
            _ffi.text(lib.tcfaceid_verification_result_warn_info(handle, i)) for i in range(count)
        ),
        nationality=_ffi.optional_text(lib.tcfaceid_verification_result_nationality(handle)),
        card_type=_ffi.optional_text(lib.tcfaceid_verification_result_card_type(handle)),
        card_sub_type=_ffi.optional_text(lib.tcfaceid_verification_result_card_sub_type(handle)),
        card_info=None if card_info_json is None else json.loads(card_info_json),
        card_info_json=card_info_json,
        id_verification_token=_ffi.optional_text(
            lib.tcfaceid_verification_result_id_verification_token(handle)
        ),
        request_id=_ffi.text(lib.tcfaceid_verification_result_request_id(handle)),
        raw_json=_ffi.text(lib.tcfaceid_verification_result_json(handle)),
    )


class ApplyResponseHandle(Managed):
    """Owns a ``tcfaceid_apply_response`` (internal: copied into an :class:`ApplyResult`)."""

    _free_function = lib.deferred("tcfaceid_apply_response_free")


class VerificationResultHandle(Managed):
    """Owns a ``tcfaceid_verification_result`` (internal: copied into a
    :class:`VerificationResult`)."""

    _free_function = lib.deferred("tcfaceid_verification_result_free")


def take_apply_result(handle: Any) -> ApplyResult:
    """Copy an apply response into an :class:`ApplyResult` and free it."""
    owner = ApplyResponseHandle()
    owner._set_handle(handle)
    with owner:
        return apply_result_from(owner._handle())


def take_verification_result(handle: Any) -> VerificationResult:
    """Copy a verification result into a :class:`VerificationResult` and free it."""
    owner = VerificationResultHandle()
    owner._set_handle(handle)
    with owner:
        return verification_result_from(owner._handle())
