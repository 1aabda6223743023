"""``CardRequest``: a document to submit to either product (``tcfaceid_card_request``)."""

from __future__ import annotations

import enum
import os
from ctypes import byref, c_size_t, c_void_p
from typing import Any, Callable, Optional, Tuple, Union

from . import _ffi
from ._errors import ResultCode, make_error
from ._ffi import CardRequestRef, lib
from ._managed import Managed
from ._product import Api, api_from


class Base64Image:
    """An image given as base64 text of a PNG or JPEG (a ``data:image/...;base64,`` prefix and
    line breaks are allowed). Wrap base64 text in it: a plain ``str`` is a path or a URL.

    >>> Base64Image("iVBORw0KGgo...")  # doctest: +SKIP
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"Base64Image takes a str, not {type(text).__name__}")
        #: The base64 text, as given.
        self.text = text

    def __repr__(self) -> str:
        return f"Base64Image(<{len(self.text)} characters>)"


#: What an image argument accepts:
#:
#: * a ``str`` starting with ``http://`` or ``https://``: a URL the service downloads;
#: * any other ``str``, or an ``os.PathLike``: the path of a PNG or JPEG file (read by the
#:   library when the request is checked and again when it is sent);
#: * ``bytes``, ``bytearray`` or ``memoryview``: the PNG or JPEG bytes themselves;
#: * :class:`Base64Image`: base64 text of a PNG or JPEG.
ImageInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Base64Image]


class Side(enum.IntEnum):
    """A side of the document (``tcfaceid_side``)."""

    #: The front (always required): ImageUrlFront / ImageBase64Front.
    FRONT = 0
    #: The back (required for some documents): ImageUrlBack / ImageBase64Back.
    BACK = 1


def is_url(text: str) -> bool:
    """Whether a ``str`` image is a URL (it starts with ``http://`` or ``https://``)."""
    return text.startswith(("http://", "https://"))


class CardRequest(Managed):
    """A document to submit (ApplyCardVerification or ApplyCardVerificationExternal): its
    codes and its images, checked by the rules of the product it is sent to.

    Nothing is checked until :meth:`validate`, :meth:`body` or a client call, so a code the
    service adds later can still be let through with ``allow_unknown_codes=True``.

    Args:
        nationality: ``"IDN"``, ``"HKG"``, ``"THA"``, ``"MYS"``, ``"SGP"``, ``"JPN"``,
            ``"TWN"``, ``"BGD"``, ``"NGA"``, ``"PAK"`` or ``"AUTO"``; OCR also ``"ARG"``,
            ``"AUS"``, ``"KHM"``, ``"CAN"``, ``"CHL"``, ``"DEU"``, ``"MEX"``, ``"MMR"``,
            ``"NZL"``, ``"RUS"``, ``"PHL"``, ``"MAC"``, ``"CHN"``.
        card_type: ``"ID_CARD"``, ``"PASSPORT"``, ``"DRIVING_LICENSE"``, and ``"AUTO"``
            (FaceID) or ``"RESIDENCE_PERMIT"`` (OCR).
        front: the front image (see :data:`ImageInput`), or ``None`` to set it later.
        back: the back image, required for some documents (e.g. HKG ID cards).
        allow_unknown_codes: let Nationality / CardType codes this library does not know pass.
        return_head_image: OCR only: ask for the portrait (``True`` / ``False``; ``None``
            leaves the field out).
        webhook_url: OCR only: an ``https://`` URL called when the result is final.

    Threads: one thread at a time (it may move between threads); do not change a request
    while a client call uses it. Close it (or use ``with``) to free it at once.

    Raises:
        TypeError: an argument has the wrong type.
        ValueError: a string holds a NUL character.
    """

    _free_function = lib.deferred("tcfaceid_card_request_free")

    def __init__(
        self,
        nationality: str,
        card_type: str,
        front: Optional[ImageInput] = None,
        back: Optional[ImageInput] = None,
        *,
        allow_unknown_codes: bool = False,
        return_head_image: Optional[bool] = None,
        webhook_url: Optional[str] = None,
    ) -> None:
        c_nationality = _ffi.encode(nationality, "nationality")
        c_card_type = _ffi.encode(card_type, "card_type")
        handle = CardRequestRef()
        lib.tcfaceid_card_request_new(c_nationality, c_card_type, byref(handle))
        self._set_handle(handle)
        self._nationality = nationality
        self._card_type = card_type
        self._allow_unknown_codes = False
        self._return_head_image: Optional[bool] = None
        self._webhook_url: Optional[str] = None
        try:
            if allow_unknown_codes:
                self.allow_unknown_codes = allow_unknown_codes
            self.return_head_image = return_head_image
            self.webhook_url = webhook_url
            if front is not None:
                self.set_front(front)
            if back is not None:
                self.set_back(back)
        except BaseException:
            self.close()
            raise

    @property
    def nationality(self) -> str:
        """The Nationality code (settable)."""
        return self._nationality

    @nationality.setter
    def nationality(self, value: str) -> None:
        lib.tcfaceid_card_request_set_nationality(self._handle(), _ffi.encode(value, "nationality"))
        self._nationality = value

    @property
    def card_type(self) -> str:
        """The CardType code (settable)."""
        return self._card_type

    @card_type.setter
    def card_type(self, value: str) -> None:
        lib.tcfaceid_card_request_set_card_type(self._handle(), _ffi.encode(value, "card_type"))
        self._card_type = value

    @property
    def allow_unknown_codes(self) -> bool:
        """Whether unknown Nationality / CardType codes pass the local checks (settable)."""
        return self._allow_unknown_codes

    @allow_unknown_codes.setter
    def allow_unknown_codes(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"allow_unknown_codes must be a bool, not {type(value).__name__}")
        lib.tcfaceid_card_request_set_allow_unknown_codes(self._handle(), value)
        self._allow_unknown_codes = value

    @property
    def return_head_image(self) -> Optional[bool]:
        """OCR only: ReturnHeadImage, ``None`` to leave it out (settable)."""
        return self._return_head_image

    @return_head_image.setter
    def return_head_image(self, value: Optional[bool]) -> None:
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"return_head_image must be a bool or None, not {type(value).__name__}")
        lib.tcfaceid_card_request_set_return_head_image(
            self._handle(), -1 if value is None else int(value)
        )
        self._return_head_image = value

    @property
    def webhook_url(self) -> Optional[str]:
        """OCR only: WebhookUrl (https), ``None`` to leave it out (settable)."""
        return self._webhook_url

    @webhook_url.setter
    def webhook_url(self, value: Optional[str]) -> None:
        lib.tcfaceid_card_request_set_webhook_url(
            self._handle(), _ffi.encode_optional(value, "webhook_url")
        )
        self._webhook_url = value

    def set_front(self, image: ImageInput) -> None:
        """Set the front image (replacing any front image or URL set before)."""
        self.set_image(Side.FRONT, image)

    def set_back(self, image: ImageInput) -> None:
        """Set the back image (replacing any back image or URL set before)."""
        self.set_image(Side.BACK, image)

    def set_image(self, side: Side, image: ImageInput) -> None:
        """Set one side from a URL, a path, bytes or a :class:`Base64Image`.

        The side's previous URL and image data are removed first, so the new image always
        takes effect (in C, a URL wins over image data set for the same side).

        Raises:
            TypeError: ``image`` is none of the accepted types, or ``side`` is not a Side.
            ValueError: a string holds a NUL character.
        """
        if not isinstance(side, Side):
            raise TypeError(f"side must be a tcfaceid.Side, not {type(side).__name__}")
        setter, argument = _prepare(image, side)  # misuse is found before the request changes
        handle = self._handle()
        lib.tcfaceid_card_request_clear_side(handle, side)
        setter(handle, side, argument)

    def clear(self, side: Side) -> None:
        """Remove the URL and the image of one side."""
        if not isinstance(side, Side):
            raise TypeError(f"side must be a tcfaceid.Side, not {type(side).__name__}")
        lib.tcfaceid_card_request_clear_side(self._handle(), side)

    def validate(self, api: Union[Api, str] = Api.FACEID) -> None:
        """Run every local check of the product ``api`` (``"faceid"``, the default, or
        ``"ocr"``), without any network call.

        Raises:
            ValidationError: a rule of the service is broken (``field`` names the field).
            ImageError: an image is unusable (format, size, base64, unreadable file, empty).
            ValueError: the request is closed.
        """
        product = api_from(api)
        lib.tcfaceid_card_request_validate_for(self._handle(), product)

    def body(self, api: Union[Api, str] = Api.FACEID) -> str:
        """Check the request for the product ``api`` and return the exact JSON body of its
        apply action (images as base64), for callers that sign (:func:`tcfaceid.sign`) and
        send it themselves.

        Raises what :meth:`validate` raises.
        """
        product = api_from(api)
        out, length = c_void_p(), c_size_t()
        lib.tcfaceid_card_request_body_for(self._handle(), product, byref(out), byref(length))
        return _ffi.take_owned_string(out, length)

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return f"<tcfaceid.CardRequest {self._nationality} {self._card_type}{state}>"


