"""Results of the service calls, as frozen dataclasses copied out of the C handles."""

from __future__ import annotations

import ctypes
import enum
import json
import threading
from ctypes import byref, c_char_p, c_size_t, c_uint64
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from . import _ffi
from ._ffi import VerificationResultRef, lib
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
    #: Rejected (see :attr:`VerificationResult.warn_infos`; FaceID only).
    REJECTED = 4
    #: OCR, current vocabulary: processing failed or the result is unusable.
    ABNORMAL = 5
    #: OCR, current vocabulary: recognition done; findings are in the warn infos.
    COMPLETED = 6

    @classmethod
    def from_code(cls, code: int) -> Status:
        """The status for a C ``tcfaceid_status`` value (``UNKNOWN`` for any other number)."""
        try:
            return cls(code)
        except ValueError:
            return cls.UNKNOWN

    @property
    def is_terminal(self) -> bool:
        """True for every status but PROCESSING (UNKNOWN included): polling is over."""
        return self is not Status.PROCESSING

    @property
    def is_verdict(self) -> bool:
        """Same as :attr:`is_terminal`."""
        return self.is_terminal


#: WarnInfo codes and what they mean (OCR spec §4.4), as ``tcfaceid_warn_info_meaning`` has them.
def warn_info_meaning(code: str) -> Optional[str]:
    """What a WarnInfo code means, e.g. ``"the image is a screenshot"`` for
    ``"ScreenshotSuspected"``; ``None`` for a code this library does not know."""
    return _ffi.optional_text(lib.tcfaceid_warn_info_meaning(_ffi.encode(code, "code")))


_ADDRESS_NAMES: Tuple[Tuple[str, str], ...] = (
    ("country", "Country"),
    ("postal_code", "PostalCode"),
    ("subdivision", "Subdivision"),
    ("district", "District"),
    ("city", "City"),
    ("subdistrict", "Subdistrict"),
    ("formatted_address", "FormattedAddress"),
    ("line_one", "LineOne"),
    ("line_two", "LineTwo"),
    ("line_three", "LineThree"),
    ("line_four", "LineFour"),
    ("line_five", "LineFive"),
)


@dataclass(frozen=True)
class AddressInfo:
    """A structured address (OCR ``AddressInfo``; FaceID ``Address``). Every field may be
    ``None``."""

    country: Optional[str] = None
    postal_code: Optional[str] = None
    subdivision: Optional[str] = None
    district: Optional[str] = None
    city: Optional[str] = None
    subdistrict: Optional[str] = None
    formatted_address: Optional[str] = None
    line_one: Optional[str] = None
    line_two: Optional[str] = None
    line_three: Optional[str] = None
    line_four: Optional[str] = None
    line_five: Optional[str] = None

    @classmethod
    def from_json(cls, value: Dict[str, Any]) -> AddressInfo:
        """Read the service's JSON object (unknown keys ignored)."""
        return cls(**{attr: value.get(name) for attr, name in _ADDRESS_NAMES})


_CARD_NAMES: Tuple[Tuple[str, str], ...] = (
    ("license_number", "LicenseNumber"),
    ("personal_number", "PersonalNumber"),
    ("full_name", "FullName"),
    ("full_name_local", "FullNameLocal"),
    ("first_name", "FirstName"),
    ("first_name_local", "FirstNameLocal"),
    ("middle_name", "MiddleName"),
    ("middle_name_local", "MiddleNameLocal"),
    ("last_name", "LastName"),
    ("last_name_local", "LastNameLocal"),
    ("sex", "Sex"),
    ("birthday", "Birthday"),
    ("birth_place", "BirthPlace"),
    ("issued_date", "IssuedDate"),
    ("issued_authority", "IssuedAuthority"),
    ("issued_place", "IssuedPlace"),
    ("issued_country", "IssuedCountry"),
    ("issued_country_code", "IssuedCountryCode"),
    ("expiration_date", "ExpirationDate"),
    ("mrz_line1", "MRZLine1"),
    ("mrz_line2", "MRZLine2"),
    ("nationality", "Nationality"),
    ("religion", "Religion"),
    ("document_type", "Type"),
    ("blood_type", "BloodType"),
    ("height", "Height"),
    ("weight", "Weight"),
    ("vehicle_class", "VehicleClass"),
    ("restrictions", "Restrictions"),
    ("endorsement", "Endorsement"),
    ("others", "Others"),
    ("passport_code_first", "PassportCodeFirst"),
    ("passport_code_second", "PassportCodeSecond"),
    ("due_date", "DueDate"),
    ("age", "Age"),
    ("registration_number", "RegistrationNumber"),
)


