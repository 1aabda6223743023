#!/usr/bin/env bash
# `make wheel-test WHEEL_DIR`: install the repaired wheel of `make wheel` into a fresh virtual
# environment, as a user would, and run the Python suite from a directory outside the
# repository: the package and its library must come from the venv (the suite's own loader
# tests check the order). Then, each in a fresh venv, verifying the sample card against the
# emulator: `pip install ./bindings/python` (cargo builds the library into the package), and the
# pure-Python package (TCFACEID_PURE_PYTHON=1) with a `make install`ed library found through the
# system loader.
# Environment: PYTHON (python3), MAKE (make), TCFACEID_EMULATOR (the emulator binary),
# TCFACEID_TEST_HOOKS_LIBRARY (libtcfaceid_test_hooks.so), TCFACEID_CARGO_PROFILE (the cargo
# profile of the source install's build, as setup.py reads it).
set -euo pipefail
cd "$(dirname "$0")/.."
# The SONAME's version (the system loader finds libtcfaceid.so.SOVERSION).
soversion=$(sed -n 's/^#define TCFACEID_SOVERSION "\(.*\)"/\1/p' include/tcfaceid.h)
repo=$(pwd)
wheel_dir=${1:?usage: wheel-test.sh WHEEL_DIR}
PYTHON=${PYTHON:-python3}
MAKE=${MAKE:-make}
fail() { echo "wheel-test: FAILED: $*" >&2; exit 1; }

shopt -s nullglob
wheels=("$wheel_dir"/tcfaceid-*-manylinux*.whl)
[ ${#wheels[@]} -eq 1 ] || fail "expected one manylinux wheel in $wheel_dir, found ${#wheels[@]}"
wheel=${wheels[0]}
echo "== $(basename "$wheel")"
"$PYTHON" -m zipfile -l "$wheel" | grep 'tcfaceid/libtcfaceid.so' >/dev/null || fail "the wheel has no library"

work=$(mktemp -d "${TMPDIR:-/tmp}/tcfaceid-wheel-test.XXXXXX")
trap 'wait; rm -rf "$work"' EXIT # the background installs end first (they write in $work)
# Nothing from the repository: no TCFACEID_LIBRARY, no CARGO_TARGET_DIR, no PYTHONPATH.
# The panic test's child process loads libtcfaceid_test_hooks.so (TCFACEID_TEST_HOOKS_LIBRARY).
clean_env=(env -u TCFACEID_LIBRARY -u CARGO_TARGET_DIR -u PYTHONPATH -u LD_LIBRARY_PATH
    TCFACEID_EMULATOR="${TCFACEID_EMULATOR:?}"
    TCFACEID_TEST_HOOKS_LIBRARY="${TCFACEID_TEST_HOOKS_LIBRARY:?}")

echo "== a fresh venv, pip install the wheel"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/pip" install -q --no-index --disable-pip-version-check "$wheel"
cd "$work"
"${clean_env[@]}" "$work/venv/bin/python" - <<'PY'
import pathlib, sys, tcfaceid
package = pathlib.Path(tcfaceid.__file__).resolve().parent
library = pathlib.Path(tcfaceid.library_path()).resolve()
print(f"   tcfaceid {tcfaceid.__version__} from {package}")
print(f"   {tcfaceid.library_version()} from {library}")
assert package.is_relative_to(pathlib.Path(sys.prefix).resolve()), "not the venv's package"
assert library.parent == package, "the library is not the package's own copy"
PY

# pip_install VENV [ENV...]: a fresh venv with `pip install ./bindings/python` as a user types it
# (build isolation: the build backend comes from PyPI).
pip_install() {
    local venv=$1
    shift
    "$PYTHON" -m venv "$venv"
    (cd "$repo" && env "$@" "$venv/bin/pip" install -q --disable-pip-version-check ./bindings/python)
    rm -rf "$repo/bindings/python/build"
}
# verify_with PYTHON [ENV...]: example.py, copied out of the checkout, verifies the sample card
# against the emulator; prints the library it loaded, then the example's output.
cp "$repo/bindings/python/example.py" "$work/example.py"
verify_with() {
    local python=$1
    shift
    "${clean_env[@]}" "$@" "$repo/scripts/with-emulator.sh" sh -c '
        "$0" -c "import tcfaceid; print(\"library:\", tcfaceid.library_path())" &&
        TENCENTCLOUD_SECRET_ID=$TCFACEID_TEST_SECRET_ID TENCENTCLOUD_SECRET_KEY=$TCFACEID_TEST_SECRET_KEY \
        TENCENTCLOUD_REGION=ap-singapore TCFACEID_ENDPOINT=$TCFACEID_TEST_ENDPOINT \
        "$0" "$1" HKG ID_CARD "$2/front.jpg" "$2/back.jpg"' \
        "$python" "$work/example.py" "$repo/bindings/c/samples"
}

# The two source installs (pip, with build isolation, fetching the build backend) run in the
# background while the suite runs, one after the other (both build in bindings/python/build).
installs_log=$work/installs.log
(
    pip_install "$work/source" &&
        "$MAKE" -C "$repo" --no-print-directory -s install-files PREFIX="$work/prefix" >/dev/null &&
        pip_install "$work/pure" TCFACEID_PURE_PYTHON=1
) >"$installs_log" 2>&1 &
installs=$!

echo "== the Python suite, from $work"
log=$work/unittest.log
status=0
"${clean_env[@]}" "$work/venv/bin/python" -m unittest discover -s "$repo/bindings/python/tests" \
    -t "$repo/bindings/python/tests" 2>&1 | tee "$log" || status=$?
[ "${PIPESTATUS[0]}" -eq 0 ] && [ "$status" -eq 0 ] || fail "the Python suite failed against the wheel"
grep -Eq '^Ran [1-9][0-9]* tests? in ' "$log" || fail "no test ran"

wait "$installs" || { cat "$installs_log"; fail "pip install ./bindings/python or make install-files failed"; }

echo "== pip install ./bindings/python (cargo builds the library into the package)"
output=$(verify_with "$work/source/bin/python") || { echo "$output"; fail "the source install failed"; }
echo "$output" | sed 's/^/   /'
grep -q "^library: $work/source/.*/site-packages/tcfaceid/libtcfaceid.so$" <<<"$output" ||
    fail "not the package's own library"
grep -q '^status: *PASSED$' <<<"$output" || fail "no PASSED verdict"

echo "== make install-files into a prefix + TCFACEID_PURE_PYTHON=1 pip install: the system loader"
output=$(verify_with "$work/pure/bin/python" LD_LIBRARY_PATH="$work/prefix/lib") ||
    { echo "$output"; fail "the pure package with the installed library failed"; }
echo "$output" | sed 's/^/   /'
grep -qx "library: libtcfaceid.so.$soversion" <<<"$output" || fail "not loaded through the system loader"
grep -q '^status: *PASSED$' <<<"$output" || fail "no PASSED verdict"
echo "wheel-test: PASSED ($(basename "$wheel"))"
