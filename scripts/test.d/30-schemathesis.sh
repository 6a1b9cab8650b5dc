#!/usr/bin/env bash
# Property-based contract test: schemathesis generates requests from spec/openapi.yaml and
# checks the emulator's answers against the same file, so spec and server cannot drift.
# Bounded: a fixed number of examples per operation, a fixed seed, loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
VENV=target/py-tools
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-25}

[[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
installed=$("$VENV/bin/python" -c \
  'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)
if [[ $installed != "$SCHEMATHESIS_VERSION" ]]; then
  echo "installing schemathesis==$SCHEMATHESIS_VERSION into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION"
fi

scripts/build-debug
out=$(mktemp)
target/debug/aether-mock --port 0 --api-key sk_schemathesis --processing-ms 100 >"$out" 2>/dev/null &
mock_pid=$!
trap 'kill $mock_pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do [[ -s $out ]] && break; sleep 0.05; done
url=$("$VENV/bin/python" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["url"])' "$out")
echo "emulator at $url"

"$VENV/bin/schemathesis" run spec/openapi.yaml \
  --url "$url" \
  --header "Authorization: Bearer sk_schemathesis" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" \
  --seed 1 \
  --no-color
