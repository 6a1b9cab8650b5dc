#!/usr/bin/env bash
# The Rust crate, dist/aether-<v>.crate: `cargo package -p aether`, which also verifies it —
# unpacks the .crate and builds it alone, with only what it ships and its registry
# dependencies (never --no-verify). The verify build shares target/ with the workspace but is a
# workspace of its own, without the root Cargo.toml's [profile.dev]: passed through --config,
# the workspace's profile lets it reuse every dependency the tests already built (only the
# crate itself compiles, ~30 s of CPU), where cargo's default profile rebuilt all ~150 (~4 min
# on the busy 2-core machine).
# Only the dev profile (the test command, a working tree with changes) passes --allow-dirty: a
# release is packaged from a committed tree.
# Env (from scripts/release): ROOT, DIST, VERSION, PROFILE (release|dev).
set -euo pipefail
cd "$ROOT"
started=$SECONDS
flags=(--locked -p aether)
# [profile.dev] of the root Cargo.toml as --config key=value pairs (profile.dev.opt-level=1, …).
while IFS= read -r setting; do flags+=(--config "$setting"); done < <(python3 - <<'PY'
import json, tomllib
def flat(prefix, table):
    for key, value in table.items():
        name = f'{prefix}."{key}"' if not key.replace("-", "").replace("_", "").isalnum() else f"{prefix}.{key}"
        if isinstance(value, dict):
            yield from flat(name, value)
        else:
            yield f"{name}={json.dumps(value)}"
with open("Cargo.toml", "rb") as f:
    profile = tomllib.load(f).get("profile", {}).get("dev", {})
print("\n".join(flat("profile.dev", profile)))
PY
)
[[ $PROFILE == dev ]] && flags+=(--allow-dirty)
mkdir -p target/release-stage
log=target/release-stage/cargo-package.log
if ! cargo package "${flags[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  echo "10-rust.sh: cargo package -p aether failed (log above: $log)" >&2
  exit 1
fi
# The integration tests stay out of the crate (they need the emulator's crate and the fixtures;
# core/Cargo.toml's include): cargo's warning per test says so, and is dropped here.
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
