// The Node package against Node's built-in fetch (issue 8, Performance). One measurement per
// process; each prints exactly one JSON line:
//   {"tool", "op", "seconds", "cpuSeconds"? and "mibPerSec"? (upload), "microsPerCall"? (get), "peakRssMiB"}
//
//   node bench/node/bench.mjs upload     --tool {aether,fetch} URL KEY FILE
//   node bench/node/bench.mjs get        --tool {aether,fetch} URL KEY POST_ID CALLS
//   node bench/node/bench.mjs concurrent --tool {aether,fetch} URL KEY PROFILE_ID[,PROFILE_ID…] COUNT
//   node bench/node/bench.mjs wait-latency --tool {aether,fetch} URL KEY PROFILE_ID[,PROFILE_ID…] COUNT
//   node bench/node/bench.mjs require   [--tool {aether,fetch}]
//
// The timed part excludes process start-up and client construction, except for `require`,
// which times loading the package (aether) or Node's lazily loaded fetch (fetch) in fresh
// processes, median of REQUIRE_RUNS (default 9).
//
// The package is loaded from $AETHER_NODE_PACKAGE when set, else from bench/node/.pkg (the
// release build bench/node.sh makes, so a debug build that the tests leave in bindings-node
// is never what gets measured), else from bindings-node itself.
//
// The fetch side is what a competent user would write against PROTOCOL.md: keep-alive (Node's
// default), the upload read part by part through a file handle into one reused buffer, the
// CRC32C of each part in plain JavaScript (./crc32c.mjs), parts PUT one after another, then
// complete without the whole-file checksum (optional in the protocol: this spares fetch work
// the SDK does).

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32cBase64 } from './crc32c.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const MIB = 1024 * 1024;
const TERMINAL = new Set(['published', 'partially_published', 'failed', 'cancelled']);
/** The protocol's default time between polls when the server gives no hint. */
const POLL_MS = 3000;
/** PROTOCOL.md (second edition): polls at least 100 ms apart, whatever the server hints. */
const MIN_POLL_MS = 100;
const WARMUP_CALLS = 200;

function packageDir() {
  if (process.env.AETHER_NODE_PACKAGE) return path.resolve(process.env.AETHER_NODE_PACKAGE);
  const built = path.join(here, '.pkg');
  if (fs.existsSync(path.join(built, 'aether.node'))) return built;
  return path.resolve(here, '../../bindings-node');
}

function loadAether() {
  return createRequire(import.meta.url)(packageDir());
}

function usage(message) {
  if (message) console.error(`bench.mjs: ${message}`);
  console.error(
    [
      'usage: node bench/node/bench.mjs upload     --tool {aether,fetch} URL KEY FILE',
      '       node bench/node/bench.mjs get        --tool {aether,fetch} URL KEY POST_ID CALLS',
      '       node bench/node/bench.mjs concurrent --tool {aether,fetch} URL KEY PROFILE_ID[,PROFILE_ID…] COUNT',
      '       node bench/node/bench.mjs wait-latency --tool {aether,fetch} URL KEY PROFILE_ID[,PROFILE_ID…] COUNT',
      '       node bench/node/bench.mjs require   [--tool {aether,fetch}]',
    ].join('\n'),
  );
  process.exit(2);
}

function peakRssMiB() {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function report(tool, op, seconds, extra = {}) {
  const line = { tool, op, seconds: round(seconds, 4), ...extra, peakRssMiB: peakRssMiB() };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function now() {
  return process.hrtime.bigint();
}

// CPU-seconds (user + system, every thread of the process: the addon's runtime included) since
// `previous` (a process.cpuUsage()): an upload reports its own, not Node's start-up.
function cpuSecondsSince(previous) {
  const { user, system } = process.cpuUsage(previous);
  return (user + system) / 1e6;
}

function secondsSince(start) {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function ok(response, what) {
  if (!response.ok) {
    throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  }
  return response;
}

// ---------------------------------------------------------------------------------------------
// upload

async function uploadAether(url, key, file) {
  const Aether = loadAether();
  const aether = new Aether({ apiKey: key, baseUrl: url, timeoutMs: 600_000 });
  const cpu = process.cpuUsage();
  const start = now();
  const media = await aether.media.upload({ file: fs.createReadStream(file), mimeType: 'video/mp4' });
  const seconds = secondsSince(start);
  const cpuSeconds = cpuSecondsSince(cpu);
  if (!media?.mediaKey) throw new Error('the upload returned no media key');
  return { seconds, cpuSeconds };
}

async function uploadFetch(url, key, file) {
  const auth = { Authorization: `Bearer ${key}` };
  const cpu = process.cpuUsage();
  const start = now();
  const { size } = await stat(file);
  const created = await (
    await ok(
      await fetch(`${url}/v1/media/uploads`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ fileName: path.basename(file), mimeType: 'video/mp4', size }),
      }),
      'create the upload session',
    )
  ).json();
  const { uploadId, partSize, partCount } = created;
  const buffer = Buffer.allocUnsafe(partSize);
  const handle = await open(file, 'r');
  try {
    for (let n = 1; n <= partCount; n++) {
      const length = Math.min(partSize, size - (n - 1) * partSize);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, (n - 1) * partSize + filled);
        if (bytesRead === 0) throw new Error(`${file} ended early`);
        filled += bytesRead;
      }
      const part = buffer.subarray(0, length);
      const response = await fetch(`${url}/v1/media/uploads/${uploadId}/parts/${n}`, {
        method: 'PUT',
        headers: { ...auth, 'Content-Type': 'application/octet-stream', 'X-Part-Crc32c': crc32cBase64(part) },
        body: part,
      });
      await ok(response, `PUT part ${n}`);
      await response.arrayBuffer(); // read the receipt so the connection is reused
    }
  } finally {
    await handle.close();
  }
  const media = await (
    await ok(
      await fetch(`${url}/v1/media/uploads/${uploadId}/complete`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({}),
      }),
      'complete the upload',
    )
  ).json();
  const seconds = secondsSince(start);
  const cpuSeconds = cpuSecondsSince(cpu);
  if (!media?.mediaKey) throw new Error('the upload returned no media key');
  return { seconds, cpuSeconds };
}

