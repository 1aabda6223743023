#!/usr/bin/env bash
# fuzz/run.sh [TARGET...]: build the cargo-fuzz targets (libFuzzer + ASan, debug assertions on)
# and run each for FUZZ_SECONDS, then print executions per target. `make fuzz` runs this. See
# fuzz/README.md.
#
# Environment: FUZZ_SECONDS (60 per target), FUZZ_JOBS (1: libFuzzer processes per target),
# FUZZ_WORK (where the growing corpus, crash artifacts and logs go; default
# $CARGO_TARGET_DIR/fuzz, else target/fuzz), FUZZ_TOOLCHAIN (default: nightly when rustup has it,
# else the stable toolchain with RUSTC_BOOTSTRAP=1), CARGO (cargo).
#
# Exit status: 0 when every target ran its time without a crash; 1 otherwise (the crashing input
# is under $FUZZ_WORK/artifacts/TARGET/, reproduce with `cargo fuzz run TARGET FILE`).
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir=$PWD

all_targets=(image_inspect base64_check response_json c_strings client_responses)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
cargo=${CARGO:-cargo}
root_target=${CARGO_TARGET_DIR:-$(cd .. && pwd)/target}
case $root_target in /*) ;; *) root_target=$(cd .. && pwd)/$root_target ;; esac
work=${FUZZ_WORK:-$root_target/fuzz}
mkdir -p "$work"
# Instrumented builds get their own target directory: their flags differ from the main build's.
export CARGO_TARGET_DIR=$work/target

# The toolchain: cargo-fuzz passes -Zsanitizer and other unstable flags, so nightly, or stable
# with RUSTC_BOOTSTRAP=1 (the machine's only toolchain on a fresh machine).
toolchain=${FUZZ_TOOLCHAIN:-}
if [ -z "$toolchain" ]; then
    if command -v rustup >/dev/null 2>&1 && rustup run nightly rustc --version >/dev/null 2>&1; then
        toolchain=nightly
    else
        toolchain=stable
    fi
fi
plus=()
if command -v rustup >/dev/null 2>&1; then plus=("+$toolchain"); fi
if [ "$toolchain" != nightly ]; then
    export RUSTC_BOOTSTRAP=1
fi

if ! "$cargo" fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz (crates.io)"
    "$cargo" install cargo-fuzz --locked
fi

echo "== building ${targets[*]} ($toolchain$([ "$toolchain" = nightly ] || echo ', RUSTC_BOOTSTRAP=1'); ASan, debug assertions)"
for target in "${targets[@]}"; do
    "$cargo" "${plus[@]}" fuzz build --debug-assertions "$target"
done

failed=0
summary=()
for target in "${targets[@]}"; do
    corpus=$work/corpus/$target
    artifacts=$work/artifacts/$target
    log=$work/$target.log
    mkdir -p "$corpus" "$artifacts"
    dict=()
    [ "$target" = response_json ] && dict=("-dict=$fuzz_dir/dicts/json.dict")
    echo "== $target: ${seconds}s, corpus $corpus (+ fuzz/seeds/$target)"
    parallel=()
    [ "$jobs" -gt 1 ] && parallel=("-jobs=$jobs" "-workers=$jobs")
    touch "$work/$target.start"
    status=0
    # The first corpus directory is written to; seeds/ is only read.
    (cd "$work" && "$cargo" "${plus[@]}" fuzz run --fuzz-dir "$fuzz_dir" --debug-assertions \
        "$target" "$corpus" "$fuzz_dir/seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
        -timeout=10 -rss_limit_mb=2048 "${dict[@]}" "${parallel[@]}") >"$log" 2>&1 || status=$?
    # "Done N runs in S second(s)" per process; stat::number_of_executed_units as a fallback.
    runs=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    if [ "$runs" -eq 0 ]; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$log" |
            awk '{s+=$1} END {print s+0}')
    fi
    units=$(find "$corpus" -type f | wc -l)
    crashes=$(find "$artifacts" -type f -newer "$work/$target.start" | wc -l)
    if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        failed=1
        echo "   FAILED (exit $status, $crashes artifact(s) in $artifacts); the end of $log:"
        tail -n 40 "$log"
    fi
    summary+=("$(printf '%-14s %12s executions  %6s corpus units  %s crashes' "$target" "$runs" "$units" "$crashes")")
done

echo "== fuzz summary (${seconds}s per target, $toolchain)"
printf '   %s\n' "${summary[@]}"
exit "$failed"
