// Property tests over the public API's argument handling (issue 20, item 5), with fast-check:
// every call given values of every type (undefined, null, NaN, ±Infinity, -0, huge numbers,
// BigInts, symbols, functions, lone surrogates, buffers, dates, nested objects and arrays, keys
// the API does not know) either succeeds or throws / rejects with an AetherError that has a
// code, and settles within a bound (no hang). Against an emulator in this process.
//
// A longer run: AETHER_FUZZ_RUNS=5000 node --test test/fuzz.test.mjs (default 150 per property).
// A failure prints fast-check's seed and path; replay with AETHER_FUZZ_SEED=<seed>.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import Aether, { AetherError } from 'aether';
import { MockServer } from 'aether/testing';
import { scratchDir } from './helpers.mjs';

const RUNS = Number(process.env.AETHER_FUZZ_RUNS ?? 150);
const SEED = process.env.AETHER_FUZZ_SEED === undefined ? undefined : Number(process.env.AETHER_FUZZ_SEED);
const SETTLE_MS = 15_000;

let mock;
let client;
let profileId;
let dir;

before(async () => {
  mock = await MockServer.start({ processingMs: 1 });
  client = new Aether({ apiKey: mock.apiKey, baseUrl: mock.url, maxRetries: 0, timeoutMs: 5000 });
  profileId = (await mock.createProfile({ platform: 'tiktok' })).id;
  dir = scratchDir('aether-node-fuzz-');
});

after(async () => {
  await mock?.stop();
});

/** Values of every type, with the edge cases weighted in. */
const weird = fc.oneof(
  fc.constantFrom(undefined, null, NaN, Infinity, -Infinity, -0, 0, -1, 2 ** 31, 2 ** 53, Number.MAX_VALUE, 1e-300),
  fc.constantFrom('', ' ', '\u0000', '\ud800', 'x'.repeat(3000), 'tiktok', 'nope', '2026-06-01T10:00:00Z', 'Mars/Base'),
  fc.constantFrom(Symbol('s'), () => 1, new Date(NaN), new Date(0), Buffer.from('abc'), new Uint8Array(3), [], {}),
  fc.bigInt(),
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.anything({ maxDepth: 2, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }),
);
const id = fc.oneof(weird, fc.constantFrom('post_1', 'tiktok_nope', 'a/b', '..', '%2e'));

/** An object with some of these keys (each any value), maybe one the API does not know. */
function params(keys, extra = {}) {
  const record = Object.fromEntries(keys.map((k) => [k, weird]));
  return fc.tuple(fc.record({ ...record, ...extra }, { requiredKeys: [] }), fc.option(fc.string({ maxLength: 8 }))).map(([p, unknown]) =>
    unknown === null ? p : { ...p, [unknown]: 1 },
  );
}
const maybe = (arb) => fc.oneof(arb, weird);

const CLIENT_KEYS = ['apiKey', 'timeoutMs', 'connectTimeoutMs', 'attemptTimeoutMs', 'maxRetries', 'retryBackoff', 'caBundle', 'traceparent', 'logLevel', 'logger', 'onRequest', 'proxy'];
const CREATE_KEYS = ['profileIds', 'content', 'text', 'title', 'mediaKeys', 'mediaUrls', 'media', 'platforms', 'overrides', 'scheduledFor', 'timezone', 'draft'];
const UPLOAD_KEYS = ['mimeType', 'fileName', 'platforms', 'tier', 'profileIds', 'size', 'partSize', 'parallelism', 'singleShotThreshold', 'stallTimeoutMs', 'sha256'];
const REQUEST_KEYS = ['idempotencyKey', 'maxRetries', 'timeoutMs', 'attemptTimeoutMs', 'traceparent', 'extraHeaders', 'extraQuery'];
const WAIT_KEYS = ['timeoutMs', 'pollIntervalMs', 'maxPollIntervalMs', 'maxRetries'];

function describe(value) {
  try {
    return fc.stringify(value);
  } catch {
    return String(value);
  }
}

