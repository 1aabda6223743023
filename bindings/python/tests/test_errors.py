"""Each error class, produced for real against the emulator (faults, delays, offline, auth),
with the details the library reports: code, message, field, service code, RequestId, HTTP."""

from __future__ import annotations

import json
import tempfile
import time
import unittest
from typing import Tuple, Type

import _support

import tcfaceid
from tcfaceid import ResultCode

EMULATOR: _support.Emulator
CLIENT: tcfaceid.Client
FRONT_JPG = _support.SAMPLES / "front.jpg"
URL = "https://example.com/front.jpg"


def setUpModule() -> None:
    global EMULATOR, CLIENT
    EMULATOR = _support.Emulator()
    CLIENT = EMULATOR.client()


def tearDownModule() -> None:
    CLIENT.close()
    EMULATOR.stop()


class ErrorClassesTest(unittest.TestCase):
    def assert_error(
        self, error: tcfaceid.TcFaceIdError, cls: Type[tcfaceid.TcFaceIdError], code: ResultCode
    ) -> None:
        self.assertIs(type(error), cls, repr(error))
        self.assertEqual(error.code, code)
        self.assertTrue(error.message)
        self.assertEqual(error.description, tcfaceid.result_str(code))
        self.assertNotIn(_support.DEMO_SECRET_KEY, str(error))

    # --- found locally, nothing sent --------------------------------------------------

    def test_validation_bad_nationality(self) -> None:
        with self.assertRaises(tcfaceid.ValidationError) as caught:
            CLIENT.apply_card_verification("XXX", "ID_CARD", front=FRONT_JPG)
        self.assert_error(
            caught.exception, tcfaceid.ValidationError, ResultCode.INVALID_NATIONALITY
        )
        self.assertEqual(caught.exception.field, "Nationality")
        self.assertEqual(caught.exception.request_id, "")

    def test_validation_missing_back(self) -> None:
        with self.assertRaises(tcfaceid.ValidationError) as caught:
            CLIENT.verify_card("HKG", "ID_CARD", front=FRONT_JPG)
        self.assert_error(
            caught.exception, tcfaceid.ValidationError, ResultCode.BACK_IMAGE_REQUIRED
        )
        self.assertEqual(caught.exception.field, "ImageBase64Back")

    def test_image_gif_bytes(self) -> None:
        with self.assertRaises(tcfaceid.ImageError) as caught:
            CLIENT.apply_card_verification("IDN", "ID_CARD", front=_support.GIF_BYTES)
        self.assert_error(
            caught.exception, tcfaceid.ImageError, ResultCode.IMAGE_UNSUPPORTED_FORMAT
        )
        self.assertEqual(caught.exception.field, "ImageBase64Front")

    def test_credentials_padded_key(self) -> None:
        with self.assertRaises(tcfaceid.CredentialsError) as caught:
            EMULATOR.client(secret_key=" " + _support.DEMO_SECRET_KEY)
        self.assert_error(
            caught.exception, tcfaceid.CredentialsError, ResultCode.CREDENTIALS_INVALID
        )
        self.assertEqual(caught.exception.field, "secret_key")

    def test_invalid_argument_from_the_library(self) -> None:
        with self.assertRaises(tcfaceid.InvalidArgumentError) as caught:
            CLIENT.get_card_verification_result("")
        self.assert_error(
            caught.exception, tcfaceid.InvalidArgumentError, ResultCode.INVALID_ARGUMENT
        )

    def test_wrong_python_types_raise_type_error_before_c(self) -> None:
        with self.assertRaises(TypeError):
            CLIENT.get_card_verification_result(None)  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            CLIENT.apply_card_verification("IDN", "ID_CARD", front=42)  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            CLIENT.verify_card("IDN", "ID_CARD", URL, deadline="soon")  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            CLIENT.call_json(b"GetCardVerificationResult")  # type: ignore[arg-type]

    # --- network ---------------------------------------------------------------------

    def test_transport_closed_port(self) -> None:
        with EMULATOR.client(endpoint=_support.closed_port_endpoint()) as client:
            with self.assertRaises(tcfaceid.TransportError) as caught:
                client.apply_card_verification("IDN", "ID_CARD", URL)
        self.assert_error(caught.exception, tcfaceid.TransportError, ResultCode.TRANSPORT)
        self.assertEqual(caught.exception.http_status, 0)

    def test_transport_dropped_connection(self) -> None:
        with _support.Emulator("--fault", "drop") as emulator, emulator.client() as client:
            with self.assertRaises(tcfaceid.TransportError) as caught:
                client.get_card_verification_result("x")
        self.assert_error(caught.exception, tcfaceid.TransportError, ResultCode.TRANSPORT)

    def test_tls_untrusted_certificate_and_a_trusted_ca_file(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            tls = _support.self_signed_tls(tmp)
            if tls is None:
                self.skipTest("openssl is not installed")
            context, cert = tls
            body = json.dumps({"Response": {"Status": "PROCESSING", "RequestId": "r-1"}}).encode()
            with _support.CannedServer(
                _support.CannedServer.http_response(body), tls=context
            ) as server:
                with EMULATOR.client(endpoint=server.endpoint, timeout=5) as client:
                    with self.assertRaises(tcfaceid.TlsError) as caught:
                        client.get_card_verification_result("x")
                self.assert_error(caught.exception, tcfaceid.TlsError, ResultCode.TLS)
                self.assertIn("certificate", caught.exception.message)
                with EMULATOR.client(endpoint=server.endpoint, timeout=5, ca_file=cert) as client:
                    result = client.get_card_verification_result("x")
                self.assertIs(result.status, tcfaceid.Status.PROCESSING)
                self.assertEqual(result.request_id, "r-1")

    def test_tls_a_server_that_does_not_speak_tls(self) -> None:
        """A TLS protocol error in the handshake is TLS (501), as the header documents (the
        library finds the rustls error in the I/O error's chain; it used to guess from the
        message and answer TRANSPORT)."""
        reply = b"HTTP/1.1 400 Bad Request\r\n\r\n"
        with _support.CannedServer(reply, read_request=False) as server:
            https = server.endpoint.replace("http://", "https://")
            with EMULATOR.client(endpoint=https, timeout=5) as client:
                with self.assertRaises(tcfaceid.TlsError):
                    client.get_card_verification_result("x")

    def test_timeout_slow_server(self) -> None:
        with _support.Emulator("--delay-ms", "3000") as emulator:
            with emulator.client(timeout=0.5) as client:
                start = time.monotonic()
                with self.assertRaises(tcfaceid.TcTimeoutError) as caught:
                    client.get_card_verification_result("x")
                elapsed = time.monotonic() - start
        self.assert_error(caught.exception, tcfaceid.TcTimeoutError, ResultCode.TIMEOUT)
        self.assertIsInstance(caught.exception, TimeoutError)
        self.assertLess(elapsed, 2.5)

    def test_http_status_500(self) -> None:
        with _support.Emulator("--fault", "http500:1000") as emulator:
            with emulator.client() as client:
                with self.assertRaises(tcfaceid.HttpStatusError) as caught:
                    client.apply_card_verification("IDN", "ID_CARD", URL)
        self.assert_error(caught.exception, tcfaceid.HttpStatusError, ResultCode.HTTP_STATUS)
        self.assertEqual(caught.exception.http_status, 500)

    def test_retries_get_past_transient_faults(self) -> None:
        # An apply is sent again only when the service said it did not process it.
        # The emulator's counters show what reached it.
        def counts(emulator: _support.Emulator) -> Tuple[int, int, int, int]:
            stats = emulator.stats()
            return stats["requests"], stats["faults"], stats["apply_calls"], stats["result_calls"]

        with _support.Emulator("--fault", "rate-limit:2") as emulator:
            with emulator.client(retries=2, backoff=(0.01, 0.02)) as client:
                self.assertTrue(client.apply_card_verification("IDN", "ID_CARD", URL).token)
            self.assertEqual(counts(emulator), (3, 2, 1, 0))
        # A poll is retried on any transient failure.
        with _support.Emulator("--fault", "http500:2") as emulator:
            with emulator.client(retries=2, backoff=(0.01, 0.02)) as client:
                with self.assertRaises(tcfaceid.ServiceError):
                    client.get_card_verification_result("no-such-token")
            self.assertEqual(counts(emulator), (3, 2, 0, 1))
        # An apply whose connection dropped after it was sent may have been processed (billed):
        # never sent again, whatever the retries.
        with _support.Emulator("--fault", "drop:1") as emulator:
            with emulator.client(retries=3, backoff=(0.01, 0.02)) as client:
                with self.assertRaises(tcfaceid.TcFaceIdError):
                    client.apply_card_verification("IDN", "ID_CARD", URL)
            self.assertEqual(counts(emulator), (1, 1, 0, 0))

    # --- answered by the service -----------------------------------------------------------

    def test_service_error(self) -> None:
        with self.assertRaises(tcfaceid.ServiceError) as caught:
            CLIENT.get_card_verification_result("no-such-token")
        self.assert_error(caught.exception, tcfaceid.ServiceError, ResultCode.SERVICE)
        self.assertEqual(
            caught.exception.service_code, "InvalidParameterValue.InvalidParameterValueLimit"
        )
        self.assertTrue(caught.exception.request_id)
        self.assertEqual(caught.exception.http_status, 200)
        self.assertIn(caught.exception.request_id, str(caught.exception))

    def test_service_error_image_download(self) -> None:
        with self.assertRaises(tcfaceid.ServiceError) as caught:
            CLIENT.apply_card_verification(
                "IDN", "ID_CARD", "https://example.com/download-error.jpg"
            )
        self.assertEqual(caught.exception.service_code, "ResourceUnavailable.ImageDownloadError")

    def test_auth_failure_wrong_key(self) -> None:
        with EMULATOR.client(secret_key="not-the-key") as client:
            with self.assertRaises(tcfaceid.AuthFailureError) as caught:
                client.apply_card_verification("IDN", "ID_CARD", URL)
        self.assert_error(
            caught.exception, tcfaceid.AuthFailureError, ResultCode.SERVICE_AUTH_FAILURE
        )
        self.assertEqual(caught.exception.service_code, "AuthFailure.SignatureFailure")
        self.assertTrue(caught.exception.request_id)
        self.assertNotIn("not-the-key", str(caught.exception))

    def test_rate_limited(self) -> None:
        with _support.Emulator("--fault", "rate-limit:1000") as emulator:
            with emulator.client() as client:
                with self.assertRaises(tcfaceid.RateLimitedError) as caught:
                    client.get_card_verification_result("x")
        self.assert_error(
            caught.exception, tcfaceid.RateLimitedError, ResultCode.SERVICE_RATE_LIMITED
        )
        self.assertTrue(caught.exception.service_code.startswith("RequestLimitExceeded"))

    def test_action_offline(self) -> None:
        with _support.Emulator("--offline") as emulator, emulator.client() as client:
            with self.assertRaises(tcfaceid.ActionOfflineError) as caught:
                client.apply_card_verification("IDN", "ID_CARD", URL)
        self.assert_error(
            caught.exception, tcfaceid.ActionOfflineError, ResultCode.SERVICE_ACTION_OFFLINE
        )
        with self.assertRaises(tcfaceid.ActionOfflineError) as caught:
            CLIENT.call_json("NoSuchAction", {})
        self.assertEqual(caught.exception.service_code, "InvalidAction")

    # --- the response ------------------------------------------------------------------------

    def test_protocol_garbage(self) -> None:
        with _support.Emulator("--fault", "garbage") as emulator, emulator.client() as client:
            with self.assertRaises(tcfaceid.ProtocolError) as caught:
                client.get_card_verification_result("x")
        self.assert_error(caught.exception, tcfaceid.ProtocolError, ResultCode.PROTOCOL)

    def test_response_too_large(self) -> None:
        # The emulator's answers are all under the smallest cap (1024 bytes): serve a big one.
        big = json.dumps({"Response": {"Status": "PASSED", "RequestId": "r", "Pad": "x" * 4096}})
        with _support.CannedServer(_support.CannedServer.http_response(big.encode())) as server:
            with EMULATOR.client(endpoint=server.endpoint, max_response_bytes=1024) as client:
                with self.assertRaises(tcfaceid.ResponseTooLargeError) as caught:
                    client.get_card_verification_result("x")
            with EMULATOR.client(endpoint=server.endpoint) as client:
                self.assertIs(
                    client.get_card_verification_result("x").status, tcfaceid.Status.PASSED
                )
        self.assert_error(
            caught.exception, tcfaceid.ResponseTooLargeError, ResultCode.RESPONSE_TOO_LARGE
        )
        self.assertIsInstance(caught.exception, tcfaceid.ProtocolError)

    # --- polling -------------------------------------------------------------------------------

    def test_polling_gave_up_after_the_attempts(self) -> None:
        with _support.Emulator("--processing-polls", "100", "--max-polling-times", "3") as emulator:
            with emulator.client() as client:
                with self.assertRaises(tcfaceid.PollingGaveUpError) as caught:
                    client.verify_card("IDN", "ID_CARD", URL, deadline=30)
                error = caught.exception
                self.assert_error(
                    error, tcfaceid.PollAttemptsExhaustedError, ResultCode.POLL_ATTEMPTS_EXHAUSTED
                )
                self.assertTrue(error.token)
                again = client.get_card_verification_result(error.token)
                self.assertIs(again.status, tcfaceid.Status.PROCESSING)

    def test_polling_gave_up_at_the_deadline(self) -> None:
        with _support.Emulator("--processing-polls", "100", "--polling-wait-secs", "1") as emulator:
            with emulator.client() as client:
                start = time.monotonic()
                with self.assertRaises(tcfaceid.PollingGaveUpError) as caught:
                    client.verify_card("IDN", "ID_CARD", URL, deadline=0.3)
                self.assertLess(time.monotonic() - start, 2.0)
        self.assert_error(
            caught.exception, tcfaceid.PollDeadlineExceededError, ResultCode.POLL_DEADLINE_EXCEEDED
        )
        self.assertTrue(caught.exception.token)


if __name__ == "__main__":
    unittest.main()
