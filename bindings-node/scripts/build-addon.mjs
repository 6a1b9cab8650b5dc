// Builds the native addon with cargo into the workspace's shared target dir and copies it to
// aether.node. `napi build` always passes --target, which puts the build under
// target/<triple>/ and compiles every dependency a second time (minutes and ~1.4 GB on a clean
// machine); the crate's build.rs (napi-build) already sets the link flags a plain cargo build
// needs. `--release` builds the optimised addon.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const release = process.argv.includes('--release');

const cargo = (args, options = {}) =>
  execFileSync(process.env.CARGO ?? 'cargo', args, { cwd: packageDir, ...options });

cargo(['build', '--locked', '-p', 'aether-node', ...(release ? ['--release'] : [])], {
  stdio: 'inherit',
});

const metadata = JSON.parse(
  cargo(['metadata', '--format-version', '1', '--no-deps', '--locked'], { encoding: 'utf8' }),
);
const libraryName = {
  darwin: 'libaether_node.dylib',
  win32: 'aether_node.dll',
}[process.platform] ?? 'libaether_node.so';
const built = path.join(metadata.target_directory, release ? 'release' : 'debug', libraryName);
const addon = path.join(packageDir, 'aether.node');
// Replace rather than overwrite: a process that still has the old addon mapped keeps its copy.
rmSync(addon, { force: true });
copyFileSync(built, addon);
console.log(`built ${path.relative(packageDir, addon)} from ${built}`);
