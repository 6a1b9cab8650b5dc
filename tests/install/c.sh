#!/usr/bin/env bash
# The C tarball as a C programmer without Rust installs it (issue 19): unpacks
# dist/libaether-<v>-x86_64-linux-gnu.tar.gz into a temp prefix (target/install-check/c) and,
# with PATH_WITHOUT_RUST (set by scripts/test.d/80-release.sh),
#   - checks the library's soname and symlinks, and that no file names the staging folder;
#   - builds examples/c/publish.c through pkg-config (PKG_CONFIG_PATH=<prefix>/lib/pkgconfig)
#     and through CMake's find_package(aether) (shared, and static: aether::aether_static);
#   - starts `aether mock --port 0` from the CLI tarball and runs each build against it,
#     approving the connect link as the end user would, until the post is published.
# What a user does for the loader: the .pc file sets no rpath (none does); link with
# -Wl,-rpath,$(pkg-config --variable=libdir aether), or set LD_LIBRARY_PATH, or unpack into
# /usr/local and run ldconfig. CMake puts the imported library's folder in the build RPATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
started=$SECONDS
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
c_tarball=$root/dist/libaether-$version-x86_64-linux-gnu.tar.gz
cli_tarball=$root/dist/aether-cli-$version-x86_64-linux-gnu.tar.gz
for file in "$c_tarball" "$cli_tarball"; do
  [[ -f $file ]] || { echo "c.sh: $file is missing (scripts/release --dev c cli)" >&2; exit 1; }
done
fail() { echo "c.sh: $*" >&2; exit 1; }

# cmake from the system's packages, installed like 40-c.sh installs its tools (before PATH is
# narrowed: apt-get is not a Rust tool, but keep the order obvious).
if ! command -v cmake >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -qq cmake >/dev/null || { apt-get update -qq && apt-get install -y -qq cmake >/dev/null; }
  else
    fail "cmake is not installed (apt-get install cmake)"
  fi
fi
source "$root/tests/install/without-rust.bash"
export PATH=$PATH_WITHOUT_RUST
! command -v cargo >/dev/null || fail "cargo is still on PATH"

work=$root/target/install-check/c
rm -rf "$work"
mkdir -p "$work/prefix" "$work/cli"
tar -xzf "$c_tarball" -C "$work/prefix" --strip-components=1
tar -xzf "$cli_tarball" -C "$work/cli" --strip-components=1
prefix=$work/prefix

echo "--- the unpacked library"
soname=$(readelf -d "$prefix/lib/libaether.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ $soname == "libaether.so.${version%%.*}" ]] || fail "soname is '$soname', not libaether.so.${version%%.*}"
[[ $(readlink "$prefix/lib/libaether.so.${version%%.*}") == "libaether.so.$version" ]] ||
  fail "lib/libaether.so.${version%%.*} does not point at libaether.so.$version"
[[ $(readlink "$prefix/lib/libaether.so") == "libaether.so.${version%%.*}" ]] ||
  fail "lib/libaether.so does not point at the soname"
for file in include/aether.h lib/libaether.a lib/pkgconfig/aether.pc \
  lib/cmake/aether/aetherConfig.cmake lib/cmake/aether/aetherConfigVersion.cmake; do
  [[ -f $prefix/$file ]] || fail "the tarball has no $file"
done
if grep -rl "release-stage\|$root" "$prefix/lib/pkgconfig" "$prefix/lib/cmake"; then
  fail "the files above name the folder the tarball was made in: not relocatable"
fi
echo "soname $soname, symlinks, header, static library, aether.pc, CMake config: ok"

echo "--- build examples/c/publish.c through pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[[ $(pkg-config --modversion aether) == "$version" ]] || fail "pkg-config says $(pkg-config --modversion aether)"
libdir=$(pkg-config --variable=libdir aether)
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc -std=c99 -Wall -Wextra -Werror examples/c/publish.c $(pkg-config --cflags --libs aether) \
  -Wl,-rpath,"$libdir" -o "$work/publish-pkg-config"
# needs PROGRAM: its NEEDED libraries (captured first: grep -q ending a pipe early under
# pipefail would fail the pipe).
needs() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
grep -qx "$soname" <<<"$(needs "$work/publish-pkg-config")" || fail "publish (pkg-config) does not need $soname"

echo "--- build examples/c/publish.c through CMake find_package(aether ${version%.*})"
cmake -S tests/install/c-cmake -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
  -DAETHER_FIND_VERSION="${version%.*}" -DAETHER_EXAMPLE="$root/examples/c/publish.c" >/dev/null
cmake --build "$work/cmake" >/dev/null
grep -qx "$soname" <<<"$(needs "$work/cmake/publish")" || fail "publish (CMake) does not need $soname"
if grep -q libaether <<<"$(needs "$work/cmake/publish_static")"; then
  fail "publish_static (CMake, aether::aether_static) needs the shared library"
fi
echo "built in $((SECONDS - started)) s"

echo "--- aether mock from the CLI tarball"
mock_line=$work/mock.json
: >"$mock_line"
"$work/cli/bin/aether" mock --port 0 --processing-ms 200 >"$mock_line" 2>"$work/mock.log" &
mock_pid=$!
trap 'kill $mock_pid 2>/dev/null || true; wait $mock_pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  [[ -s $mock_line ]] && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.log" >&2; fail "aether mock exited"; }
  sleep 0.05
done
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$mock_line"; }
url=$(field url)
[[ -n $url ]] || fail "aether mock printed no URL"
echo "$url"

# run_publish NAME PROGRAM: runs the example against the emulator, approves its connect link
# on the emulator's hosted page (no redirect followed), and expects "published".
run_publish() {
  local name=$1 program=$2 output=$work/$1.out link=""
  (
    export AETHER_API_KEY=$(field apiKey) AETHER_BASE_URL=$url
    "$program" tests/fixtures/media/h264_15s.mp4 >"$output" 2>&1
  ) &
  local pid=$!
  for _ in $(seq 200); do
    link=$(sed -n 's/^connect link: //p' "$output" 2>/dev/null || true)
    [[ -n $link ]] && break
    sleep 0.05
  done
  [[ -n $link ]] || { kill "$pid"; cat "$output" >&2; fail "$name printed no connect link"; }
  python3 - "$link" <<'PY'
import sys, urllib.parse, http.client
url = urllib.parse.urlsplit(sys.argv[1])
query = (url.query + "&" if url.query else "") + "approve=1"
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
connection.request("GET", f"{url.path}?{query}")
status = connection.getresponse().status
if status != 302:
    sys.exit(f"approving the connect link answered {status}, not 302")
PY
  wait "$pid" || { cat "$output" >&2; fail "$name failed against $url"; }
  grep -qx 'published' "$output" || { cat "$output" >&2; fail "$name did not print 'published'"; }
  echo "$name: $(tr '\n' ' ' <"$output" | cut -c1-160)…"
}
run_publish publish-pkg-config "$work/publish-pkg-config"
run_publish publish-cmake "$work/cmake/publish"
run_publish publish-cmake-static "$work/cmake/publish_static"
echo "c.sh: ok ($((SECONDS - started)) s)"
