"""Credential sources through the package against the emulator process, which serves the
metadata service and STS on its port: ``credentials="chain" | "cvm-role" | "oidc"``,
``assume_role=``, ``credentials=callable``; the argument checks; the chain's error."""

from __future__ import annotations

import datetime
import os
import tempfile
import threading
import unittest
from typing import Any, List

import _support

import tcfaceid

#: Only temporary keys it issued (4 s lifetime) sign calls there.
TEMPORARY: _support.Emulator
#: The demo keys sign calls there.
PLAIN: _support.Emulator

ROLE_ARN = "qcs::cam::uin/100000000001:roleName/demo"
FRONT_URL = "https://example.com/front.jpg"
BACK_URL = "https://example.com/back.jpg"
CLEARED = (
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "TENCENTCLOUD_SECURITY_TOKEN",
    "TKE_REGION",
    "TKE_PROVIDER_ID",
    "TKE_WEB_IDENTITY_TOKEN_FILE",
    "TKE_ROLE_ARN",
)


def setUpModule() -> None:
    global TEMPORARY, PLAIN
    TEMPORARY = _support.Emulator("--temporary-keys-only", "--key-ttl-secs", "4")
    PLAIN = _support.Emulator()


def tearDownModule() -> None:
    TEMPORARY.stop()
    PLAIN.stop()


environment = _support.environment


def apply(client: tcfaceid.Client) -> str:
    return client.apply_card_verification("SGP", "ID_CARD", FRONT_URL, BACK_URL).token