@dataclass(frozen=True)
class GeneralCard:
    """A document read generically: OCR's ``CardInfo`` (front) and ``BackCardInfo`` (back),
    or FaceID's ``CardInfo.GeneralCard``. Every field may be ``None``; ``others`` is JSON text
    inside the string (see :meth:`others_json`). ``document_type`` is the service's ``Type``."""

    license_number: Optional[str] = None
    personal_number: Optional[str] = None
    full_name: Optional[str] = None
    full_name_local: Optional[str] = None
    first_name: Optional[str] = None
    first_name_local: Optional[str] = None
    middle_name: Optional[str] = None
    middle_name_local: Optional[str] = None
    last_name: Optional[str] = None
    last_name_local: Optional[str] = None
    sex: Optional[str] = None
    birthday: Optional[str] = None
    birth_place: Optional[str] = None
    issued_date: Optional[str] = None
    issued_authority: Optional[str] = None
    issued_place: Optional[str] = None
    issued_country: Optional[str] = None
    issued_country_code: Optional[str] = None
    expiration_date: Optional[str] = None
    mrz_line1: Optional[str] = None
    mrz_line2: Optional[str] = None
    nationality: Optional[str] = None
    religion: Optional[str] = None
    document_type: Optional[str] = None
    blood_type: Optional[str] = None
    height: Optional[str] = None
    weight: Optional[str] = None
    vehicle_class: Optional[str] = None
    restrictions: Optional[str] = None
    endorsement: Optional[str] = None
    others: Optional[str] = None
    passport_code_first: Optional[str] = None
    passport_code_second: Optional[str] = None
    due_date: Optional[str] = None
    age: Optional[str] = None
    registration_number: Optional[str] = None
    address: Optional[AddressInfo] = None

    @classmethod
    def from_json(cls, value: Dict[str, Any]) -> GeneralCard:
        """Read the service's JSON object (unknown keys ignored)."""
        fields: Dict[str, Any] = {attr: value.get(name) for attr, name in _CARD_NAMES}
        address = value.get("Address")
        fields["address"] = AddressInfo.from_json(address) if isinstance(address, dict) else None
        return cls(**fields)

    def others_json(self) -> Any:
        """``others`` parsed as JSON (``None`` when absent)."""
        return None if self.others is None else json.loads(self.others)


@dataclass(frozen=True)
class ApplyResult:
    """The apply action's answer: the token to poll with and the polling hints (OCR gives
    none; the values are then FaceID's defaults, unused by an OCR client).

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
    """The result action's answer (either product): the status and, once terminal, the
    card's fields.

    Attributes:
        status: the status as a :class:`Status`.
        status_str: the status as the service sent it (useful when ``UNKNOWN``).
        token: the CardVerificationToken this result is for.
        polls: result calls made to get it (1 for a single call).
        warn_infos: the WarnInfo codes, in order (:func:`warn_info_meaning` explains them).
        nationality: the document's nationality as read, or ``None`` (e.g. while PROCESSING).
        card_type: the CardType as read, or ``None``.
        card_sub_type: the CardSubType (e.g. ``"NATIONAL_ID"``), or ``None``.
        card_info: CardInfo parsed from :attr:`card_info_json`, or ``None``.
        card_info_json: CardInfo as the library gives it: a JSON object with only the fields
            the service filled, e.g. ``{"HKIDCard":{...}}``; or ``None``.
        id_verification_token: the IDVerificationToken, or ``None``.
        request_id: the service's RequestId.
        raw_json: the whole response body, ``{"Response":{...}}``.
        front_card: OCR's ``CardInfo`` (or FaceID's ``CardInfo.GeneralCard``), or ``None``.
        back_card: OCR's ``BackCardInfo``, or ``None``.
        head_image: OCR's portrait (``HeadImageBase64``) decoded, or ``None`` when not asked
            for, empty, or not base64 (the raw text stays in :attr:`raw_json`).
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
    front_card: Optional[GeneralCard] = None
    back_card: Optional[GeneralCard] = None
    head_image: Optional[bytes] = None

    @property
    def is_terminal(self) -> bool:
        """True once the status is anything but PROCESSING."""
        return self.status.is_terminal

    @property
    def is_verdict(self) -> bool:
        """Same as :attr:`is_terminal`."""
        return self.status.is_terminal

    @property
    def warnings(self) -> Tuple[Tuple[str, Optional[str]], ...]:
        """Each WarnInfo code with its meaning (``None`` for an unknown code)."""
        return tuple((code, warn_info_meaning(code)) for code in self.warn_infos)


