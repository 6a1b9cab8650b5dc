#!/usr/bin/env bash
# The conformance scenarios in chaos mode, through the Rust runner: the emulator injects random
# faults (resets before and after the body, 503s with and without Retry-After, a response closed
# mid-body, a truncated body, a stall, a delay) into 10 % of the API requests, from seed 1 plus
# the scenario's number; every scenario must end as on a clean network, with no create made
# twice and no orphan upload session (tests/conformance/README.md, "Chaos mode"). The C, Python
# and Node runners play the same in 40-c.sh, 50-python.sh and 60-node.sh. ~15 s.
# scripts/chaos runs many seeds and rates and writes tests/conformance/CHAOS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
AETHER_CHAOS_SEED=${AETHER_CHAOS_SEED:-1} AETHER_CHAOS_RATE=${AETHER_CHAOS_RATE:-0.10} \
  cargo test --workspace --locked --quiet --test conformance
