"""bindings/python/example.py in a subprocess against the emulator: output and exit status,
and the same output as bindings/c/example.c for the same runs (when a C compiler is around)."""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import _support

import tcfaceid
from tcfaceid import _ffi

EMULATOR: _support.Emulator
FRONT = str(_support.SAMPLES / "front.jpg")
BACK = str(_support.SAMPLES / "back.jpg")
PNG = str(_support.SAMPLES / "front.png")
FRONT_OCR = str(_support.SAMPLES / "front-640x400.jpg")
BACK_OCR = str(_support.SAMPLES / "back-640x400.jpg")

Run = Tuple[int, str, str]


def setUpModule() -> None:
    global EMULATOR
    EMULATOR = _support.Emulator()


def tearDownModule() -> None:
    EMULATOR.stop()


def example_env(endpoint: Optional[str] = None, **overrides: Optional[str]) -> Dict[str, str]:
    """The environment the C demo gives its example (scripts/demo.sh), plus overrides
    (None removes a variable)."""
    env = _support.python_env(
        TENCENTCLOUD_SECRET_ID=_support.DEMO_SECRET_ID,
        TENCENTCLOUD_SECRET_KEY=_support.DEMO_SECRET_KEY,
        TENCENTCLOUD_REGION=_support.REGION,
        TCFACEID_ENDPOINT=endpoint or EMULATOR.endpoint,
        TCFACEID_POLL_MS="1",
    )
    env.pop("TENCENTCLOUD_SECURITY_TOKEN", None)
    env.pop("TCFACEID_API", None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_python(args: List[str], env: Optional[Dict[str, str]] = None) -> Run:
    done = subprocess.run(
        [sys.executable, str(_support.EXAMPLE_PY), *args],
        env=env or example_env(),
        capture_output=True,
        timeout=120,
    )
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


class ExampleTest(unittest.TestCase):
    def test_a_verdict_with_card_info(self) -> None:
        code, out, err = run_python(["HKG", "ID_CARD", FRONT, BACK])
        self.assertEqual((code, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(lines[0], tcfaceid.library_version() + ", product faceid")
        self.assertRegex(lines[1], r"^token:       [0-9a-f-]{36}$")
        self.assertEqual(
            lines[2:7],
            [
                "polls:       2",
                "status:      PASSED",
                "nationality: HKG",
                "card type:   ID_CARD",
                "warn infos:  0",
            ],
        )
        self.assertTrue(lines[7].startswith('card info:   {"HKIDCard":{'), lines[7])
        self.assertIn("樣本", lines[7])
        self.assertEqual(len(lines), 8)

    def test_ocr_with_tcfaceid_api(self) -> None:
        code, out, err = run_python(
            ["SGP", "ID_CARD", FRONT_OCR, BACK_OCR], example_env(TCFACEID_API="ocr")
        )
        self.assertEqual((code, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(lines[0], tcfaceid.library_version() + ", product ocr")
        self.assertEqual(lines[3], "status:      COMPLETED")
        self.assertIn("front card:", lines)
        self.assertIn("  Address.City  SAMPLE CITY", lines)
        self.assertRegex(lines[-1], r"^head image:  \d+ bytes$")

    def test_a_warning_from_a_url(self) -> None:
        code, out, _ = run_python(["IDN", "ID_CARD", "https://example.com/warning.jpg"])
        self.assertEqual(code, 0)
        self.assertIn("status:      WARNING\n", out)
        self.assertIn("warn infos:  1\n  - PoorImageQuality (the image quality is too low)\n", out)

    def test_a_local_check_fails_with_its_details(self) -> None:
        code, out, err = run_python(["HKG", "ID_CARD", FRONT])
        self.assertEqual(code, 1)
        self.assertEqual(out, tcfaceid.library_version() + ", product faceid\n")
        self.assertEqual(
            err.splitlines(),
            [
                f"error: verifying the card failed: result 203 ({tcfaceid.result_str(203)})",
                "  message:      ImageUrlBack or ImageBase64Back: "
                "faceid needs the back of a HKG ID_CARD",
                "  field:        ImageBase64Back",
            ],
        )

    def test_a_service_error_shows_the_service_code_and_request_id(self) -> None:
        code, _, err = run_python(
            ["IDN", "ID_CARD", PNG], example_env(TENCENTCLOUD_SECRET_KEY="wrong")
        )
        self.assertEqual(code, 1)
        self.assertIn("error: verifying the card failed: result 701 (", err)
        self.assertIn("  service code: AuthFailure.SignatureFailure\n", err)
        self.assertRegex(err, r"  request id:   [0-9a-f-]{36}\n")
        self.assertIn("  HTTP status:  200\n", err)

    def test_missing_credentials_fail_the_client(self) -> None:
        env = example_env(TENCENTCLOUD_SECRET_ID=None, TENCENTCLOUD_SECRET_KEY=None)
        code, _, err = run_python(["IDN", "ID_CARD", PNG], env)
        self.assertEqual(code, 1)
        self.assertIn("error: building the client failed: result 400 (", err)

    def test_no_verdict_within_the_polls(self) -> None:
        with _support.Emulator("--processing-polls", "100", "--max-polling-times", "2") as slow:
            code, out, err = run_python(["IDN", "ID_CARD", PNG], example_env(slow.endpoint))
        self.assertEqual(code, 1)
        self.assertIn("error: verifying the card failed: result 901 (", err)
        self.assertIn("after 2 polls", err)

    def test_usage(self) -> None:
        for args in ([], ["HKG", "ID_CARD"], ["a", "b", "c", "d", "e"]):
            with self.subTest(args=args):
                code, out, err = run_python(args)
                self.assertEqual((code, out), (2, ""))
                self.assertTrue(err.startswith("usage: "), err)
                self.assertIn("NATIONALITY CARD_TYPE FRONT_IMAGE [BACK_IMAGE]", err)


_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalised(run: Run, program: str) -> Run:
    """A run with the per-call ids and the program name replaced."""
    code, out, err = run

    def fix(text: str) -> str:
        return _IDS.sub("<id>", text).replace(program, "<prog>")

    return code, fix(out), fix(err)


@unittest.skipIf(shutil.which(os.environ.get("CC", "cc")) is None, "no C compiler")
class SameAsTheCExampleTest(unittest.TestCase):
    """Both examples, same arguments and environment: same stdout, stderr and exit status."""

    tmp: tempfile.TemporaryDirectory[str]
    c_example: Path

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        folder = Path(cls.tmp.name)
        # The example links against the SONAME, libtcfaceid.so.0.3 (as scripts/demo.sh does).
        (folder / _ffi.SONAME).symlink_to(Path(tcfaceid.library_path()).resolve())
        cls.c_example = folder / "example"
        subprocess.run(
            [
                os.environ.get("CC", "cc"),
                "-std=c99",
                "-Wall",
                "-Wextra",
                "-Wpedantic",
                "-Werror",
                f"-I{_support.REPO_DIR / 'include'}",
                str(_support.REPO_DIR / "bindings" / "c" / "example.c"),
                "-o",
                str(cls.c_example),
                tcfaceid.library_path(),
                f"-Wl,-rpath,{folder}",
            ],
            check=True,
        )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def run_c(self, args: List[str], env: Dict[str, str]) -> Run:
        done = subprocess.run(
            [str(self.c_example), *args], env=env, capture_output=True, timeout=120
        )
        return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")

    def test_the_same_runs_give_the_same_output(self) -> None:
        wrong_key = example_env(TENCENTCLOUD_SECRET_KEY="wrong")
        no_credentials = example_env(
            TENCENTCLOUD_SECRET_ID=None,
            TENCENTCLOUD_SECRET_KEY=None,
            TENCENTCLOUD_CREDENTIALS_FILE="/nonexistent",
        )
        cases = [
            (["HKG", "ID_CARD", FRONT, BACK], example_env()),
            (["IDN", "ID_CARD", PNG], example_env()),
            (["IDN", "ID_CARD", "https://example.com/rejected.jpg"], example_env()),
            (["IDN", "ID_CARD", "https://example.com/download-error.jpg"], example_env()),
            (["HKG", "ID_CARD", FRONT], example_env()),
            (["XXX", "ID_CARD", FRONT], example_env()),
            (["IDN", "ID_CARD", "/nonexistent.jpg"], example_env()),
            (["IDN", "ID_CARD", PNG], wrong_key),
            (["IDN", "ID_CARD", PNG], no_credentials),
            (["IDN", "ID_CARD", PNG], example_env(_support.closed_port_endpoint())),
            (["IDN", "ID_CARD"], example_env()),
            (["SGP", "ID_CARD", FRONT_OCR, BACK_OCR], example_env(TCFACEID_API="ocr")),
            (["SGP", "AUTO", FRONT_OCR], example_env(TCFACEID_API="ocr")),
            (["SGP", "PASSPORT", FRONT], example_env(TCFACEID_API="ocr")),
            (["SGP", "PASSPORT", FRONT], example_env(TCFACEID_API="nope")),
        ]
        # 30 processes: run them a few at a time (each is independent), then compare in order.
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            c_runs = list(pool.map(lambda case: self.run_c(*case), cases))
            py_runs = list(pool.map(lambda case: run_python(*case), cases))
        for (args, _env), c_run, py_run in zip(cases, c_runs, py_runs):
            with self.subTest(args=args):
                self.assertEqual(
                    normalised(py_run, str(_support.EXAMPLE_PY)),
                    normalised(c_run, str(self.c_example)),
                )


if __name__ == "__main__":
    unittest.main()