/** Runs `call`; a throw, or a rejection within SETTLE_MS, must be an AetherError with a code. */
async function settles(call, input) {
  let timer;
  try {
    const result = call();
    if (result && typeof result.then === 'function') {
      const hang = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${SETTLE_MS} ms`)), SETTLE_MS);
      });
      await Promise.race([result, hang]);
    } else if (result && typeof result[Symbol.asyncIterator] === 'function') {
      let n = 0;
      for await (const _ of result) if (++n >= 3) break;
    }
  } catch (error) {
    assert.ok(error instanceof AetherError, `not an AetherError for ${describe(input)}: ${error?.stack ?? String(error)}`);
    assert.equal(typeof error.code, 'string', `no code for ${describe(input)}: ${error.stack}`);
    assert.ok(error.code.length > 0 && error.message.length > 0, `an empty code or message: ${error.stack}`);
  } finally {
    clearTimeout(timer);
  }
}

const check = (arb, run) => fc.assert(fc.asyncProperty(arb, async (input) => settles(() => run(input), input)), { numRuns: RUNS, seed: SEED });

test('the client constructor and withOptions refuse bad options with an AetherError', async () => {
  await check(params(CLIENT_KEYS), (options) => new Aether({ baseUrl: mock.url, ...options }));
  await check(maybe(params(CLIENT_KEYS)), (options) => new Aether(options));
  await check(params(REQUEST_KEYS), (options) => client.profiles.get(profileId, options));
});

test('posts.create refuses every bad shape with an AetherError', async () => {
  const profile = fc.oneof(weird, fc.constant(profileId));
  await check(maybe(params(CREATE_KEYS, { profileId: profile })), (p) => client.posts.create(p));
  await check(fc.tuple(params(CREATE_KEYS, { profileId: profile }), maybe(params(REQUEST_KEYS))), ([p, o]) => client.posts.create(p, o));
});

test('reads, updates, cancels, retries and lists take any id and any params', async () => {
  await check(id, (x) => client.posts.get(x));
  await check(id, (x) => client.posts.cancel(x));
  await check(id, (x) => client.posts.retry(x));
  await check(id, (x) => client.profiles.capabilities(x));
  await check(id, (x) => client.media.get(x));
  await check(fc.tuple(id, maybe(params(['scheduledFor', 'timezone', 'content', 'draft']))), ([x, p]) => client.posts.update(x, p));
  await check(maybe(params(['status', 'profileId', 'limit'])), (p) => client.posts.list(p));
});

test('posts.wait, posts.watch and media.waitReady with any options end (an id nothing has)', async () => {
  const waits = fc.tuple(fc.string({ maxLength: 8 }), maybe(params(WAIT_KEYS)));
  await check(waits, ([x, o]) => client.posts.wait(`fz_${x}`, o));
  await check(waits, ([x, o]) => client.posts.watch(`fz_${x}`, o));
  await check(waits, ([x, o]) => client.media.waitReady(`fz_${x}`, o));
});

test('creating links and webhooks refuses bad params with an AetherError', async () => {
  await check(maybe(params(['profileId', 'platform', 'redirectUrl', 'state', 'scopes'])), (p) => client.connectLinks.create(p));
  await check(maybe(params(['url', 'events'])), (p) => client.webhooks.create(p));
  await check(fc.tuple(id, maybe(params(['status', 'limit']))), ([x, p]) => client.webhooks.deliveries(x, p));
});

test('posts.bulk (dry run) refuses bad rows with an AetherError', async () => {
  const row = maybe(params(['text', 'profileIds', 'scheduledFor', 'timezone', 'mediaUrls', 'mediaKeys', 'title', 'platforms']));
  await check(maybe(fc.array(row, { maxLength: 3 })), (rows) => client.posts.bulk(rows, { dryRun: true }));
});

test('media.upload refuses bad files and options with an AetherError', async () => {
  let n = 0;
  const file = fc.oneof(
    weird,
    fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
    fc.uint8Array({ maxLength: 2048 }).map((b) => {
      const p = path.join(dir, `f${(n += 1)}.bin`);
      fs.writeFileSync(p, b);
      return p;
    }),
  );
  await check(params(UPLOAD_KEYS, { file }), (p) => client.media.upload(p));
  await check(fc.tuple(id, params(UPLOAD_KEYS, { file })), ([x, p]) => client.media.resume(x, p));
});

test('the webhook and callback checks refuse anything malformed with an AetherError', async () => {
  const sig = params(['payload', 'header', 'secret', 'toleranceSeconds', 'now']);
  await check(maybe(sig), (p) => client.webhooks.verifySignature(p));
  await check(maybe(sig), (p) => client.webhooks.constructEvent(p));
  await check(fc.tuple(weird, weird), ([url, state]) => client.connectLinks.verifyCallback(url, state));
});
