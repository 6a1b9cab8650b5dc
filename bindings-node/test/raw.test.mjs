// Raw responses (`.withResponse()` on every plain method's promise), extra headers and query
// parameters per call, and the escape hatch `client.request`, against the emulator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MockServer } from 'aether/testing';
import { InvalidArgumentError, NotFoundError } from 'aether';

let mock;
let aether;
let profile;

before(async () => {
  mock = await MockServer.start();
  aether = mock.client({ retryBackoff: { initialMs: 1, maxMs: 5 } });
  profile = await mock.createProfile({ platform: 'linkedin' });
});

after(async () => {
  await mock?.stop();
});

const entriesFor = async (method, path) =>
  (await mock.journal()).filter((e) => e.method === method && e.path === path);

test('withResponse: status, X-Request-Id and rate-limit headers with the value', async () => {
  const post = await aether.posts.create({ profileId: profile.id, content: { text: 'raw' } });

  const { data, response } = await aether.posts.get(post.id).withResponse();

  assert.equal(data.id, post.id);
  assert.equal(response.status, 200);
  assert.match(response.requestId, /^req_/);
  assert.equal(response.headers.get('X-Request-Id'), response.requestId);
  assert.ok(response.headers.get('x-ratelimit-limit'));
  assert.ok(response.headers.get('X-RateLimit-Remaining'));
  // The plain promise still resolves with the value alone.
  assert.equal((await aether.posts.get(post.id)).id, post.id);
  const created = await aether.posts.create({ profileId: profile.id, content: { text: 'two' } }).withResponse();
  assert.equal(created.response.status, 201);
  assert.equal(created.response.idempotencyKey.length, 32);
  assert.equal(created.data.content.text, 'two');
});

test('extraHeaders and extraQuery reach the server on a resource call', async () => {
  const post = await aether.posts.create({ profileId: profile.id, content: { text: 'extras' } });

  await aether.posts.get(post.id, { extraHeaders: { 'X-Trace-Tag': 'blue' }, extraQuery: { debug: 1 } });

  const [entry] = await entriesFor('GET', `/v1/posts/${post.id}`);
  assert.equal(entry.headers['x-trace-tag'], 'blue');
  assert.equal(entry.query, 'debug=1');
  await assert.rejects(
    aether.posts.get(post.id, { extraHeaders: { Authorization: 'Bearer other' } }),
    (e) => e instanceof InvalidArgumentError && /set by the client/.test(e.message),
  );
});

test('request: an endpoint the SDK does not wrap, with the response', async () => {
  const table = await aether.request('GET', '/v1/platforms');
  assert.ok(table.platforms.tiktok);

  const { data, response } = await aether.request('GET', '/v1/platforms', { extraHeaders: { 'X-Trace-Tag': 't1' } }).withResponse();
  assert.ok(data.platforms.linkedin);
  assert.equal(response.status, 200);
  assert.ok(response.headers.get('x-request-id'));
  const entries = await entriesFor('GET', '/v1/platforms');
  assert.equal(entries.at(-1).headers['x-trace-tag'], 't1');
});

test('request: a POST with an idempotency key is made once', async () => {
  const body = { profileId: profile.id, content: { text: 'through request' } };
  const first = await aether.request('POST', '/v1/posts', { body, idempotencyKey: 'node-raw-1' }).withResponse();
  const second = await aether.request('POST', '/v1/posts', { body, idempotencyKey: 'node-raw-1' }).withResponse();

  assert.equal(first.response.status, 201);
  assert.equal(first.response.replayed, false);
  assert.equal(second.response.replayed, true);
  assert.equal(first.data.id, second.data.id);
  const posts = await entriesFor('POST', '/v1/posts');
  assert.ok(posts.filter((e) => e.idempotencyKey === 'node-raw-1').length === 2);
});

test('request: an injected 503 is retried (the same transport)', async () => {
  await mock.injectFault({ method: 'GET', path: '/v1/platforms', times: 1, action: { type: 'status', status: 503 } });
  const before = (await entriesFor('GET', '/v1/platforms')).length;

  const table = await aether.request('GET', '/v1/platforms', { query: { limit: 5 } });

  assert.ok(table.platforms);
  const entries = (await entriesFor('GET', '/v1/platforms')).slice(before);
  assert.deepEqual(entries.map((e) => e.status), [503, 200]);
  assert.equal(entries[1].query, 'limit=5');
});

test('request: a URL to another origin is refused; an API error is typed', async () => {
  await assert.rejects(aether.request('GET', 'https://evil.example/v1/posts'), (e) => e instanceof InvalidArgumentError && /not a URL/.test(e.message));
  await assert.rejects(aether.request('GET', '/v1/posts/post_missing'), NotFoundError);
  await assert.rejects(aether.request('GET', '/v1/platforms').withResponse().then(() => aether.request(42, '/x')), InvalidArgumentError);
});
