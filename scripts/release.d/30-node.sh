#!/usr/bin/env bash
# Node: two npm packages, the napi-rs way.
#   aether-<v>.tgz                 the package `aether`: JavaScript and typings, no binary; its
#                                  optionalDependencies pin aether-linux-x64-gnu to exactly <v>
#   aether-linux-x64-gnu-<v>.tgz   the addon (aether.linux-x64-gnu.node), with os/cpu/libc set so
#                                  npm installs it only on a matching machine
# lib/native.js loads the platform package, else a local build, else says what to do.
# Both are packed from staging folders under target/release-node/ (the repository's
# bindings-node/package.json is the development one: scripts, devDependencies, and no optional
# dependency that `npm ci` would look for on the registry).
# Env (from scripts/release): ROOT, DIST, VERSION, PROFILE (release | dev).
set -euo pipefail
cd "$ROOT"

platform=linux-x64-gnu
stage=$ROOT/target/release-node
rm -rf "$stage"
mkdir -p "$stage/aether" "$stage/$platform"
source "$ROOT/scripts/release.d/zig.bash"

# The addon, linked by zig for glibc 2.17 like the wheel (cargo-zigbuild; a plain build here
# would need the build machine's glibc, 2.34 on Debian 12). The target's `.2.17` suffix is
# cargo-zigbuild's: the glibc to link against. In a target dir of its own: maturin sets up zig
# with other C compiler variables, and in a shared dir each build would make cargo compile ring
# and everything above it again for the other.
started=$SECONDS
build_dir=$CARGO_TARGET_DIR/node-zig
CARGO_TARGET_DIR=$build_dir cargo zigbuild --locked -p aether-node --profile "$CARGO_PROFILE" \
  --target "x86_64-unknown-linux-gnu.$RELEASE_GLIBC"
echo "addon built in $((SECONDS - started)) s"
profile_dir=$([[ $CARGO_PROFILE == dev ]] && echo debug || echo "$CARGO_PROFILE")
addon=$build_dir/x86_64-unknown-linux-gnu/$profile_dir/libaether_node.so
# Debug info is for our own debugging; users get the symbol table, not line tables.
strip --strip-debug -o "$stage/$platform/aether.$platform.node" "$addon"
glibc=$(objdump -T "$stage/$platform/aether.$platform.node" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
if [[ $(printf '%s\n' "${glibc#GLIBC_}" "$RELEASE_GLIBC" | sort -V | tail -n 1) != "$RELEASE_GLIBC" ]]; then
  echo "30-node.sh: aether.$platform.node needs $glibc, more than glibc $RELEASE_GLIBC" >&2
  exit 1
fi
echo "aether.$platform.node needs glibc ${glibc#GLIBC_} or newer"

# The platform package: bindings-node/npm/<platform>/ as it is; its version must be ours.
cp "bindings-node/npm/$platform/package.json" "bindings-node/npm/$platform/README.md" "$stage/$platform/"

# The main package: the files its package.json lists, less any local build of the addon.
cp -r bindings-node/README.md bindings-node/package.json bindings-node/lib "$stage/aether/"
cp bindings-node/index.{js,mjs,d.ts,d.mts} bindings-node/testing.{js,mjs,d.ts,d.mts} "$stage/aether/"

VERSION=$VERSION PLATFORM=$platform STAGE=$stage node - <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const { VERSION, PLATFORM, STAGE } = process.env;
const edit = (dir, change) => {
  const file = path.join(STAGE, dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (pkg.version !== VERSION) {
    throw new Error(`${pkg.name}'s package.json has version ${pkg.version}, the workspace ${VERSION}`);
  }
  change(pkg);
  fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
};
edit(PLATFORM, () => {});
edit('aether', (pkg) => {
  pkg.files = pkg.files.filter((f) => !f.endsWith('.node'));
  pkg.optionalDependencies = { [`aether-${PLATFORM}`]: VERSION };
  delete pkg.scripts;
  delete pkg.devDependencies;
  delete pkg.napi;
});
EOF

rm -f "$DIST/aether-$VERSION.tgz" "$DIST/aether-$platform-$VERSION.tgz"
for dir in aether "$platform"; do
  (cd "$stage/$dir" && npm pack --silent --pack-destination "$DIST" >/dev/null)
done
if tar -tzf "$DIST/aether-$VERSION.tgz" | grep -q '\.node$'; then
  echo "30-node.sh: aether-$VERSION.tgz holds a .node" >&2
  exit 1
fi
ls -l "$DIST/aether-$VERSION.tgz" "$DIST/aether-$platform-$VERSION.tgz"