def _prepare(image: object, side: Side) -> Tuple[Callable[..., int], bytes]:
    """The C setter for ``image`` and its argument, checked before the request is touched.

    Raises ``TypeError`` / ``ValueError`` for Python misuse; :class:`ImageError` for a path
    that is not UTF-8 and cannot be read (see below).
    """
    if isinstance(image, Base64Image):
        return lib.tcfaceid_card_request_set_image_base64, _ffi.encode(image.text, "base64 image")
    if isinstance(image, (bytes, bytearray, memoryview)):
        return _set_bytes, bytes(image)
    if isinstance(image, str) and is_url(image):
        return lib.tcfaceid_card_request_set_url, _ffi.encode(image, "image URL")
    if isinstance(image, (str, os.PathLike)):
        raw = os.fsencode(image)
        if b"\x00" in raw:
            raise ValueError("an image path must not contain a NUL character")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            # The C API takes UTF-8 paths only; a POSIX path that is not UTF-8 is read here.
            return _set_bytes, _read_image(raw, side)
        return lib.tcfaceid_card_request_set_image_file, raw
    raise TypeError(
        "an image must be a path (str or os.PathLike), an http(s) URL (str), bytes, "
        f"bytearray, memoryview or tcfaceid.Base64Image, not {type(image).__name__}"
    )


def _set_bytes(handle: Any, side: Side, data: bytes) -> int:
    return int(lib.tcfaceid_card_request_set_image_bytes(handle, side, data, len(data)))


def _read_image(path: bytes, side: Side) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        field = "ImageBase64Front" if side == Side.FRONT else "ImageBase64Back"
        raise make_error(
            ResultCode.IMAGE_UNREADABLE,
            f"{field}: cannot read image file {os.fsdecode(path)}: {e.strerror or e}",
            field=field,
        ) from e
