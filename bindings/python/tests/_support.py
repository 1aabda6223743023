"""Shared test helpers: paths, the emulator process, demo credentials, memory use.

Not a test module (no ``test_`` prefix). ``unittest discover -s bindings/python/tests`` puts
this directory on ``sys.path``, so tests import it as ``_support``.
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

import tcfaceid

TESTS_DIR = Path(__file__).resolve().parent
PYTHON_DIR = TESTS_DIR.parent
REPO_DIR = PYTHON_DIR.parents[1]
SAMPLES = REPO_DIR / "bindings" / "c" / "samples"
EXAMPLE_PY = PYTHON_DIR / "example.py"
HEADER = REPO_DIR / "include" / "tcfaceid.h"
TEST_HOOKS_HEADER = REPO_DIR / "tests" / "c" / "test_hooks.h"

DEMO_SECRET_ID = "AKIDTCFACEIDEMULATOR0000000000000000"
DEMO_SECRET_KEY = "tcfaceid-emulator-demo-secret-key"
REGION = "ap-singapore"

#: A GIF header: a format the library refuses (ImageError).
GIF_BYTES = b"GIF89a" + bytes(32)


def sample_bytes(name: str) -> bytes:
    """The bytes of a file of bindings/c/samples."""
    return (SAMPLES / name).read_bytes()


def target_dir() -> Path:
    """``$CARGO_TARGET_DIR`` (relative to the repository root), else ``<repo>/target``."""
    value = os.environ.get("CARGO_TARGET_DIR")
    if not value:
        return REPO_DIR / "target"
    path = Path(value)
    return path if path.is_absolute() else REPO_DIR / path


def emulator_binary() -> Path:
    """The ``tcfaceid-emulator`` binary: ``$TCFACEID_EMULATOR``, next to the loaded library,
    then ``<target>/release`` and ``<target>/debug``."""
    name = "tcfaceid-emulator" + (".exe" if sys.platform == "win32" else "")
    explicit = os.environ.get("TCFACEID_EMULATOR")
    candidates: List[Path] = [Path(explicit)] if explicit else []
    candidates += [
        Path(tcfaceid.library_path()).parent / name,
        target_dir() / "release" / name,
        target_dir() / "debug" / name,
    ]
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise RuntimeError(
        "tcfaceid-emulator not found; tried:\n  "
        + "\n  ".join(str(p) for p in candidates)
        + "\nbuild it with `cargo build --release --workspace` (or `make python-test`), "
        "or set TCFACEID_EMULATOR"
    )


def test_hooks_library() -> Path:
    """``libtcfaceid_test_hooks.so``: the whole C ABI plus the testing hooks
    (``tcfaceid_debug_panic``), which libtcfaceid.so lacks: ``$TCFACEID_TEST_HOOKS_LIBRARY``,
    else the one in ``<target>/release``, then ``<target>/debug`` (``cargo build --workspace``
    builds it; ``make python-test`` and ``make wheel-test`` set the variable). Missing is an
    error, not a skip."""
    explicit = os.environ.get("TCFACEID_TEST_HOOKS_LIBRARY")
    name = "libtcfaceid_test_hooks.so"
    candidates = [Path(explicit)] if explicit else [target_dir() / p / name for p in ("release", "debug")]
    for path in candidates:
        if path.is_file():
            return path
    raise RuntimeError(
        f"no {name} at {' or '.join(map(str, candidates))}: build it with "
        "`cargo build --workspace` or set TCFACEID_TEST_HOOKS_LIBRARY"
    )


_RUNNING: List[Emulator] = []


class Emulator:
    """A ``tcfaceid-emulator`` process on a free loopback port.

    ``Emulator("--fault", "http500:3")`` passes the flags through; ``--port 0 --quiet`` and fast
    polling (``--processing-polls 1 --polling-wait-secs 0``) are the defaults unless given.
    """

    def __init__(self, *flags: str) -> None:
        args = list(flags)
        if "--processing-polls" not in args:
            args += ["--processing-polls", "1"]
        if "--polling-wait-secs" not in args:
            args += ["--polling-wait-secs", "0"]
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [str(emulator_binary()), "--port", "0", "--quiet", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        _RUNNING.append(self)
        try:
            self.endpoint = self._ready_endpoint(timeout=15.0)
        except BaseException:
            self.stop()
            raise

    def _ready_endpoint(self, timeout: float) -> str:
        """Read the ready line, ``tcfaceid-emulator listening on http://127.0.0.1:PORT``."""
        assert self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    line = self.process.stdout.readline().decode("utf-8", "replace")
                    marker = "listening on "
                    if marker in line:
                        return line.split(marker, 1)[1].split()[0]
                    if not line:
                        break
        finally:
            selector.close()
        self._log.seek(0)
        log = self._log.read().decode("utf-8", "replace")
        raise RuntimeError(
            f"the emulator printed no ready line (exit {self.process.poll()}):\n{log}"
        )

    def client(self, **settings: Any) -> tcfaceid.Client:
        """A client of this emulator with the demo credentials (``settings`` override)."""
        options: Dict[str, Any] = {
            "secret_id": DEMO_SECRET_ID,
            "secret_key": DEMO_SECRET_KEY,
            "endpoint": self.endpoint,
            "region": REGION,
        }
        options.update(settings)
        return tcfaceid.Client(**options)

    def stats(
        self, wait: Optional[str] = None, at_least: int = 1, timeout: float = 30.0
    ) -> Dict[str, Any]:
        """The emulator's counters (``GET /__emulator/stats``). With ``wait`` (a counter name),
        first block until that counter is at least ``at_least``: how a test waits for a request
        to reach the emulator, instead of sleeping. AssertionError when it does not within
        ``timeout`` seconds."""
        query = "" if wait is None else f"?wait={wait}:{at_least}&timeout_ms={int(timeout * 1000)}"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            url = f"{self.endpoint}/__emulator/stats{query}"
            with opener.open(url, timeout=timeout + 30) as answer:
                counters: Dict[str, Any] = json.loads(answer.read())
                return counters
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{wait} never reached {at_least}: {e.read().decode()}") from None

    def stop(self) -> None:
        """Stop the process (idempotent)."""
        if self in _RUNNING:
            _RUNNING.remove(self)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@atexit.register
