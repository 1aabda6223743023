#!/usr/bin/env bash
# tests/stress/run.sh EMULATOR PROGRAM N [RUNNER...]: start the emulator on a free loopback port
# (16 workers, one PROCESSING answer per token, no polling wait, demo credentials), run
# `RUNNER... PROGRAM N` against it, stop the emulator, then check the emulator's own count of
# what it answered (its log: one line per request) against 16 x N of each action.
#
# Used by `make stress-test` (short N, under valgrind) and `make stress` (long N, under ASan).
# Exits with the program's status, or 1 when the emulator's counts are not exactly 16 x N.
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "usage: $0 EMULATOR PROGRAM N [RUNNER...]" >&2
    exit 2
fi
emulator=$1 program=$2 calls=$3
shift 3
threads=16

work=$(mktemp -d "${TMPDIR:-/tmp}/tcfaceid-stress.XXXXXX")
pid=""
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

mkfifo "$work/ready" # the ready line is read as it is written (no polling)
"$emulator" --port 0 --threads "$threads" --processing-polls 1 --polling-wait-secs 0 \
    >"$work/ready" 2>"$work/log" &
pid=$!
endpoint=""
if IFS= read -r -t 10 line <"$work/ready"; then
    endpoint=$(sed -n 's/^tcfaceid-emulator listening on \(http:\/\/[^ ]*\)$/\1/p' <<<"$line")
fi
if [ -z "$endpoint" ]; then
    echo "$0: the emulator did not start:" >&2
    cat "$work/log" >&2
    exit 1
fi

status=0
TCFACEID_TEST_ENDPOINT=$endpoint \
    TCFACEID_TEST_SECRET_ID=AKIDTCFACEIDEMULATOR0000000000000000 \
    TCFACEID_TEST_SECRET_KEY=tcfaceid-emulator-demo-secret-key \
    RUST_BACKTRACE=0 "$@" "$program" "$calls" || status=$?

# The emulator writes a request's line before its answer leaves, so every answered call is in
# the log by now.
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=""
want=$((threads * calls))
applies=$(grep -c ' POST ApplyCardVerification 200 OK ' "$work/log" || true)
results=$(grep -c ' POST GetCardVerificationResult 200 OK ' "$work/log" || true)
# Request lines are "tcfaceid-emulator: METHOD ACTION STATUS ..." (the startup summary is not).
others=$(grep -E '^tcfaceid-emulator: [A-Z-]+ ' "$work/log" | grep -vc ' 200 OK ' || true)
echo "emulator counted: $applies ApplyCardVerification OK, $results GetCardVerificationResult OK," \
    "$others other lines (want $want, $want, 0)"
if [ "$applies" -ne "$want" ] || [ "$results" -ne "$want" ] || [ "$others" -ne 0 ]; then
    echo "$0: the emulator's counts differ from 16 x $calls" >&2
    grep -E '^tcfaceid-emulator: [A-Z-]+ ' "$work/log" | grep -v ' 200 OK ' | head -20 >&2 || true
    [ "$status" -ne 0 ] || status=1
fi
exit "$status"