// ---------------------------------------------------------------------------------------------
// get

async function getAether(url, key, postId, calls) {
  const Aether = loadAether();
  const aether = new Aether({ apiKey: key, baseUrl: url });
  for (let i = 0; i < WARMUP_CALLS; i++) await aether.posts.get(postId);
  const start = now();
  for (let i = 0; i < calls; i++) {
    const post = await aether.posts.get(postId);
    if (post.id !== postId) throw new Error('wrong post');
  }
  return secondsSince(start);
}

async function getFetch(url, key, postId, calls) {
  const target = `${url}/v1/posts/${encodeURIComponent(postId)}`;
  const headers = { Authorization: `Bearer ${key}` };
  const once = async () => (await ok(await fetch(target, { headers }), 'GET the post')).json();
  for (let i = 0; i < WARMUP_CALLS; i++) await once();
  const start = now();
  for (let i = 0; i < calls; i++) {
    const post = await once();
    if (post.id !== postId) throw new Error('wrong post');
  }
  return secondsSince(start);
}

// ---------------------------------------------------------------------------------------------
// concurrent create + wait

// PROFILE_ID may be a comma-separated list: post i goes to profile i mod n (the emulator
// allows 150 posts a profile a day, so 2,000 posts need several profiles).
function postBody(profileIds, i) {
  const ids = profileIds.split(',');
  return { profileId: ids[i % ids.length], content: { text: `bench post ${i} ${randomUUID()}` }, platforms: { linkedin: {} } };
}

async function concurrentAether(url, key, profileId, count) {
  const Aether = loadAether();
  const aether = new Aether({ apiKey: key, baseUrl: url });
  const start = now();
  const posts = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const post = await aether.posts.create(postBody(profileId, i));
      return aether.posts.wait(post.id, { timeoutMs: 600_000 });
    }),
  );
  const seconds = secondsSince(start);
  if (posts.some((p) => !TERMINAL.has(p.status))) throw new Error('a post did not finish');
  return seconds;
}

// The server's poll hint: Retry-After-Ms (which wins), else Retry-After in seconds.
function hintMs(headers) {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+$/.test(ms)) return Number(ms);
  const secs = headers.get('retry-after');
  if (secs !== null && /^\d+$/.test(secs)) return Number(secs) * 1000;
  return undefined;
}

// When to poll next, as PROTOCOL.md says (second edition): at the server's hint (else every
// POLL_MS), never sooner than 100 ms after the previous request started.
function nextPoll(headers, sent) {
  return Math.max(performance.now() + (hintMs(headers) ?? POLL_MS), sent + MIN_POLL_MS);
}

// Creates a post (with an idempotency key, as PROTOCOL.md recommends) and polls it: the
// create's answer already says `publishing` and when to look again (Retry-After-Ms), so the
// first GET waits for that hint; without one it is sent at once.
async function fetchCreateAndWait(url, auth, body) {
  let sent = performance.now();
  let response = await ok(
    await fetch(`${url}/v1/posts`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
      body: JSON.stringify(body),
    }),
    'create a post',
  );
  let post = await response.json();
  let at = hintMs(response.headers) === undefined ? sent : nextPoll(response.headers, sent);
  while (!TERMINAL.has(post.status)) {
    await sleep(Math.max(0, at - performance.now()));
    sent = performance.now();
    response = await ok(await fetch(`${url}/v1/posts/${post.id}`, { headers: auth }), 'GET the post');
    post = await response.json();
    at = nextPoll(response.headers, sent);
  }
  return post;
}

