// AetherError: classes, codes and every property, from the server and from the client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Aether, * as sdk from 'aether';
import { MockServer } from 'aether/testing';
import { VIDEO } from './helpers.mjs';

let mock;
let aether;
let tiktok;

before(async () => {
  mock = await MockServer.start({ settings: { processingMs: 100 } });
  aether = mock.client({ retryBackoff: { initialMs: 5, maxMs: 20 } });
  tiktok = await mock.createProfile({ platform: 'tiktok' });
});

after(async () => {
  await mock?.stop();
});

test('a server error carries code, status, requestId and a message; instanceof works', async () => {
  const err = await aether.posts.get('post_missing').catch((e) => e);
  assert.ok(err instanceof sdk.NotFoundError);
  assert.ok(err instanceof sdk.AetherError);
  assert.ok(err instanceof Error);
  assert.equal(err.code, 'NOT_FOUND');
  assert.equal(err.status, 404);
  assert.match(err.requestId, /^req_/);
  assert.equal(err.retryAfter, null);
  assert.equal(err.retryable, false, 'the same get of a missing post fails again');
  assert.equal(err.toJSON().retryable, false);
  assert.equal(err.name, 'NotFoundError');
  assert.match(err.message, /post_missing/);
  assert.equal(err.details.resource, 'post');
  assert.match(err.stack, /NotFoundError/);
});

test('validation errors name the field and the platform', async () => {
  const media = await aether.media.upload({ file: VIDEO, mimeType: 'video/mp4' });
  const err = await aether.posts
    .create({
      profileId: tiktok.id,
      content: { text: 'x'.repeat(2201) },
      mediaKeys: [media.mediaKey],
      platforms: { tiktok: {} },
    })
    .catch((e) => e);
  assert.ok(err instanceof sdk.ValidationError);
  assert.equal(err.code, 'CAPTION_TOO_LONG');
  assert.equal(err.status, 422);
  assert.equal(err.field, 'content.text');
  assert.equal(err.platform, 'tiktok');
  assert.ok(err.details !== null);
  const json = JSON.parse(JSON.stringify(err));
  assert.equal(json.code, 'CAPTION_TOO_LONG');
  assert.equal(json.field, 'content.text');
});

test('RATE_LIMITED after the retries carries retryAfter in seconds', async () => {
  await mock.injectFault({ method: 'GET', path: '/v1/profiles/*', times: 3, action: { type: 'status', status: 429, retryAfter: 0 } });
  const err = await aether.profiles.get(tiktok.id).catch((e) => e);
  assert.ok(err instanceof sdk.RateLimitError);
  assert.equal(err.code, 'RATE_LIMITED');
  assert.equal(err.status, 429);
  assert.equal(typeof err.retryAfter, 'number');
  assert.equal(err.retryable, true, 'a rate limit passes: the same call can succeed later');
});

test('client-side codes: TIMEOUT, NETWORK_ERROR, PROTOCOL_ERROR, UNAUTHORIZED', async () => {
  await mock.injectFault({ method: 'GET', path: '/v1/posts/*', times: 1, action: { type: 'delay', ms: 1000 } });
  const timeout = await aether.posts.get('post_x', { timeoutMs: 100, maxRetries: 0 }).catch((e) => e);
  assert.ok(timeout instanceof sdk.APITimeoutError);
  assert.ok(timeout instanceof sdk.APIConnectionError);
  assert.equal(timeout.code, 'TIMEOUT');
  assert.equal(timeout.status, null);

  await mock.injectFault({ method: 'GET', path: '/v1/posts/*', times: 1, action: { type: 'reset_before_body' } });
  const network = await aether.posts.get('post_x', { maxRetries: 0 }).catch((e) => e);
  assert.ok(network instanceof sdk.APIConnectionError);
  assert.equal(network.code, 'NETWORK_ERROR');

  await mock.injectFault({ method: 'GET', path: '/v1/posts/*', times: 1, action: { type: 'malformed_body' } });
  const protocol = await aether.posts.get('post_x', { maxRetries: 0 }).catch((e) => e);
  assert.ok(protocol instanceof sdk.APIResponseError);
  assert.equal(protocol.code, 'PROTOCOL_ERROR');

  const stranger = new Aether({ apiKey: 'sk_wrong', baseUrl: mock.url });
  const unauthorized = await stranger.posts.get('post_x').catch((e) => e);
  assert.ok(unauthorized instanceof sdk.AuthenticationError);
  assert.equal(unauthorized.code, 'UNAUTHORIZED');
  assert.equal(unauthorized.status, 401);
  assert.doesNotMatch(JSON.stringify(unauthorized) + unauthorized.stack, /sk_wrong/, 'the key never appears');
});

test('POST_NOT_EDITABLE, PROFILE_DISCONNECTED are ConflictErrors', async () => {
  const media = await aether.media.upload({ file: VIDEO, mimeType: 'video/mp4' });
  const post = await aether.posts.create({ profileId: tiktok.id, content: { text: 'hi' }, mediaKeys: [media.mediaKey], platforms: { tiktok: {} } });
  const err = await aether.posts.cancel(post.id).catch((e) => e);
  assert.ok(err instanceof sdk.ConflictError);
  assert.equal(err.code, 'POST_NOT_EDITABLE');
  const revoked = await mock.createProfile({ platform: 'tiktok' });
  await mock.revokeProfile(revoked.id);
  const disconnected = await aether.posts
    .create({ profileId: revoked.id, content: { text: 'hi' }, mediaKeys: [media.mediaKey], platforms: { tiktok: {} } })
    .catch((e) => e);
  assert.equal(disconnected.code, 'PROFILE_DISCONNECTED');
});

