#!/usr/bin/env bash
# `make install-test`: install into a temporary prefix as a user would, then build
# bindings/c/example.c against the installed copy with nothing but pkg-config, and verify the
# sample ID card against the emulator with it: linked to the shared library, then to the static
# one (`pkg-config --static`). Also checks the layout (real file, SONAME symlinks, pkg-config
# file), the exported symbols of the installed library, the installed header as C++, a DESTDIR
# install, and that `make uninstall` leaves nothing behind.
#
# The library must be built already (`make build-install`); this runs `make install-files`.
# Environment: MAKE (make), CC (cc), CXX (c++), PKG_CONFIG (pkg-config), TCFACEID_EMULATOR (see
# scripts/with-emulator.sh, which this script runs itself under).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TCFACEID_TEST_ENDPOINT:-}" ]; then
    exec scripts/with-emulator.sh "$0" "$@"
fi

MAKE=${MAKE:-make}
CC=${CC:-cc}
CXX=${CXX:-c++}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
CFLAGS_STRICT=(-std=c99 -Wall -Wextra -Wpedantic -Werror)

work=$(mktemp -d "${TMPDIR:-/tmp}/tcfaceid-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "install-test: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

version=$(sed -n '/^\[package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
abi=$(sed -n 's/^#define TCFACEID_SOVERSION "\(.*\)"/\1/p' include/tcfaceid.h)
[ -n "$version" ] && [ -n "$abi" ] || fail "cannot read the version or the ABI version"

step "make install-files PREFIX=$prefix"
"$MAKE" --no-print-directory install-files PREFIX="$prefix"
lib=$prefix/lib
[ -f "$lib/libtcfaceid.so.$version" ] && [ ! -L "$lib/libtcfaceid.so.$version" ] ||
    fail "lib/libtcfaceid.so.$version is not a regular file"
[ "$(readlink "$lib/libtcfaceid.so.$abi")" = "libtcfaceid.so.$version" ] ||
    fail "lib/libtcfaceid.so.$abi does not link to libtcfaceid.so.$version"
[ "$(readlink "$lib/libtcfaceid.so")" = "libtcfaceid.so.$abi" ] ||
    fail "lib/libtcfaceid.so does not link to libtcfaceid.so.$abi"
[ -f "$lib/libtcfaceid.a" ] || fail "no lib/libtcfaceid.a"
cmp -s include/tcfaceid.h "$prefix/include/tcfaceid.h" || fail "include/tcfaceid.h differs"
[ -f "$lib/pkgconfig/tcfaceid.pc" ] || fail "no lib/pkgconfig/tcfaceid.pc"
soname=$(readelf -d "$lib/libtcfaceid.so.$version" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
[ "$soname" = "libtcfaceid.so.$abi" ] || fail "SONAME is '$soname', not libtcfaceid.so.$abi"
# Every exported symbol has the tcfaceid_ prefix.
symbols=$(nm -D --defined-only "$lib/libtcfaceid.so.$version" | awk '{print $NF}')
bad=$(echo "$symbols" | grep -v '^tcfaceid_' || true)
[ -z "$bad" ] || fail "symbols without the tcfaceid_ prefix: $bad"
echo "   SONAME $soname; $(echo "$symbols" | wc -l) exported symbols, all tcfaceid_*"
# No testing hook in an installed library (they are only in libtcfaceid_test_hooks.so).
! echo "$symbols" | grep -qx 'tcfaceid_debug_panic' || fail "the installed library has tcfaceid_debug_panic"
# Stripped, with the debug info kept apart and linked.
debug=$lib/.debug/libtcfaceid.so.$version.debug
readelf -S "$lib/libtcfaceid.so.$version" | grep -q '\.debug_info' && fail "the installed library is not stripped"
readelf -S "$lib/libtcfaceid.so.$version" | grep -q '\.symtab' && fail "the installed library keeps its symbol table"
readelf -S "$debug" | grep -q '\.debug_info' || fail "no debug info in $debug"
link=$(readelf --string-dump=.gnu_debuglink "$lib/libtcfaceid.so.$version" | sed -n 's/^ *\[ *0\] *//p')
[ "$link" = "libtcfaceid.so.$version.debug" ] || fail "debuglink is '$link'"
echo "   stripped ($(stat -c %s "$lib/libtcfaceid.so.$version") bytes); debug info in lib/.debug ($(stat -c %s "$debug") bytes)"
(cd "$prefix" && find . | sort | sed 's/^/   /')

export PKG_CONFIG_PATH=$lib/pkgconfig
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
step "pkg-config"
[ "$("$PKG_CONFIG" --modversion tcfaceid)" = "$version" ] || fail "pkg-config --modversion"
[ "$("$PKG_CONFIG" --variable=libdir tcfaceid)" = "$lib" ] || fail "pkg-config libdir"
"$PKG_CONFIG" --validate tcfaceid ||
    fail "pkg-config does not accept tcfaceid.pc"
echo "   cflags: $("$PKG_CONFIG" --cflags tcfaceid)"
echo "   libs:   $("$PKG_CONFIG" --libs tcfaceid)"
echo "   static: $("$PKG_CONFIG" --static --libs tcfaceid)"

step "the installed header as C++11"
echo '#include <tcfaceid.h>
int main() { return tcfaceid_version() != nullptr ? 0 : 1; }' >"$work/header.cc"
# shellcheck disable=SC2046
"$CXX" -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror $("$PKG_CONFIG" --cflags tcfaceid) \
    -c "$work/header.cc" -o "$work/header.o"

# run_example BINARY [ENV...]: verify the sample HKG ID card with BINARY; it must print PASSED.
run_example() {
    local binary=$1 output
    shift
    output=$(env "$@" TENCENTCLOUD_SECRET_ID="$TCFACEID_TEST_SECRET_ID" \
        TENCENTCLOUD_SECRET_KEY="$TCFACEID_TEST_SECRET_KEY" TENCENTCLOUD_REGION=ap-singapore \
        TCFACEID_ENDPOINT="$TCFACEID_TEST_ENDPOINT" \
        "$binary" HKG ID_CARD bindings/c/samples/front.jpg bindings/c/samples/back.jpg) ||
        { echo "$output"; fail "$binary exited with an error"; }
    echo "$output" | sed 's/^/   /'
    grep -q '^status: *PASSED$' <<<"$output" || fail "$binary did not print PASSED"
    grep -Eq "^tcfaceid/${version}(,|$)" <<<"$output" || fail "$binary ran another library version"
}

step "example.c against the shared library:" \
    "$CC ${CFLAGS_STRICT[*]} \$(pkg-config --cflags --libs tcfaceid)"
# shellcheck disable=SC2046
"$CC" "${CFLAGS_STRICT[@]}" bindings/c/example.c -o "$work/example-shared" \
    $("$PKG_CONFIG" --cflags --libs tcfaceid)
readelf -d "$work/example-shared" | grep -q "Shared library: \[libtcfaceid.so.$abi\]" ||
    fail "example-shared does not need libtcfaceid.so.$abi"
run_example "$work/example-shared" LD_LIBRARY_PATH="$lib"

step "example.c against the static library: pkg-config --static, libtcfaceid.a"
# -ltcfaceid would pick the shared library, which is next to the archive: ask for the archive.
static_libs=$("$PKG_CONFIG" --static --libs tcfaceid |
    sed 's/-ltcfaceid\( \|$\)/-l:libtcfaceid.a\1/')
# shellcheck disable=SC2046,SC2086
"$CC" "${CFLAGS_STRICT[@]}" bindings/c/example.c -o "$work/example-static" \
    $("$PKG_CONFIG" --cflags tcfaceid) $static_libs
if readelf -d "$work/example-static" | grep -q 'libtcfaceid'; then
    fail "example-static still needs the shared library"
fi
run_example "$work/example-static"

step "the C++ example with CMake: find_package(tcfaceid) against the prefix"
command -v cmake >/dev/null 2>&1 || fail "cmake is not installed (.ci/run installs it)"
[ -f "$lib/cmake/tcfaceid/tcfaceidConfig.cmake" ] || fail "no lib/cmake/tcfaceid/tcfaceidConfig.cmake"
cmake -S bindings/cpp -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_BUILD_TYPE=Debug >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "cmake configure"; }
cmake --build "$work/cmake-build" >>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "cmake build"; }
readelf -d "$work/cmake-build/example" | grep -q "Shared library: \[libtcfaceid.so.$abi\]" ||
    fail "the CMake-built example does not need libtcfaceid.so.$abi"
run_example "$work/cmake-build/example"
# A version request the installed package does not meet is refused.
mkdir -p "$work/cmake-v2"
printf 'cmake_minimum_required(VERSION 3.14)\nproject(v LANGUAGES CXX)\nfind_package(tcfaceid 1.0 REQUIRED)\n' \
    >"$work/cmake-v2/CMakeLists.txt"
if cmake -S "$work/cmake-v2" -B "$work/cmake-v2/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null 2>&1; then
    fail "find_package(tcfaceid 1.0) accepted version $version"
fi

step "DESTDIR: make install-files DESTDIR=$work/stage PREFIX=/opt/tcfaceid"
"$MAKE" --no-print-directory install-files DESTDIR="$work/stage" PREFIX=/opt/tcfaceid >/dev/null
for f in lib/libtcfaceid.so."$version" lib/libtcfaceid.so."$abi" lib/libtcfaceid.so \
    lib/libtcfaceid.a include/tcfaceid.h include/tcfaceid.hpp lib/pkgconfig/tcfaceid.pc \
    lib/cmake/tcfaceid/tcfaceidConfig.cmake lib/cmake/tcfaceid/tcfaceidConfigVersion.cmake; do
    [ -e "$work/stage/opt/tcfaceid/$f" ] || fail "DESTDIR install lacks $f"
done
grep -qx 'prefix=/opt/tcfaceid' "$work/stage/opt/tcfaceid/lib/pkgconfig/tcfaceid.pc" ||
    fail "the DESTDIR install's tcfaceid.pc does not say prefix=/opt/tcfaceid"
if grep -q "$work" "$work/stage/opt/tcfaceid/lib/pkgconfig/tcfaceid.pc"; then
    fail "the DESTDIR leaked into tcfaceid.pc"
fi

step "make uninstall (both)"
"$MAKE" --no-print-directory uninstall DESTDIR="$work/stage" PREFIX=/opt/tcfaceid >/dev/null
"$MAKE" --no-print-directory uninstall PREFIX="$prefix" >/dev/null
left=$(find "$prefix" "$work/stage" \( -type f -o -type l \) -print)
[ -z "$left" ] || fail "left after uninstall: $left"

echo "install-test: PASSED (shared and static example against the emulator, the C++ example" \
    "with CMake, layout, pkg-config, DESTDIR, uninstall)"
