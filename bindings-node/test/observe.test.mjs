// Log lines (the `logger` option) and hooks (onRequest / onResponse / onRetry): every level, no
// secret in any line, bodies only at trace, hooks in order under an injected 503, a hook that
// throws. Hooks and lines arrive on the event loop after the fact, so the tests wait for them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError, NotFoundError } from 'aether';
import { startMock } from './helpers.mjs';

let mock;
before(async () => ({ mock } = await startMock()));
after(() => mock?.stop());

const LEVELS = ['error', 'warn', 'info', 'debug', 'trace'];

function recorder() {
  const lines = [];
  const logger = Object.fromEntries(
    ['error', 'warn', 'info', 'debug'].map((m) => [m, (line) => lines.push([m, line])]),
  );
  return { lines, logger };
}

async function until(check, what) {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
  assert.ok(check(), what);
}

for (const level of LEVELS) {
  test(`logLevel ${level}: its lines, never a secret, bodies only at trace`, async () => {
    const { lines, logger } = recorder();
    const client = mock.client({
      logLevel: level,
      logger,
      retryBackoff: { initialMs: 5, maxMs: 50 },
      onRetry: () => {
        throw new Error('a hook that throws');
      },
    });
    const state = 'st_canary_c0ffee';
    await client.connectLinks.create({ platform: 'tiktok', redirectUrl: 'https://example.com/b', state });
    const { secret } = await client.webhooks.create({ url: 'http://127.0.0.1:9/h', events: ['post.published'] });
    assert.ok(secret);
    await mock.injectFault({ method: 'GET', path: '/v1/posts/*', times: 1, action: { type: 'status', status: 503 } });
    await assert.rejects(client.posts.get('post_missing'), NotFoundError);
    const final = 'GET /v1/posts/post_missing failed after 2 attempts (404 NOT_FOUND)';
    await until(() => lines.some(([, l]) => l.includes(final)), 'the error line arrives');
    if (level !== 'error') {
      await until(() => lines.some(([, l]) => l.includes('onRetry hook failed')), 'the hook is reported');
    }
    const methods = new Set(lines.map(([m]) => m));
    const expected = new Set(LEVELS.slice(0, LEVELS.indexOf(level) + 1).map((l) => (l === 'trace' ? 'debug' : l)));
    assert.deepEqual(methods, expected, JSON.stringify(lines));
    const text = lines.map(([, l]) => l).join('\n');
    for (const canary of [mock.apiKey, secret, state]) assert.ok(!text.includes(canary), `${canary} in ${text}`);
    assert.equal(text.includes('body'), level === 'trace', text);
    if (level === 'trace') assert.ok(text.includes('"secret":"[redacted]"'), text);
    if (level !== 'error') assert.ok(text.includes('Error: a hook that throws; the call goes on'), text);
  });
}

test('hooks fire in order with attempt numbers under an injected 503', async () => {
  const events = [];
  const client = mock.client({
    retryBackoff: { initialMs: 5, maxMs: 50 },
    onRequest: (e) => events.push(['request', e]),
    onResponse: (e) => events.push(['response', e]),
    onRetry: (e) => events.push(['retry', e]),
  });
  const profile = await mock.createProfile({ platform: 'linkedin' });
  await mock.injectFault({ method: 'POST', path: '/v1/posts', times: 1, action: { type: 'status', status: 503 } });
  const post = await client.posts.create({ profileId: profile.id, content: { text: 'hooked' } });
  assert.ok(post.id);
  await until(() => events.length >= 5, 'five events');
  assert.deepEqual(events.map(([k, e]) => [k, e.attempt]), [
    ['request', 1], ['response', 1], ['retry', 1], ['request', 2], ['response', 2],
  ]);
  const [failed, retry, done] = [events[1][1], events[2][1], events[4][1]];
  assert.equal(failed.status, 503);
  assert.equal(failed.errorCode, 'SERVICE_UNAVAILABLE');
  assert.ok(retry.nextDelayMs >= 0 && retry.nextDelayMs <= 50, String(retry.nextDelayMs));
  assert.equal(done.status, 201);
  assert.equal(done.errorCode, null);
  assert.equal(done.nextDelayMs, null);
  assert.match(done.requestId, /^req_/);
  assert.equal(new Set(events.map(([, e]) => e.idempotencyKey)).size, 1);
  assert.equal(new Set(events.map(([, e]) => e.clientRequestId)).size, 1);
  for (const [, e] of events) assert.deepEqual([e.method, e.path], ['POST', '/v1/posts']);
});

test('a bad level, logger or hook is refused', () => {
  assert.throws(() => mock.client({ logLevel: 'loud' }), (e) => e instanceof InvalidArgumentError && /logLevel/.test(e.message));
  assert.throws(() => mock.client({ logger: { debug() {} } }), InvalidArgumentError);
  assert.throws(() => mock.client({ onRetry: 42 }), InvalidArgumentError);
  assert.equal(mock.client({ logLevel: 'debug' }).effectiveOptions().logLevel, 'debug');
});
