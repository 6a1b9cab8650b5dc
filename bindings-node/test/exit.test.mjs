// The process ends when the work is done, survives exiting with work pending, and survives
// worker threads that use the addon being terminated mid-call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import { runNode, scratchDir, VIDEO } from './helpers.mjs';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function assertClean(result, code = 0) {
  const output = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  assert.equal(result.signal, null, `killed by ${result.signal}\n${output}`);
  assert.equal(result.code, code, output);
  assert.doesNotMatch(result.stderr, /panick|fatal|Segmentation|Abort|FATAL|napi_/i, output);
}

/** A TMPDIR for a child, and a check that its emulators left nothing in it. */
function tmp() {
  const dir = scratchDir();
  return { env: { TMPDIR: dir }, assertEmpty: () => assert.deepEqual(fs.readdirSync(dir), [], 'the emulator removed its temp dir') };
}

test('the process exits by itself as soon as the work is done', async () => {
  const t = tmp();
  const result = await runNode([path.join(fixtures, 'exit-natural.mjs'), VIDEO], { timeoutMs: 20_000, env: t.env });
  assertClean(result);
  t.assertEmpty();
  const [, , doneAt] = result.stdout.trim().split(' ');
  const lingered = result.ms - Number(doneAt);
  assert.ok(lingered < 1500, `the process lingered ${lingered.toFixed(0)} ms after its last line`);
});

test('process.exit with an upload, a wait, a watch and a request pending does not crash', async () => {
  for (const code of [0, 3]) {
    const t = tmp();
    const result = await runNode([path.join(fixtures, 'exit-pending.mjs'), VIDEO, String(code)], { timeoutMs: 20_000, env: t.env });
    assertClean(result, code);
    t.assertEmpty();
    assert.match(result.stdout, /exiting with work pending/);
  }
});

test('a pending call keeps the process alive until it settles, then it ends', async () => {
  const script = `
    import { MockServer } from 'aether/testing';
    const mock = await MockServer.start();
    await mock.injectFault({ method: 'GET', path: '/v1/posts/*', times: 1, action: { type: 'delay', ms: 700 } });
    const aether = mock.client();
    aether.posts.get('post_x').catch((e) => console.log('settled', e.code));
  `;
  const result = await runNode(['--input-type=module', '-e', script], { timeoutMs: 20_000 });
  assertClean(result);
  assert.match(result.stdout, /settled NOT_FOUND/);
  assert.ok(result.ms < 5000);
});

test('terminating worker threads that use the addon mid-call does not crash the process', async () => {
  const t = tmp();
  const result = await runNode([path.join(fixtures, 'workers-main.mjs'), VIDEO], { timeoutMs: 60_000, env: t.env });
  assertClean(result);
  t.assertEmpty();
  assert.match(result.stdout, /^ok 31497$/m);
});
