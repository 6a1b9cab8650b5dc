// AbortSignal cancels every kind of call; a throwing callback cancels its call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import { AbortError, AetherError } from 'aether';
import { MockServer } from 'aether/testing';
import { VIDEO, collect } from './helpers.mjs';

const MiB = 1024 * 1024;
let mock;
let aether;
let tiktok;

before(async () => {
  mock = await MockServer.start({ settings: { processingMs: 60_000 } });
  aether = mock.client();
  tiktok = await mock.createProfile({ platform: 'tiktok' });
});

after(async () => {
  await mock?.stop();
});

async function publishingPost() {
  const media = await aether.media.upload({ file: VIDEO, mimeType: 'video/mp4' });
  return aether.posts.create({ profileId: tiktok.id, content: { text: 'slow' }, mediaKeys: [media.mediaKey], platforms: { tiktok: {} } });
}

function assertAborted(err, reason) {
  assert.ok(err instanceof AbortError, `an AbortError, got ${err}`);
  assert.ok(err instanceof AetherError);
  assert.equal(err.code, 'CANCELLED');
  if (reason !== undefined) assert.equal(err.cause, reason);
  return true;
}

test('aborting a chunked upload stops it and aborts its session on the server', async () => {
  await mock.injectFault({ method: 'PUT', path: '/v1/media/uploads/*/parts/*', action: { type: 'delay', ms: 400 } });
  try {
    const controller = new AbortController();
    const reason = new Error('the user pressed cancel');
    const started = performance.now();
    const upload = aether.media.upload({
      file: Buffer.alloc(30 * MiB, 7),
      mimeType: 'video/mp4',
      fileName: 'big.mp4',
      partSize: 5 * MiB,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 150);
    await assert.rejects(upload, (err) => assertAborted(err, reason));
    assert.ok(performance.now() - started < 2000, 'cancelled promptly');
  } finally {
    await mock.clearFaults();
  }
  await sleep(100);
  const journal = await mock.journal();
  const session = journal.find((e) => e.method === 'POST' && e.path === '/v1/media/uploads' && e.status === 201);
  assert.ok(session, 'a session was opened');
  assert.ok(
    journal.some((e) => e.method === 'DELETE' && e.path.startsWith('/v1/media/uploads/upl_')),
    'and aborted with DELETE',
  );
});

test('aborting a stream upload stops reading the stream', async () => {
  let produced = 0;
  const source = new Readable({
    read() {
      produced += 65536;
      setTimeout(() => this.push(Buffer.alloc(65536)), 1);
    },
  });
  const controller = new AbortController();
  const upload = aether.media.upload({ file: source, mimeType: 'video/mp4', fileName: 's.mp4', signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(upload, (err) => assertAborted(err));
  await sleep(50);
  assert.ok(source.destroyed, 'the stream was destroyed');
  const after = produced;
  await sleep(100);
  assert.equal(produced, after, 'and is no longer read');
});

test('aborting posts.wait, and a signal aborted before the call', async () => {
  const post = await publishingPost();
  const controller = new AbortController();
  const statuses = [];
  const waiting = aether.posts.wait(post.id, { pollIntervalMs: 50, onStatus: (p) => statuses.push(p.status), signal: controller.signal });
  await sleep(200);
  controller.abort();
  await assert.rejects(waiting, (err) => assertAborted(err));
  assert.deepEqual(statuses, ['publishing']);
  await assert.rejects(aether.posts.get(post.id, { signal: AbortSignal.abort() }), (err) => assertAborted(err));
  await assert.rejects(aether.posts.wait(post.id, { signal: AbortSignal.abort() }), (err) => assertAborted(err));
});

test('aborting a request in flight; AbortSignal.timeout', async () => {
  await mock.injectFault({ method: 'GET', path: '/v1/profiles/*', times: 1, action: { type: 'delay', ms: 3000 } });
  const started = performance.now();
  await assert.rejects(aether.profiles.get(tiktok.id, { signal: AbortSignal.timeout(100) }), (err) => {
    assertAborted(err);
    assert.equal(err.cause?.name, 'TimeoutError');
    return true;
  });
  assert.ok(performance.now() - started < 1500);
});

test('aborting posts.watch ends the iteration with AbortError; break stops polling', async () => {
  const post = await publishingPost();
  const controller = new AbortController();
  const reason = new Error('enough');
  const seen = [];
  setTimeout(() => controller.abort(reason), 200);
  await assert.rejects(
    (async () => {
      for await (const p of aether.posts.watch(post.id, { pollIntervalMs: 50, signal: controller.signal })) seen.push(p.status);
    })(),
    (err) => assertAborted(err, reason),
  );
  await assert.rejects(collect(aether.posts.watch(post.id, { signal: AbortSignal.abort() })), (err) => assertAborted(err));
  assert.deepEqual(seen, ['publishing']);

  await mock.clearJournal();
  for await (const p of aether.posts.watch(post.id, { pollIntervalMs: 50 })) {
    assert.equal(p.status, 'publishing');
    break;
  }
  await sleep(300);
  const polls = (await mock.journal()).filter((e) => e.path === `/v1/posts/${post.id}`);
  assert.equal(polls.length, 1, 'no polling after break');
});

test('a throwing onStatus or onProgress cancels the call and is what it rejects with', async () => {
  const post = await publishingPost();
  const boom = new Error('callback bug');
  await assert.rejects(
    aether.posts.wait(post.id, { pollIntervalMs: 50, onStatus: () => { throw boom; } }),
    (err) => err === boom,
  );
  await assert.rejects(
    aether.media.upload({ file: VIDEO, mimeType: 'video/mp4', onProgress: () => { throw boom; } }),
    (err) => err === boom,
  );
});

test('an onProgress that throws on the final event stops a chunked upload before it is completed', async () => {
  await mock.clearJournal();
  const boom = new Error('not this one');
  await assert.rejects(
    aether.media.upload({
      file: Buffer.alloc(11 * MiB, 7),
      mimeType: 'video/mp4',
      partSize: 5 * MiB,
      onProgress: ({ bytesSent, total }) => {
        if (bytesSent !== total) return;
        // A slow callback: the event loop is busy while the native side could go on.
        const until = Date.now() + 300;
        while (Date.now() < until);
        throw boom;
      },
    }),
    (err) => err === boom,
  );
  const journal = await mock.journal();
  const created = journal.find((e) => e.method === 'POST' && e.path === '/v1/media/uploads');
  assert.ok(created?.created, 'the session was opened');
  const parts = journal.filter((e) => e.method === 'PUT' && e.path.startsWith(`/v1/media/uploads/${created.created}/parts/`));
  assert.equal(parts.length, 3, 'every part was sent before the final event');
  assert.ok(!journal.some((e) => e.path.endsWith('/complete')), 'never completed');
  assert.ok(journal.some((e) => e.method === 'DELETE' && e.path === `/v1/media/uploads/${created.created}`), 'aborted');
});

test('list iterators: break stops paging', async () => {
  for (let i = 0; i < 5; i += 1) await mock.createProfile({ platform: 'reddit' });
  await mock.clearJournal();
  const first = [];
  for await (const p of aether.profiles.list()) {
    first.push(p);
    if (first.length === 2) break;
  }
  assert.equal(first.length, 2);
  const all = await collect(aether.profiles.list());
  assert.ok(all.length >= 6);
});
