"""Finding and loading libtcfaceid, and the ctypes declaration of every C function.

Nothing is loaded at import: ``import tcfaceid`` always succeeds, and the first call that
needs the library loads it (:data:`lib` is a lazy proxy). When no usable library is found,
that call raises :class:`LibraryLoadError` listing every candidate tried and why each was
refused. Candidates, in order (the first that loads *and* reports a supported version wins):

1. ``$TCFACEID_LIBRARY``: the path of the library. When set, nothing else is tried.
2. The package's own copy, next to this file (a wheel or ``pip install`` ships it there).
3. The system loader: ``libtcfaceid.so.0.3`` (the SONAME: ``MAJOR.MINOR`` of this package
   before 1.0) by name (``LD_LIBRARY_PATH``, the ``ldconfig``
   cache, the default directories: a ``make install`` copy), then ``ctypes.util.find_library``.
4. For development in the repository: ``$CARGO_TARGET_DIR/release`` then ``/debug`` (a
   relative ``CARGO_TARGET_DIR`` is taken from the repository root) when the variable is set,
   then ``<repo>/target/release`` and ``<repo>/target/debug``, where ``<repo>`` is three levels
   above this package (``bindings/python/tcfaceid``) when it holds a ``Cargo.toml``.

Each candidate's ``tcfaceid_version()`` must read ``tcfaceid/<major>.<minor>.<patch>`` with
the major.minor of this package.

Every C function gets ``argtypes`` and ``restype``; each handle type has its own
``POINTER(<opaque Structure>)`` so that passing the wrong kind of handle is a Python error
rather than a crash. Functions returning ``tcfaceid_result`` get an ``errcheck`` that turns a
non-zero code into a :class:`TcFaceIdError` built from the last error, read on the same thread
right after the call (the last error is thread-local). Owned ``char *`` outputs are declared as
``c_void_p`` so the pointer survives to be freed with ``tcfaceid_string_free``; borrowed
``const char *`` returns are ``c_char_p`` (ctypes copies them into ``bytes``).

No lock is taken around calls: the C library is thread-safe as documented per type, and ctypes
releases the GIL around every call into a ``CDLL``. Loading takes a lock, once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys
import threading
from ctypes import (
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_int32,
    c_int64,
    c_size_t,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Type

from ._errors import LibraryLoadError, TcFaceIdError, make_error
from ._version import __version__

#: The environment variable naming the library to load.
LIBRARY_ENV = "TCFACEID_LIBRARY"

#: The library's version must start with ``tcfaceid/<major>.<minor>.`` of this package.
EXPECTED_ABI: Tuple[int, int] = (
    int(__version__.split(".")[0]),
    int(__version__.split(".")[1]),
)

#: The library's SONAME on Linux: ``MAJOR.MINOR`` before 1.0 (the ABI may change with a minor
#: version until then), ``MAJOR`` after; what the system loader is asked for.
SONAME = "libtcfaceid.so." + (
    "%d.%d" % EXPECTED_ABI if EXPECTED_ABI[0] == 0 else str(EXPECTED_ABI[0])
)

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = _PACKAGE_DIR.parents[2]


class Candidate(NamedTuple):
    """One place the loader tries: ``source`` says why (``"TCFACEID_LIBRARY"``,
    ``"package"``, ``"system"``, ``"CARGO_TARGET_DIR"``, ``"repository"``); ``path`` is a file
    path, or for ``"system"`` a bare name handed to the system loader."""

    source: str
    path: str


def library_file_names() -> List[str]:
    """The library's file names on this platform, preferred first."""
    if sys.platform == "darwin":
        return ["libtcfaceid.dylib"]
    if sys.platform == "win32":
        return ["tcfaceid.dll"]
    return ["libtcfaceid.so", SONAME]


def _system_names() -> List[str]:
    """The names the system loader is asked for: the SONAME, then ``find_library``'s answer."""
    names = [SONAME] if sys.platform.startswith("linux") else []
    found = ctypes.util.find_library("tcfaceid")
    if found and found not in names:
        names.append(found)
    return names


