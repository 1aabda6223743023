#!/usr/bin/env bash
# `make demo`: build the library, the emulator and the C example; start the emulator on a free
# loopback port; verify a sample ID card with each product (FaceID, then OCR); stop the emulator.
#
# No credentials and no network: the emulator accepts its documented demo credentials.
# Environment: CARGO (cargo), CARGO_TARGET_DIR (target), PROFILE (the cargo profile: release),
# CC (cc), EXAMPLE_RUNNER (a command to run the example under, e.g. valgrind), DEMO_ARGS (the
# example's arguments).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO=${CARGO:-cargo}
CC=${CC:-cc}
PROFILE=${PROFILE:-release}
target=$(mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)
built="$target/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")"
demo="$target/demo"
mkdir -p "$demo"

echo "== building the library, the emulator and the C example"
"$CARGO" build --profile "$PROFILE" --workspace --quiet
soversion=$(sed -n 's/^#define TCFACEID_SOVERSION "\(.*\)"/\1/p' include/tcfaceid.h)
ln -sf "$built/libtcfaceid.so" "$demo/libtcfaceid.so.$soversion"
"$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude bindings/c/example.c \
    -o "$demo/example" "$built/libtcfaceid.so" -Wl,-rpath,"$demo"

echo "== starting the emulator on a free loopback port"
ready="$demo/emulator.ready"
log="$demo/emulator.log"
rm -f "$ready"
mkfifo "$ready" # the ready line is read as it is written (no polling)
"$built/tcfaceid-emulator" --port 0 --processing-polls 2 --polling-wait-secs 1 \
    >"$ready" 2>"$log" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true' EXIT
line=""
IFS= read -r -t 10 line <"$ready" || { cat "$log" >&2; echo "the emulator did not start" >&2; exit 1; }
endpoint=$(sed -n 's/.*listening on \(http:\/\/[^ ]*\).*/\1/p' <<<"$line")
[ -n "$endpoint" ] || { echo "the emulator printed no ready line" >&2; exit 1; }
echo "   $line   (log: $log)"

# Both products on the same emulator: FaceID (the default) with the sample HKG ID card, then
# OCR (TCFACEID_API=ocr) with a Singapore ID card at OCR's image sizes (256 to 4096 px).
run_example() {
    echo "== TCFACEID_API=$1 example ${*:2}"
    env TENCENTCLOUD_SECRET_ID=AKIDTCFACEIDEMULATOR0000000000000000 \
        TENCENTCLOUD_SECRET_KEY=tcfaceid-emulator-demo-secret-key \
        TENCENTCLOUD_REGION=ap-singapore \
        TCFACEID_ENDPOINT="$endpoint" TCFACEID_API="$1" TCFACEID_POLL_MS=500 \
        ${EXAMPLE_RUNNER:-} "$demo/example" "${@:2}"
}
if [ -n "${DEMO_ARGS:-}" ]; then
    # shellcheck disable=SC2206
    args=(${DEMO_ARGS})
    run_example "${TCFACEID_API:-faceid}" "${args[@]}"
else
    run_example faceid HKG ID_CARD bindings/c/samples/front.jpg bindings/c/samples/back.jpg
    run_example ocr SGP ID_CARD bindings/c/samples/front-640x400.jpg \
        bindings/c/samples/back-640x400.jpg
fi
