#!/usr/bin/env bash
# Installs libaether for C and C++ programs:
#   bindings-c/install.sh PREFIX [debug|release]      (default: release)
# gives PREFIX/include/aether.h, PREFIX/lib/libaether.so.<version> (soname libaether.so.<major>,
# with the symlinks libaether.so.<major> and libaether.so), PREFIX/lib/libaether.a,
# PREFIX/lib/pkgconfig/aether.pc and PREFIX/lib/cmake/aether/aetherConfig*.cmake. Both config
# files find the prefix relative to their own location, so the tree can be moved or packed
# (scripts/release.d/40-c.sh makes the C tarball from it). Build the library first:
#   cargo build -p aether-c --release
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
prefix=${1:?usage: bindings-c/install.sh PREFIX [debug|release]}
profile=${2:-release}
target_dir=${CARGO_TARGET_DIR:-$root/target}
lib_dir="$target_dir/$profile"
for file in libaether.so libaether.a; do
  [[ -f $lib_dir/$file ]] || { echo "install.sh: $lib_dir/$file is missing; run: cargo build -p aether-c $([[ $profile == release ]] && echo --release)" >&2; exit 1; }
done

version=$(sed -n 's/^#define AETHER_VERSION_STRING "\(.*\)"$/\1/p' "$root/include/aether.h")
[[ -n $version ]] || { echo "install.sh: no AETHER_VERSION_STRING in include/aether.h" >&2; exit 1; }
prefix=$(mkdir -p "$prefix" && cd "$prefix" && pwd)

mkdir -p "$prefix/include" "$prefix/lib/pkgconfig" "$prefix/lib/cmake/aether"
install -m 644 "$root/include/aether.h" "$prefix/include/aether.h"
install -m 755 "$lib_dir/libaether.so" "$prefix/lib/libaether.so.$version"
soname=libaether.so.${version%%.*}
ln -sfn "libaether.so.$version" "$prefix/lib/$soname"
ln -sfn "$soname" "$prefix/lib/libaether.so"
install -m 644 "$lib_dir/libaether.a" "$prefix/lib/libaether.a"
fill() {
  sed -e "s|@VERSION@|$version|g" -e "s|@SONAME@|$soname|g" \
      -e "s|@VERSION_MAJOR_MINOR@|${version%.*}|g" "$1" > "$2"
}
fill "$here/aether.pc.in" "$prefix/lib/pkgconfig/aether.pc"
fill "$here/cmake/aetherConfig.cmake.in" "$prefix/lib/cmake/aether/aetherConfig.cmake"
fill "$here/cmake/aetherConfigVersion.cmake.in" "$prefix/lib/cmake/aether/aetherConfigVersion.cmake"
echo "installed libaether $version to $prefix"
