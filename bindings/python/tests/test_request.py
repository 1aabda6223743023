"""CardRequest: every image form, the local checks and their exceptions, the JSON body."""

from __future__ import annotations

import base64
import json
import os
import pathlib
import sys
import tempfile
import unittest
from typing import Any, Dict, List, Type

import _support

import tcfaceid

FRONT_JPG = _support.SAMPLES / "front.jpg"
BACK_JPG = _support.SAMPLES / "back.jpg"
FRONT_PNG = _support.SAMPLES / "front.png"


def body_of(request: tcfaceid.CardRequest) -> Dict[str, Any]:
    body: Dict[str, Any] = json.loads(request.body())
    return body


class ImageFormsTest(unittest.TestCase):
    def test_every_image_form_gives_the_same_body(self) -> None:
        data = FRONT_JPG.read_bytes()
        expected = base64.b64encode(data).decode()
        forms: List[tcfaceid.ImageInput] = [
            str(FRONT_JPG),
            FRONT_JPG,  # os.PathLike
            data,
            bytearray(data),
            memoryview(data),
            memoryview(b"xx" + data)[2:],
            tcfaceid.Base64Image(expected),
            tcfaceid.Base64Image("data:image/jpeg;base64," + expected[:40] + "\n" + expected[40:]),
        ]
        for image in forms:
            with self.subTest(image=type(image).__name__):
                with tcfaceid.CardRequest("IDN", "ID_CARD", front=image) as request:
                    request.validate()
                    self.assertEqual(
                        body_of(request),
                        {"Nationality": "IDN", "CardType": "ID_CARD", "ImageBase64Front": expected},
                    )

    def test_a_str_with_an_http_scheme_is_a_url(self) -> None:
        for url in ["https://example.com/front.jpg", "http://example.com/front.jpg"]:
            with self.subTest(url=url):
                with tcfaceid.CardRequest("IDN", "ID_CARD", front=url) as request:
                    self.assertEqual(body_of(request)["ImageUrlFront"], url)

    def test_a_pathlike_is_always_a_path(self) -> None:
        with tcfaceid.CardRequest("IDN", "ID_CARD", front=pathlib.PurePosixPath("https://x")) as r:
            with self.assertRaises(tcfaceid.ImageError) as caught:
                r.validate()
        self.assertEqual(caught.exception.code, tcfaceid.ResultCode.IMAGE_UNREADABLE)

    def test_both_sides_and_png(self) -> None:
        with tcfaceid.CardRequest("HKG", "ID_CARD", front=FRONT_PNG, back=BACK_JPG) as request:
            body = body_of(request)
        self.assertEqual(base64.b64decode(body["ImageBase64Front"]), FRONT_PNG.read_bytes())
        self.assertEqual(base64.b64decode(body["ImageBase64Back"]), BACK_JPG.read_bytes())

    def test_setting_a_side_replaces_its_url_and_data(self) -> None:
        with tcfaceid.CardRequest("IDN", "ID_CARD", front="https://example.com/a.jpg") as request:
            request.set_front(FRONT_JPG)
            body = body_of(request)
            self.assertNotIn("ImageUrlFront", body)
            self.assertIn("ImageBase64Front", body)
            request.set_front("https://example.com/b.jpg")
            body = body_of(request)
            self.assertEqual(body["ImageUrlFront"], "https://example.com/b.jpg")
            self.assertNotIn("ImageBase64Front", body)
            request.clear(tcfaceid.Side.FRONT)
            with self.assertRaises(tcfaceid.ValidationError) as caught:
                request.validate()
            self.assertEqual(caught.exception.code, tcfaceid.ResultCode.FRONT_IMAGE_REQUIRED)

    def test_codes_can_be_changed(self) -> None:
        with tcfaceid.CardRequest("XXX", "ID_CARD", front=FRONT_JPG) as request:
            request.nationality = "THA"
            request.card_type = "PASSPORT"
            self.assertEqual((request.nationality, request.card_type), ("THA", "PASSPORT"))
            body = body_of(request)
        self.assertEqual((body["Nationality"], body["CardType"]), ("THA", "PASSPORT"))

    def test_unknown_codes_pass_when_allowed(self) -> None:
        with tcfaceid.CardRequest(
            "ZZZ", "NEW_CARD", front=FRONT_JPG, allow_unknown_codes=True
        ) as request:
            self.assertTrue(request.allow_unknown_codes)
            self.assertEqual(body_of(request)["Nationality"], "ZZZ")
            request.allow_unknown_codes = False
            with self.assertRaises(tcfaceid.ValidationError):
                request.validate()

    @unittest.skipIf(sys.platform == "win32", "POSIX paths may be any bytes")
    def test_a_path_that_is_not_utf8_is_read_in_python(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(os.fsencode(tmp), b"front-\xff.jpg")
            with open(path, "wb") as f:
                f.write(FRONT_JPG.read_bytes())
            with tcfaceid.CardRequest("IDN", "ID_CARD", front=os.fsdecode(path)) as request:
                request.validate()
            missing = os.path.join(os.fsencode(tmp), b"missing-\xff.jpg")
            with self.assertRaises(tcfaceid.ImageError) as caught:
                tcfaceid.CardRequest("IDN", "ID_CARD", back=os.fsdecode(missing))
        self.assertEqual(caught.exception.code, tcfaceid.ResultCode.IMAGE_UNREADABLE)
        self.assertEqual(caught.exception.field, "ImageBase64Back")


class LocalChecksTest(unittest.TestCase):
    """Each check's exception class, code and field (nothing is sent)."""

    def check(
        self, cls: Type[tcfaceid.TcFaceIdError], code: tcfaceid.ResultCode, field: str, *args: object, **kwargs: object
    ) -> None:
        with tcfaceid.CardRequest(*args, **kwargs) as request:  # type: ignore[arg-type]
            with self.assertRaises(cls) as caught:
                request.validate()
            with self.assertRaises(cls):
                request.body()
        self.assertEqual(caught.exception.code, code)
        self.assertEqual(caught.exception.field, field)
        self.assertTrue(caught.exception.message)
        self.assertEqual(caught.exception.description, tcfaceid.result_str(code))

    def test_validation_errors(self) -> None:
        V, C = tcfaceid.ValidationError, tcfaceid.ResultCode
        self.check(V, C.INVALID_NATIONALITY, "Nationality", "XXX", "ID_CARD", front=FRONT_JPG)
        self.check(V, C.INVALID_CARD_TYPE, "CardType", "IDN", "BUS_PASS", front=FRONT_JPG)
        self.check(V, C.FRONT_IMAGE_REQUIRED, "ImageBase64Front", "IDN", "ID_CARD")
        self.check(V, C.BACK_IMAGE_REQUIRED, "ImageBase64Back", "HKG", "ID_CARD", front=FRONT_JPG)
        self.check(V, C.INVALID_IMAGE_URL, "ImageUrlFront", "IDN", "ID_CARD", front="https://")

    def test_image_errors(self) -> None:
        Img, C = tcfaceid.ImageError, tcfaceid.ResultCode
        self.check(
            Img,
            C.IMAGE_UNSUPPORTED_FORMAT,
            "ImageBase64Front",
            "IDN",
            "ID_CARD",
            front=_support.GIF_BYTES,
        )
        self.check(Img, C.IMAGE_EMPTY, "ImageBase64Front", "IDN", "ID_CARD", front=b"")
        self.check(
            Img, C.IMAGE_CORRUPT, "ImageBase64Front", "IDN", "ID_CARD", front=b"\x89PNG\r\n\x1a\n"
        )
        self.check(
            Img,
            C.IMAGE_INVALID_BASE64,
            "ImageBase64Front",
            "IDN",
            "ID_CARD",
            front=tcfaceid.Base64Image("!!not base64!!"),
        )
        self.check(
            Img,
            C.IMAGE_UNREADABLE,
            "ImageBase64Back",
            "HKG",
            "ID_CARD",
            front=FRONT_JPG,
            back="/nonexistent/back.jpg",
        )

    def test_wrong_python_types_raise_type_error_before_c(self) -> None:
        for args, kwargs in [
            ((1, "ID_CARD"), {}),
            (("IDN", None), {}),
            (("IDN", "ID_CARD"), {"front": 123}),
            (("IDN", "ID_CARD"), {"back": ["front.jpg"]}),
            (("IDN", "ID_CARD"), {"allow_unknown_codes": "yes"}),
        ]:
            with self.subTest(args=args, kwargs=kwargs):
                with self.assertRaises(TypeError):
                    tcfaceid.CardRequest(*args, **kwargs)  # type: ignore[arg-type]
        with tcfaceid.CardRequest("IDN", "ID_CARD") as request:
            with self.assertRaises(TypeError):
                request.set_image(0, FRONT_JPG)  # type: ignore[arg-type]
            with self.assertRaises(TypeError):
                request.nationality = b"IDN"  # type: ignore[assignment]
        with self.assertRaises(TypeError):
            tcfaceid.Base64Image(b"abc")  # type: ignore[arg-type]

    def test_nul_characters_raise_value_error_before_c(self) -> None:
        with self.assertRaises(ValueError):
            tcfaceid.CardRequest("IDN\x00", "ID_CARD")
        with self.assertRaises(ValueError):
            tcfaceid.CardRequest("IDN", "ID_CARD", front="front\x00.jpg")
        with self.assertRaises(ValueError):
            tcfaceid.CardRequest("IDN", "ID_CARD", front="https://x/\x00")


if __name__ == "__main__":
    unittest.main()
