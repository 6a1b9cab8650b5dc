// Retries the server steers (X-Should-Retry, Retry-After-Ms), the retry count each retry
// carries, and the W3C traceparent a call sends (given, or the active OpenTelemetry span's),
// as the emulator's journal saw them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { context, trace, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { InvalidArgumentError } from 'aether';
import { startMock, scratchDir, runNode, packageDir } from './helpers.mjs';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let mock;
let aether;
before(async () => ({ mock, aether } = await startMock()));
after(() => mock?.stop());

async function profileGets() {
  return (await mock.journal()).filter((e) => e.method === 'GET' && e.path.startsWith('/v1/profiles/'));
}

async function fresh() {
  await mock.clearJournal();
  return mock.createProfile({ platform: 'linkedin' });
}

test('X-Should-Retry: false on a 503 stops the retries', async () => {
  const profile = await fresh();
  await mock.injectFault({ method: 'GET', path: '/v1/profiles/*', times: 3, action: { type: 'status', status: 503, shouldRetry: false } });
  const err = await aether.profiles.get(profile.id).catch((e) => e);
  assert.equal(err.status, 503, String(err));
  assert.equal((await profileGets()).length, 1, 'one attempt');
  await mock.clearFaults();
});

test('X-Should-Retry: true retries a 400; the retry carries its count', async () => {
  const profile = await fresh();
  await mock.injectFault({ method: 'GET', path: '/v1/profiles/*', times: 1, action: { type: 'status', status: 400, code: 'VALIDATION_ERROR', shouldRetry: true } });
  assert.equal((await aether.profiles.get(profile.id)).id, profile.id);
  assert.deepEqual((await profileGets()).map((e) => e.retryCount), [0, 1]);
});

test('Retry-After-Ms wins over a Retry-After too long to wait', async () => {
  const profile = await fresh();
  await mock.injectFault({ method: 'GET', path: '/v1/profiles/*', times: 1, action: { type: 'status', status: 503, retryAfter: 40 } });
  const err = await aether.profiles.get(profile.id).catch((e) => e);
  assert.equal(err.retryAfter, 40, String(err));
  await mock.injectFault({ method: 'GET', path: '/v1/profiles/*', times: 1, action: { type: 'status', status: 503, retryAfter: 40, retryAfterMs: 150 } });
  const started = performance.now();
  await aether.profiles.get(profile.id);
  const took = performance.now() - started;
  assert.ok(took >= 145 && took < 10_000, `waited ${took} ms`);
  assert.deepEqual((await profileGets()).map((e) => e.retryCount), [0, 0, 1]);
});

test("a call's traceparent reaches the journal on every attempt", async () => {
  const profile = await fresh();
  await mock.injectFault({ method: 'GET', path: '/v1/profiles/*', times: 1, action: { type: 'status', status: 503 } });
  await aether.profiles.get(profile.id, { traceparent: TRACEPARENT });
  await aether.profiles.get(profile.id);
  assert.deepEqual((await profileGets()).map((e) => e.traceparent), [TRACEPARENT, TRACEPARENT, null]);
});

test('a malformed traceparent is refused, naming the format', async () => {
  const profile = await fresh();
  const err = await aether.profiles.get(profile.id, { traceparent: '00-abc-def-01' }).catch((e) => e);
  assert.ok(err instanceof InvalidArgumentError, String(err));
  assert.match(err.message, /traceparent .*00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>/);
  assert.equal((await profileGets()).length, 0);
});

/** The smallest OpenTelemetry context manager: the active context follows async calls. */
class AsyncContextManager {
  #storage = new AsyncLocalStorage();
  active() {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with(ctx, fn, thisArg, ...args) {
    return this.#storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind(ctx, target) {
    return typeof target === 'function' ? (...args) => this.with(ctx, target, undefined, ...args) : target;
  }
  enable() {
    return this;
  }
  disable() {
    this.#storage.disable();
    return this;
  }
}

test("the active OpenTelemetry span's context is sent unless the call gives one", async () => {
  context.setGlobalContextManager(new AsyncContextManager());
  const profile = await fresh();
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const spanId = 'b7ad6b7169203331';
  const span = trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.SAMPLED });
  await context.with(trace.setSpan(context.active(), span), async () => {
    await aether.profiles.get(profile.id);
    for await (const _ of aether.profiles.list()) break;
    await aether.profiles.get(profile.id, { traceparent: TRACEPARENT });
  });
  await aether.profiles.get(profile.id);
  const sent = (await mock.journal()).filter((e) => e.path.startsWith('/v1/profiles')).map((e) => e.traceparent);
  const expected = `00-${traceId}-${spanId}-01`;
  assert.deepEqual(sent, [expected, expected, TRACEPARENT, null]);
});

test('without @opentelemetry/api calls work and send no traceparent', async () => {
  const dir = scratchDir();
  const hide = path.join(dir, 'hide-otel.cjs');
  // Resolving the package fails, as when it is not installed.
  fs.writeFileSync(hide, `const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith('@opentelemetry/')) throw Object.assign(new Error('not installed'), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};`);
  const script = `const { MockServer } = require('aether/testing');
(async () => {
  const mock = await MockServer.start();
  const profile = await mock.createProfile({ platform: 'linkedin' });
  await mock.client().profiles.get(profile.id);
  const entry = (await mock.journal()).find((e) => e.path.startsWith('/v1/profiles/'));
  let hidden = false;
  try { require('@opentelemetry/api'); } catch { hidden = true; }
  console.log(JSON.stringify({ hidden, traceparent: entry.traceparent }));
  await mock.stop();
})().catch((e) => { console.error(e); process.exit(1); });`;
  const run = await runNode(['-r', hide, '-e', script], { cwd: packageDir });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout.trim()), { hidden: true, traceparent: null });
});
