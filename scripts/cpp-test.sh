#!/usr/bin/env bash
# `make cpp-test LIB_DIR`: include/tcfaceid.hpp and bindings/cpp/example.cpp, compiled with
# -std=c++17 -Wall -Wextra -Wpedantic -Werror and ASan+UBSan by g++ (CXX) and, when installed,
# clang++, linked against LIB_DIR (`make tree-lib`), and run against the emulator:
# tests/cpp/test_hpp.cpp (the header's checks) and the example, which must print PASSED.
# The header alone must also compile as C++20 and refuse C++14.
# Environment: CXX (g++), TCFACEID_EMULATOR (see scripts/with-emulator.sh, which this script runs
# itself under).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TCFACEID_TEST_ENDPOINT:-}" ]; then
    exec scripts/with-emulator.sh "$0" "$@"
fi
lib_dir=${1:?usage: cpp-test.sh LIB_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/tcfaceid-cpp-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "cpp-test: FAILED: $*" >&2; exit 1; }

compilers=("${CXX:-g++}")
if command -v clang++ >/dev/null 2>&1; then compilers+=(clang++); else echo "clang++ not installed: g++ only"; fi
warnings=(-Wall -Wextra -Wpedantic -Werror)
sanitize=(-g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1

for cxx in "${compilers[@]}"; do
    name=$(basename "$cxx")
    echo "== $cxx: the header as C++20, and refused as C++14"
    "$cxx" -std=c++20 "${warnings[@]}" -Iinclude -x c++ -c include/tcfaceid.hpp -o /dev/null
    if "$cxx" -std=c++14 -Iinclude -x c++ -c include/tcfaceid.hpp -o /dev/null 2>"$work/cxx14.log"; then
        fail "$cxx compiled tcfaceid.hpp as C++14"
    fi
    grep -q "needs C++17" "$work/cxx14.log" || fail "$cxx: no clear C++14 error"
    for program in tests/cpp/test_hpp.cpp bindings/cpp/example.cpp; do
        exe=$work/$name-$(basename "$program" .cpp)
        echo "== $cxx -std=c++17 ${warnings[*]} ${sanitize[*]} $program"
        "$cxx" -std=c++17 "${warnings[@]}" "${sanitize[@]}" -Iinclude "$program" -o "$exe" \
            -L"$lib_dir" -ltcfaceid -Wl,-rpath,"$lib_dir"
    done
    "$work/$name-test_hpp" bindings/c/samples
    output=$(env TENCENTCLOUD_SECRET_ID="$TCFACEID_TEST_SECRET_ID" \
        TENCENTCLOUD_SECRET_KEY="$TCFACEID_TEST_SECRET_KEY" TENCENTCLOUD_REGION=ap-singapore \
        TCFACEID_ENDPOINT="$TCFACEID_TEST_ENDPOINT" \
        "$work/$name-example" HKG ID_CARD bindings/c/samples/front.jpg bindings/c/samples/back.jpg) ||
        { echo "$output"; fail "$name example exited with an error"; }
    echo "$output" | sed 's/^/   /'
    grep -q '^status: *PASSED$' <<<"$output" || fail "the $name example did not print PASSED"
    # An error goes to stderr with its details and exit status 1, as in the C example.
    status=0
    env TENCENTCLOUD_SECRET_ID="$TCFACEID_TEST_SECRET_ID" TENCENTCLOUD_SECRET_KEY="$TCFACEID_TEST_SECRET_KEY" \
        TENCENTCLOUD_REGION=ap-singapore TCFACEID_ENDPOINT="$TCFACEID_TEST_ENDPOINT_RATE_LIMITED" \
        "$work/$name-example" HKG ID_CARD bindings/c/samples/front.jpg bindings/c/samples/back.jpg \
        >/dev/null 2>"$work/error.log" || status=$?
    [ "$status" -eq 1 ] || fail "the $name example exited with $status on a service error, not 1"
    grep -q "service code: RequestLimitExceeded" "$work/error.log" || { cat "$work/error.log"; fail "no service code"; }
    grep -q "request id:" "$work/error.log" || fail "no request id in the error report"
done
echo "cpp-test: PASSED (${compilers[*]}; ASan+UBSan; header checks and the example against the emulator)"