test('the constructor: no key is INVALID_ARGUMENT (thrown); env vars are read', () => {
  const saved = { key: process.env.AETHER_API_KEY, url: process.env.AETHER_BASE_URL };
  try {
    delete process.env.AETHER_API_KEY;
    assert.throws(() => new Aether(), (err) => {
      assert.ok(err instanceof sdk.InvalidArgumentError);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.match(err.message, /AETHER_API_KEY/);
      return true;
    });
    process.env.AETHER_API_KEY = 'sk_from_env';
    process.env.AETHER_BASE_URL = 'http://127.0.0.1:9/';
    const fromEnv = new Aether();
    assert.equal(fromEnv.baseUrl, 'http://127.0.0.1:9');
    assert.match(fromEnv.userAgent, /^aether-sdk-rust\/\S+ \(node\/\d+/);
    assert.equal(new Aether({ apiKey: 'k', baseUrl: 'https://example.test' }).baseUrl, 'https://example.test');
    assert.throws(() => new Aether({ apiKey: 'k', baseUrl: 'ftp://x' }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => new Aether({ apiKey: 'k', maxRetries: -1 }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => new Aether({ apiKey: 'k', timeoutMs: 'soon' }), { code: 'INVALID_ARGUMENT' });
  } finally {
    for (const [name, value] of [['AETHER_API_KEY', saved.key], ['AETHER_BASE_URL', saved.url]]) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test('bad arguments reject with InvalidArgumentError, and what JSON cannot carry too', async () => {
  await assert.rejects(aether.posts.get(''), sdk.InvalidArgumentError);
  await assert.rejects(aether.posts.get(42), sdk.InvalidArgumentError);
  await assert.rejects(aether.posts.create(null), sdk.InvalidArgumentError);
  await assert.rejects(aether.posts.create({ content: { text: 'x' }, profileId: 1n }), sdk.InvalidArgumentError);
  await assert.rejects(aether.connectLinks.create({ redirectUrl: 'https://x' }), sdk.InvalidArgumentError);
  await assert.rejects(aether.posts.get('post_1', { timeoutMs: -5 }), sdk.InvalidArgumentError);
  await assert.rejects(aether.posts.get('post_1', { signal: 'nope' }), sdk.InvalidArgumentError);
});

test('errors from webhooks.verifySignature are thrown synchronously with details.reason', () => {
  assert.throws(
    () => aether.webhooks.verifySignature({ payload: '{}', header: 'garbage', secret: 's' }),
    (err) => err instanceof sdk.InvalidArgumentError && err.details.reason === 'malformed_header',
  );
});

test('OUTCOME_UNKNOWN: a create whose answers are all lost carries the key that makes it once', async () => {
  const local = await MockServer.start({ settings: { processingMs: 600000 } });
  try {
    const client = local.client({ retryBackoff: { initialMs: 5, maxMs: 20 } });
    const li = await local.createProfile({ platform: 'linkedin' });
    await local.injectFault({ method: 'POST', path: '/v1/posts', action: { type: 'reset_after_body' } });
    const params = { profileId: li.id, content: { text: 'maybe live' } };
    const err = await client.posts.create(params).catch((e) => e);
    assert.ok(err instanceof sdk.OutcomeUnknownError, String(err));
    assert.ok(!(err instanceof sdk.APIConnectionError));
    assert.equal(err.code, 'OUTCOME_UNKNOWN');
    assert.equal(err.status, null);
    assert.equal(err.details.cause, 'NETWORK_ERROR');
    assert.ok(err.message.includes(err.idempotencyKey));
    assert.match(err.clientRequestId, /^creq_/);
    assert.equal(err.toJSON().idempotencyKey, err.idempotencyKey);
    const creates = (await local.journal()).filter((e) => e.path === '/v1/posts');
    assert.deepEqual(creates.map((e) => e.clientRequestId), Array(3).fill(err.clientRequestId));
    await local.clearFaults();
    const post = await client.posts.create(params, { idempotencyKey: err.idempotencyKey });
    const listed = [];
    for await (const p of client.posts.list()) listed.push(p.id);
    assert.deepEqual(listed, [post.id]);
  } finally {
    await local.stop();
  }
});

test('a read whose answers are lost stays NETWORK_ERROR, with a client request id', async () => {
  await mock.injectFault({ method: 'GET', path: '/v1/posts/*', times: 3, action: { type: 'reset_after_body' } });
  const err = await aether.posts.get('post_lost').catch((e) => e);
  assert.ok(err instanceof sdk.APIConnectionError, String(err));
  assert.equal(err.code, 'NETWORK_ERROR');
  assert.equal(err.idempotencyKey, null);
  assert.match(err.clientRequestId, /^creq_/);
});