class SourcesTest(unittest.TestCase):
    def test_the_long_term_key_is_refused_where_only_temporary_keys_are(self) -> None:
        with TEMPORARY.client() as client:
            with self.assertRaises(tcfaceid.AuthFailureError):
                apply(client)

    def test_cvm_role(self) -> None:
        with environment(TCFACEID_METADATA_ENDPOINT=TEMPORARY.endpoint):
            client = tcfaceid.Client(
                credentials="cvm-role", endpoint=TEMPORARY.endpoint, region=_support.REGION
            )
        with client:
            self.assertTrue(apply(client))
            self.assertIsNone(client.credentials_refresh_error())
        with environment(TCFACEID_METADATA_ENDPOINT=TEMPORARY.endpoint):
            with tcfaceid.Client(
                credentials="cvm-role",
                role="tcfaceid-emulator-role",
                endpoint=TEMPORARY.endpoint,
                region=_support.REGION,
            ) as named:
                self.assertTrue(apply(named))

    def test_oidc(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            token_file = os.path.join(tmp, "token")
            with open(token_file, "w") as f:
                f.write("eyJhbGciOiJSUzI1NiJ9.e30.sig\n")
            with environment(
                TENCENTCLOUD_SECRET_ID=None,
                TENCENTCLOUD_SECRET_KEY=None,
                TENCENTCLOUD_CREDENTIALS_FILE="/nonexistent/tcfaceid/credentials",
                TCFACEID_STS_ENDPOINT=TEMPORARY.endpoint,
                TKE_REGION="ap-singapore",
                TKE_PROVIDER_ID="demo-provider",
                TKE_WEB_IDENTITY_TOKEN_FILE=token_file,
                TKE_ROLE_ARN="qcs::cam::uin/100000000001:roleName/tke-demo",
            ):
                with tcfaceid.Client(
                    credentials="oidc", endpoint=TEMPORARY.endpoint, region=_support.REGION
                ) as client:
                    self.assertTrue(apply(client))
                with tcfaceid.Client(
                    credentials="chain", endpoint=TEMPORARY.endpoint, region=_support.REGION
                ) as client:
                    self.assertTrue(apply(client))
            with environment(TKE_REGION=None, TKE_ROLE_ARN=None):
                with self.assertRaises(tcfaceid.CredentialsError) as caught:
                    tcfaceid.Client(credentials="oidc", endpoint=TEMPORARY.endpoint,
                                    region=_support.REGION)
                self.assertIn("TKE_REGION", str(caught.exception))

    def test_assume_role(self) -> None:
        with TEMPORARY.client(
            assume_role={"role_arn": ROLE_ARN, "session_name": "py-test", "duration": 900},
            sts_endpoint=TEMPORARY.endpoint,
        ) as client:
            self.assertTrue(apply(client))
        with TEMPORARY.client(assume_role=ROLE_ARN, sts_endpoint=TEMPORARY.endpoint) as client:
            self.assertTrue(apply(client))

    def test_chain_error_names_every_source(self) -> None:
        cleared = {name: None for name in CLEARED}
        with environment(TENCENTCLOUD_CREDENTIALS_FILE="/nonexistent/tcfaceid/credentials",
                         **cleared):
            with self.assertRaises(tcfaceid.CredentialsError) as caught:
                tcfaceid.Client(credentials="chain", endpoint=PLAIN.endpoint,
                                region=_support.REGION)
        message = str(caught.exception)
        for part in ("explicit keys: none given", "environment: ", "profile file: ",
                     "TKE OIDC: ", "CVM instance role: not enabled (opt-in)"):
            self.assertIn(part, message)
        self.assertEqual(caught.exception.code, 400)


class CallableTest(unittest.TestCase):
    def test_a_callable_gives_the_keys_once_until_they_near_expiry(self) -> None:
        calls: List[int] = []

        def keys() -> Any:
            calls.append(1)
            return (_support.DEMO_SECRET_ID, _support.DEMO_SECRET_KEY)

        with PLAIN.client(secret_id=None, secret_key=None, credentials=keys) as client:
            self.assertEqual(calls, [])
            apply(client)
            apply(client)
            self.assertEqual(len(calls), 1)

    def test_a_mapping_with_an_expiry(self) -> None:
        expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)

        def keys() -> Any:
            return {
                "secret_id": _support.DEMO_SECRET_ID,
                "secret_key": _support.DEMO_SECRET_KEY,
                "expires_at": expiry,
            }

        with PLAIN.client(secret_id=None, secret_key=None, credentials=keys) as client:
            self.assertTrue(apply(client))

    def test_a_failing_callable_is_a_credentials_error_naming_the_source(self) -> None:
        def broken() -> Any:
            raise RuntimeError("vault unreachable")

        with PLAIN.client(secret_id=None, secret_key=None, credentials=broken) as client:
            with self.assertLogs("tcfaceid", level="WARNING"):
                with self.assertRaises(tcfaceid.CredentialsError) as caught:
                    apply(client)
        self.assertEqual(caught.exception.code, 402)
        self.assertIn("credentials callback", str(caught.exception))

    def test_never_called_from_two_threads_at_once(self) -> None:
        lock = threading.Lock()
        state = {"in_call": False, "overlap": False, "calls": 0}

        def keys() -> Any:
            with lock:
                state["overlap"] = state["overlap"] or bool(state["in_call"])
                state["in_call"] = True
                state["calls"] += 1
            expires = int(datetime.datetime.now().timestamp()) + 3
            with lock:
                state["in_call"] = False
            return (_support.DEMO_SECRET_ID, _support.DEMO_SECRET_KEY, None, expires)

        errors: List[BaseException] = []
        with PLAIN.client(secret_id=None, secret_key=None, credentials=keys) as client:

            def work() -> None:
                try:
                    while True:
                        with lock:
                            if state["calls"] >= 2:
                                return
                        apply(client)
                except BaseException as error:  # reported below
                    errors.append(error)

            threads = [threading.Thread(target=work) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertEqual(errors, [])
        self.assertFalse(state["overlap"])
        self.assertGreaterEqual(state["calls"], 2)


class ArgumentsTest(unittest.TestCase):
    def test_wrong_arguments(self) -> None:
        with self.assertRaises(TypeError):
            tcfaceid.Client(credentials=42)  # type: ignore[arg-type]
        with self.assertRaises(ValueError):
            tcfaceid.Client(credentials="vault")
        with self.assertRaises(ValueError):
            tcfaceid.Client(credentials="oidc", role="r")
        with self.assertRaises(ValueError):
            tcfaceid.Client(credentials="env", cvm_role=True)
        with self.assertRaises(ValueError):
            tcfaceid.Client(credentials=lambda: ("a", "b"), secret_id="a", secret_key="b")
        with self.assertRaises(ValueError):
            tcfaceid.Client(assume_role={"role_arn": ROLE_ARN, "nope": 1})
        with self.assertRaises(tcfaceid.ValidationError):
            PLAIN.client(assume_role={"role_arn": ROLE_ARN, "session_name": "a b"})


if __name__ == "__main__":
    unittest.main()
