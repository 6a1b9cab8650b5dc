#!/usr/bin/env bash
# Fuzzes the media probe for a bounded time: builds fuzz/ (libFuzzer through the libfuzzer-sys
# crate, with the coverage instrumentation that cargo-fuzz would add, passed as stable rustc
# flags, so neither nightly nor cargo-fuzz is needed), seeds the corpus with the media fixtures
# and runs. A panic, an overflow, an oversized allocation or a timeout fails the step and leaves
# the input in fuzz/artifacts/probe/ (replay: fuzz/target/<host>/release/probe <file>).
#
# AETHER_FUZZ_SECONDS sets the run time (default 30).
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${AETHER_FUZZ_SECONDS:-30}
host=$(rustc -vV | sed -n 's/^host: //p')
# Explicit --target keeps these flags away from build scripts and proc macros.
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module \
  -Cllvm-args=-sanitizer-coverage-level=4 \
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
  -Cllvm-args=-sanitizer-coverage-pc-table \
  -Cllvm-args=-sanitizer-coverage-trace-compares \
  -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR=fuzz/target
cargo build --locked --release --manifest-path fuzz/Cargo.toml --target "$host" --bin probe

corpus=fuzz/corpus/probe
artifacts=fuzz/artifacts/probe
mkdir -p "$corpus" "$artifacts"
find tests/fixtures/media -type f ! -name manifest.json -exec cp {} "$corpus/" \;
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
"fuzz/target/$host/release/probe" "$corpus" \
  -dict=fuzz/probe.dict \
  -max_total_time="$seconds" \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -max_len=131072 \
  -artifact_prefix="$artifacts/" \
  -print_final_stats=1 \
  >"$log" 2>&1
status=$?
set -e
# The progress lines (#123 NEW ...) and the recommended dictionary are noise; keep the summary
# and any crash report.
awk '/^###### Recommended dictionary/ { skip = 1 } !skip && !/^#[0-9]+/ { print }
  /^###### End of recommended dictionary/ { skip = 0 }' "$log" | tail -n 60
grep -E '^#[0-9]+' "$log" | tail -n 1
if [[ $status -ne 0 ]]; then
  echo "fuzz: the probe crashed (exit $status); the input is in $artifacts:" >&2
  ls -l "$artifacts" >&2
  exit 1
fi
echo "fuzz: no crash in ${seconds}s"
