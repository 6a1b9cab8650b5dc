#!/usr/bin/env bash
# Python bindings: installs the package the way users do — `pip install ./bindings-python`,
# through maturin's PEP 517 backend — into target/py-venv, then runs mypy (strict: the package,
# its tests, the example) and pytest (bindings-python/tests, against the embedded emulator).
#
# Two differences from a user's install, both for speed: the dev profile (the workspace's
# target dir is shared, so what `cargo test` built is reused; a release build takes minutes),
# with the debug info stripped (it makes a 150 MB wheel otherwise), and no build isolation
# (maturin is pinned in the venv instead of being installed into a fresh one on every run).
set -euo pipefail
cd "$(dirname "$0")/../.."

MATURIN_VERSION=1.16.0
PYTEST_VERSION=9.2.0
MYPY_VERSION=2.4.1
# test_model_spec.py reads spec/openapi.yaml; the stubs are for mypy --strict.
PYYAML_VERSION=6.0.3
TYPES_PYYAML_VERSION=6.0.12.20261122
# tests/test_steer.py: calls carry the current OpenTelemetry span (an optional dependency of
# the package; the same tests check that nothing breaks without it).
OTEL_VERSION=1.45.2
# bindings-python/fuzz/fuzz_api.py: the API's argument handling under a coverage-guided fuzzer.
ATHERIS_VERSION=3.0.0
VENV=$PWD/target/py-venv

[[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
installed=$("$VENV/bin/python" -m pip freeze --disable-pip-version-check 2>/dev/null || true)
for pin in "maturin==$MATURIN_VERSION" "pytest==$PYTEST_VERSION" "mypy==$MYPY_VERSION" \
  "PyYAML==$PYYAML_VERSION" "types-PyYAML==$TYPES_PYYAML_VERSION" \
  "opentelemetry-api==$OTEL_VERSION" "opentelemetry-sdk==$OTEL_VERSION" \
  "atheris==$ATHERIS_VERSION"; do
  if ! grep -qx "$pin" <<<"$installed"; then
    echo "installing $pin into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$pin"
  fi
done

export PATH="$VENV/bin:$PATH"
export CARGO_TARGET_DIR="$PWD/target"
echo "pip install ./bindings-python (dev profile)"
MATURIN_PEP517_ARGS="--profile dev --strip" "$VENV/bin/python" -m pip install --quiet \
  --disable-pip-version-check --no-build-isolation --no-deps --force-reinstall ./bindings-python

cd bindings-python
echo "mypy (strict)"
"$VENV/bin/mypy"
echo "pytest"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider
# The conformance scenarios once more over HTTPS (issue 16): the emulator with a generated CA,
# the client trusting it with ca_bundle. All of them, ~45 s.
echo "pytest: conformance over HTTPS"
AETHER_CONFORMANCE_TLS=1 "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/test_conformance.py
# Every refusal of the API a typed error, whatever the arguments (issue 20): a short run of the
# atheris harness; a longer one is described at the top of the file.
echo "atheris: the API's argument handling (${AETHER_PY_FUZZ_SECONDS:-20} s)"
log=$(mktemp)
mkdir -p ../target/py-fuzz-artifacts
if ! "$VENV/bin/python" fuzz/fuzz_api.py -max_total_time="${AETHER_PY_FUZZ_SECONDS:-20}" \
  -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix=../target/py-fuzz-artifacts/ >"$log" 2>&1; then
  grep -vE '^#[0-9]+' "$log" | tail -n 80 >&2
  echo "atheris: the input is in target/py-fuzz-artifacts/ (replay: give its path to fuzz_api.py)" >&2
  rm -f "$log"
  exit 1
fi
grep -E '^#[0-9]+|^stat::number_of_executed_units' "$log" | tail -n 2
rm -f "$log"

# And in chaos mode (scripts/test.d/45-chaos.sh says what it is): seed 1, 10 % of the requests.
echo "pytest: conformance in chaos mode"
AETHER_CHAOS_SEED=1 AETHER_CHAOS_RATE=0.10 "$VENV/bin/python" -m pytest -q -p no:cacheprovider \
  tests/test_conformance.py