def candidates(environ: Optional[Mapping[str, str]] = None) -> List[Candidate]:
    """Every candidate the loader tries, in order (see the module documentation)."""
    env = os.environ if environ is None else environ
    explicit = env.get(LIBRARY_ENV, "")
    if explicit:
        return [Candidate(LIBRARY_ENV, str(Path(explicit).expanduser()))]
    names = library_file_names()
    found: List[Candidate] = []

    def add_dir(source: str, folder: Path) -> None:
        for name in names:
            candidate = Candidate(source, str(folder / name))
            if all(c.path != candidate.path for c in found):
                found.append(candidate)

    add_dir("package", _PACKAGE_DIR)
    found += [Candidate("system", name) for name in _system_names()]
    in_repo = (_REPO_DIR / "Cargo.toml").is_file()
    target_env = env.get("CARGO_TARGET_DIR", "")
    if target_env:
        target = Path(target_env).expanduser()
        if not target.is_absolute():
            target = (_REPO_DIR if in_repo else Path.cwd()) / target
        add_dir("CARGO_TARGET_DIR", target / "release")
        add_dir("CARGO_TARGET_DIR", target / "debug")
    if in_repo:
        add_dir("repository", _REPO_DIR / "target" / "release")
        add_dir("repository", _REPO_DIR / "target" / "debug")
    return found


def _check_version(text: str) -> Optional[str]:
    """Why a library version is refused, or None when it is supported."""
    prefix = "tcfaceid/"
    if not text.startswith(prefix):
        return f"tcfaceid_version() returned {text!r}, not 'tcfaceid/<version>'"
    parts = text[len(prefix) :].split(".")
    try:
        found = (int(parts[0]), int(parts[1]))
    except (IndexError, ValueError):
        return f"tcfaceid_version() returned {text!r}, not 'tcfaceid/<major>.<minor>.<patch>'"
    if found != EXPECTED_ABI:
        want = "%d.%d" % EXPECTED_ABI
        return (
            f"version {text[len(prefix) :]}, but this package (tcfaceid {__version__}) "
            f"needs {want}.x"
        )
    return None


def load_library(tried: Sequence[Candidate]) -> Tuple[ctypes.CDLL, str, str]:
    """Load the first usable library of ``tried``; return it, its path and its version.

    Raises :class:`LibraryLoadError` listing each candidate and why it was refused.
    """
    refused: List[str] = []
    for source, path in tried:
        label = f"  [{source}] {path}"
        if source != "system" and not os.path.exists(path):
            refused.append(f"{label}: not found")
            continue
        try:
            library = ctypes.CDLL(path)
        except OSError as e:
            refused.append(f"{label}: cannot be loaded: {e}")
            continue
        try:
            version_fn = library.tcfaceid_version
        except AttributeError:
            refused.append(f"{label}: not a tcfaceid library (no tcfaceid_version symbol)")
            continue
        version_fn.argtypes = []
        version_fn.restype = c_char_p
        version = (version_fn() or b"").decode("utf-8", "replace")
        problem = _check_version(version)
        if problem is not None:
            refused.append(f"{label}: {problem}")
            continue
        return library, path, version
    explicit = os.environ.get(LIBRARY_ENV)
    hint = (
        f"{LIBRARY_ENV} is set, so only that path was tried: point it at a built "
        "libtcfaceid, or unset it to search the default places."
        if explicit
        else f"{LIBRARY_ENV} is not set. Install the wheel (`pip install ./bindings/python` "
        "builds the library into the package), or `make install` the library, or build it "
        "with `cargo build --release` in the tcfaceid repository, or set "
        f"{LIBRARY_ENV} to the path of libtcfaceid ({' / '.join(library_file_names())})."
    )
    raise LibraryLoadError(
        "tcfaceid: no usable libtcfaceid (the Rust C library this package calls through "
        "ctypes) was found. Tried, in order:\n" + "\n".join(refused) + "\n" + hint
    )


# --- Opaque handle types --------------------------------------------------------------------


