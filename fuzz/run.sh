#!/usr/bin/env bash
# Runs the response-decoding fuzz target for a bounded time (default 30 s): fuzz/run.sh [SECONDS]
# libFuzzer with coverage instrumentation, built by stable rustc (the flags cargo-fuzz would pass,
# without sanitizers). Exits non-zero on a crash, a panic or a failed assertion.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps the instrumentation flags off build scripts and proc macros.
host="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --release --bin decode_response --target "$host" --target-dir target
mkdir -p corpus
printf '\x00{"id":"c1","first_name":"Ada","birth_date":"1990-05-17","address":{"city":"X"}}' > corpus/seed-client
printf '\x03{"code":"NOT_FOUND","message":"m","trace_id":"t"}' > corpus/seed-error
"./target/$host/release/decode_response" corpus -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 2>&1 | tail -n 12
