"""tcfaceid.sign: the official vector, header order, a reference TC3 implementation, errors."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import random
import unittest
from typing import Any, Dict

import tcfaceid

S1_SECRET_ID = "AKIDEXAMPLEFACEID0000000000000000000"
S1_SECRET_KEY = "SKEXAMPLEFACEIDSECRETKEY0000000000"
S1_HOST = "faceid.intl.tencentcloudapi.com"
S1_BODY = (
    b'{"Nationality": "IDN", "CardType": "ID_CARD", '
    b'"ImageUrlFront": "https://example.com/front.jpg"}'
)
S1_SIGNATURE = "58b836bc8063447b4cae50aea55c25508241ffb0dcc509008a2da92277f08902"


def reference_authorization(
    secret_id: str, secret_key: str, host: str, timestamp: int, body: bytes
) -> str:
    """TC3-HMAC-SHA256 written from Tencent's "Signature v3" documentation, in plain Python
    (signed headers content-type and host, service faceid)."""
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:application/json\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    date = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%d")
    scope = f"{date}/faceid/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )

    def mac(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(("TC3" + secret_key).encode(), date), "faceid"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


def sign_s1(**overrides: object) -> Dict[str, Any]:
    args: Dict[str, Any] = dict(
        secret_id=S1_SECRET_ID,
        secret_key=S1_SECRET_KEY,
        host=S1_HOST,
        action="ApplyCardVerification",
        version="2018-03-01",
        timestamp=1700000000,
        body=S1_BODY,
        region="ap-singapore",
    )
    args.update(overrides)
    return tcfaceid.sign(**args)


class SignTest(unittest.TestCase):
    def test_official_vector_s1(self) -> None:
        headers = sign_s1()
        self.assertTrue(headers["Authorization"].endswith(f"Signature={S1_SIGNATURE}"))
        self.assertEqual(
            headers["Authorization"],
            reference_authorization(S1_SECRET_ID, S1_SECRET_KEY, S1_HOST, 1700000000, S1_BODY),
        )
        self.assertEqual(
            list(headers.items()),
            [
                ("Authorization", headers["Authorization"]),
                ("Content-Type", "application/json"),
                ("Host", S1_HOST),
                ("X-TC-Action", "ApplyCardVerification"),
                ("X-TC-Timestamp", "1700000000"),
                ("X-TC-Version", "2018-03-01"),
                ("X-TC-Region", "ap-singapore"),
            ],
        )

    def test_positional_arguments_in_the_documented_order(self) -> None:
        headers = tcfaceid.sign(
            S1_SECRET_ID,
            S1_SECRET_KEY,
            S1_HOST,
            "ApplyCardVerification",
            "2018-03-01",
            1700000000,
            S1_BODY,
            "ap-singapore",
        )
        self.assertEqual(headers, sign_s1())

    def test_a_str_body_is_signed_as_utf8(self) -> None:
        self.assertEqual(sign_s1(body=S1_BODY.decode()), sign_s1())
        self.assertEqual(sign_s1(body=bytearray(S1_BODY)), sign_s1())
        self.assertEqual(sign_s1(body=memoryview(S1_BODY)), sign_s1())
        text = '{"Name": "樣本"}'
        self.assertEqual(sign_s1(body=text), sign_s1(body=text.encode("utf-8")))

    def test_region_and_token_headers(self) -> None:
        without_region = sign_s1(region=None)
        self.assertNotIn("X-TC-Region", without_region)
        self.assertEqual(without_region["Authorization"], sign_s1()["Authorization"])
        with_token = sign_s1(token="session-token")
        self.assertEqual(list(with_token)[-2:], ["X-TC-Region", "X-TC-Token"])
        self.assertEqual(with_token["X-TC-Token"], "session-token")

    def test_random_inputs_match_the_reference(self) -> None:
        rng = random.Random(20240611)
        for _ in range(200):
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))
            timestamp = rng.randrange(0, 4_000_000_000)
            secret_key = "".join(
                rng.choice("abcdefXYZ0123456789") for _ in range(rng.randrange(1, 50))
            )
            headers = tcfaceid.sign(
                "AKIDX",
                secret_key,
                "faceid.tencentcloudapi.com",
                "GetCardVerificationResult",
                "2018-03-01",
                timestamp,
                body,
            )
            self.assertEqual(
                headers["Authorization"],
                reference_authorization(
                    "AKIDX", secret_key, "faceid.tencentcloudapi.com", timestamp, body
                ),
            )

    def test_a_body_with_nul_bytes_is_signed_whole(self) -> None:
        body = b'{"a":"\x00\x00tail"}'
        self.assertEqual(
            sign_s1(body=body)["Authorization"],
            reference_authorization(S1_SECRET_ID, S1_SECRET_KEY, S1_HOST, 1700000000, body),
        )

    def test_unusable_credentials_are_credentials_errors(self) -> None:
        for secret_id, secret_key, field in [
            (" AKID", S1_SECRET_KEY, "secret_id"),
            (S1_SECRET_ID, S1_SECRET_KEY + "\n", "secret_key"),
            ("", S1_SECRET_KEY, "secret_id"),
        ]:
            with self.subTest(field=field, secret_id=secret_id):
                with self.assertRaises(tcfaceid.CredentialsError) as caught:
                    sign_s1(secret_id=secret_id, secret_key=secret_key)
                self.assertEqual(caught.exception.code, tcfaceid.ResultCode.CREDENTIALS_INVALID)
                self.assertEqual(caught.exception.field, field)
                self.assertNotIn(S1_SECRET_KEY, str(caught.exception))

    def test_invalid_arguments_found_by_the_library(self) -> None:
        for name, value in [("host", ""), ("action", ""), ("version", ""), ("host", "a\rb")]:
            with self.subTest(name=name, value=value):
                with self.assertRaises(tcfaceid.InvalidArgumentError) as caught:
                    sign_s1(**{name: value})
                self.assertEqual(caught.exception.field, name)

    def test_wrong_python_types_raise_before_the_call(self) -> None:
        for name, value in [
            ("timestamp", "1700000000"),
            ("timestamp", 1700000000.0),
            ("timestamp", True),
            ("body", 42),
            ("body", None),
            ("secret_id", b"AKID"),
            ("host", None),
            ("region", 1),
        ]:
            with self.subTest(name=name, value=value):
                with self.assertRaises(TypeError):
                    sign_s1(**{name: value})
        with self.assertRaises(ValueError):
            sign_s1(host="faceid\x00.evil")
        with self.assertRaises(ValueError):
            sign_s1(timestamp=2**63)

    def test_a_signer_names_the_parameter_of_a_wrong_type(self) -> None:
        # Unhashable values too: the signer's cache of encoded strings must not get first.
        with tcfaceid.Signer(S1_SECRET_ID, S1_SECRET_KEY) as signer:
            signer.sign(S1_HOST, "ApplyCardVerification", "2018-03-01", 1700000000, S1_BODY)
            for name, value in [
                ("host", ["faceid.tencentcloudapi.com"]),
                ("action", {"ApplyCardVerification": 1}),
                ("version", 20180301),
                ("region", ["ap-singapore"]),
            ]:
                with self.subTest(name=name, value=value):
                    arguments: Dict[str, Any] = {
                        "host": S1_HOST,
                        "action": "ApplyCardVerification",
                        "version": "2018-03-01",
                        "region": "ap-singapore",
                        name: value,
                    }
                    with self.assertRaises(TypeError) as caught:
                        signer.sign(timestamp=1700000000, body=S1_BODY, **arguments)
                    self.assertEqual(
                        str(caught.exception),
                        f"{name} must be a str, not {type(value).__name__}",
                    )


O1_HOST = "ocr.intl.tencentcloudapi.com"
O1_BODY = (
    b'{"Nationality": "SGP", "CardType": "ID_CARD", "ImageUrlFront": '
    b'"https://example.com/front.jpg", "ImageUrlBack": "https://example.com/back.jpg", '
    b'"ReturnHeadImage": true}'
)
O1_SIGNATURE = "89df0e7eedf2ad8f9f1fb2829ebb13c1e52c2dc8c72d7e1a0f72242d6ebb8e99"


class SignerTest(unittest.TestCase):
    """tcfaceid.Signer: vector O1 of the OCR spec (service ocr), reuse, threads, close."""

    def sign_o1(self, signer: tcfaceid.Signer, timestamp: int = 1700000000) -> Dict[str, str]:
        return signer.sign(
            O1_HOST,
            "ApplyCardVerificationExternal",
            "2018-11-19",
            timestamp,
            O1_BODY,
            region="ap-singapore",
        )

    def test_ocr_vector_o1_with_a_reused_signer_and_across_days(self) -> None:
        with tcfaceid.Signer(S1_SECRET_ID, S1_SECRET_KEY, service="ocr") as signer:
            for timestamp in [1700000000, 1700000000, 1700000000 + 86400, 1700000000]:
                headers = self.sign_o1(signer, timestamp)
                self.assertEqual(
                    list(headers),
                    [
                        "Authorization",
                        "Content-Type",
                        "Host",
                        "X-TC-Action",
                        "X-TC-Timestamp",
                        "X-TC-Version",
                        "X-TC-Region",
                    ],
                )
                self.assertEqual(headers["X-TC-Version"], "2018-11-19")
                self.assertEqual(headers["X-TC-Timestamp"], str(timestamp))
                if timestamp == 1700000000:
                    self.assertTrue(headers["Authorization"].endswith("Signature=" + O1_SIGNATURE))
                    self.assertIn("/2023-11-14/ocr/tc3_request,", headers["Authorization"])
                else:
                    self.assertIn("/2023-11-15/ocr/tc3_request,", headers["Authorization"])
        self.assertTrue(signer.closed)
        with self.assertRaises(ValueError):
            self.sign_o1(signer)

    def test_sign_takes_the_service(self) -> None:
        headers = tcfaceid.sign(
            S1_SECRET_ID,
            S1_SECRET_KEY,
            O1_HOST,
            "ApplyCardVerificationExternal",
            "2018-11-19",
            1700000000,
            O1_BODY,
            region="ap-singapore",
            service="ocr",
        )
        self.assertTrue(headers["Authorization"].endswith("Signature=" + O1_SIGNATURE))
        with self.assertRaises(tcfaceid.InvalidArgumentError) as caught:
            sign_s1(service="")
        self.assertEqual(caught.exception.field, "service")

    def test_a_token_adds_x_tc_token(self) -> None:
        with tcfaceid.Signer(S1_SECRET_ID, S1_SECRET_KEY, token="session-token") as signer:
            headers = signer.sign(S1_HOST, "ApplyCardVerification", "2018-03-01", 1700000000, S1_BODY)
        self.assertEqual(headers["X-TC-Token"], "session-token")
        self.assertTrue(headers["Authorization"].endswith("Signature=" + S1_SIGNATURE))


if __name__ == "__main__":
    unittest.main()
