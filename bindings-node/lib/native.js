'use strict';
// Loads the native addon, in this order (the napi-rs convention):
//   1. the platform package, e.g. `aether-linux-x64-gnu` — an optional dependency of the
//      published `aether` package; npm installs the one whose os/cpu/libc match this machine;
//   2. a local build next to this package: aether.node (`npm run build`, how the repository's
//      tests run), or a platform-named aether.<platform>-<arch>[-gnu|-musl].node;
//   3. else an Error naming the platform, the architecture and the libc, and what to do.
const path = require('node:path');
const fs = require('node:fs');

/** 'glibc' or 'musl' on Linux (what npm's `libc` field matches), else undefined. */
function libc() {
  if (process.platform !== 'linux') return undefined;
  try {
    return process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
  } catch {
    return 'glibc';
  }
}

/** The platform part of the names: linux-x64-gnu, linux-arm64-musl, darwin-arm64, win32-x64-msvc. */
function platformTriple() {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${libc() === 'musl' ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function load() {
  const triple = platformTriple();
  const packageName = `aether-${triple}`;
  // 1. The platform package. Not installed: go on; installed but not loadable (a glibc too old,
  // a corrupt file): that is the error to report, not "not found".
  let packageEntry;
  try {
    packageEntry = require.resolve(packageName);
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
  }
  if (packageEntry !== undefined) {
    try {
      return require(packageEntry);
    } catch (err) {
      throw new Error(
        `the native part of the aether package (${packageName}, ${packageEntry}) could not be loaded ` +
          `on ${describe()}: ${err.message}`,
        { cause: err },
      );
    }
  }
  // 2. A local build.
  const root = path.join(__dirname, '..');
  const local = ['aether.node', `aether.${triple}.node`].map((name) => path.join(root, name));
  for (const file of local) {
    if (fs.existsSync(file)) return require(file);
  }
  throw new Error(
    `the native part of the aether package is missing for ${describe()}: ` +
      `the package ${packageName} is not installed and there is no local build (${local.join(', ')}). ` +
      `Install the optional dependency (\`npm install ${packageName}\`; it is skipped by ` +
      '`--no-optional`/`--omit=optional` and by lock files made on another platform), or build ' +
      'the addon from source: in a checkout of the repository, `cd bindings-node && npm install && ' +
      'npm run build` (needs a Rust toolchain).',
  );
}

/** e.g. "platform linux, architecture x64, libc glibc". */
function describe() {
  const c = libc();
  return `platform ${process.platform}, architecture ${process.arch}${c ? `, libc ${c}` : ''}`;
}

module.exports = load();
