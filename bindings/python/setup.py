"""Build hook of the tcfaceid wheel: compile libtcfaceid with cargo and ship it in the package.

``pip install ./bindings/python`` (or ``pip wheel``) runs ``cargo build --release --workspace
--lib`` on the repository two levels up and copies the library into the package (``tcfaceid/libtcfaceid.so``),
where the loader looks first (see ``tcfaceid/_ffi.py``). ``CARGO`` names cargo;
``CARGO_TARGET_DIR`` is honoured, so an already-built release library is reused as is (the
workspace resolves every build's features the same way, so the two share every artifact).
``TCFACEID_CARGO_PROFILE`` names another cargo profile (``make test`` builds everything once in
``dev`` and passes it, so this build is a no-op there too).

The wheel is tagged ``py3-none-<platform>``: it carries a native library but no Python
extension (the library is called through ctypes and uses no Python ABI), so one wheel serves
every Python 3 on that platform. ``make wheel`` then makes it a manylinux wheel with auditwheel.
(setuptools-rust's ``Binding.NoBinding`` would name the library like a CPython extension and tag
the wheel ``cp3X-cp3X``; maturin has no ctypes layout. Hence these two short commands.)

``TCFACEID_PREBUILT_LIBRARY=/path/to/libtcfaceid.so`` ships that library instead of running
cargo (``make wheel`` passes the release build's, so nothing is compiled twice).

``TCFACEID_PURE_PYTHON=1`` builds the pure-Python package without the library, for use with a
``make install``-ed libtcfaceid (found through the system loader) or ``TCFACEID_LIBRARY``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Tuple

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def _pure() -> bool:
    return os.environ.get("TCFACEID_PURE_PYTHON", "") not in ("", "0")


def _library_name() -> str:
    if sys.platform == "darwin":
        return "libtcfaceid.dylib"
    if sys.platform == "win32":
        return "tcfaceid.dll"
    return "libtcfaceid.so"


def _build_library() -> Path:
    """``cargo build --profile release --workspace --lib`` of the repository (or the profile
    ``TCFACEID_CARGO_PROFILE`` names); the built library's path."""
    manifest = REPO / "Cargo.toml"
    if not manifest.is_file():
        raise SystemExit(
            f"tcfaceid: no {manifest}: build the wheel from the repository's bindings/python "
            "(e.g. `pip install ./bindings/python`, `python -m build --wheel`), or set "
            "TCFACEID_PURE_PYTHON=1 for a package without the library"
        )
    cargo = os.environ.get("CARGO", "cargo")
    profile = os.environ.get("TCFACEID_CARGO_PROFILE", "") or "release"
    command = [cargo, "build", "--profile", profile, "--workspace", "--lib"]
    command += ["--manifest-path", str(manifest)]
    print("tcfaceid: " + " ".join(command), flush=True)
    # From the repository root, as `make` runs cargo: a relative CARGO_TARGET_DIR means the same.
    subprocess.run(command, check=True, cwd=REPO)
    metadata = subprocess.run(
        [cargo, "metadata", "--format-version", "1", "--no-deps", "--manifest-path", str(manifest)],
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    target = Path(json.loads(metadata.stdout)["target_directory"])
    # cargo's one exception: the dev profile's outputs are in debug/.
    return target / ("debug" if profile == "dev" else profile) / _library_name()


class BuildPy(build_py):
    """``build_py``, then the library into the built package."""

    def run(self) -> None:
        super().run()
        if _pure():
            return
        prebuilt = os.environ.get("TCFACEID_PREBUILT_LIBRARY", "")
        library = Path(prebuilt) if prebuilt else _build_library()
        destination = Path(self.build_lib) / "tcfaceid" / _library_name()
        shutil.copyfile(library, destination)
        os.chmod(destination, 0o755)


class BinaryDistribution(Distribution):
    """A distribution with a native part (the library): installed as platlib, not purelib."""

    def has_ext_modules(self) -> bool:
        return not _pure()


class BdistWheel(bdist_wheel):
    """A ``py3-none-<platform>`` wheel when it carries the library; ``py3-none-any`` otherwise."""

    def get_tag(self) -> Tuple[str, str, str]:
        _python, _abi, platform = super().get_tag()
        return "py3", "none", "any" if _pure() else platform


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildPy, "bdist_wheel": BdistWheel})
