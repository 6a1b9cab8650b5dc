#!/usr/bin/env bash
# The npm packages as users install them (run by scripts/test.d/80-release.sh after
# `scripts/release --dev`), with cargo, rustc and rustup off PATH (PATH_WITHOUT_RUST): an empty
# project installs dist/aether-<v>.tgz and dist/aether-linux-x64-gnu-<v>.tgz (plus typescript
# and @types/node at the versions bindings-node pins), then
#   - compiles the tutorial's TypeScript (examples/node/tutorial.ts, copied in) with tsc, strict,
#     and runs it against the emulator of the installed `aether/testing`;
#   - runs examples/node/publish.mjs (copied in), which starts that emulator itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
source "$ROOT/tests/install/without-rust.bash"
export PATH=$PATH_WITHOUT_RUST
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
pinned() { node -p "require('./bindings-node/package.json').devDependencies['$1']"; }
TYPESCRIPT_VERSION=$(pinned typescript)
TYPES_NODE_VERSION=$(pinned @types/node)
WORK=$ROOT/target/install-check/node
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

started=$SECONDS
cat >package.json <<'EOF'
{ "name": "aether-install-check", "private": true, "type": "module" }
EOF
# --prefer-offline: typescript and @types/node come from npm's cache when it has them.
npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "$ROOT/dist/aether-$VERSION.tgz" "$ROOT/dist/aether-linux-x64-gnu-$VERSION.tgz" \
  "typescript@$TYPESCRIPT_VERSION" "@types/node@$TYPES_NODE_VERSION"
echo "node.sh: npm install ($((SECONDS - started)) s)"
# The addon must be the platform package's: the main package carries none.
node -e '
  const path = require("node:path");
  const fs = require("node:fs");
  const main = path.dirname(require.resolve("aether/package.json"));
  const nodes = fs.readdirSync(main, { recursive: true }).filter((f) => f.endsWith(".node"));
  if (nodes.length) throw new Error(`the aether package holds ${nodes}`);
  console.log(`addon: ${require.resolve("aether-linux-x64-gnu")}`);
'

started=$SECONDS
cp "$ROOT/examples/node/tutorial.ts" "$ROOT/examples/node/publish.mjs" "$ROOT/tests/install/tutorial_driver.mjs" .
# examples/node/tsconfig.json's options, for a project with its own node_modules.
cat >tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "es2022",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "strict": true,
    "useUnknownInCatchVariables": false,
    "outDir": "build",
    "rootDir": ".",
    "types": ["node"]
  },
  "files": ["tutorial.ts"]
}
EOF
node_modules/.bin/tsc -p .
node tutorial_driver.mjs "$ROOT/tests/fixtures/media/h264_aac_faststart.mp4"
echo "node.sh: the tutorial compiled with tsc and ran ($((SECONDS - started)) s)"

started=$SECONDS
out=$(env -u AETHER_API_KEY -u AETHER_BASE_URL node publish.mjs "$ROOT/tests/fixtures/media/h264_15s.mp4")
echo "$out"
for line in '^media: org_mock/' '^status: published$' '^tiktok: published https:'; do
  grep -Eq "$line" <<<"$out" || { echo "node.sh: publish.mjs printed no line matching $line" >&2; exit 1; }
done
echo "node.sh: publish.mjs published ($((SECONDS - started)) s)"
