#!/usr/bin/env bash
# The Node package (bindings-node/): installs its npm dev tools exactly as package-lock.json
# pins them (from the npm registry), builds the native addon (debug) with @napi-rs/cli into the
# shared target dir, type-checks the typings from an ES module and a CommonJS consumer and the
# examples (tsc --noEmit, strict), then runs `node --test`: the tutorial's TypeScript compiled
# and run against the emulator, examples/node/publish.mjs, the conformance scenarios, every
# upload input kind, abort, errors, event-loop responsiveness, exit and worker termination.
# Run from anywhere; a second run skips the install.
set -euo pipefail
cd "$(dirname "$0")/../../bindings-node"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "FAILED: node and npm are needed (Node >= 18)" >&2
  exit 1
fi
echo "node $(node --version), npm $(npm --version)"

# npm ci wipes and reinstalls node_modules; do it only when the lock file is newer than the
# install (npm records the installed tree in node_modules/.package-lock.json).
if [[ ! -e node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

npm run build
npm run typecheck
npm test

# The conformance scenarios once more over HTTPS (issue 16): the emulator with a generated CA,
# the client trusting it with caBundle. All of them, ~6 s.
AETHER_CONFORMANCE_TLS=1 node --test test/conformance.test.mjs

# And in chaos mode (scripts/test.d/45-chaos.sh says what it is): seed 1, 10 % of the requests.
AETHER_CHAOS_SEED=1 AETHER_CHAOS_RATE=0.10 node --test test/conformance.test.mjs
