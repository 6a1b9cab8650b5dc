#!/usr/bin/env bash
# Python: the abi3 wheel aether-<v>-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl
# (one wheel for CPython >= 3.9 on any x86_64 Linux with glibc >= 2.17) and the sdist
# aether-<v>.tar.gz (builds from source with cargo; `pip install` runs maturin on it).
#
# Why zig: this machine's glibc is newer than what users have, and a plain build links symbols
# of the glibc it runs on (pthread and stat in libc since 2.33/2.34, ...), so maturin refuses the
# manylinux2014 tag. `maturin build --zig` links with `zig cc` against glibc 2.17 stubs, with
# no container (zig.bash: the pinned tools and the cargo profile).
# Env (from scripts/release): ROOT, DIST, VERSION, PROFILE (release | dev).
set -euo pipefail
cd "$ROOT"

source "$ROOT/scripts/release.d/zig.bash"

out=$ROOT/target/release-python
rm -rf "$out"
started=$SECONDS
# --strip: without it a dev-profile wheel carries ~150 MB of debug info.
maturin build --locked -m bindings-python/Cargo.toml --profile "$CARGO_PROFILE" --strip \
  --zig --target x86_64-unknown-linux-gnu --compatibility manylinux2014 \
  --interpreter python3 --out "$out"
echo "wheel built in $((SECONDS - started)) s"
maturin sdist --manifest-path bindings-python/Cargo.toml --out "$out"

wheels=("$out"/aether-"$VERSION"-cp*-abi3-manylinux*_x86_64.whl)
sdists=("$out"/aether-"$VERSION".tar.gz)
if [[ ${#wheels[@]} -ne 1 || ! -f ${wheels[0]} || ! -f ${sdists[0]} ]]; then
  echo "20-python.sh: expected one abi3 manylinux wheel and aether-$VERSION.tar.gz in $out:" >&2
  ls -l "$out" >&2
  exit 1
fi
rm -f "$DIST"/aether-*.whl "$DIST/aether-$VERSION.tar.gz"
cp "${wheels[0]}" "${sdists[0]}" "$DIST/"
ls -l "$DIST"/aether-*.whl "$DIST/aether-$VERSION.tar.gz"