def _opaque_ref(name: str) -> Type[Any]:
    """A distinct ``POINTER`` type for one C handle type (llvmlite's ``_make_opaque_ref``)."""
    return POINTER(type(name, (Structure,), {}))


ClientBuilderRef = _opaque_ref("tcfaceid_client_builder")
ClientRef = _opaque_ref("tcfaceid_client")
CardRequestRef = _opaque_ref("tcfaceid_card_request")
SignedHeadersRef = _opaque_ref("tcfaceid_signed_headers")
SignerRef = _opaque_ref("tcfaceid_signer")
ApplyResponseRef = _opaque_ref("tcfaceid_apply_response")
VerificationResultRef = _opaque_ref("tcfaceid_verification_result")
CredentialsSinkRef = _opaque_ref("tcfaceid_credentials_sink")
CancelRef = _opaque_ref("tcfaceid_cancel")

# Functions returning tcfaceid_result (a uint32_t) are marked with this in SIGNATURES; they get
# restype c_uint32 and the errcheck that raises. (tcfaceid_status and tcfaceid_side are plain
# c_uint32: they are not result codes.)
_result = "tcfaceid_result"

#: ``tcfaceid_credentials_callback``: ``int32_t (*)(void *, tcfaceid_credentials_sink *)``.
CREDENTIALS_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int32, c_void_p, CredentialsSinkRef)
# `const uint8_t *` input buffers (always followed by a length): c_char_p accepts `bytes`
# without a copy, and embedded NULs are fine since the length is passed.
_bytes_in = c_char_p
# `char **` outputs owned by the caller: c_void_p keeps the pointer to free it.
_owned_str_out = POINTER(c_void_p)
# `const char *` inputs and borrowed returns.
_str = c_char_p

# The outputs of an apply answer's fields (token, RequestId, body, its length, the two polling
# hints), shared by tcfaceid_apply_response_fields and tcfaceid_client_apply_card_verification_fields.
_APPLY_FIELDS_OUT = [
    POINTER(c_char_p),
    POINTER(c_char_p),
    POINTER(c_char_p),
    POINTER(c_size_t),
    POINTER(c_uint64),
    POINTER(c_uint64),
]