def _stop_leftovers() -> None:
    for emulator in list(_RUNNING):
        emulator.stop()


@contextmanager
def environment(**values: Optional[str]) -> Iterator[None]:
    """Set (or, with None, remove) environment variables for the block."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def closed_port_endpoint() -> str:
    """An http:// endpoint on a loopback port nothing listens on."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def rss_bytes() -> Optional[int]:
    """This process's resident set size now (Linux ``/proc/self/statm``), else None."""
    try:
        with open("/proc/self/statm") as f:
            resident_pages = int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def python_env(**extra: str) -> Dict[str, str]:
    """The environment for a child Python that imports the package these tests import (this
    checkout's, or an installed one) and the library loaded here (``extra`` overrides)."""
    env = dict(os.environ)
    package_parent = str(Path(tcfaceid.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(
        [package_parent] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env.setdefault("TCFACEID_LIBRARY", tcfaceid.library_path())
    env.update(extra)
    return env


class CannedServer:
    """A loopback TCP server that answers every connection with the same bytes, then closes.

    For what the emulator cannot do: TLS with a self-signed certificate, a reply that is not
    TLS to a TLS client, or a response body larger than a client's cap. Use as a context
    manager; ``endpoint`` is ``http://127.0.0.1:PORT`` (``https://`` when ``tls`` is given).
    """

    def __init__(self, reply: bytes, read_request: bool = True, tls: Optional[Any] = None) -> None:
        import socket
        import threading

        self._tls = tls  # an ssl.SSLContext for the server side, or None
        self._reply = reply
        self._read_request = read_request
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        scheme = "https" if tls is not None else "http"
        self.endpoint = "%s://127.0.0.1:%d" % (scheme, self._socket.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    if self._tls is not None:
                        conn = self._tls.wrap_socket(conn, server_side=True)
                    if self._read_request:
                        data = b""
                        while b"\r\n\r\n" not in data:
                            chunk = conn.recv(65536)
                            if not chunk:
                                break
                            data += chunk
                    conn.sendall(self._reply)
                except OSError:
                    pass

    @staticmethod
    def http_response(
        body: bytes, status: str = "200 OK", content_type: str = "application/json"
    ) -> bytes:
        """An HTTP/1.1 response carrying ``body``."""
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        return head.encode("ascii") + body

    def close(self) -> None:
        """Stop accepting connections (shutdown wakes the thread blocked in accept; close
        alone would not)."""
        import socket

        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._socket.close()
        self._thread.join(timeout=5)
        if self._thread.is_alive():
            raise RuntimeError("the canned server's thread did not stop")

    def __enter__(self) -> CannedServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def self_signed_tls(directory: str) -> Optional[Tuple[Any, str]]:
    """A server ``ssl.SSLContext`` with a new self-signed certificate for 127.0.0.1 and the
    certificate's PEM path (to trust it as ``ca_file``); None when ``openssl`` is missing."""
    import shutil
    import ssl

    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert
