#!/usr/bin/env bash
# Releases as users install them (issue 19): builds every artifact with `scripts/release --dev`,
# checks dist/SHA256SUMS, then runs each tests/install/*.sh. Those scripts install the artifacts
# the way a user without a Rust toolchain would: they run their user-side commands under
# PATH_WITHOUT_RUST (PATH without cargo, rustc and rustup, checked here) and use the normal PATH
# only where a Rust toolchain is part of the story (the Python sdist).
set -euo pipefail
cd "$(dirname "$0")/../.."

scripts/release --dev
(cd dist && sha256sum --quiet -c SHA256SUMS)

source tests/install/without-rust.bash
for tool in cargo rustc rustup; do
  if PATH=$PATH_WITHOUT_RUST command -v "$tool" >/dev/null; then
    echo "80-release.sh: $tool is still on PATH_WITHOUT_RUST" >&2
    exit 1
  fi
done

for check in tests/install/*.sh; do
  [[ -e $check ]] || continue
  printf -- '--- install check %s\n' "$check"
  bash "$check"
done
