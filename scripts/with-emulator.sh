#!/usr/bin/env bash
# with-emulator.sh CMD [ARGS...]: run CMD with local FaceID emulators, then stop them.
#
# Starts one tcfaceid-emulator per behaviour below, each on a free loopback port, waits until
# each prints its ready line, exports its URL, runs CMD, stops every emulator and exits with
# CMD's status. The C tests (tests/c/test_client.c) read these variables; without them they skip
# their network checks.
#
#   TCFACEID_TEST_ENDPOINT               the normal service: PROCESSING once per token, then the
#                                        verdict (PASSED; WARNING / REJECTED for an ImageUrlFront
#                                        containing "warning" / "rejected"); polling wait 0 s,
#                                        at most 5 polls
#   TCFACEID_TEST_ENDPOINT_HTTP500       every request gets HTTP 500 with a text body
#   TCFACEID_TEST_ENDPOINT_RATE_LIMITED  every request gets Response.Error RequestLimitExceeded
#   TCFACEID_TEST_ENDPOINT_OFFLINE       every action answers ActionOffline
#   TCFACEID_TEST_ENDPOINT_OCR_LEGACY    OCR answers PASSED / WARNING (--ocr-status legacy)
#   TCFACEID_TEST_ENDPOINT_FACEID_OFFLINE FaceID answers ActionOffline, OCR works
#                                        (--faceid-offline); the main endpoint serves OCR too
#   TCFACEID_TEST_ENDPOINT_GARBAGE       every request gets HTTP 200 with an HTML body
#   TCFACEID_TEST_ENDPOINT_SLOW_POLL     polling wait 600 s (a poll deadline is always exceeded)
#   TCFACEID_TEST_ENDPOINT_NO_VERDICT    PROCESSING forever, at most 2 polls
#   TCFACEID_TEST_ENDPOINT_TEMPORARY     only temporary keys it issued (metadata service and STS
#                                        on the same port), living 4 s
#   TCFACEID_TEST_SECRET_ID / _KEY       the credentials all of them accept (the demo ones)
#
# Environment: TCFACEID_EMULATOR (the emulator binary; default: build it with
# `$CARGO build -p tcfaceid-emulator` and use the debug one), CARGO (cargo),
# CARGO_TARGET_DIR (target). The emulators' logs are printed when CMD fails.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
emulator=${TCFACEID_EMULATOR:-}
if [ -z "$emulator" ]; then
    target=${CARGO_TARGET_DIR:-$root/target}
    case $target in /*) ;; *) target=$root/$target ;; esac
    (cd "$root" && "${CARGO:-cargo}" build --quiet -p tcfaceid-emulator)
    emulator=$target/debug/tcfaceid-emulator
fi
[ -x "$emulator" ] || { echo "$0: no emulator binary at $emulator" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tcfaceid-emulators.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME VARIABLE FLAGS...: start one emulator; its URL goes to VARIABLE (once it is ready).
names=()
variables=()
start() {
    local name=$1 variable=$2
    shift 2
    # The ready line goes through a FIFO: wait_ready blocks reading it (no polling).
    mkfifo "$work/$name.ready"
    "$emulator" --port 0 --threads 2 "$@" >"$work/$name.ready" 2>"$work/$name.log" &
    pids+=($!)
    names+=("$name")
    variables+=("$variable")
}
# wait_ready NAME VARIABLE: read the ready line (10 s at most; the end of the FIFO when the
# emulator exits first) and export the URL.
wait_ready() {
    local name=$1 variable=$2 line="" endpoint=""
    if IFS= read -r -t 10 line <"$work/$name.ready"; then
        endpoint=$(sed -n 's/^tcfaceid-emulator listening on \(http:\/\/[^ ]*\)$/\1/p' <<<"$line")
    fi
    if [ -z "$endpoint" ]; then
        echo "$0: the $name emulator did not start:" >&2
        cat "$work/$name.log" >&2
        exit 1
    fi
    export "$variable=$endpoint"
}

start main TCFACEID_TEST_ENDPOINT --processing-polls 1 --polling-wait-secs 0 --max-polling-times 5
start http500 TCFACEID_TEST_ENDPOINT_HTTP500 --fault http500
start rate-limited TCFACEID_TEST_ENDPOINT_RATE_LIMITED --fault rate-limit
start offline TCFACEID_TEST_ENDPOINT_OFFLINE --offline
start ocr-legacy TCFACEID_TEST_ENDPOINT_OCR_LEGACY --processing-polls 1 --ocr-status legacy
start faceid-offline TCFACEID_TEST_ENDPOINT_FACEID_OFFLINE --processing-polls 1 --faceid-offline
start garbage TCFACEID_TEST_ENDPOINT_GARBAGE --fault garbage
start slow-poll TCFACEID_TEST_ENDPOINT_SLOW_POLL --polling-wait-secs 600
start temporary TCFACEID_TEST_ENDPOINT_TEMPORARY --temporary-keys-only --key-ttl-secs 4
start no-verdict TCFACEID_TEST_ENDPOINT_NO_VERDICT --processing-polls 1000000 \
    --polling-wait-secs 0 --max-polling-times 2
for i in "${!names[@]}"; do
    wait_ready "${names[$i]}" "${variables[$i]}"
done
export TCFACEID_TEST_SECRET_ID=AKIDTCFACEIDEMULATOR0000000000000000
export TCFACEID_TEST_SECRET_KEY=tcfaceid-emulator-demo-secret-key

status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
    echo "$0: '$*' exited with $status; emulator logs in order:" >&2
    for name in "${names[@]}"; do
        echo "--- $name" >&2
        tail -n 50 "$work/$name.log" >&2
    done
fi
exit "$status"
