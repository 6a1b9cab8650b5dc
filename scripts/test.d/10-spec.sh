#!/usr/bin/env bash
# Validates spec/openapi.yaml (the machine-readable PROTOCOL.md) as OpenAPI 3.1 with
# openapi-spec-validator, installed once into a venv under target/. Run from the repository root
# (scripts/test does); a second run skips the install.
set -euo pipefail
cd "$(dirname "$0")/../.."

VALIDATOR_VERSION=0.9.0
VENV=target/py-tools
SPEC=spec/openapi.yaml

if [[ ! -x $VENV/bin/python ]]; then
  echo "creating $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
fi

installed=$("$VENV/bin/python" -c \
  'import importlib.metadata as m; print(m.version("openapi-spec-validator"))' 2>/dev/null || true)
if [[ $installed != "$VALIDATOR_VERSION" ]]; then
  echo "installing openapi-spec-validator==$VALIDATOR_VERSION into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "openapi-spec-validator==$VALIDATOR_VERSION"
fi

# The CLI prints "OK" or the errors; check the exit status ourselves so failure is loud.
if ! "$VENV/bin/openapi-spec-validator" --schema 3.1 "$SPEC"; then
  echo "FAILED: $SPEC is not a valid OpenAPI 3.1 document" >&2
  exit 1
fi
echo "$SPEC: valid OpenAPI 3.1 (openapi-spec-validator $VALIDATOR_VERSION)"