# name: (restype, argtypes). Every function of include/tcfaceid.h (a test checks the list).
SIGNATURES: Dict[str, Tuple[Any, List[Any]]] = {
    # Version, last error, strings.
    "tcfaceid_version": (_str, []),
    "tcfaceid_last_error_code": (c_uint32, []),
    "tcfaceid_last_error_message": (_str, []),
    "tcfaceid_last_error_field": (_str, []),
    "tcfaceid_last_error_service_code": (_str, []),
    "tcfaceid_last_error_request_id": (_str, []),
    "tcfaceid_last_error_http_status": (c_uint16, []),
    "tcfaceid_last_error_token": (_str, []),
    "tcfaceid_result_str": (_str, [c_uint32]),
    "tcfaceid_string_free": (None, [c_void_p]),
    # Signing.
    "tcfaceid_signer_new": (_result, [_str, _str, _str, _str, POINTER(SignerRef)]),
    "tcfaceid_signer_sign": (
        _result,
        [
            SignerRef,
            _str,
            _str,
            _str,
            _str,
            c_int64,
            _bytes_in,
            c_size_t,
            POINTER(SignedHeadersRef),
        ],
    ),
    "tcfaceid_signer_sign_text": (
        _result,
        [
            SignerRef,
            _str,
            _str,
            _str,
            _str,
            c_int64,
            _bytes_in,
            c_size_t,
            _owned_str_out,
            POINTER(c_size_t),
        ],
    ),
    "tcfaceid_signer_free": (None, [SignerRef]),
    "tcfaceid_sign": (
        _result,
        [
            _str,
            _str,
            _str,
            _str,
            _str,
            _str,
            _str,
            _str,
            c_int64,
            _bytes_in,
            c_size_t,
            POINTER(SignedHeadersRef),
        ],
    ),
    "tcfaceid_signed_headers_count": (c_size_t, [SignedHeadersRef]),
    "tcfaceid_signed_headers_name": (_str, [SignedHeadersRef, c_size_t]),
    "tcfaceid_signed_headers_value": (_str, [SignedHeadersRef, c_size_t]),
    "tcfaceid_signed_headers_get": (_str, [SignedHeadersRef, _str]),
    "tcfaceid_signed_headers_free": (None, [SignedHeadersRef]),
    # Card request.
    "tcfaceid_card_request_new": (_result, [_str, _str, POINTER(CardRequestRef)]),
    "tcfaceid_card_request_free": (None, [CardRequestRef]),
    "tcfaceid_card_request_set_nationality": (_result, [CardRequestRef, _str]),
    "tcfaceid_card_request_set_card_type": (_result, [CardRequestRef, _str]),
    "tcfaceid_card_request_set_allow_unknown_codes": (_result, [CardRequestRef, c_bool]),
    "tcfaceid_card_request_set_url": (_result, [CardRequestRef, c_uint32, _str]),
    "tcfaceid_card_request_set_image_bytes": (
        _result,
        [CardRequestRef, c_uint32, _bytes_in, c_size_t],
    ),
    "tcfaceid_card_request_set_image_bytes_borrowed": (
        _result,
        [CardRequestRef, c_uint32, _bytes_in, c_size_t],
    ),
    "tcfaceid_card_request_set_image_file": (_result, [CardRequestRef, c_uint32, _str]),
    "tcfaceid_card_request_set_image_base64": (_result, [CardRequestRef, c_uint32, _str]),
    "tcfaceid_card_request_clear_side": (_result, [CardRequestRef, c_uint32]),
    "tcfaceid_card_request_set_return_head_image": (_result, [CardRequestRef, c_int32]),
    "tcfaceid_card_request_set_webhook_url": (_result, [CardRequestRef, _str]),
    "tcfaceid_card_request_validate": (_result, [CardRequestRef]),
    "tcfaceid_card_request_validate_for": (_result, [CardRequestRef, c_uint32]),
    "tcfaceid_card_request_body": (
        _result,
        [CardRequestRef, _owned_str_out, POINTER(c_size_t)],
    ),
    "tcfaceid_card_request_body_for": (
        _result,
        [CardRequestRef, c_uint32, _owned_str_out, POINTER(c_size_t)],
    ),
    # Products.
    "tcfaceid_api_name": (_str, [c_uint32]),
    # Client builder.
    "tcfaceid_client_builder_new": (_result, [POINTER(ClientBuilderRef)]),
    "tcfaceid_client_builder_free": (None, [ClientBuilderRef]),
    "tcfaceid_client_builder_set_api": (_result, [ClientBuilderRef, c_uint32]),
    "tcfaceid_client_builder_set_poll_plan": (
        _result,
        [ClientBuilderRef, c_uint64, c_uint64, c_uint64],
    ),
    "tcfaceid_client_builder_set_credentials": (_result, [ClientBuilderRef, _str, _str, _str]),
    "tcfaceid_client_builder_set_credentials_from_env": (_result, [ClientBuilderRef]),
    "tcfaceid_client_builder_set_credentials_from_profile": (_result, [ClientBuilderRef, _str]),
    "tcfaceid_client_builder_set_credentials_chain": (_result, [ClientBuilderRef, c_bool]),
    "tcfaceid_client_builder_set_credentials_cvm_role": (_result, [ClientBuilderRef, _str]),
    "tcfaceid_client_builder_set_credentials_oidc": (_result, [ClientBuilderRef]),
    "tcfaceid_client_builder_set_credentials_callback": (
        _result,
        [ClientBuilderRef, CREDENTIALS_CALLBACK, c_void_p],
    ),
    "tcfaceid_credentials_sink_set": (
        _result,
        [CredentialsSinkRef, _str, _str, _str, c_int64],
    ),
    "tcfaceid_client_builder_set_assume_role": (
        _result,
        [ClientBuilderRef, _str, _str, c_uint32],
    ),
    "tcfaceid_client_builder_set_sts_endpoint": (_result, [ClientBuilderRef, _str]),
    "tcfaceid_client_credentials_refresh_error": (_result, [ClientRef]),
    "tcfaceid_client_builder_set_region": (_result, [ClientBuilderRef, _str]),
    "tcfaceid_client_builder_set_endpoint": (_result, [ClientBuilderRef, _str]),
    "tcfaceid_client_builder_set_language": (_result, [ClientBuilderRef, _str]),
    "tcfaceid_client_builder_set_proxy": (_result, [ClientBuilderRef, _str]),
    "tcfaceid_client_builder_set_ca_file": (_result, [ClientBuilderRef, _str]),
    "tcfaceid_client_builder_set_connect_timeout_ms": (_result, [ClientBuilderRef, c_uint64]),
    "tcfaceid_client_builder_set_timeout_ms": (_result, [ClientBuilderRef, c_uint64]),
    "tcfaceid_client_builder_set_max_response_bytes": (_result, [ClientBuilderRef, c_uint64]),
    "tcfaceid_client_builder_set_retries": (
        _result,
        [ClientBuilderRef, c_uint32, c_uint64, c_uint64],
    ),
    "tcfaceid_client_builder_set_allow_insecure_http": (_result, [ClientBuilderRef, c_bool]),
    "tcfaceid_client_builder_set_clock_offset_secs": (_result, [ClientBuilderRef, c_int64]),
    "tcfaceid_client_builder_build": (_result, [ClientBuilderRef, POINTER(ClientRef)]),
    # Client.
    "tcfaceid_client_free": (None, [ClientRef]),
    "tcfaceid_client_apply_card_verification": (
        _result,
        [ClientRef, CardRequestRef, POINTER(ApplyResponseRef)],
    ),
    "tcfaceid_client_apply_card_verification_fields": (
        _result,
        [ClientRef, CardRequestRef, *_APPLY_FIELDS_OUT],
    ),
    "tcfaceid_client_get_card_verification_result": (
        _result,
        [ClientRef, _str, POINTER(VerificationResultRef)],
    ),
    "tcfaceid_client_verify_card": (
        _result,
        [ClientRef, CardRequestRef, c_uint64, POINTER(VerificationResultRef)],
    ),
    "tcfaceid_client_verify_card_cancellable": (
        _result,
        [ClientRef, CardRequestRef, c_uint64, CancelRef, POINTER(VerificationResultRef)],
    ),
    "tcfaceid_client_resume": (
        _result,
        [ClientRef, _str, c_uint64, CancelRef, POINTER(VerificationResultRef)],
    ),
    "tcfaceid_client_call_json": (
        _result,
        [ClientRef, _str, _str, _owned_str_out, POINTER(c_size_t)],
    ),
    # Cancel handle.
    "tcfaceid_cancel_new": (_result, [POINTER(CancelRef)]),
    "tcfaceid_cancel_trigger": (_result, [CancelRef]),
    "tcfaceid_cancel_is_triggered": (c_bool, [CancelRef]),
    "tcfaceid_cancel_free": (None, [CancelRef]),
    # Apply response.
    "tcfaceid_apply_response_token": (_str, [ApplyResponseRef]),
    "tcfaceid_apply_response_max_polling_times": (c_uint64, [ApplyResponseRef]),
    "tcfaceid_apply_response_polling_wait_secs": (c_uint64, [ApplyResponseRef]),
    "tcfaceid_apply_response_request_id": (_str, [ApplyResponseRef]),
    "tcfaceid_apply_response_json": (c_void_p, [ApplyResponseRef]),
    "tcfaceid_apply_response_json_len": (c_size_t, [ApplyResponseRef]),
    "tcfaceid_apply_response_fields": (
        _result,
        [ApplyResponseRef, *_APPLY_FIELDS_OUT],
    ),
    "tcfaceid_apply_response_free": (None, [ApplyResponseRef]),
    # Verification result.
    "tcfaceid_verification_result_status": (c_uint32, [VerificationResultRef]),
    "tcfaceid_verification_result_status_str": (_str, [VerificationResultRef]),
    "tcfaceid_verification_result_token": (_str, [VerificationResultRef]),
    "tcfaceid_verification_result_polls": (c_uint64, [VerificationResultRef]),
    "tcfaceid_verification_result_warn_info_count": (c_size_t, [VerificationResultRef]),
    "tcfaceid_verification_result_warn_info": (_str, [VerificationResultRef, c_size_t]),
    "tcfaceid_verification_result_nationality": (_str, [VerificationResultRef]),
    "tcfaceid_verification_result_card_type": (_str, [VerificationResultRef]),
    "tcfaceid_verification_result_card_sub_type": (_str, [VerificationResultRef]),
    "tcfaceid_verification_result_card_info_json": (c_void_p, [VerificationResultRef]),
    "tcfaceid_verification_result_card_info_json_len": (c_size_t, [VerificationResultRef]),
    "tcfaceid_verification_result_id_verification_token": (_str, [VerificationResultRef]),
    "tcfaceid_verification_result_parse": (
        _result,
        [_str, _str, POINTER(VerificationResultRef)],
    ),
    "tcfaceid_verification_result_is_terminal": (c_bool, [VerificationResultRef]),
    "tcfaceid_verification_result_card_json": (c_void_p, [VerificationResultRef, c_uint32]),
    "tcfaceid_verification_result_card_json_len": (c_size_t, [VerificationResultRef, c_uint32]),
    "tcfaceid_verification_result_card_field": (_str, [VerificationResultRef, c_uint32, _str]),
    "tcfaceid_verification_result_head_image": (c_void_p, [VerificationResultRef]),
    "tcfaceid_verification_result_head_image_len": (c_size_t, [VerificationResultRef]),
    "tcfaceid_warn_info_meaning": (_str, [_str]),
    "tcfaceid_verification_result_request_id": (_str, [VerificationResultRef]),
    "tcfaceid_verification_result_json": (c_void_p, [VerificationResultRef]),
    "tcfaceid_verification_result_json_len": (c_size_t, [VerificationResultRef]),
    "tcfaceid_verification_result_free": (None, [VerificationResultRef]),
    # Testing hook: always panics inside the boundary (InternalPanicError).
    "tcfaceid_debug_panic": (_result, []),
}