async function concurrentFetch(url, key, profileId, count) {
  const auth = { Authorization: `Bearer ${key}` };
  const cpu = process.cpuUsage();
  const start = now();
  const posts = await Promise.all(
    Array.from({ length: count }, (_, i) => fetchCreateAndWait(url, auth, postBody(profileId, i))),
  );
  const seconds = secondsSince(start);
  if (posts.length !== count) throw new Error('posts went missing');
  return seconds;
}

// ---------------------------------------------------------------------------------------------
// wait latency: from the emulator's change (the latest results[].publishedAt, on its clock,
// which is this machine's) to the wait returning, posts one after another

function changedAt(post) {
  return Math.max(...post.results.filter((r) => r.publishedAt).map((r) => Date.parse(r.publishedAt)));
}

async function latencyAether(url, key, profileId, count) {
  const aether = new (loadAether())({ apiKey: key, baseUrl: url });
  const out = [];
  for (let i = 0; i < count; i++) {
    const post = await aether.posts.create(postBody(profileId, i));
    const done = await aether.posts.wait(post.id);
    out.push(Date.now() - changedAt(done));
  }
  return out;
}

async function latencyFetch(url, key, profileId, count) {
  const auth = { Authorization: `Bearer ${key}` };
  const out = [];
  for (let i = 0; i < count; i++) {
    const done = await fetchCreateAndWait(url, auth, postBody(profileId, i));
    out.push(Date.now() - changedAt(done));
  }
  return out;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---------------------------------------------------------------------------------------------
// require

function requireTime(tool) {
  const runs = Number(process.env.REQUIRE_RUNS ?? 9);
  const code =
    tool === 'aether'
      ? `const t = process.hrtime.bigint(); require(${JSON.stringify(packageDir())}); ` +
        'process.stdout.write(String(Number(process.hrtime.bigint() - t)))'
      : // Node loads its fetch (undici) on the first access of the global.
        'const t = process.hrtime.bigint(); globalThis.fetch; ' +
        'process.stdout.write(String(Number(process.hrtime.bigint() - t)))';
  const times = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`the child failed: ${child.stderr}`);
    times.push(Number(child.stdout) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor((times.length - 1) / 2)];
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const [op, ...rest] = process.argv.slice(2);
  let tool;
  const args = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--tool') tool = rest[++i];
    else if (rest[i].startsWith('--tool=')) tool = rest[i].slice('--tool='.length);
    else args.push(rest[i]);
  }
  if (op === 'require') {
    tool ??= 'aether';
    if (!['aether', 'fetch'].includes(tool)) usage(`unknown tool ${tool}`);
    return report(tool, op, requireTime(tool));
  }
  if (!['aether', 'fetch'].includes(tool)) usage(tool === undefined ? '--tool is required' : `unknown tool ${tool}`);
  const aether = tool === 'aether';
  switch (op) {
    case 'upload': {
      if (args.length !== 3) usage('upload takes URL KEY FILE');
      const [url, key, file] = args;
      const { seconds, cpuSeconds } = await (aether ? uploadAether : uploadFetch)(url, key, file);
      const { size } = await stat(file);
      return report(tool, op, seconds, { cpuSeconds: round(cpuSeconds, 4), mibPerSec: round(size / MIB / seconds, 1) });
    }
    case 'get': {
      if (args.length !== 4) usage('get takes URL KEY POST_ID CALLS');
      const [url, key, postId, callsText] = args;
      const calls = Number(callsText);
      if (!Number.isSafeInteger(calls) || calls < 1) usage('CALLS must be a positive integer');
      const seconds = await (aether ? getAether : getFetch)(url, key, postId, calls);
      return report(tool, op, seconds, { microsPerCall: round((seconds * 1e6) / calls, 1) });
    }
    case 'concurrent': {
      if (args.length !== 4) usage('concurrent takes URL KEY PROFILE_ID COUNT');
      const [url, key, profileId, countText] = args;
      const count = Number(countText);
      if (!Number.isSafeInteger(count) || count < 1) usage('COUNT must be a positive integer');
      const seconds = await (aether ? concurrentAether : concurrentFetch)(url, key, profileId, count);
      return report(tool, op, seconds);
    }
    case 'wait-latency': {
      if (args.length !== 4) usage('wait-latency takes URL KEY PROFILE_ID COUNT');
      const [url, key, profileId, countText] = args;
      const count = Number(countText);
      if (!Number.isSafeInteger(count) || count < 1) usage('COUNT must be a positive integer');
      const start = now();
      const latencies = await (aether ? latencyAether : latencyFetch)(url, key, profileId, count);
      return report(tool, op, secondsSince(start), {
        medianMs: round(median(latencies), 1),
        latenciesMs: latencies.map((ms) => round(ms, 1)),
      });
    }
    default:
      usage(op === undefined ? 'no operation' : `unknown operation ${op}`);
  }
}

main().catch((error) => {
  console.error(error?.stack ?? String(error));
  process.exit(1);
});
