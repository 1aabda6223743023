"""The ctypes layer: every C function declared as the header says, the library search and
version check, result codes mapped to exceptions."""

from __future__ import annotations

import ctypes
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from unittest import mock
from pathlib import Path
from typing import Any, Dict, List, Tuple, Type

import _support

import tcfaceid
from tcfaceid import _errors, _ffi


def header_prototypes() -> Dict[str, Tuple[str, List[str]]]:
    """name -> (return type, [parameter types]) for every function in include/tcfaceid.h and
    in tests/c/test_hooks.h (the testing hooks of libtcfaceid_test_hooks.so)."""
    text = _support.HEADER.read_text(encoding="utf-8")
    text += _support.TEST_HOOKS_HEADER.read_text(encoding="utf-8")
    found: Dict[str, Tuple[str, List[str]]] = {}
    pattern = re.compile(r"^([A-Za-z_][\w ]*?[\s*]+)(tcfaceid_\w+)\(([^)]*)\);", re.MULTILINE)
    for match in pattern.finditer(text):
        ret, name, params = match.groups()
        types: List[str] = []
        if params.strip() != "void":
            for param in params.split(","):
                param = " ".join(param.split())
                # Drop the parameter name: the last identifier.
                types.append(re.sub(r"\s*\b\w+$", "", param).replace(" *", "*").strip())
        found[name] = (" ".join(ret.split()).replace(" *", "*"), types)
    return found


def ctype_for(c_type: str) -> Any:
    """The ctypes type (or the SIGNATURES marker) a C type must be declared as."""
    simple = {
        "tcfaceid_result": "tcfaceid_result",
        "tcfaceid_status": ctypes.c_uint32,
        "tcfaceid_side": ctypes.c_uint32,
        "void": None,
        "const char*": ctypes.c_char_p,
        "const uint8_t*": ctypes.c_char_p,
        "char*": ctypes.c_void_p,  # an owned string given back to tcfaceid_string_free
        "char**": ctypes.POINTER(ctypes.c_void_p),
        "const char**": ctypes.POINTER(ctypes.c_char_p),  # a borrowed string given back
        "uint16_t": ctypes.c_uint16,
        "int32_t": ctypes.c_int32,
        "uint32_t": ctypes.c_uint32,
        "int64_t": ctypes.c_int64,
        "uint64_t": ctypes.c_uint64,
        "uint64_t*": ctypes.POINTER(ctypes.c_uint64),
        "size_t": ctypes.c_size_t,
        "size_t*": ctypes.POINTER(ctypes.c_size_t),
        "bool": ctypes.c_bool,
        "void*": ctypes.c_void_p,
        "tcfaceid_credentials_callback": _ffi.CREDENTIALS_CALLBACK,
    }
    if c_type in simple:
        return simple[c_type]
    handle = re.fullmatch(r"(?:const )?struct (tcfaceid_\w+)(\*+)", c_type)
    if handle is None:
        raise AssertionError(f"no ctypes mapping for C type {c_type!r}")
    name, stars = handle.groups()
    refs = {
        ref._type_.__name__: ref
        for ref in (
            _ffi.ClientBuilderRef,
            _ffi.ClientRef,
            _ffi.CardRequestRef,
            _ffi.SignedHeadersRef,
            _ffi.SignerRef,
            _ffi.ApplyResponseRef,
            _ffi.VerificationResultRef,
            _ffi.CredentialsSinkRef,
            _ffi.CancelRef,
        )
    }
    ref = refs[name]
    return ref if stars == "*" else ctypes.POINTER(ref)


