'use strict';
// Loads the native addon built by `npm run build` (napi build → aether.node), or a
// platform-named one (aether.<platform>-<arch>[-gnu|-musl].node) when packaged per platform.
const path = require('node:path');
const fs = require('node:fs');

function candidates() {
  const root = path.join(__dirname, '..');
  const names = ['aether.node'];
  const { platform, arch } = process;
  if (platform === 'linux') {
    const musl = (() => {
      try {
        return !process.report.getReport().header.glibcVersionRuntime;
      } catch {
        return false;
      }
    })();
    names.push(`aether.linux-${arch}-${musl ? 'musl' : 'gnu'}.node`);
  } else {
    names.push(`aether.${platform}-${arch}.node`);
  }
  return names.map((name) => path.join(root, name));
}

function load() {
  const tried = candidates();
  for (const file of tried) {
    if (fs.existsSync(file)) return require(file);
  }
  throw new Error(
    `the native part of the aether package was not found (looked for ${tried.join(', ')}); ` +
      'run `npm run build` in the package folder',
  );
}

module.exports = load();
