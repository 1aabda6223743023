"""Both products through the package against the emulator: the ``api=`` keyword, OCR's
request rules, its result (both Status vocabularies, front and back cards, head image), and
FaceID's ActionOffline with the advice to switch while OCR works."""

from __future__ import annotations

import unittest

import _support

import tcfaceid
from tcfaceid import Api, Status

FRONT = "https://example.com/front.jpg"
BACK = "https://example.com/back.jpg"


def ocr_client(emulator: _support.Emulator, **settings: object) -> tcfaceid.Client:
    return emulator.client(api="ocr", poll_plan=(0.0, 0.001, 5), **settings)


class OcrRequestTest(unittest.TestCase):
    def test_rules_are_the_products(self) -> None:
        with tcfaceid.CardRequest("SGP", "ID_CARD", FRONT) as request:
            with self.assertRaises(tcfaceid.ValidationError) as caught:
                request.validate(api="ocr")
            self.assertEqual(caught.exception.field, "ImageBase64Back")
            request.set_back(BACK)
            request.validate(api=Api.OCR)
            request.card_type = "AUTO"
            with self.assertRaises(tcfaceid.ValidationError) as caught:
                request.validate(api="ocr")
            self.assertEqual(caught.exception.code, tcfaceid.ResultCode.INVALID_CARD_TYPE)
            request.card_type = "RESIDENCE_PERMIT"
            request.validate(api="ocr")
            with self.assertRaises(tcfaceid.ValidationError):
                request.validate()  # FaceID has no RESIDENCE_PERMIT
        with tcfaceid.CardRequest("SGP", "PASSPORT", FRONT, return_head_image=True) as request:
            self.assertTrue(request.body(api="ocr").endswith('"ReturnHeadImage":true}'))
            with self.assertRaises(tcfaceid.ValidationError) as caught:
                request.validate(api="faceid")
            self.assertEqual(caught.exception.code, tcfaceid.ResultCode.UNSUPPORTED_FIELD)
            request.webhook_url = "http://example.com/hook"
            with self.assertRaises(tcfaceid.ValidationError) as caught:
                request.validate(api="ocr")
            self.assertEqual(caught.exception.code, tcfaceid.ResultCode.INVALID_WEBHOOK_URL)
        with self.assertRaises(ValueError):
            tcfaceid.CardRequest("ARG", "PASSPORT", FRONT).validate(api="nope")
        with self.assertRaises(TypeError):
            tcfaceid.CardRequest("ARG", "PASSPORT", FRONT, return_head_image=1)  # type: ignore

    def test_warn_info_meanings(self) -> None:
        self.assertEqual(
            tcfaceid.warn_info_meaning("TooManyCards"), "more than one card in the frame"
        )
        self.assertIsNone(tcfaceid.warn_info_meaning("SomethingNew"))


class OcrFlowTest(unittest.TestCase):
    def test_completed_with_both_cards_and_the_head_image(self) -> None:
        with _support.Emulator() as emulator, ocr_client(emulator) as client:
            self.assertIs(client.api, Api.OCR)
            result = client.verify_card(
                "SGP", "ID_CARD", FRONT, BACK, return_head_image=True, deadline=30
            )
            self.assertIs(result.status, Status.COMPLETED)
            self.assertTrue(result.is_terminal)
            self.assertEqual(result.polls, 2)
            assert result.front_card is not None and result.back_card is not None
            self.assertEqual(result.front_card.issued_country_code, "SGP")
            self.assertEqual(result.front_card.others_json()["side"], "front")
            assert result.back_card.address is not None
            self.assertEqual(result.back_card.address.city, "SAMPLE CITY")
            self.assertEqual((result.head_image or b"")[:4], b"\x89PNG")
            self.assertIsNone(result.card_info)
            again = tcfaceid.parse_verification_result(result.raw_json)
            self.assertEqual(again.front_card, result.front_card)

    def test_the_legacy_vocabulary_and_abnormal(self) -> None:
        with _support.Emulator("--ocr-status", "legacy") as emulator, ocr_client(
            emulator
        ) as client:
            result = client.verify_card("ARG", "PASSPORT", FRONT, deadline=30)
            self.assertIs(result.status, Status.PASSED)
            self.assertIsNone(result.back_card)
            self.assertIsNone(result.head_image)
            result = client.verify_card("ARG", "PASSPORT", "https://x/warning.jpg", deadline=30)
            self.assertIs(result.status, Status.WARNING)
            self.assertEqual(
                result.warnings, (("PoorImageQuality", "the image quality is too low"),)
            )
        with _support.Emulator() as emulator, ocr_client(emulator) as client:
            result = client.verify_card("ARG", "PASSPORT", "https://x/abnormal.jpg", deadline=30)
            self.assertIs(result.status, Status.ABNORMAL)
            self.assertTrue(result.is_terminal)

    def test_faceid_offline_says_how_to_switch(self) -> None:
        with _support.Emulator("--faceid-offline") as emulator:
            with emulator.client() as faceid:
                with self.assertRaises(tcfaceid.ActionOfflineError) as caught:
                    faceid.verify_card("SGP", "PASSPORT", FRONT, deadline=30)
                self.assertIn('Client(api="ocr")', caught.exception.message)
                self.assertIn("TCFACEID_API=ocr", caught.exception.message)
            with ocr_client(emulator) as client:
                result = client.verify_card("SGP", "PASSPORT", FRONT, deadline=30)
                self.assertIs(result.status, Status.COMPLETED)

    def test_the_emulator_refuses_auto(self) -> None:
        with _support.Emulator() as emulator, ocr_client(emulator) as client:
            with self.assertRaises(tcfaceid.ServiceError) as caught:
                client.call_json(
                    "ApplyCardVerificationExternal",
                    {"Nationality": "SGP", "CardType": "AUTO", "ImageUrlFront": FRONT},
                )
            self.assertEqual(
                caught.exception.service_code,
                "InvalidParameterValue.InvalidParameterValueLimit",
            )

    def test_keywords_are_checked(self) -> None:
        with self.assertRaises(ValueError):
            tcfaceid.Client(api="nope", credentials="env")
        with self.assertRaises(TypeError):
            tcfaceid.Client(api=3, credentials="env")  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            tcfaceid.Client(poll_plan=(1, 2), credentials="env")  # type: ignore[arg-type]


if __name__ == "__main__":
    unittest.main()