class DeclarationsTest(unittest.TestCase):
    def test_every_header_function_is_declared_with_matching_types(self) -> None:
        prototypes = header_prototypes()
        self.assertGreater(len(prototypes), 60, "the header parser found too few functions")
        self.assertEqual(sorted(prototypes), sorted(_ffi.SIGNATURES))
        for name, (ret, params) in prototypes.items():
            with self.subTest(function=name):
                restype, argtypes = _ffi.SIGNATURES[name]
                expected = ctype_for(ret)
                if name == "tcfaceid_last_error_code":
                    expected = ctypes.c_uint32  # reads the code: must not raise
                if ret == "const uint8_t*" or name + "_len" in prototypes:
                    expected = ctypes.c_void_p  # returned with its length: read, not scanned
                self.assertEqual(restype, expected, f"return type {ret}")
                self.assertEqual(argtypes, [ctype_for(p) for p in params], f"parameters {params}")

    def test_the_loaded_functions_carry_their_declarations(self) -> None:
        for name, (_restype, argtypes) in _ffi.SIGNATURES.items():
            if name in _ffi.TEST_HOOKS:
                continue  # only in libtcfaceid_test_hooks.so: see the panic test below
            with self.subTest(function=name):
                func = getattr(_ffi.lib, name)
                self.assertEqual(list(func.argtypes), argtypes)
                if _restype == "tcfaceid_result":
                    self.assertIs(func.restype, ctypes.c_uint32)
                    self.assertIs(func.errcheck, _ffi._check)

    def test_each_handle_type_is_distinct(self) -> None:
        request = _ffi.CardRequestRef()
        with self.assertRaises(ctypes.ArgumentError):
            _ffi.lib.tcfaceid_client_free(request)
        with self.assertRaises(ctypes.ArgumentError):
            _ffi.lib.tcfaceid_signed_headers_count(_ffi.ClientRef())

    def test_a_null_handle_is_an_invalid_argument_error(self) -> None:
        with self.assertRaises(tcfaceid.InvalidArgumentError) as caught:
            _ffi.lib.tcfaceid_card_request_validate(None)
        self.assertEqual(caught.exception.code, tcfaceid.ResultCode.NULL_ARGUMENT)
        self.assertEqual(caught.exception.field, "request")

    def test_version_and_result_str(self) -> None:
        self.assertEqual(tcfaceid.library_version(), f"tcfaceid/{tcfaceid.__version__}")
        self.assertTrue(Path(tcfaceid.library_path()).is_file())
        self.assertEqual(tcfaceid.result_str(0), "success")
        self.assertEqual(tcfaceid.result_str(99999), "unknown result code")
        with self.assertRaises(TypeError):
            tcfaceid.result_str("0")  # type: ignore[arg-type]

    def test_a_caught_panic_is_an_internal_panic_error_and_the_library_stays_usable(self) -> None:
        # The testing hook exists only in libtcfaceid_test_hooks.so, so a child process loads
        # that library; Rust's panic hook prints to the child's stderr, which is captured.
        script = """
import ctypes, tcfaceid
from tcfaceid import _ffi
hook = _ffi.lib.tcfaceid_debug_panic
assert hook.restype is ctypes.c_uint32 and hook.errcheck is _ffi._check and hook.argtypes == []
try:
    hook()
except tcfaceid.InternalPanicError as caught:
    assert caught.code == tcfaceid.ResultCode.PANIC, caught.code
    assert "panic" in caught.message, caught.message
else:
    raise AssertionError("no InternalPanicError")
assert "Authorization" in tcfaceid.sign("a", "b", "h", "A", "v", 1, b"")
print("survived")
"""
        env = dict(os.environ, TCFACEID_LIBRARY=str(_support.test_hooks_library()))
        child = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertEqual(child.stdout.strip(), "survived")
        self.assertIn("deliberate panic", child.stderr)

    def test_the_loaded_library_has_no_testing_hook(self) -> None:
        # libtcfaceid.so, whichever the suite loaded (the wheel's, the tree's, TCFACEID_LIBRARY).
        self.assertEqual(Path(tcfaceid.library_path()).name, "libtcfaceid.so")
        for name in _ffi.TEST_HOOKS:
            with self.subTest(function=name), self.assertRaises(AttributeError):
                getattr(_ffi.lib, name)


