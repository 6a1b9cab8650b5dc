// lib/native.js, the loader of the native addon, as an installed package sees it: the platform
// package (aether-linux-x64-gnu, an optional dependency) first, else a local build, else an
// error that says which platform, architecture and libc it looked for and what to do. Each
// test lays out a package folder in a scratch dir with a copy of the real loader (and the real
// addon where one is found) and loads it in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { packageDir, runNode, scratchDir } from './helpers.mjs';

const libc = process.platform === 'linux'
  ? (process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl')
  : undefined;
const triple = process.platform === 'linux'
  ? `linux-${process.arch}-${libc === 'musl' ? 'musl' : 'gnu'}`
  : process.platform === 'win32' ? `win32-${process.arch}-msvc` : `${process.platform}-${process.arch}`;
const platformPackage = `aether-${triple}`;
const addon = path.join(packageDir, 'aether.node');

/** A project with node_modules/aether/lib/native.js (the real loader) and nothing else. */
function project() {
  const dir = scratchDir('aether-loader-test-');
  const pkg = path.join(dir, 'node_modules', 'aether');
  fs.mkdirSync(path.join(pkg, 'lib'), { recursive: true });
  fs.copyFileSync(path.join(packageDir, 'lib', 'native.js'), path.join(pkg, 'lib', 'native.js'));
  return { dir, pkg };
}

/** Installs a platform package holding `file` as its .node into the project. */
function installPlatformPackage(dir, file) {
  const pkg = path.join(dir, 'node_modules', platformPackage);
  fs.mkdirSync(pkg, { recursive: true });
  const main = `aether.${triple}.node`;
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: platformPackage, version: '0.0.0', main }));
  fs.copyFileSync(file, path.join(pkg, main));
}

const loadScript = `
  const native = require('aether/lib/native.js');
  console.log(typeof native.startMockServer, typeof native.CancelToken);
`;

test('neither the platform package nor a local build: the error names platform, arch, libc and the fixes', async () => {
  const { dir } = project();
  const result = await runNode(['-e', loadScript], { cwd: dir });
  assert.notEqual(result.code, 0, result.stdout);
  const message = result.stderr;
  assert.match(message, /the native part of the aether package is missing/);
  assert.ok(message.includes(`platform ${process.platform}`), message);
  assert.ok(message.includes(`architecture ${process.arch}`), message);
  if (libc) assert.ok(message.includes(`libc ${libc}`), message);
  assert.ok(message.includes(`npm install ${platformPackage}`), message);
  assert.ok(message.includes('npm run build'), message);
});

test('the platform package is loaded, before a local build', async () => {
  const { dir, pkg } = project();
  installPlatformPackage(dir, addon);
  // A local "build" that is not an addon: loading it would fail, so success means the package won.
  fs.writeFileSync(path.join(pkg, 'aether.node'), 'not an addon');
  const result = await runNode(['-e', loadScript], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'function function');
});

test('without the platform package, the local build next to the package is loaded', async () => {
  const { dir, pkg } = project();
  fs.copyFileSync(addon, path.join(pkg, 'aether.node'));
  const result = await runNode(['-e', loadScript], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'function function');
});

test('a platform package that cannot be loaded is reported as such, not as missing', async () => {
  const { dir } = project();
  const broken = path.join(dir, 'broken.node');
  fs.writeFileSync(broken, 'not an addon');
  installPlatformPackage(dir, broken);
  const result = await runNode(['-e', loadScript], { cwd: dir });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, new RegExp(`\\(${platformPackage}, .*\\) could not be loaded on platform ${process.platform}`));
});
