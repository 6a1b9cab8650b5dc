#!/usr/bin/env bash
# `aether mcp` with the official MCP Python SDK (issue 21): installs `mcp` (pinned, from PyPI)
# and pytest into target/mcp-venv when missing, builds the CLI (debug), starts the emulator
# (`aether mock`, port 0) and runs tests/mcp/test_mcp.py: tools listed, a file validated, a
# write refused without --allow-writes, then a post created and waited for; over stdio and over
# streamable HTTP. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=$TARGET/mcp-venv
MCP_VERSION=2.3.0
PYTEST_VERSION=8.4.2

if [[ ! -x $VENV/bin/pytest ]] || ! "$VENV/bin/python" -c "import mcp" 2>/dev/null \
  || [[ $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("mcp"))') != "$MCP_VERSION" ]]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "mcp==$MCP_VERSION" "pytest==$PYTEST_VERSION"
fi

# The debug build the test steps share (see scripts/build-debug): a no-op after them.
scripts/build-debug
AETHER_BIN=$TARGET/debug/aether

ready=$(mktemp)
"$AETHER_BIN" mock --port 0 --processing-ms 200 >"$ready" 2>/dev/null &
mock=$!
trap 'kill $mock 2>/dev/null || true; wait $mock 2>/dev/null || true; rm -f "$ready"' EXIT
for _ in $(seq 100); do
  [[ -s $ready ]] && break
  sleep 0.1
done
line=$(head -n 1 "$ready")
field() { "$VENV/bin/python" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$line" "$1"; }

AETHER_BIN=$AETHER_BIN \
AETHER_MCP_BASE_URL=$(field url) \
AETHER_MCP_API_KEY=$(field apiKey) \
AETHER_MCP_ADMIN_TOKEN=$(field adminToken) \
  "$VENV/bin/pytest" -q -p no:cacheprovider tests/mcp/test_mcp.py
