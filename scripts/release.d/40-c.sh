#!/usr/bin/env bash
# The C tarball, dist/libaether-<v>-x86_64-linux-gnu.tar.gz: bindings-c/install.sh into a
# staging prefix, packed under one top folder libaether-<v>-x86_64-linux-gnu/ with
#   include/aether.h
#   lib/libaether.so.<v> (soname libaether.so.0; symlinks libaether.so.0 and libaether.so)
#   lib/libaether.a
#   lib/pkgconfig/aether.pc          (prefix=${pcfiledir}/../..: relocatable)
#   lib/cmake/aether/aetherConfig.cmake, aetherConfigVersion.cmake (aether::aether,
#                                     aether::aether_static, found relative to themselves)
#   README.md, LICENSE
# Env (from scripts/release): ROOT, DIST, VERSION, PROFILE (release|dev).
set -euo pipefail
cd "$ROOT"
started=$SECONDS
name=libaether-$VERSION-x86_64-linux-gnu
if [[ $PROFILE == release ]]; then
  cargo build --locked --quiet --release -p aether-c
  profile_dir=release
else
  # The debug build the test steps share (see scripts/build-debug): a no-op after them.
  scripts/build-debug
  profile_dir=debug
fi

header_version=$(sed -n 's/^#define AETHER_VERSION_STRING "\(.*\)"$/\1/p' include/aether.h)
if [[ $header_version != "$VERSION" ]]; then
  echo "40-c.sh: include/aether.h says $header_version, the workspace $VERSION" >&2
  exit 1
fi

stage=$ROOT/target/release-stage/c
rm -rf "$stage"
mkdir -p "$stage"
bindings-c/install.sh "$stage/$name" "$profile_dir" >/dev/null
cp bindings-c/README.md "$stage/$name/README.md"
cp LICENSE "$stage/$name/LICENSE"
soname=$(readelf -d "$stage/$name/lib/libaether.so.$VERSION" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [[ $soname != "libaether.so.${VERSION%%.*}" ]]; then
  echo "40-c.sh: libaether.so.$VERSION has soname '$soname', not libaether.so.${VERSION%%.*}" >&2
  exit 1
fi
# Reproducible: sorted names, fixed owner and time (the commit's), so SHA256SUMS only changes
# with the content.
mtime=$(git log -1 --format=%cI 2>/dev/null || echo 2026-01-01T00:00:00Z)
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" \
  -cf - "$name" | gzip -n >"$DIST/$name.tar.gz"
echo "$name.tar.gz ($(du -h "$DIST/$name.tar.gz" | cut -f1), $((SECONDS - started)) s)"
