"""Client against the emulator: apply, get result, verify and call_json with every image form
and the sample images; the client's settings and credentials sources."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import unittest
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Tuple, Type

import _support

import tcfaceid
from tcfaceid import Status

EMULATOR: _support.Emulator
CLIENT: tcfaceid.Client

FRONT_JPG = _support.SAMPLES / "front.jpg"
BACK_JPG = _support.SAMPLES / "back.jpg"
FRONT_PNG = _support.SAMPLES / "front.png"


def setUpModule() -> None:
    global EMULATOR, CLIENT
    EMULATOR = _support.Emulator()
    CLIENT = EMULATOR.client()


def tearDownModule() -> None:
    CLIENT.close()
    EMULATOR.stop()


environment = _support.environment


class FlowTest(unittest.TestCase):
    def assert_passed(self, result: tcfaceid.VerificationResult, nationality: str) -> None:
        self.assertIs(result.status, Status.PASSED)
        self.assertEqual(result.status_str, "PASSED")
        self.assertTrue(result.is_verdict)
        self.assertEqual(result.nationality, nationality)
        self.assertEqual(result.warn_infos, ())
        self.assertIsInstance(result.card_info, dict)
        self.assertEqual(result.card_info, json.loads(result.card_info_json or "null"))
        self.assertTrue(result.id_verification_token)
        self.assertTrue(result.request_id)
        self.assertEqual(json.loads(result.raw_json)["Response"]["Status"], "PASSED")

    def test_apply_then_poll_with_a_path(self) -> None:
        applied = CLIENT.apply_card_verification(
            "HKG", "ID_CARD", front=str(FRONT_JPG), back=str(BACK_JPG)
        )
        self.assertIsInstance(applied, tcfaceid.ApplyResult)
        self.assertTrue(applied.token)
        self.assertTrue(applied.request_id)
        self.assertEqual(applied.max_polling_times, 60)
        self.assertEqual(applied.polling_wait_secs, 0)
        self.assertEqual(
            json.loads(applied.raw_json)["Response"]["CardVerificationToken"], applied.token
        )

        first = CLIENT.get_card_verification_result(applied.token)
        self.assertIs(first.status, Status.PROCESSING)
        self.assertFalse(first.is_verdict)
        self.assertEqual(first.token, applied.token)
        self.assertEqual(first.polls, 1)
        self.assertIsNone(first.card_info)
        self.assertIsNone(first.nationality)

        second = CLIENT.get_card_verification_result(applied.token)
        self.assert_passed(second, "HKG")
        self.assertIn("HKIDCard", second.card_info or {})
        self.assertEqual(second.card_sub_type, "NATIONAL_ID")
        self.assertEqual(second.card_type, "ID_CARD")

    def test_verify_card_with_bytes(self) -> None:
        result = CLIENT.verify_card(
            nationality="HKG",
            card_type="ID_CARD",
            front=FRONT_JPG.read_bytes(),
            back=BACK_JPG.read_bytes(),
        )
        self.assert_passed(result, "HKG")
        self.assertEqual(result.polls, 2)

    def test_verify_card_with_a_url(self) -> None:
        result = CLIENT.verify_card("IDN", "ID_CARD", "https://example.com/front.jpg", deadline=30)
        self.assert_passed(result, "IDN")
        self.assertIn("IndonesiaIDCard", result.card_info or {})

    def test_verify_the_png_sample_and_a_base64_image(self) -> None:
        import base64

        result = CLIENT.verify_card("IDN", "ID_CARD", front=FRONT_PNG)
        self.assert_passed(result, "IDN")
        text = base64.b64encode(FRONT_PNG.read_bytes()).decode()
        result = CLIENT.verify_card("THA", "PASSPORT", front=tcfaceid.Base64Image(text))
        self.assert_passed(result, "THA")

    def test_warning_and_rejected_verdicts_carry_warn_infos(self) -> None:
        warning = CLIENT.verify_card("IDN", "ID_CARD", "https://example.com/warning.jpg")
        self.assertIs(warning.status, Status.WARNING)
        self.assertEqual(warning.warn_infos, ("PoorImageQuality",))
        rejected = CLIENT.verify_card("IDN", "ID_CARD", "https://example.com/rejected.jpg")
        self.assertIs(rejected.status, Status.REJECTED)
        self.assertEqual(rejected.warn_infos, ("FakeSuspected",))

    def test_apply_and_verify_a_card_request(self) -> None:
        with tcfaceid.CardRequest("HKG", "ID_CARD", front=FRONT_JPG, back=BACK_JPG) as request:
            applied = CLIENT.apply(request)
            verdict = CLIENT.verify(request, deadline=30.0)
        self.assertTrue(applied.token)
        self.assert_passed(verdict, "HKG")
        self.assertNotEqual(verdict.token, applied.token)
        with self.assertRaises(TypeError):
            CLIENT.apply("HKG")  # type: ignore[arg-type]

    def test_call_json_with_a_str_a_dict_and_no_body(self) -> None:
        raw = CLIENT.call_json(
            "ApplyCardVerification",
            '{"Nationality":"IDN","CardType":"ID_CARD","ImageUrlFront":"https://example.com/f.jpg"}',
        )
        token = raw["Response"]["CardVerificationToken"]
        result = CLIENT.call_json("GetCardVerificationResult", {"CardVerificationToken": token})
        self.assertEqual(result["Response"]["Status"], "PROCESSING")
        with self.assertRaises(tcfaceid.ServiceError) as caught:
            CLIENT.call_json("GetCardVerificationResult")  # {}: the token is missing
        self.assertTrue(caught.exception.service_code)
        with self.assertRaises(tcfaceid.InvalidArgumentError):
            CLIENT.call_json("Bad Action", "{}")
        with self.assertRaises(TypeError):
            CLIENT.call_json("GetCardVerificationResult", b"{}")  # type: ignore[arg-type]

    def test_the_result_dataclasses_are_frozen(self) -> None:
        applied = CLIENT.apply_card_verification("IDN", "ID_CARD", "https://example.com/f.jpg")
        with self.assertRaises(AttributeError):
            applied.token = "x"  # type: ignore[misc]
        # Built without __init__ on the per-call path: the same object as the constructor's.
        fields = dataclasses.asdict(applied)
        self.assertEqual(list(fields), [f.name for f in dataclasses.fields(tcfaceid.ApplyResult)])
        self.assertEqual(tcfaceid.ApplyResult(**fields), applied)
        self.assertEqual(hash(tcfaceid.ApplyResult(**fields)), hash(applied))


class SettingsTest(unittest.TestCase):
    def test_every_setting_is_accepted(self) -> None:
        with EMULATOR.client(
            language="zh-CN",
            connect_timeout=2.5,
            timeout=10,
            max_response_bytes=1 << 20,
            retries=2,
            backoff=(0.01, 0.05),
            clock_offset_secs=0,
        ) as client:
            self.assertIn(EMULATOR.endpoint, repr(client))
            self.assertTrue(
                client.apply_card_verification("IDN", "ID_CARD", "https://e/f.jpg").token
            )

    def test_the_proxy_is_used(self) -> None:
        with EMULATOR.client(proxy=_support.closed_port_endpoint(), timeout=5) as client:
            with self.assertRaises(tcfaceid.TransportError):
                client.get_card_verification_result("x")

    def test_settings_the_library_refuses_are_validation_errors(self) -> None:
        C = tcfaceid.ResultCode
        checks: List[Tuple[Dict[str, Any], int]] = [
            ({"region": "mars-1"}, C.INVALID_REGION),
            ({"endpoint": "ftp://example.com"}, C.INVALID_ENDPOINT),
            ({"language": "fr-FR"}, C.INVALID_LANGUAGE),
            ({"timeout": 0}, C.INVALID_OPTION),
            ({"max_response_bytes": 10}, C.INVALID_OPTION),
            ({"retries": 20}, C.INVALID_OPTION),
            ({"retries": 1, "backoff": (5.0, 1.0)}, C.INVALID_OPTION),
        ]
        for settings, code in checks:
            with self.subTest(settings=settings):
                with self.assertRaises(tcfaceid.ValidationError) as caught:
                    EMULATOR.client(**settings)
                self.assertEqual(caught.exception.code, code)

    def test_an_unusable_ca_file_is_a_tls_error(self) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as f:
            f.write("not a certificate\n")
        try:
            with self.assertRaises(tcfaceid.TlsError):
                EMULATOR.client(ca_file=f.name)
        finally:
            os.unlink(f.name)

    def test_python_misuse_raises_before_c(self) -> None:
        misuse: List[Tuple[Dict[str, Any], Type[Exception]]] = [
            ({"region": 5}, TypeError),
            ({"timeout": "3"}, TypeError),
            ({"timeout": True}, TypeError),
            ({"timeout": -1}, ValueError),
            ({"timeout": float("nan")}, ValueError),
            ({"retries": 1.5}, TypeError),
            ({"retries": -1}, ValueError),
            ({"retries": 1, "backoff": 0.2}, TypeError),
            ({"clock_offset_secs": 1.5}, TypeError),
            ({"max_response_bytes": -1}, ValueError),
            ({"ca_file": 3}, TypeError),
            ({"endpoint": "http://a\x00b"}, ValueError),
            ({"credentials": "env"}, ValueError),  # with secret_id / secret_key as well
            ({"secret_key": None}, ValueError),  # secret_id without secret_key
        ]
        for settings, error in misuse:
            with self.subTest(settings=settings):
                with self.assertRaises(error):
                    EMULATOR.client(**settings)
        refused: List[Dict[str, Any]] = [
            {"credentials": "vault"},
            {"token": "t"},
            {"credentials": "env", "profile": "x"},
        ]
        for settings in refused:
            with self.subTest(settings=settings):
                with self.assertRaises(ValueError):
                    tcfaceid.Client(endpoint=EMULATOR.endpoint, region=_support.REGION, **settings)

    def test_credentials_from_the_environment(self) -> None:
        with environment(
            TENCENTCLOUD_SECRET_ID=_support.DEMO_SECRET_ID,
            TENCENTCLOUD_SECRET_KEY=_support.DEMO_SECRET_KEY,
            TENCENTCLOUD_SECURITY_TOKEN=None,
            TENCENTCLOUD_REGION=_support.REGION,
        ):
            for credentials in ("env", None):
                with tcfaceid.Client(credentials=credentials, endpoint=EMULATOR.endpoint) as client:
                    self.assertTrue(
                        client.apply_card_verification("IDN", "ID_CARD", "https://e/f.jpg").token
                    )
        with environment(
            TENCENTCLOUD_SECRET_ID=None,
            TENCENTCLOUD_SECRET_KEY=None,
            TENCENTCLOUD_CREDENTIALS_FILE="/nonexistent/credentials",
        ):
            with self.assertRaises(tcfaceid.CredentialsError) as caught:
                tcfaceid.Client(
                    credentials="env", endpoint=EMULATOR.endpoint, region=_support.REGION
                )
            self.assertEqual(caught.exception.code, tcfaceid.ResultCode.CREDENTIALS_MISSING)

    def test_credentials_from_a_profile_file(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "credentials")
            with open(path, "w") as f:
                f.write(
                    "[default]\nsecret_id = AKIDWRONG\nsecret_key = wrong\n\n"
                    f"[emulator]\nsecret_id = {_support.DEMO_SECRET_ID}\n"
                    f"secret_key = {_support.DEMO_SECRET_KEY}\n"
                )
            with environment(
                TENCENTCLOUD_CREDENTIALS_FILE=path,
                TENCENTCLOUD_SECRET_ID=None,
                TENCENTCLOUD_SECRET_KEY=None,
            ):
                profiles: List[Dict[str, Any]] = [
                    {"profile": "emulator"},
                    {"credentials": "profile", "profile": "emulator"},
                ]
                for settings in profiles:
                    with tcfaceid.Client(
                        endpoint=EMULATOR.endpoint, region=_support.REGION, **settings
                    ) as c:
                        self.assertTrue(
                            c.apply_card_verification("IDN", "ID_CARD", "https://e/f.jpg").token
                        )
                with tcfaceid.Client(
                    credentials="profile", endpoint=EMULATOR.endpoint, region=_support.REGION
                ) as client:
                    with self.assertRaises(tcfaceid.AuthFailureError):
                        client.get_card_verification_result("x")
                with self.assertRaises(tcfaceid.CredentialsError):
                    tcfaceid.Client(
                        profile="nosuch", endpoint=EMULATOR.endpoint, region=_support.REGION
                    )

    def test_a_session_token_is_sent(self) -> None:
        with _support.Emulator("--token", "session-token") as emulator:
            with emulator.client(token="session-token") as client:
                self.assertTrue(
                    client.apply_card_verification("IDN", "ID_CARD", "https://e/f.jpg").token
                )
            with emulator.client() as client:
                with self.assertRaises(tcfaceid.AuthFailureError) as caught:
                    client.get_card_verification_result("x")
            self.assertEqual(caught.exception.service_code, "AuthFailure.TokenFailure")


if __name__ == "__main__":
    unittest.main()
