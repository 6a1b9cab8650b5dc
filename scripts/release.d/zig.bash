# Sourced by 20-python.sh and 30-node.sh (not run by scripts/release: not a *.sh): the venv
# target/release-venv with the pinned build tools that link for glibc 2.17 on a machine with a
# newer one — zig (the `ziglang` package on PyPI), maturin (its `--zig` for the wheel) and
# cargo-zigbuild (for the Node addon; the version maturin embeds, so both set up zig alike) —
# put first on PATH, and the cargo profile of this release: with --dev, `release-check` (the
# dev profile without optimisation: these builds have a --target, so every dependency is
# compiled again in target/x86_64-unknown-linux-gnu/, ~1.8 CPU-minutes each cold instead of ~7).
MATURIN_VERSION=$(sed -n 's/^MATURIN_VERSION=//p' "$ROOT/scripts/test.d/50-python.sh")
ZIGLANG_VERSION=0.14.1
CARGO_ZIGBUILD_VERSION=0.24.0
RELEASE_VENV=$ROOT/target/release-venv

[[ -x $RELEASE_VENV/bin/python ]] || python3 -m venv "$RELEASE_VENV"
installed=$("$RELEASE_VENV/bin/python" -m pip freeze --disable-pip-version-check 2>/dev/null || true)
for pin in "maturin==$MATURIN_VERSION" "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"; do
  if ! grep -qx "$pin" <<<"$installed"; then
    echo "installing $pin into $RELEASE_VENV"
    "$RELEASE_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$pin"
  fi
done
export PATH="$RELEASE_VENV/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# The glibc the artifacts are linked for, and the cargo profile.
RELEASE_GLIBC=2.17
CARGO_PROFILE=$([[ $PROFILE == dev ]] && echo release-check || echo "$PROFILE")
