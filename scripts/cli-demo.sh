#!/usr/bin/env bash
# `make cli-demo`: the tcfaceid command against the bundled emulator (no credentials, no
# network): verify the sample Hong Kong ID card, then a 500-row batch of the bundled samples
# with its progress bar and summary. The emulators come from scripts/with-emulator.sh.
#
# Environment: CARGO (cargo), CARGO_TARGET_DIR (target).
set -euo pipefail
cd "$(dirname "$0")/.."
target=$(mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)

if [ -z "${TCFACEID_TEST_ENDPOINT:-}" ]; then
    echo "== building tcfaceid and the emulator"
    "${CARGO:-cargo}" build --release --workspace --quiet
    TCFACEID_EMULATOR="$target/release/tcfaceid-emulator" exec scripts/with-emulator.sh "$0"
fi

export TENCENTCLOUD_SECRET_ID=$TCFACEID_TEST_SECRET_ID
export TENCENTCLOUD_SECRET_KEY=$TCFACEID_TEST_SECRET_KEY
export TENCENTCLOUD_REGION=ap-singapore
export TCFACEID_ENDPOINT=$TCFACEID_TEST_ENDPOINT
export PATH="$target/release:$PATH"
samples=$(pwd)/bindings/c/samples

echo "== tcfaceid verify HKG ID_CARD bindings/c/samples/front.jpg bindings/c/samples/back.jpg"
tcfaceid verify HKG ID_CARD "$samples/front.jpg" "$samples/back.jpg"

# 500 rows of the bundled samples; one in ten is a URL the emulator answers WARNING or REJECTED.
work="$target/cli-demo"
rm -rf "$work" && mkdir -p "$work"
{
    echo "id,nationality,card_type,front,back"
    for i in $(seq 1 500); do
        case $((i % 10)) in
            3) echo "doc-$i,IDN,ID_CARD,https://example.com/scans/warning-$i.jpg," ;;
            7) echo "doc-$i,IDN,ID_CARD,https://example.com/scans/rejected-$i.jpg," ;;
            [05]) echo "doc-$i,IDN,ID_CARD,$samples/front.png," ;;
            *) echo "doc-$i,HKG,ID_CARD,$samples/front.jpg,$samples/back.jpg" ;;
        esac
    done
} >"$work/samples.csv"

# The emulator has no rate limit; against the service keep the default --rate (10/s).
echo "== tcfaceid batch $work/samples.csv --out $work/results.jsonl --concurrency 8 --rate 100"
status=0
tcfaceid batch "$work/samples.csv" --out "$work/results.jsonl" --concurrency 8 --rate 100 ||
    status=$?
echo "== exit status $status (1: every row has a verdict, some are not PASSED); one result a row:"
head -c 300 "$work/results.jsonl"
echo " ..."
[ "$status" -eq 1 ]