def text(raw: Optional[bytes]) -> str:
    """A borrowed C string (ctypes already copied it into ``bytes``) as ``str``; NULL: ``""``."""
    return raw.decode("utf-8", "replace") if raw else ""


def sized_text(pointer: Optional[int], length: int) -> Optional[str]:
    """A borrowed body or JSON given as (pointer, length): read without a NUL scan; ``None``
    for NULL."""
    return None if not pointer else ctypes.string_at(pointer, length).decode("utf-8", "replace")


def optional_text(raw: Optional[bytes]) -> Optional[str]:
    """A borrowed C string as ``str``, ``None`` for NULL."""
    return None if raw is None else raw.decode("utf-8", "replace")


def last_error(code: int) -> TcFaceIdError:
    """The exception for ``code`` from this thread's last error (call right after the failure)."""
    return make_error(
        code,
        text(lib.tcfaceid_last_error_message()),
        field=text(lib.tcfaceid_last_error_field()),
        service_code=text(lib.tcfaceid_last_error_service_code()),
        request_id=text(lib.tcfaceid_last_error_request_id()),
        http_status=int(lib.tcfaceid_last_error_http_status()),
        description=text(lib.tcfaceid_result_str(code)),
        token=text(lib.tcfaceid_last_error_token()),
    )


