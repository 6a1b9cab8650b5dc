#!/usr/bin/env bash
# The CLI tarball as a user without Rust installs it (issue 19): unpacks
# dist/aether-cli-<v>-x86_64-linux-gnu.tar.gz into target/install-check/cli and, with
# PATH_WITHOUT_RUST (set by scripts/test.d/80-release.sh) plus the unpacked bin/,
#   - runs `aether --version` and `aether demo --json` (the tutorial against the embedded
#     emulator) from PATH;
#   - loads completions/aether.bash into bash and completes `aether po` and `aether post --dr`;
#   - renders man/man1/aether.1 and aether-post.1 with `man -l` (when man is installed).
# What a user does: put bin/ on PATH, copy completions/aether.bash to
# ~/.local/share/bash-completion/completions/aether (_aether into $fpath, aether.fish into
# ~/.config/fish/completions/), and add man/ to MANPATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
started=$SECONDS
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
tarball=$root/dist/aether-cli-$version-x86_64-linux-gnu.tar.gz
fail() { echo "cli.sh: $*" >&2; exit 1; }
[[ -f $tarball ]] || fail "$tarball is missing (scripts/release --dev cli)"
source "$root/tests/install/without-rust.bash"
work=$root/target/install-check/cli
rm -rf "$work"
mkdir -p "$work"
tar -xzf "$tarball" -C "$work" --strip-components=1
export PATH=$work/bin:$PATH_WITHOUT_RUST
! command -v cargo >/dev/null || fail "cargo is still on PATH"
for file in completions/aether.bash completions/_aether completions/aether.fish \
  man/man1/aether.1 man/man1/aether-post.1 README.md LICENSE; do
  [[ -s $work/$file ]] || fail "the tarball has no $file"
done

[[ $(command -v aether) == "$work/bin/aether" ]] || fail "aether on PATH is $(command -v aether)"
reported=$(aether --version)
[[ $reported == "aether $version "* ]] || fail "aether --version says '$reported'"
echo "$reported"

aether demo --json >"$work/demo.json" 2>"$work/demo.err" || { cat "$work/demo.err" >&2; fail "aether demo failed"; }
python3 - "$work/demo.json" <<'PY'
import json, sys
demo = json.load(open(sys.argv[1]))
codes = sorted({error["code"] for error in demo["errors"]})
expected = ["CAPTION_TOO_LONG", "POST_LIMIT_REACHED", "VIDEO_TOO_SHORT"]
if codes != expected:
    sys.exit(f"aether demo --json: error codes {codes}, expected {expected}")
print(f"aether demo --json: {', '.join(codes)} in {demo['elapsedMs']} ms")
PY

# Completion as bash runs it: COMP_WORDS/COMP_CWORD set, the registered function called.
completions=$(bash --norc --noprofile -c '
  source "$1"
  complete_line() {
    read -ra COMP_WORDS <<<"$1"
    [[ $1 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$1 COMP_POINT=${#1}
    COMPREPLY=()
    "$(complete -p aether | sed -n "s/.*-F \([^ ]*\).*/\1/p")" aether "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo "${COMPREPLY[*]}"
  }
  complete_line "aether po"
  complete_line "aether post --dr"
' bash "$work/completions/aether.bash")
echo "bash completion: $(tr '\n' '|' <<<"$completions")"
grep -qw post <<<"$(sed -n 1p <<<"$completions")" || fail "bash does not complete 'aether po' to post"
grep -qw -- --draft <<<"$(sed -n 2p <<<"$completions")" || fail "bash does not complete 'aether post --dr' to --draft"

# man-db drops bold and underline when its output is not a terminal; the sed drops any
# overstrike left anyway.
render() { MANWIDTH=100 man -l "$work/man/man1/$1.1" 2>/dev/null | sed 's/.\x08//g'; }
if command -v man >/dev/null; then
  for page in aether aether-post; do
    text=$(render "$page")
    grep -q "SYNOPSIS" <<<"$text" || fail "man -l $page.1 shows no SYNOPSIS"
  done
  grep -q -- "--draft" <<<"$text" || fail "aether-post.1 does not document --draft"
  echo "man pages: aether.1, aether-post.1 render"
else
  echo "man pages: not rendered (man is not installed)"
fi
echo "cli.sh: ok ($((SECONDS - started)) s)"
