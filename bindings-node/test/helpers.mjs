// Shared by the tests: paths, an emulator per test file, scratch files, child processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MockServer } from 'aether/testing';

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.resolve(packageDir, '..');
export const fixturesDir = path.join(repoDir, 'tests', 'fixtures', 'media');
export const examplesDir = path.join(repoDir, 'examples', 'node');

/** A fixture video (20 s H.264/AAC MP4, 31 497 bytes). */
export const VIDEO = path.join(fixturesDir, 'h264_aac_faststart.mp4');

/** Starts an emulator for a test file; resolves with it and a client of it. */
export async function startMock(options) {
  const mock = await MockServer.start(options);
  return { mock, aether: mock.client() };
}

/** A fresh scratch directory, removed when the process exits. */
export function scratchDir(prefix = 'aether-node-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `node` with these arguments; resolves with { code, signal, stdout, stderr, ms }. */
export function runNode(args, { env = {}, cwd = packageDir, timeoutMs = 60_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.end(input ?? '');
  });
}

/** Links examples/node/node_modules/aether to this package, as `npm install` would. */
export function linkExamples() {
  const modules = path.join(examplesDir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  const link = path.join(modules, 'aether');
  const target = path.relative(modules, packageDir);
  try {
    if (fs.readlinkSync(link) === target) return;
    fs.rmSync(link, { force: true });
  } catch {
    fs.rmSync(link, { recursive: true, force: true });
  }
  fs.symlinkSync(target, link, 'dir');
}

/** Collects an async iterable. */
export async function collect(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}