def _check(result: int, func: Any, args: Tuple[Any, ...]) -> int:
    """``errcheck`` of every function returning ``tcfaceid_result``: raise on failure."""
    if result != 0:
        raise last_error(result)
    return result


# Functions only in libtcfaceid_test_hooks.so (the tests' library; tests/c/test_hooks.h).
TEST_HOOKS = frozenset({"tcfaceid_debug_panic"})


def _declare(library: ctypes.CDLL, path: str) -> None:
    missing = []
    for name, (restype, argtypes) in SIGNATURES.items():
        try:
            func = getattr(library, name)
        except AttributeError:
            if name not in TEST_HOOKS:
                missing.append(name)
            continue
        func.argtypes = argtypes
        if restype == _result:
            func.restype = c_uint32
            func.errcheck = _check
        else:
            func.restype = restype
    if missing:
        raise LibraryLoadError(
            f"tcfaceid: the library at {path} lacks {', '.join(missing)}; "
            "rebuild it from the same checkout as this package"
        )


class _Library:
    """The C library, loaded on first use: ``lib.tcfaceid_x`` is the declared function.

    The first attribute read loads the library (under a lock, once) or raises
    :class:`LibraryLoadError`; a failed load is tried again on the next use. Each function
    is cached on the instance after its first read.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: Optional[Tuple[ctypes.CDLL, str, str]] = None

    def load(self) -> Tuple[ctypes.CDLL, str, str]:
        """The loaded ``CDLL``, its path and its version; loads it on the first call."""
        loaded = self._loaded
        if loaded is None:
            with self._lock:
                if self._loaded is None:
                    library, path, version = load_library(candidates())
                    _declare(library, path)
                    self._loaded = (library, path, version)
                loaded = self._loaded
        return loaded

    def deferred(self, name: str) -> Callable[..., Any]:
        """A function calling ``name`` of the library, which it loads on the first call (for
        the ``_free`` functions that classes name at import)."""

        def call(*args: Any) -> Any:
            return getattr(self, name)(*args)

        call.__name__ = call.__qualname__ = name
        return call

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("tcfaceid_"):
            raise AttributeError(name)
        func = getattr(self.load()[0], name)
        self.__dict__[name] = func
        return func


#: The C library (lazy; see :class:`_Library`).
lib = _Library()


@functools.lru_cache(maxsize=None)
def bare(name: str) -> Any:
    """A second prototype of the ``tcfaceid_result`` function ``name`` with no ``argtypes`` and
    no ``errcheck`` (the declared ``lib.<name>`` keeps both), for the hot paths: ctypes'
    per-argument conversion costs about a microsecond on a ten-argument call. Its caller checks
    every argument first and passes each with its exact C type (``bytes``, ``c_int64``,
    ``c_size_t``, ``byref``), then raises :func:`last_error` on a non-zero result. Made once
    per name; loads the library."""
    func = lib.load()[0][name]
    func.restype = c_uint32
    return func


def library_path() -> str:
    """The path (or, from the system loader, the name) of the loaded library; loads it."""
    return lib.load()[1]


def library_version() -> str:
    """The loaded library's ``tcfaceid_version()``; loads it."""
    return lib.load()[2]


def encode(value: object, name: str) -> bytes:
    """A ``str`` argument as NUL-terminated-safe UTF-8; ``TypeError`` / ``ValueError`` before C."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\x00" in value:
        raise ValueError(f"{name} must not contain a NUL character")
    return value.encode("utf-8")


def encode_optional(value: object, name: str) -> Optional[bytes]:
    """As :func:`encode`, with ``None`` passed through as a C NULL."""
    return None if value is None else encode(value, name)


def take_owned_string(pointer: c_void_p, length: c_size_t) -> str:
    """Copy an owned ``char *`` output of ``length`` bytes (no scan for its NUL), free it with
    ``tcfaceid_string_free``, return the text."""
    if not pointer.value:
        return ""
    try:
        return ctypes.string_at(pointer.value, length.value).decode("utf-8")
    finally:
        lib.tcfaceid_string_free(pointer)


__all__ = [
    "lib",
    "library_path",
    "library_version",
    "Candidate",
    "candidates",
    "load_library",
    "SIGNATURES",
    "encode",
    "encode_optional",
    "bare",
    "take_owned_string",
    "text",
    "optional_text",
    "last_error",
]
