#!/usr/bin/env bash
# The conformance scenarios once more over HTTPS, through the Rust runner: the emulator serves
# TLS with a CA made at start-up, the client trusts it with caBundle (issue 16). All of them:
# ~6 s once the test binary is built (the workspace tests built it). `--workspace`, not
# `-p aether`: features are unified over the workspace, and built alone the core's features
# differ, so cargo compiled the core and the test again (~5 min of a cold CI run).
set -euo pipefail
cd "$(dirname "$0")/../.."
AETHER_CONFORMANCE_TLS=1 cargo test --workspace --locked --quiet --test conformance