class ApplyFields(threading.local):
    """This thread's output slots for ``tcfaceid_client_apply_card_verification_fields``
    (``slots``: the answer's fields) and their addresses (``refs``, passed as the call's
    outputs), made once per thread: :func:`apply_result_from` reads them right after the call,
    on the same thread, before the thread's next call replaces what they point to."""

    def __init__(self) -> None:
        self.slots = (c_char_p(), c_char_p(), c_char_p(), c_size_t(), c_uint64(), c_uint64())
        self.refs = tuple(byref(slot) for slot in self.slots)


#: This thread's :class:`ApplyFields`.
APPLY_FIELDS = ApplyFields()


def verification_result_from(handle: Any) -> VerificationResult:
    """Copy every field out of a ``tcfaceid_verification_result`` (the caller frees it)."""
    count = lib.tcfaceid_verification_result_warn_info_count(handle)
    card_info_json = _ffi.sized_text(
        lib.tcfaceid_verification_result_card_info_json(handle),
        lib.tcfaceid_verification_result_card_info_json_len(handle),
    )
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
        raw_json=_ffi.sized_text(
            lib.tcfaceid_verification_result_json(handle),
            lib.tcfaceid_verification_result_json_len(handle),
        )
        or "",
        front_card=_card(handle, 0),
        back_card=_card(handle, 1),
        head_image=_head_image(handle),
    )


def _card(handle: Any, side: int) -> Optional[GeneralCard]:
    text = _ffi.sized_text(
        lib.tcfaceid_verification_result_card_json(handle, side),
        lib.tcfaceid_verification_result_card_json_len(handle, side),
    )
    return None if text is None else GeneralCard.from_json(json.loads(text))


def _head_image(handle: Any) -> Optional[bytes]:
    pointer = lib.tcfaceid_verification_result_head_image(handle)
    length = int(lib.tcfaceid_verification_result_head_image_len(handle))
    return ctypes.string_at(pointer, length) if pointer and length else None


def parse_verification_result(json_text: str, token: Optional[str] = None) -> VerificationResult:
    """Read a result action's whole response body (either product), e.g. one stored earlier
    or received with your own HTTP stack (``tcfaceid_verification_result_parse``).

    Raises:
        ProtocolError: not a result envelope. ServiceError: the body carries Response.Error.
    """
    out = VerificationResultRef()
    lib.tcfaceid_verification_result_parse(
        _ffi.encode(json_text, "json"), _ffi.encode_optional(token, "token"), byref(out)
    )
    return take_verification_result(out)


class VerificationResultHandle(Managed):
    """Owns a ``tcfaceid_verification_result`` (internal: copied into a
    :class:`VerificationResult`)."""

    _free_function = lib.deferred("tcfaceid_verification_result_free")


def apply_result_from(out: ApplyFields) -> ApplyResult:
    """Copy the answer ``tcfaceid_client_apply_card_verification_fields`` just wrote to ``out``
    into an :class:`ApplyResult`. The strings are UTF-8 C strings without interior NUL (the
    body's length is not needed), lent by the library until this thread's next such call."""
    token, request_id, body, _, max_polling_times, polling_wait_secs = out.slots
    # The frozen dataclass's __init__ sets each field with object.__setattr__ (a quarter of
    # this per-call path's Python time); filling the new instance's dict makes the same object
    # (no __post_init__, no slots).
    applied: ApplyResult = object.__new__(ApplyResult)
    fields = applied.__dict__
    fields["token"] = token.value.decode()  # type: ignore[union-attr]
    fields["max_polling_times"] = max_polling_times.value
    fields["polling_wait_secs"] = polling_wait_secs.value
    fields["request_id"] = request_id.value.decode()  # type: ignore[union-attr]
    fields["raw_json"] = body.value.decode()  # type: ignore[union-attr]
    return applied


def take_verification_result(handle: Any) -> VerificationResult:
    """Copy a verification result into a :class:`VerificationResult` and free it."""
    owner = VerificationResultHandle()
    owner._set_handle(handle)
    with owner:
        return verification_result_from(owner._handle())
