// Settings come from the core: a default the core changes reaches Node (the wrapper neither
// reads the environment nor defaults anything), and the core's checks name options as Node
// spells them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import Aether, { InvalidArgumentError } from 'aether';
import { MockServer } from 'aether/testing';
import { VIDEO } from './helpers.mjs';

let mock;

before(async () => {
  mock = await MockServer.start();
});

after(async () => {
  await mock?.stop();
});

test('a client left alone runs on the core defaults', () => {
  const client = new Aether({ apiKey: mock.apiKey, baseUrl: mock.url });
  const effective = client.effectiveOptions();
  const core = Aether.defaults().client;
  for (const name of ['timeoutMs', 'connectTimeoutMs', 'attemptTimeoutMs', 'maxRetries', 'retryBackoffBaseMs', 'retryBackoffCapMs']) {
    assert.equal(effective[name], core[name], name);
  }
  assert.equal(effective.apiKey, undefined, 'the key is never read back');
});

test('the default retry count is what the emulator sees', async () => {
  const client = new Aether({ apiKey: mock.apiKey, baseUrl: mock.url, retryBackoff: { initialMs: 5, maxMs: 50 } });
  await mock.clearJournal();
  await mock.injectFault({ method: 'GET', path: '/v1/profiles/prf_missing', action: { type: 'status', status: 503 } });
  await assert.rejects(client.profiles.get('prf_missing'));
  const attempts = (await mock.journal()).filter((e) => e.method === 'GET' && e.path === '/v1/profiles/prf_missing');
  assert.equal(attempts.length, Aether.defaults().client.maxRetries + 1);
  await mock.clearFaults();
});

test('the environment is read by the core, once', () => {
  const saved = { key: process.env.AETHER_API_KEY, url: process.env.AETHER_BASE_URL };
  try {
    process.env.AETHER_API_KEY = mock.apiKey;
    process.env.AETHER_BASE_URL = mock.url;
    assert.equal(new Aether().baseUrl, mock.url);
    delete process.env.AETHER_API_KEY;
    assert.throws(() => new Aether({ baseUrl: mock.url }), (error) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.match(error.message, /pass one with apiKey or set the AETHER_API_KEY/);
      assert.doesNotMatch(error.message, /Client::builder/);
      return true;
    });
  } finally {
    for (const [name, value] of [['AETHER_API_KEY', saved.key], ['AETHER_BASE_URL', saved.url]]) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test('bad options get the core message, in Node spelling', async () => {
  assert.throws(() => new Aether({ apiKey: 'k', baseUrl: mock.url, timeoutMs: -1 }), {
    code: 'INVALID_ARGUMENT',
    message: 'timeoutMs must be a finite, non-negative number of milliseconds, not -1',
  });
  const client = mock.client();
  await assert.rejects(client.media.upload({ file: VIDEO, platforms: ['tiktok'], tier: 'gold' }), {
    code: 'INVALID_ARGUMENT',
    message: 'tier is "gold"; use "standard" or "creator"',
  });
  await assert.rejects(client.media.upload({ file: VIDEO, parallelism: 0 }), {
    code: 'INVALID_ARGUMENT',
    message: 'parallelism is 0; it must be 1–64',
  });
  await assert.rejects(client.media.upload({ file: VIDEO, profileIds: [''] }), {
    code: 'INVALID_ARGUMENT',
    message: 'profileIds has an empty id at index 0; give the id of a connected profile',
  });
  await assert.rejects(client.posts.wait('pst_1', { pollIntervalMs: 0 }), (error) => {
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, /pollIntervalMs/);
    return true;
  });
});

test('zero or negative attempt and stall timeouts are refused, named the Node way', async () => {
  assert.throws(() => new Aether({ apiKey: 'k', baseUrl: mock.url, attemptTimeoutMs: 0 }), {
    code: 'INVALID_ARGUMENT',
    message: 'attemptTimeoutMs must be more than 0 milliseconds, not 0',
  });
  const client = mock.client();
  await assert.rejects(client.profiles.get('prf_1', { attemptTimeoutMs: -5 }), (error) => {
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, /^attemptTimeoutMs must be a finite, non-negative number/);
    return true;
  });
  await assert.rejects(client.media.upload({ file: VIDEO, stallTimeoutMs: 0 }), {
    code: 'INVALID_ARGUMENT',
    message: 'stallTimeoutMs must be more than 0 milliseconds, not 0',
  });
  assert.equal(Aether.defaults().upload.stallTimeoutMs, 30_000);
});

test('a stalled response is retried after the call\'s attempt timeout', async () => {
  const client = mock.client();
  const profile = await mock.createProfile({ platform: 'linkedin' });
  await mock.clearJournal();
  await mock.injectFault({
    method: 'GET', path: '/v1/profiles/*', times: 1,
    action: { type: 'stall_mid_response', afterBytes: 5, ms: 20_000 },
  });
  const read = await client.profiles.get(profile.id, { attemptTimeoutMs: 300 });
  assert.equal(read.id, profile.id);
  const reads = (await mock.journal()).filter((e) => e.method === 'GET' && e.path === `/v1/profiles/${profile.id}`);
  assert.equal(reads.length, 2);
});

/**
 * A loopback address whose connects hang: a child process listens with a backlog of 1 and is
 * stopped (SIGSTOP) so it never accepts; once its queue is full the kernel drops further SYNs.
 */
async function neverAcceptingAddress() {
  const child = spawn(process.execPath, ['-e', `
    require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function () {
      console.log(this.address().port);
    });`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  const port = Number(String(line).trim());
  child.kill('SIGSTOP');
  const queued = [];
  for (let i = 0; i < 8; i += 1) {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const connected = await Promise.race([
      once(socket, 'connect').then(() => true),
      new Promise((resolve) => setTimeout(resolve, 300, false)),
    ]);
    if (!connected) {
      socket.destroy();
      const close = () => { queued.forEach((s) => s.destroy()); child.kill('SIGKILL'); };
      return { url: `http://127.0.0.1:${port}`, close };
    }
    queued.push(socket);
  }
  child.kill('SIGKILL');
  throw new Error('the kernel kept accepting into a backlog of 1: no hanging connect here');
}

test('a call sets its own connect timeout; the client\'s pool keeps working', async () => {
  const hanging = await neverAcceptingAddress();
  try {
    const stuck = new Aether({ apiKey: mock.apiKey, baseUrl: hanging.url, connectTimeoutMs: 30_000, maxRetries: 0 });
    const started = Date.now();
    await assert.rejects(stuck.profiles.get('prf_1', { connectTimeoutMs: 300 }), (error) => {
      assert.equal(error.code, 'NETWORK_ERROR');
      assert.match(error.message, /within the connect timeout/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000, 'not the client\'s 30 s');
    const client = new Aether({ apiKey: mock.apiKey, baseUrl: mock.url, connectTimeoutMs: 30_000 });
    const profile = await mock.createProfile({ platform: 'linkedin' });
    assert.equal((await client.profiles.get(profile.id, { connectTimeoutMs: 300 })).id, profile.id);
    assert.equal((await client.profiles.get(profile.id)).id, profile.id);
    await assert.rejects(client.profiles.get(profile.id, { connectTimeoutMs: 0 }), {
      code: 'INVALID_ARGUMENT',
      message: 'connectTimeoutMs must be more than 0 milliseconds, not 0',
    });
  } finally {
    hanging.close();
  }
});
