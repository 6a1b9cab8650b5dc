// A Node process killed with SIGKILL mid-upload, then a new one given the same resumeStateFile:
// the session is continued, at most the one part that was on its way is sent again (counted by
// the emulator's journal), and the media's checksums are the file's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MockServer } from 'aether/testing';
import { packageDir, scratchDir } from './helpers.mjs';

const MiB = 1024 * 1024;
const PARTS = 4;
const CHILD = `
import Aether from 'aether';
const [apiKey, baseUrl, file, state] = process.argv.slice(1);
const client = new Aether({ apiKey, baseUrl });
const media = await client.media.upload({ file, partSize: 5 * 1024 * 1024, parallelism: 1, resumeStateFile: state, sha256: true });
console.log(JSON.stringify({ crc32c: media.crc32c, sha256: media.sha256 }));
`;

let mock;
before(async () => {
  mock = await MockServer.start();
});
after(async () => {
  await mock?.stop();
});

async function partPuts() {
  return (await mock.journal())
    .filter((e) => e.method === 'PUT' && e.path.includes('/parts/'))
    .map((e) => ({ part: Number(e.path.split('/').pop()), status: e.status }));
}

function child(file, state) {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', CHILD, mock.apiKey, mock.url, file, state], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { proc, done };
}

test('a killed upload is continued from its state file', async () => {
  const dir = scratchDir();
  const data = Buffer.alloc((PARTS - 1) * 5 * MiB + 12_345);
  for (let i = 0; i < data.length; i += 1) data[i] = (i * 131) % 251;
  const file = path.join(dir, 'big.mp4');
  fs.writeFileSync(file, data);
  const state = path.join(dir, 'big.upload.json');
  // Part 3 stalls a minute on arrival: the kill lands while it is on its way.
  await mock.injectFault({
    method: 'PUT',
    path: '/v1/media/uploads/*/parts/3',
    times: 1,
    action: { type: 'stall_request_body', afterBytes: 0, ms: 60_000 },
  });
  const first = child(file, state);
  const deadline = Date.now() + 30_000;
  while (!(await partPuts()).some((p) => p.part === 3)) {
    assert.ok(Date.now() < deadline, JSON.stringify(await partPuts()));
    if (first.proc.exitCode !== null) assert.fail(`the first process ended: ${(await first.done).stderr}`);
    await sleep(20);
  }
  first.proc.kill('SIGKILL');
  assert.equal((await first.done).signal, 'SIGKILL');
  assert.ok(fs.existsSync(state), 'the killed process left its state file');

  const second = await child(file, state).done;
  assert.equal(second.code, 0, second.stderr);
  const media = JSON.parse(second.stdout);
  assert.equal(media.sha256, crypto.createHash('sha256').update(data).digest('hex'));
  assert.ok(media.crc32c);
  assert.ok(!fs.existsSync(state), 'the state file is removed after completion');
  const creates = (await mock.journal()).filter((e) => e.method === 'POST' && e.path === '/v1/media/uploads');
  assert.equal(creates.length, 1, 'the second process opened no new session');
  const puts = await partPuts();
  assert.ok(puts.length <= PARTS + 1, `at most one part re-sent: ${JSON.stringify(puts)}`);
  for (let n = 1; n <= PARTS; n += 1) {
    assert.equal(puts.filter((p) => p.part === n && p.status === 200).length, 1, `part ${n} stored once: ${JSON.stringify(puts)}`);
  }
});
