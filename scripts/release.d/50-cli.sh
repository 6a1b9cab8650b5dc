#!/usr/bin/env bash
# The CLI tarball, dist/aether-cli-<v>-x86_64-linux-gnu.tar.gz, under one top folder
# aether-cli-<v>-x86_64-linux-gnu/ with
#   bin/aether
#   completions/aether.bash, completions/_aether (zsh), completions/aether.fish
#   man/man1/aether.1 and a page per subcommand (aether-post.1, …)
#   README.md, LICENSE
# Completions and man pages come from the binary itself (`aether completions SHELL`, the hidden
# `aether man DIR`: clap_complete and clap_mangen over the clap definition), so they match
# its --help.
# Env (from scripts/release): ROOT, DIST, VERSION, PROFILE (release|dev).
set -euo pipefail
cd "$ROOT"
started=$SECONDS
name=aether-cli-$VERSION-x86_64-linux-gnu
if [[ $PROFILE == release ]]; then
  cargo build --locked --quiet --release -p aether-cli --bin aether
  binary=target/release/aether
else
  # The debug build the test steps share (see scripts/build-debug): a no-op after them.
  scripts/build-debug
  binary=target/debug/aether
fi
reported=$("$binary" --version)
if [[ $reported != "aether $VERSION "* ]]; then
  echo "50-cli.sh: aether --version says '$reported', the workspace $VERSION" >&2
  exit 1
fi

stage=$ROOT/target/release-stage/cli
top=$stage/$name
rm -rf "$stage"
mkdir -p "$top/bin" "$top/completions" "$top/man/man1"
install -m 755 "$binary" "$top/bin/aether"
"$binary" completions bash >"$top/completions/aether.bash"
"$binary" completions zsh >"$top/completions/_aether"
"$binary" completions fish >"$top/completions/aether.fish"
"$binary" man "$top/man/man1" 2>/dev/null
cp cli/README.md "$top/README.md"
cp LICENSE "$top/LICENSE"

mtime=$(git log -1 --format=%cI 2>/dev/null || echo 2026-01-01T00:00:00Z)
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" \
  -cf - "$name" | gzip -n >"$DIST/$name.tar.gz"
echo "$name.tar.gz ($(du -h "$DIST/$name.tar.gz" | cut -f1), $(find "$top/man/man1" -type f | wc -l) man pages, $((SECONDS - started)) s)"
