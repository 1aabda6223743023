#!/usr/bin/env bash
# `make tree-test LIB_DIR`: build bindings/c/example.c and bindings/cpp/example.cpp with nothing
# but pkg-config against the uninstalled library of `make tree-lib` (PKG_CONFIG_PATH=LIB_DIR/
# pkgconfig picks tcfaceid-uninstalled.pc), run both against the emulator with no
# LD_LIBRARY_PATH (the .pc's rpath finds libtcfaceid.so.SOVERSION), and check each prints PASSED.
# Environment: CC (cc), CXX (c++), PKG_CONFIG (pkg-config), TCFACEID_EMULATOR (see
# scripts/with-emulator.sh, which this script runs itself under).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TCFACEID_TEST_ENDPOINT:-}" ]; then
    exec scripts/with-emulator.sh "$0" "$@"
fi
lib_dir=${1:?usage: tree-test.sh LIB_DIR}
CC=${CC:-cc}
CXX=${CXX:-c++}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
work=$(mktemp -d "${TMPDIR:-/tmp}/tcfaceid-tree-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "tree-test: FAILED: $*" >&2; exit 1; }

soversion=$(sed -n 's/^#define TCFACEID_SOVERSION "\(.*\)"/\1/p' include/tcfaceid.h)
for f in libtcfaceid.so "libtcfaceid.so.$soversion" libtcfaceid.a pkgconfig/tcfaceid-uninstalled.pc; do
    [ -e "$lib_dir/$f" ] || fail "no $lib_dir/$f"
done
export PKG_CONFIG_PATH=$lib_dir/pkgconfig
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR LD_LIBRARY_PATH
flags=$("$PKG_CONFIG" --cflags --libs tcfaceid)
echo "== PKG_CONFIG_PATH=$PKG_CONFIG_PATH pkg-config --cflags --libs tcfaceid: $flags"
[ "$("$PKG_CONFIG" --variable=libdir tcfaceid)" = "$lib_dir" ] ||
    fail "pkg-config did not pick tcfaceid-uninstalled.pc"

# shellcheck disable=SC2086
"$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror bindings/c/example.c -o "$work/example-c" $flags
# shellcheck disable=SC2086
"$CXX" -std=c++17 -Wall -Wextra -Wpedantic -Werror bindings/cpp/example.cpp -o "$work/example-cpp" $flags
for program in example-c example-cpp; do
    echo "== $program (from the tree, no install)"
    output=$(env TENCENTCLOUD_SECRET_ID="$TCFACEID_TEST_SECRET_ID" \
        TENCENTCLOUD_SECRET_KEY="$TCFACEID_TEST_SECRET_KEY" TENCENTCLOUD_REGION=ap-singapore \
        TCFACEID_ENDPOINT="$TCFACEID_TEST_ENDPOINT" \
        "$work/$program" HKG ID_CARD bindings/c/samples/front.jpg bindings/c/samples/back.jpg) ||
        { echo "$output"; fail "$program exited with an error"; }
    echo "$output" | sed 's/^/   /'
    grep -q '^status: *PASSED$' <<<"$output" || fail "$program did not print PASSED"
done
echo "tree-test: PASSED (C and C++ examples built with pkg-config against $lib_dir)"
