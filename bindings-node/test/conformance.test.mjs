// The cross-language conformance scenarios (tests/conformance/*.json, see its README) run
// through the Node SDK's public API. Each scenario gets a fresh embedded emulator, a client
// with the default 3 attempts (short backoff), and a loopback webhook receiver; admin steps go
// through aether/testing. AETHER_CONFORMANCE=<substring> runs only the matching scenarios.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Aether, { AetherError } from 'aether';
import { MockServer } from 'aether/testing';
import { fixturesDir, repoDir } from './helpers.mjs';

const scenarioDir = process.env.AETHER_CONFORMANCE_DIR ?? path.join(repoDir, 'tests', 'conformance');
const DEFAULT_POLL_MS = 100;
const DEFAULT_WAIT_MS = 30_000;
// Chaos mode (tests/conformance/README.md): random faults from AETHER_CHAOS_SEED plus the
// scenario's number, on AETHER_CHAOS_RATE of the API requests. Counting steps are left out (the
// emulator's report stands in for them), and a scenario has a time bound.
const CHAOS_SEED = process.env.AETHER_CHAOS_SEED || null;
const CHAOS_RATE = Number(process.env.AETHER_CHAOS_RATE || '0.1');
const CHAOS_COUNTING_OPS = ['journal.count', 'hooks.events'];
const CHAOS_TIME_BOUND_MS = 60_000;

/**
 * The operations this runner can run, by name. The list of operations is schema.json's: the
 * first test fails, naming them, when the schema has one with no handler here.
 */