class LibrarySearchTest(unittest.TestCase):
    def test_tcfaceid_library_is_the_only_candidate_when_set(self) -> None:
        self.assertEqual(
            _ffi.candidates({"TCFACEID_LIBRARY": "/x/libtcfaceid.so"}),
            [_ffi.Candidate("TCFACEID_LIBRARY", "/x/libtcfaceid.so")],
        )

    def test_search_order_package_system_cargo_target_dir_repository(self) -> None:
        found = _ffi.candidates({"CARGO_TARGET_DIR": "custom-target"})
        sources: List[str] = []
        for candidate in found:
            if candidate.source not in sources:
                sources.append(candidate.source)
        package_dir = Path(tcfaceid.__file__).parent
        self.assertEqual(found[0], _ffi.Candidate("package", str(package_dir / "libtcfaceid.so")))
        self.assertIn(_ffi.Candidate("system", _ffi.SONAME), found)
        if (package_dir.parents[2] / "Cargo.toml").is_file():  # this checkout's package
            self.assertEqual(sources, ["package", "system", "CARGO_TARGET_DIR", "repository"])
            dirs: List[Path] = []
            for candidate in found:
                folder = Path(candidate.path).parent
                if candidate.source != "system" and folder not in dirs:
                    dirs.append(folder)
            repo = _support.REPO_DIR
            self.assertEqual(
                dirs,
                [
                    _support.PYTHON_DIR / "tcfaceid",
                    repo / "custom-target" / "release",
                    repo / "custom-target" / "debug",
                    repo / "target" / "release",
                    repo / "target" / "debug",
                ],
            )
        else:  # an installed package: no repository to fall back on
            self.assertEqual(sources, ["package", "system", "CARGO_TARGET_DIR"])

    def test_each_refused_path_is_explained(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            not_a_library = Path(tmp) / "libtcfaceid.so"
            not_a_library.write_text("not an ELF file")
            import _ctypes  # a shared object that is not libtcfaceid

            missing = Path(tmp) / "missing" / "libtcfaceid.so"
            # The hint for a search of the default places (the suite may run with the variable).
            without_variable = {k: v for k, v in os.environ.items() if k != "TCFACEID_LIBRARY"}
            with self.assertRaises(tcfaceid.LibraryLoadError) as caught, mock.patch.dict(
                os.environ, without_variable, clear=True
            ):
                _ffi.load_library(
                    [
                        _ffi.Candidate("package", str(missing)),
                        _ffi.Candidate("system", "libtcfaceid-no-such-name.so.0"),
                        _ffi.Candidate("repository", str(not_a_library)),
                        _ffi.Candidate("repository", _ctypes.__file__),
                    ]
                )
        message = str(caught.exception)
        self.assertIsInstance(caught.exception, ImportError)
        self.assertIn(f"[package] {missing}: not found", message)
        self.assertIn("[system] libtcfaceid-no-such-name.so.0: cannot be loaded", message)
        self.assertIn(f"{not_a_library}: cannot be loaded", message)
        self.assertIn("no tcfaceid_version symbol", message)
        self.assertIn("cargo build --release", message)
        self.assertIn("TCFACEID_LIBRARY", message)

    def test_the_version_must_match_major_minor(self) -> None:
        self.assertIsNone(_ffi._check_version("tcfaceid/0.3.0"))
        self.assertIsNone(_ffi._check_version("tcfaceid/0.3.9"))
        self.assertIn("needs 0.3.x", _ffi._check_version("tcfaceid/0.2.0") or "")
        self.assertIn("needs 0.3.x", _ffi._check_version("tcfaceid/1.3.0") or "")
        self.assertIn("not 'tcfaceid/", _ffi._check_version("rustls-ffi/0.1.0") or "")
        self.assertIn("major", _ffi._check_version("tcfaceid/x") or "")

    def test_import_succeeds_and_the_first_call_fails_clearly_without_a_library(self) -> None:
        bogus = "/nonexistent/libtcfaceid.so"
        script = (
            "import tcfaceid\n"
            "print('imported')\n"
            "tcfaceid.Client(secret_id='AKID', secret_key='key', region='ap-singapore')\n"
        )
        run = subprocess.run(
            [sys.executable, "-c", script],
            env=_support.python_env(TCFACEID_LIBRARY=bogus),
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertNotEqual(run.returncode, 0)
        self.assertEqual(run.stdout, "imported\n")
        self.assertIn("tcfaceid._errors.LibraryLoadError", run.stderr)
        self.assertIn(f"[TCFACEID_LIBRARY] {bogus}: not found", run.stderr)
        self.assertIn("TCFACEID_LIBRARY is set", run.stderr)

    def test_a_copy_without_a_library_lists_every_place_in_order(self) -> None:
        # The package's Python files alone, outside any repository, with TCFACEID_LIBRARY unset:
        # the package copy is tried first, then the system loader, and nothing else is left.
        script = (
            "import tcfaceid\n"
            "try:\n"
            "    print('loaded', tcfaceid.library_path())\n"
            "except tcfaceid.LibraryLoadError as e:\n"
            "    print(e)\n"
        )
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "tcfaceid"
            copy.mkdir()
            for source in Path(tcfaceid.__file__).parent.glob("*.py"):
                shutil.copy(source, copy / source.name)
            env = {k: v for k, v in os.environ.items() if k not in ("TCFACEID_LIBRARY",)}
            env.update(PYTHONPATH=tmp, LD_LIBRARY_PATH="", CARGO_TARGET_DIR="")
            run = subprocess.run(
                [sys.executable, "-c", script],
                env=env,
                cwd=tmp,
                capture_output=True,
                text=True,
                timeout=60,
            )
        self.assertEqual(run.returncode, 0, run.stderr)
        if run.stdout.startswith("loaded "):  # a `make install`ed library on this machine
            self.assertEqual(run.stdout.split()[1], _ffi.SONAME)
            return
        sources = [line.split("]")[0].strip() + "]" for line in run.stdout.splitlines()
                   if line.startswith("  [")]
        self.assertEqual(sources[0], "[package]")
        self.assertEqual(sorted(set(sources)), ["[package]", "[system]"])
        self.assertLess(sources.index("[package]"), sources.index("[system]"))
        self.assertIn("TCFACEID_LIBRARY is not set", run.stdout)

    def test_import_uses_tcfaceid_library(self) -> None:
        run = subprocess.run(
            [sys.executable, "-c", "import tcfaceid; print(tcfaceid.library_path())"],
            env=_support.python_env(TCFACEID_LIBRARY=tcfaceid.library_path()),
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.strip(), tcfaceid.library_path())


EXPECTED_CLASS: Dict[int, Type[tcfaceid.TcFaceIdError]] = {
    0: tcfaceid.TcFaceIdError,
    100: tcfaceid.InvalidArgumentError,
    101: tcfaceid.InvalidArgumentError,
    102: tcfaceid.InvalidArgumentError,
    103: tcfaceid.InvalidArgumentError,
    200: tcfaceid.ValidationError,
    208: tcfaceid.ValidationError,
    300: tcfaceid.ImageError,
    306: tcfaceid.ImageError,
    400: tcfaceid.CredentialsError,
    401: tcfaceid.CredentialsError,
    500: tcfaceid.TransportError,
    501: tcfaceid.TlsError,
    502: tcfaceid.TcTimeoutError,
    600: tcfaceid.HttpStatusError,
    700: tcfaceid.ServiceError,
    701: tcfaceid.AuthFailureError,
    702: tcfaceid.RateLimitedError,
    703: tcfaceid.ActionOfflineError,
    800: tcfaceid.ProtocolError,
    801: tcfaceid.ResponseTooLargeError,
    900: tcfaceid.PollDeadlineExceededError,
    901: tcfaceid.PollAttemptsExhaustedError,
    902: tcfaceid.CancelledError,
    1000: tcfaceid.InternalPanicError,
    # Codes a newer library may add land in their range's class.
    209: tcfaceid.ValidationError,
    503: tcfaceid.TransportError,
    704: tcfaceid.ServiceError,
    903: tcfaceid.PollingGaveUpError,
    4242: tcfaceid.TcFaceIdError,
}


class ErrorMappingTest(unittest.TestCase):
    def test_each_code_maps_to_its_class(self) -> None:
        for code, cls in EXPECTED_CLASS.items():
            with self.subTest(code=code):
                self.assertIs(_errors.error_class(code), cls)

    def test_every_result_code_has_a_specific_class_and_description(self) -> None:
        for code in tcfaceid.ResultCode:
            if code == tcfaceid.ResultCode.OK:
                continue
            with self.subTest(code=code.name):
                self.assertIsNot(_errors.error_class(code), tcfaceid.TcFaceIdError)
                self.assertNotEqual(tcfaceid.result_str(code), "unknown result code")

    def test_the_hierarchy(self) -> None:
        self.assertTrue(issubclass(tcfaceid.TcTimeoutError, TimeoutError))
        self.assertTrue(issubclass(tcfaceid.TcTimeoutError, tcfaceid.TransportError))
        self.assertTrue(issubclass(tcfaceid.TlsError, tcfaceid.TransportError))
        service_classes: Tuple[Type[tcfaceid.ServiceError], ...] = (
            tcfaceid.AuthFailureError,
            tcfaceid.RateLimitedError,
            tcfaceid.ActionOfflineError,
        )
        for service_class in service_classes:
            self.assertTrue(issubclass(service_class, tcfaceid.ServiceError))
        for cls in EXPECTED_CLASS.values():
            self.assertTrue(issubclass(cls, tcfaceid.TcFaceIdError))
        self.assertTrue(issubclass(tcfaceid.LibraryLoadError, ImportError))

    def test_details_survive_pickling_and_show_in_str(self) -> None:
        error = _errors.make_error(
            701,
            "service error AuthFailure.SignatureFailure: bad signature",
            service_code="AuthFailure.SignatureFailure",
            request_id="req-1",
            http_status=200,
            description="the service refused the credentials",
        )
        self.assertIsInstance(error, tcfaceid.AuthFailureError)
        self.assertEqual(
            str(error),
            "service error AuthFailure.SignatureFailure: bad signature (RequestId req-1)",
        )
        copy = pickle.loads(pickle.dumps(error))
        self.assertIsInstance(copy, tcfaceid.AuthFailureError)
        for attr in ("code", "message", "field", "service_code", "request_id", "http_status"):
            self.assertEqual(getattr(copy, attr), getattr(error, attr), attr)
        timeout = pickle.loads(pickle.dumps(_errors.make_error(502, "too slow")))
        self.assertIsInstance(timeout, TimeoutError)
        self.assertEqual(timeout.message, "too slow")

    def test_errors_carry_the_token_given_not_one_found_in_the_message(self) -> None:
        error = _errors.make_error(500, "connection reset", token="abc-123")
        self.assertIsInstance(error, tcfaceid.TransportError)
        self.assertEqual(error.token, "abc-123")
        self.assertEqual(_errors.make_error(900, "no verdict for token xyz").token, "")


if __name__ == "__main__":
    unittest.main()
