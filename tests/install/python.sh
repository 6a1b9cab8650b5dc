#!/usr/bin/env bash
# The Python artifacts as users install them (run by scripts/test.d/80-release.sh after
# `scripts/release --dev`):
#   1. the wheel, without Rust: a fresh venv, `pip install --no-index dist/aether-*.whl` with
#      cargo, rustc and rustup off PATH (PATH_WITHOUT_RUST), then examples/python/publish.py
#      against the emulator of the installed `aether.testing`;
#   2. the wheel's tags: `auditwheel show` (pinned, in a venv of its own) finds it consistent
#      with manylinux_2_17 or 2_28, and it is abi3 (its WHEEL tags, its module's name);
#   3. the sdist, with Rust: a second fresh venv, `pip install dist/aether-<v>.tar.gz` (pip gets
#      maturin per pyproject.toml and cargo builds the extension), then an import and a call.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
source "$ROOT/tests/install/without-rust.bash"
AUDITWHEEL_VERSION=6.8.2
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
WORK=$ROOT/target/install-check/python
rm -rf "$WORK"
mkdir -p "$WORK"

wheels=("$ROOT"/dist/aether-"$VERSION"-cp*-abi3-manylinux*.whl)
[[ ${#wheels[@]} -eq 1 && -f ${wheels[0]} ]] || { echo "python.sh: no single abi3 manylinux wheel in dist/" >&2; exit 1; }
wheel=${wheels[0]}
sdist=$ROOT/dist/aether-$VERSION.tar.gz

# 1. The wheel, as a user without Rust installs it, run from outside the repository.
started=$SECONDS
(
  export PATH=$PATH_WITHOUT_RUST
  cd "$WORK"
  python3 -m venv wheel-venv
  wheel-venv/bin/python -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
  location=$(wheel-venv/bin/python -c 'import aether; print(aether.__file__)')
  [[ $location == "$WORK/wheel-venv/"* ]] || { echo "python.sh: aether imported from $location" >&2; exit 1; }
  wheel-venv/bin/python "$ROOT/tests/install/publish_example.py" \
    "$ROOT/examples/python/publish.py" "$ROOT/tests/fixtures/media/h264_15s.mp4"
)
echo "python.sh: the wheel installed without Rust and published ($((SECONDS - started)) s)"

# 2. The tags, as auditwheel reads them from the ELF file (the symbols' glibc versions).
started=$SECONDS
python3 -m venv "$WORK/tools-venv"
"$WORK/tools-venv/bin/python" -m pip install --quiet --disable-pip-version-check "auditwheel==$AUDITWHEEL_VERSION"
report=$("$WORK/tools-venv/bin/auditwheel" show "$wheel" 2>&1)
echo "$report"
if ! grep -Eq '"manylinux_2_(17|28)_x86_64"' <<<"$report"; then
  echo "python.sh: auditwheel does not find $(basename "$wheel") consistent with manylinux_2_17 or 2_28" >&2
  exit 1
fi
# abi3 (auditwheel checks the platform, not the Python ABI): the WHEEL file's tags, and the
# extension module's name that CPython's importer matches (`_aether.abi3.so`).
"$WORK/tools-venv/bin/python" - "$wheel" <<'EOF'
import sys
import zipfile

wheel = zipfile.ZipFile(sys.argv[1])
names = wheel.namelist()
metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
tags = [line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Tag: ")]
modules = [n for n in names if n.endswith(".so")]
if not tags or any(not t.startswith("cp39-abi3-manylinux") for t in tags):
    sys.exit(f"python.sh: not an abi3 manylinux wheel: tags {tags}")
if modules != ["aether/_aether.abi3.so"]:
    sys.exit(f"python.sh: the extension module is not aether/_aether.abi3.so: {modules}")
print(f"abi3: tags {', '.join(tags)}; module {modules[0]}")
EOF
echo "python.sh: auditwheel: manylinux and abi3 ($((SECONDS - started)) s)"

# 3. The sdist, with cargo on PATH. pip builds it as a user's would (build isolation, maturin from
# the registry); two things only for time: the dev profile, and CARGO_TARGET_DIR at the shared
# target/, so what scripts/test.d/50-python.sh compiled is reused. Cargo knows the sdist's
# crates by their paths relative to the workspace, the same as in the repository, so it reuses
# their artifacts too while every source file its dep-info lists is there and no newer; a file
# missing from the sdist makes them stale and the build fails here.
started=$SECONDS
python3 -m venv "$WORK/sdist-venv"
if ! CARGO_TARGET_DIR=$ROOT/target MATURIN_PEP517_ARGS="--profile dev --strip" \
  "$WORK/sdist-venv/bin/python" -m pip install --verbose --disable-pip-version-check \
  --no-cache-dir "$sdist" >"$WORK/sdist-install.log" 2>&1; then
  tail -n 60 "$WORK/sdist-install.log" >&2
  echo "python.sh: pip install $sdist failed (log: $WORK/sdist-install.log)" >&2
  exit 1
fi
# That cargo did build it (pip keeps no wheel of it: --no-cache-dir).
grep -E "Compiling aether|Finished|Successfully installed" "$WORK/sdist-install.log"
(
  cd "$WORK"
  sdist-venv/bin/python - <<'EOF'
import aether
from aether.testing import MockServer

with MockServer() as mock:
    profile = mock.create_profile("linkedin")
    post = mock.client().posts.create(profile_id=profile.id, content={"text": "from the sdist"})
    assert post.status in ("scheduled", "publishing", "published"), post.status
    print(f"sdist: aether {aether.__file__}: post {post.id} {post.status}")
EOF
)
echo "python.sh: the sdist built with cargo and works ($((SECONDS - started)) s)"