const OPS = {
  'connectLinks.create': async ({ client, input, options }) => {
    return client.connectLinks.create(input, options);
  },
  'connectLinks.get': async ({ op, client, input, options }) => {
    only(input, ['id'], op);
    return client.connectLinks.get(text(input, 'id'), options);
  },
  'connectLinks.approve': async ({ mock, op, input }) => {
    only(input, ['id', 'tier'], op);
    return mock.approveConnectLink(text(input, 'id'), { tier: input.tier });
  },
  'profiles.get': async ({ op, client, input, options }) => {
    only(input, ['id'], op);
    return client.profiles.get(text(input, 'id'), options);
  },
  'profiles.list': async ({ op, client, input, options }) => {
    only(input, [], op);
    return { data: await collect(client.profiles.list(options)) };
  },
  'profiles.disconnect': async ({ op, client, input, options }) => {
    only(input, ['id'], op);
    return client.profiles.disconnect(text(input, 'id'), options);
  },
  'profiles.capabilities': async ({ op, client, input, options }) => {
    only(input, ['id'], op);
    return client.profiles.capabilities(text(input, 'id'), options);
  },
  'media.upload': async ({ op, client, input, options }) => {
    return upload(op, client, input, options);
  },
  'media.resume': async ({ op, client, input, options }) => {
    return upload(op, client, input, options);
  },
  'media.get': async ({ op, client, input, options }) => {
    only(input, ['mediaKey'], op);
    return client.media.get(text(input, 'mediaKey'), options);
  },
  'media.wait': async ({ op, client, input }) => {
    only(input, ['mediaKey', 'timeoutMs'], op);
    return client.media.waitReady(text(input, 'mediaKey'), {
      pollIntervalMs: 50,
      timeoutMs: input.timeoutMs ?? DEFAULT_WAIT_MS,
    });
  },
  'posts.create': async ({ client, input, options }) => {
    return client.posts.create(input, options);
  },
  'posts.get': async ({ op, client, input, options }) => {
    only(input, ['id'], op);
    return client.posts.get(text(input, 'id'), options);
  },
  'posts.list': async ({ op, client, input, options }) => {
    only(input, ['status', 'profileId', 'pageSize'], op);
    const params = { status: input.status, profileId: input.profileId, limit: input.pageSize };
    return { data: await collect(client.posts.list(params, options)) };
  },
  'posts.update': async ({ client, input, options }) => {
    const { id, ...body } = input;
    return client.posts.update(id, body, options);
  },
  'posts.cancel': async ({ op, client, input, options }) => {
    only(input, ['id'], op);
    return client.posts.cancel(text(input, 'id'), options);
  },
  'posts.retry': async ({ op, client, input, options }) => {
    only(input, ['id'], op);
    return client.posts.retry(text(input, 'id'), options);
  },
  'posts.wait': async ({ op, client, input, options }) => {
    only(input, ['id', 'pollIntervalMs', 'timeoutMs'], op);
    return client.posts.wait(text(input, 'id'), {
      pollIntervalMs: input.pollIntervalMs ?? DEFAULT_POLL_MS,
      timeoutMs: input.timeoutMs ?? DEFAULT_WAIT_MS,
      maxRetries: options.maxRetries,
    });
  },
  'posts.bulk': async ({ op, client, input, options }) => {
    only(input, ['csv', 'fileName', 'rows', 'dryRun'], op);
    const bulkOptions = { ...options, dryRun: input.dryRun ?? false };
    if (input.rows !== undefined) return client.posts.bulk(input.rows, bulkOptions);
    // Inline CSV goes through a temporary file, so the path form is what runs.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aether-bulk-'));
    try {
      const file = path.join(dir, input.fileName ?? 'posts.csv');
      fs.writeFileSync(file, String(input.csv), 'utf8');
      return await client.posts.bulk(file, bulkOptions);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  'webhooks.create': async ({ client, input, options }) => {
    return client.webhooks.create(input, options);
  },
  'webhooks.receive': async ({ run, op, input }) => {
    only(input, ['type', 'postId', 'timeoutMs'], op);
    return run.receiver.next(input.type, input.postId, input.timeoutMs ?? DEFAULT_WAIT_MS);
  },
  'webhooks.verifySignature': async ({ op, client, input }) => {
    only(input, ['payload', 'header', 'secrets', 'toleranceSeconds', 'now'], op);
    client.webhooks.verifySignature({
      payload: input.payload,
      header: input.header,
      secrets: input.secrets,
      toleranceSeconds: input.toleranceSeconds,
      now: input.now,
    });
    return { valid: true };
  },
  'webhooks.constructEvent': async ({ op, client, input }) => {
    only(input, ['payload', 'header', 'secrets', 'toleranceSeconds'], op);
    return client.webhooks.constructEvent({
      payload: input.payload,
      header: input.header,
      secrets: input.secrets,
      toleranceSeconds: input.toleranceSeconds,
    });
  },
  'webhooks.deliveries': async ({ op, client, input, options }) => {
    only(input, ['webhookId', 'status', 'minCount', 'timeoutMs'], op);
    const deadline = Date.now() + (input.timeoutMs ?? 10_000);
    for (;;) {
      const data = await collect(client.webhooks.deliveries(text(input, 'webhookId'), { status: input.status }, options));
      if (data.length >= (input.minCount ?? 0) || Date.now() >= deadline) return { data };
      await new Promise((r) => setTimeout(r, 50));
    }
  },
  'webhooks.redeliver': async ({ op, client, input, options }) => {
    only(input, ['webhookId', 'deliveryId'], op);
    return client.webhooks.redeliver(text(input, 'webhookId'), text(input, 'deliveryId'), options);
  },
  'webhooks.delete': async ({ op, client, input, options }) => {
    only(input, ['id'], op);
    await client.webhooks.delete(text(input, 'id'), options);
    return {};
  },
  'receiver.setStatus': async ({ run, op, input }) => {
    only(input, ['status'], op);
    run.receiver.status = input.status;
    return { status: input.status };
  },
  'admin.simulateComment': async ({ mock, input }) => {
    const { profileId, ...body } = input;
    return mock.simulateComment(profileId, body);
  },
  'admin.simulateMessage': async ({ mock, input }) => {
    const { profileId, ...body } = input;
    return mock.simulateMessage(profileId, body);
  },
  'admin.updateMessage': async ({ mock, input }) => {
    const { id, ...patch } = input;
    return mock.updateMessage(id, patch);
  },
  'admin.fault': async ({ mock, input }) => {
    return mock.injectFault(input);
  },
  'admin.clearFaults': async ({ mock, op, input }) => {
    only(input, [], op);
    await mock.clearFaults();
    return {};
  },
  'admin.advanceClock': async ({ mock, op, input }) => {
    only(input, ['seconds'], op);
    return mock.advanceClock(input);
  },
  'admin.forceOutcome': async ({ mock, input }) => {
    const { postId, ...body } = input;
    return mock.forceOutcome(postId, body);
  },
  'admin.addOutcomeRule': async ({ mock, input }) => {
    return mock.addOutcomeRule(input);
  },
  'admin.setSettings': async ({ mock, input }) => {
    return mock.updateSettings(input);
  },
  'admin.setCapabilities': async ({ mock, op, input }) => {
    const settings = ['maxVideoDurationSec', 'privacyLevelOptions', 'commentDisabled', 'duetDisabled', 'stitchDisabled', 'canPost'];
    only(input, ['id', ...settings], op);
    const { id: _, ...rest } = input;
    return mock.setCapabilities(text(input, 'id'), rest);
  },
  'admin.revokeProfile': async ({ mock, op, input }) => {
    only(input, ['id'], op);
    return mock.revokeProfile(text(input, 'id'));
  },
  'hooks.events': async ({ run, op, input }) => {
    only(input, [], op);
    // Events arrive after the fact: wait until none has come for 50 ms.
    let seen = -1;
    while (seen !== run.hookEvents.length) {
      seen = run.hookEvents.length;
      await new Promise((done) => setTimeout(done, 50));
    }
    return { data: run.hookEvents.splice(0) };
  },
  'journal.count': async ({ mock, op, input }) => {
    const filters = ['method', 'path', 'status', 'created', 'replayed', 'fault', 'idempotencyKey', 'clientRequestId', 'traceparent', 'retryCount', 'query', 'header'];
    only(input, filters, op);
    const matching = (await mock.journal()).filter((entry) => journalMatches(input, entry));
    const connections = new Set(matching.map((entry) => entry.connection).filter((c) => c != null));
    return { count: matching.length, connections: connections.size };
  },
  'client.closeConnections': async ({ op, client, input }) => {
    only(input, [], op);
    await client.close();
    return {};
  },
  'client.request': async ({ op, client, input, options }) => {
    only(input, ['method', 'path', 'body', 'query', 'headers'], op);
    const { method, path, headers, ...params } = input;
    const { data, response } = await client
      .request(method, path, { ...params, ...options, extraHeaders: headers })
      .withResponse();
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      requestId: response.requestId,
      replayed: response.replayed,
      data,
    };
  },
  'media.ingest': async ({ op, client, input, options }) => {
    only(input, ['url', 'fileName', 'mimeType', 'platforms', 'tier'], op);
    return client.media.upload(input, options);
  },
  'admin.putFile': async ({ mock, op, input }) => {
    only(input, ['name', 'fixture', 'contentType', 'freeBox'], op);
    const fixture = text(input, 'fixture');
    if (/[\\/]/.test(fixture) || fixture.startsWith('.')) throw new Harness(`fixture ${fixture} must be a plain file name`);
    const bytes = fs.readFileSync(path.join(fixturesDir, fixture));
    return mock.putFile(text(input, 'name'), bytes, { contentType: input.contentType, freeBox: input.freeBox });
  },
  'admin.fileStats': async ({ mock, op, input }) => {
    only(input, ['name'], op);
    return mock.fileStats(text(input, 'name'));
  },
};
const MATCHERS = ['$exists', '$startsWith', '$contains', '$length', '$gte', '$lte', '$oneOf', '$ne', '$sameInstant'];

/** A scenario step failed for a reason of the scenario or the runner, not of the SDK. */
class Harness extends Error {}

const files = fs.existsSync(scenarioDir)
  ? fs.readdirSync(scenarioDir).filter((f) => /^\d+_.*\.json$/.test(f)).sort()
  : [];
const filter = process.env.AETHER_CONFORMANCE || '';

test('the runner can run every operation schema.json names, and no other', { skip: files.length === 0 && 'no scenarios yet' }, () => {
  const schema = JSON.parse(fs.readFileSync(path.join(scenarioDir, 'schema.json'), 'utf8'));
  const listed = schema.$defs.step.properties.op.enum;
  const cannot = listed.filter((op) => !Object.hasOwn(OPS, op));
  assert.deepEqual(cannot, [], `schema.json names operations this runner cannot run: ${cannot.join(', ')}`);
  const stale = Object.keys(OPS).filter((op) => !listed.includes(op));
  assert.deepEqual(stale, [], `the runner runs operations schema.json does not name: ${stale.join(', ')}`);
  assert.ok(files.length >= 25, `expected at least 25 scenarios, found ${files.length}`);
});

describe('conformance scenarios', { concurrency: 3 }, () => {
  for (const file of files) {
    const scenario = JSON.parse(fs.readFileSync(path.join(scenarioDir, file), 'utf8'));
    if (filter && !file.includes(filter) && !scenario.name.includes(filter)) continue;
    const skip = CHAOS_SEED !== null && scenario.chaos?.skip ? `chaos mode: ${scenario.chaos.skip}` : false;
    test(`${scenario.name} (${file})`, { timeout: 120_000, skip }, () => runScenario(scenario, file));
  }
});

// ---------------------------------------------------------------------------------------------
// Running a scenario
// ---------------------------------------------------------------------------------------------

function clientFor(mock, apiKey, hookEvents) {
  // Hooks run on the event loop after the fact (in order): hooks.events waits for them to settle.
  const record = (hook) => (event) => hookEvents.push({ hook, ...event });
  const hooks = hookEvents === undefined
    ? {}
    : { onRequest: record('request'), onResponse: record('response'), onRetry: record('retry') };
  // The attempts stay the default (3); only the waits between them are short.
  return new Aether({
    apiKey,
    baseUrl: mock.url,
    retryBackoff: { initialMs: 5, maxMs: 50 },
    ...(mock.caFile === null ? {} : { caBundle: mock.caFile }),
    ...hooks,
  });
}

async function runScenario(scenario, file) {
  if (CHAOS_SEED === null) return playScenario(scenario, null);
  const number = Number(file.split('_')[0]);
  const chaos = { seed: Number(CHAOS_SEED) + number, rate: CHAOS_RATE };
  const replay = `replay: AETHER_CHAOS_SEED=${CHAOS_SEED} AETHER_CHAOS_RATE=${CHAOS_RATE} scenario ${String(number).padStart(3, '0')}`;
  const started = Date.now();
  try {
    await playScenario(scenario, chaos);
    const took = Date.now() - started;
    if (took > CHAOS_TIME_BOUND_MS) throw new Error(`over its time bound ${CHAOS_TIME_BOUND_MS} ms (${took} ms)`);
  } catch (error) {
    error.message = `${error.message}\n    ${replay}`;
    throw error;
  }
}

async function playScenario(scenario, chaos) {
  // AETHER_CONFORMANCE_TLS=1: over HTTPS, the client trusting the emulator's CA.
  const mock = await MockServer.start({ tls: process.env.AETHER_CONFORMANCE_TLS === '1' });
  const receiver = await Receiver.start();
  const hookEvents = [];
  const run = {
    mock,
    receiver,
    hookEvents,
    client: clientFor(mock, mock.apiKey, hookEvents),
    vars: { receiver: { url: receiver.url } },
    chaos,
  };
  try {
    await setup(run, scenario.setup ?? {});
    if (chaos !== null) await mock.startChaos(chaos);
    for (const [index, step] of scenario.steps.entries()) {
      if (chaos !== null && CHAOS_COUNTING_OPS.includes(step.op)) continue;
      const repeat = step.repeat ?? 1;
      for (let round = 1; round <= repeat; round += 1) {
        try {
          await runStep(run, step);
        } catch (error) {
          const where = repeat > 1 ? `, round ${round} of ${repeat}` : '';
          const note = step.note ? ` [${step.note}]` : '';
          error.message = `steps[${index}] (${step.op}${where})${note}: ${error.message}`;
          throw error;
        }
      }
    }
    if (chaos !== null) {
      const report = await mock.chaosReport();
      if (report.ok !== true) {
        throw new Error(`chaos invariants broken: duplicates ${JSON.stringify(report.duplicates)}, orphan upload sessions ${JSON.stringify(report.orphans)} (faults injected: ${JSON.stringify(report.faults)})`);
      }
    }
  } finally {
    receiver.stop();
    await mock.stop();
  }
}

async function setup(run, s) {
  if (s.settings) await run.mock.updateSettings(s.settings);
  for (const { as, ...body } of s.profiles ?? []) store(run, as, await run.mock.createProfile(body));
  for (const { as, ...body } of s.webhooks ?? []) {
    store(run, as, await run.client.webhooks.create({ url: run.receiver.url, ...body }));
  }
}

function store(run, name, value) {
  if (!/^[A-Za-z0-9_]+$/.test(name ?? '') || name === 'receiver') throw new Harness(`${name} cannot name a result`);
  run.vars[name] = value;
}

async function runStep(run, step) {
  const now = Date.parse((await run.mock.clock()).now);
  const input = step.input === undefined ? {} : resolve(run, step.input, now, false);
  const options = step.options === undefined ? {} : resolve(run, step.options, now, false);
  const client = step.client ? clientFor(run.mock, resolve(run, step.client, now, false).apiKey) : run.client;
  let outcome;
  // Warnings are reported with process.emitWarning (type AetherWarning), delivered on a later
  // tick: listen during the call, then let them arrive.
  const warned = [];
  const onWarning = (warning) => {
    if (warning.name === 'AetherWarning') warned.push(warning);
  };
  process.on('warning', onWarning);
  try {
    outcome = { value: await call(run, step.op, client, input, options) };
  } catch (error) {
    if (!(error instanceof AetherError)) throw error;
    outcome = { error };
    // Chaos mode: a lost answer may legitimately change this step's outcome (a cancel retried
    // after it was done); the state is read back instead.
    if (run.chaos !== null && step.reconcile) {
      const reconciled = resolve(run, step.reconcile.input, now, false);
      outcome = { value: await call(run, step.reconcile.op, client, reconciled, {}) };
    }
  } finally {
    await new Promise((done) => setImmediate(done));
    process.off('warning', onWarning);
  }
  if (outcome.value !== undefined || !('error' in outcome)) {
    if (step.expectError) {
      throw new Error(`expected the error ${step.expectError.code}, but the call succeeded with ${snippet(outcome.value)}`);
    }
    if (step.expect) checkExpectations(resolve(run, step.expect, now, true), outcome.value, 'result');
    if (step.warns) {
      // Only this post's warnings (their detail names it), whatever else runs meanwhile.
      const mine = warned.filter((w) => w.detail?.startsWith(`post ${outcome.value?.id}`));
      assert.deepEqual(mine.map((w) => w.code), step.warns, 'warns: the AetherWarnings emitted');
    }
    if (step.as) store(run, step.as, outcome.value);
    return;
  }
  const actual = errorJson(outcome.error);
  if (!step.expectError) throw new Error(`the call failed: ${outcome.error.code}: ${outcome.error.message} — ${snippet(actual)}`);
  const { retryAfterMin, ...expected } = resolve(run, step.expectError, now, true);
  checkExpectations(expected, actual, 'error');
  if (retryAfterMin !== undefined && !(actual.retryAfter >= retryAfterMin)) {
    throw new Error(`error.retryAfter: expected at least ${retryAfterMin} s, got ${actual.retryAfter}`);
  }
  if (step.as) store(run, step.as, actual);
}

/** The error as scenarios see it: retryAfter in whole seconds. */
function errorJson(error) {
  return {
    code: error.code,
    status: error.status,
    message: error.message,
    field: error.field,
    platform: error.platform,
    retryAfter: error.retryAfter === null ? null : Math.floor(error.retryAfter),
    retryable: error.retryable,
    requestId: error.requestId,
    clientRequestId: error.clientRequestId,
    idempotencyKey: error.idempotencyKey,
    details: error.details,
  };
}

function only(input, keys, op) {
  for (const key of Object.keys(input)) {
    if (!keys.includes(key)) throw new Harness(`${op} input has an unknown key ${key}`);
  }
}

function text(input, name) {
  if (typeof input[name] !== 'string') throw new Harness(`input.${name} must be a string`);
  return input[name];
}

async function call(run, op, client, input, options) {
  if (!Object.hasOwn(OPS, op)) throw new Harness(`the runner does not implement ${op}`);
  return OPS[op]({ run, mock: run.mock, op, client, input, options });
}

function upload(op, client, input, options) {
  const keys = [
    'fixture', 'fileName', 'mimeType', 'platforms', 'tier', 'singleShotThreshold', 'partSize', 'profileIds', 'stallTimeoutMs',
    'sha256',
  ];
  only(input, op === 'media.resume' ? [...keys, 'uploadId'] : keys, op);
  const fixture = text(input, 'fixture');
  if (/[/\\]/.test(fixture) || fixture.startsWith('.')) throw new Harness(`fixture ${fixture} must be a plain name`);
  const file = path.join(fixturesDir, fixture);
  if (!fs.existsSync(file)) throw new Harness(`no fixture ${fixture}`);
  const { fixture: _, uploadId, ...rest } = input;
  const params = { file, ...rest };
  return op === 'media.resume' ? client.media.resume(uploadId, params, options) : client.media.upload(params, options);
}

async function collect(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}

// ---------------------------------------------------------------------------------------------
// Values: variables, generators, matchers
// ---------------------------------------------------------------------------------------------

function resolve(run, value, now, matchers) {
  if (typeof value === 'string') {
    if (value.startsWith('$$')) return value.slice(1);
    if (value.startsWith('$')) return lookup(run, value.slice(1));
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => resolve(run, item, now, matchers));
  if (value === null || typeof value !== 'object') return value;
  if ('$repeat' in value) {
    const unit = resolve(run, value.$repeat, now, false);
    return unit.repeat(value.count);
  }
  if ('$concat' in value) {
    return value.$concat.map((part) => String(resolve(run, part, now, false))).join('');
  }
  if ('$time' in value) return time(value, now);
  const keys = Object.keys(value);
  if (matchers && keys.length === 1 && MATCHERS.includes(keys[0])) {
    return { [keys[0]]: resolve(run, value[keys[0]], now, false) };
  }
  const unknown = keys.find((k) => k.startsWith('$'));
  if (unknown) throw new Harness(`unknown generator or matcher ${unknown}`);
  return Object.fromEntries(keys.map((k) => [k, resolve(run, value[k], now, matchers)]));
}

function lookup(run, reference) {
  const end = reference.search(/[.[]/);
  const name = end === -1 ? reference : reference.slice(0, end);
  if (!(name in run.vars)) throw new Harness(`unknown variable $${name}`);
  let rest = end === -1 ? '' : reference.slice(end);
  if (rest.startsWith('.')) rest = rest.slice(1);
  const found = pathGet(run.vars[name], rest);
  if (found === undefined) throw new Harness(`$${reference}: no such field in ${snippet(run.vars[name])}`);
  return found;
}

/** `results[0].error.code` → the value there, or undefined. */
function pathGet(root, pathText) {
  if (pathText === '') return root;
  let current = root;
  for (const segment of pathText.split('.')) {
    const match = segment.match(/^([^[]*)((?:\[\d+\])*)$/);
    if (!match) throw new Harness(`bad path ${pathText}`);
    if (match[1] !== '') {
      if (current === null || typeof current !== 'object' || !(match[1] in current)) return undefined;
      current = current[match[1]];
    }
    for (const [, index] of match[2].matchAll(/\[(\d+)\]/g)) {
      if (!Array.isArray(current) || Number(index) >= current.length) return undefined;
      current = current[Number(index)];
    }
  }
  return current;
}

function zoneParts(ms, zone) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const p = Object.fromEntries(format.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
  return { y: p.year, mo: p.month, d: p.day, h: p.hour, mi: p.minute, s: p.second };
}

const wallMs = (p) => Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);

/** `{"$time": "+2d", "zone", "at", "format"}` as the README says. */
function time(spec, now) {
  const m = /^([+-])(\d+)([smhd])$/.exec(spec.$time);
  if (!m) throw new Harness(`bad $time offset ${spec.$time}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[3]];
  let instant = now + (m[1] === '-' ? -1 : 1) * Number(m[2]) * unit * 1000;
  const zone = spec.zone ?? 'UTC';
  if (spec.at) {
    const [h, mi, s = 0] = spec.at.split(':').map(Number);
    const day = zoneParts(instant, zone);
    const wall = wallMs({ ...day, h, mi, s });
    // The instant whose wall time in `zone` is `wall` (the offset found by two refinements).
    instant = wall - (wallMs(zoneParts(wall, zone)) - wall);
    instant = wall - (wallMs(zoneParts(instant, zone)) - instant);
  }
  instant = Math.round(instant / 1000) * 1000;
  const pad = (n) => String(n).padStart(2, '0');
  switch (spec.format ?? 'utc') {
    case 'utc':
      return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z');
    case 'local': {
      const p = zoneParts(instant, zone);
      return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
    }
    case 'unix':
      return instant / 1000;
    default:
      throw new Harness(`$time format ${spec.format}`);
  }
}

function checkExpectations(expected, actual, what) {
  const problems = [];
  for (const [pathText, wanted] of Object.entries(expected)) {
    const problem = matches(wanted, pathGet(actual, pathText));
    if (problem) problems.push(`${what}.${pathText}: ${problem}`);
  }
  if (problems.length) throw new Error(`${problems.join('; ')} — in ${snippet(actual)}`);
}

function matches(expected, actual) {
  const shown = () => (actual === undefined ? 'nothing' : JSON.stringify(actual));
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    const keys = Object.keys(expected);
    if (keys.length === 1 && MATCHERS.includes(keys[0])) {
      const [key] = keys;
      const arg = expected[key];
      let ok;
      switch (key) {
        case '$exists':
          ok = arg === (actual !== undefined && actual !== null);
          break;
        case '$startsWith':
          ok = typeof actual === 'string' && actual.startsWith(arg);
          break;
        case '$contains':
          ok = typeof actual === 'string' ? actual.includes(arg) : Array.isArray(actual) && actual.some((x) => jsonEq(arg, x));
          break;
        case '$length': {
          const length = typeof actual === 'string' ? [...actual].length
            : Array.isArray(actual) ? actual.length
            : actual && typeof actual === 'object' ? Object.keys(actual).length : undefined;
          ok = length === arg;
          break;
        }
        case '$gte':
          ok = typeof actual === 'number' && actual >= arg;
          break;
        case '$lte':
          ok = typeof actual === 'number' && actual <= arg;
          break;
        case '$oneOf':
          ok = actual !== undefined && arg.some((option) => jsonEq(option, actual));
          break;
        case '$ne':
          ok = !(actual !== undefined && jsonEq(arg, actual));
          break;
        case '$sameInstant':
          ok = typeof actual === 'string' && Date.parse(actual) === Date.parse(arg) && !Number.isNaN(Date.parse(arg));
          break;
        default:
          ok = false;
      }
      return ok ? undefined : `expected ${key} ${JSON.stringify(arg)}, got ${shown()}`;
    }
  }
  const equal = actual === undefined ? expected === null : jsonEq(expected, actual);
  return equal ? undefined : `expected ${JSON.stringify(expected)}, got ${shown()}`;
}

function jsonEq(a, b) {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEq(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEq(a[k], b[k]));
  }
  return false;
}

function glob(pattern, textValue) {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(textValue);
}

function journalMatches(filterValue, entry) {
  if (filterValue.method && String(entry.method).toUpperCase() !== filterValue.method.toUpperCase()) return false;
  if (filterValue.path && !glob(filterValue.path, entry.path ?? '')) return false;
  if ('status' in filterValue && !jsonEq(filterValue.status, entry.status ?? null)) return false;
  if (typeof filterValue.created === 'boolean' && filterValue.created !== (typeof entry.created === 'string')) return false;
  if (typeof filterValue.replayed === 'boolean' && filterValue.replayed !== (entry.replayed === true)) return false;
  for (const [name, value] of Object.entries(filterValue.header ?? {})) {
    if (!jsonEq(value, entry.headers?.[name.toLowerCase()] ?? null)) return false;
  }
  for (const exact of ['fault', 'idempotencyKey', 'clientRequestId', 'traceparent', 'retryCount', 'query']) {
    if (exact in filterValue && !jsonEq(filterValue[exact], entry[exact] ?? null)) return false;
  }
  return true;
}

function snippet(value) {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 600 ? `${s.slice(0, 600)}…` : s;
}

// ---------------------------------------------------------------------------------------------
// The webhook receiver
// ---------------------------------------------------------------------------------------------

class Receiver {
  static start() {
    return new Promise((resolveStart) => {
      const deliveries = [];
      let receiver = null;
      const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          deliveries.push({
            body: Buffer.concat(chunks).toString('utf8'),
            signature: req.headers['x-aether-signature'] ?? null,
            taken: false,
          });
          res.writeHead(receiver.status, { connection: 'close' }).end();
        });
      });
      server.listen(0, '127.0.0.1', () => {
        receiver = new Receiver(server, deliveries, `http://127.0.0.1:${server.address().port}/hooks`);
        resolveStart(receiver);
      });
    });
  }

  constructor(server, deliveries, url) {
    this.server = server;
    this.deliveries = deliveries;
    this.url = url;
    /** What every request is answered (a receiver.setStatus step changes it). */
    this.status = 200;
  }

  async next(type, postId, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const delivery of this.deliveries.filter((d) => !d.taken)) {
        let event = null;
        try {
          event = JSON.parse(delivery.body);
        } catch {}
        if ((type === undefined || event?.type === type) && (postId === undefined || event?.data?.post?.id === postId)) {
          delivery.taken = true;
          return { body: delivery.body, signature: delivery.signature, event };
        }
      }
      if (Date.now() >= deadline) throw new Harness(`no delivery of ${type ?? 'any type'} for post ${postId ?? 'any'} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  stop() {
    this.server.closeAllConnections?.();
    this.server.close();
  }
}
