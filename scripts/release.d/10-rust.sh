#!/usr/bin/env bash
# The Rust crate, dist/aether-<v>.crate: `cargo package -p aether`, which also verifies it —
# unpacks the .crate and builds it alone, with only what it ships and its registry
# dependencies (never --no-verify). The verify build shares target/ with the workspace; its
# dependencies are built with the crate's own feature set, so the first run compiles them once
# (about 2 minutes on 2 cores in the dev profile) and later runs reuse them.
# Only the dev profile (the test command, a working tree with changes) passes --allow-dirty: a
# release is packaged from a committed tree.
# Env (from scripts/release): ROOT, DIST, VERSION, PROFILE (release|dev).
set -euo pipefail
cd "$ROOT"
started=$SECONDS
flags=(--locked -p aether)
[[ $PROFILE == dev ]] && flags+=(--allow-dirty)
mkdir -p target/release-stage
log=target/release-stage/cargo-package.log
if ! cargo package "${flags[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  echo "10-rust.sh: cargo package -p aether failed (log above: $log)" >&2
  exit 1
fi
grep -E '^ *(warning|Packaged|Finished)' "$log" | grep -v 'is not included in the published package' || true
crate=target/package/aether-$VERSION.crate
[[ -f $crate ]] || { echo "10-rust.sh: $crate was not made" >&2; exit 1; }
packaged_version=$(tar -xzOf "$crate" "aether-$VERSION/Cargo.toml" | sed -n 's/^version = "\(.*\)"/\1/p' | head -1)
if [[ $packaged_version != "$VERSION" ]]; then
  echo "10-rust.sh: the crate's Cargo.toml says $packaged_version, the workspace $VERSION" >&2
  exit 1
fi
cp "$crate" "$DIST/"
echo "aether-$VERSION.crate ($(du -h "$DIST/aether-$VERSION.crate" | cut -f1), $((SECONDS - started)) s)"
