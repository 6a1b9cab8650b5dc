#!/usr/bin/env bash
# The conformance scenarios once more over HTTPS, through the Rust runner: the emulator serves
# TLS with a CA made at start-up, the client trusts it with caBundle (issue 16). All of them:
# ~6 s once the test binary is built (the workspace tests built it).
set -euo pipefail
cd "$(dirname "$0")/../.."
AETHER_CONFORMANCE_TLS=1 cargo test --locked --quiet -p aether --test conformance
