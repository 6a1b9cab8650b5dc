// media.upload with every kind of `file`, progress, preflight, and backpressure on streams.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import Aether, { AetherError, LocalIOError, InvalidArgumentError, ValidationError } from 'aether';
import { MockServer } from 'aether/testing';
import { scratchDir, VIDEO } from './helpers.mjs';

const MiB = 1024 * 1024;
const video = fs.readFileSync(VIDEO);
const CRC32C_TABLE = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte;
  for (let k = 0; k < 8; k += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  return crc >>> 0;
});
/** The media's `crc32c`: base64 of the big-endian CRC32C (Castagnoli) of `bytes`. */
function crc32c(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}
const videoCrc = crc32c(video);
let mock;
let aether;
let dir;

before(async () => {
  mock = await MockServer.start();
  aether = mock.client();
  dir = scratchDir();
});

after(async () => {
  await mock?.stop();
});

function assertVideo(media, name) {
  assert.equal(media.size, video.length, `${name}: size`);
  assert.equal(media.crc32c, videoCrc, `${name}: the bytes arrived intact`);
  assert.equal(media.sha256, undefined, `${name}: no SHA-256 unless asked for`);
  assert.equal(media.mimeType, 'video/mp4');
  assert.match(media.mediaKey, /^org_mock\//);
}

/** A large pseudo-random buffer, deterministic. */
function bigBuffer(size) {
  const buffer = Buffer.allocUnsafe(size);
  let x = 0x9e3779b9;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buffer.writeUInt32LE(x >>> 0, i);
  }
  return buffer;
}

const sha = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

test('a path string', async () => {
  assertVideo(await aether.media.upload({ file: VIDEO, mimeType: 'video/mp4' }), 'path');
});

test('a file: URL', async () => {
  assertVideo(await aether.media.upload({ file: pathToFileURL(VIDEO), mimeType: 'video/mp4' }), 'URL');
});

test('a Buffer, a Uint8Array view, an ArrayBuffer', async () => {
  assertVideo(await aether.media.upload({ file: video, mimeType: 'video/mp4' }), 'Buffer');
  const padded = new Uint8Array(video.length + 10);
  padded.set(video, 5);
  assertVideo(await aether.media.upload({ file: padded.subarray(5, 5 + video.length), mimeType: 'video/mp4' }), 'view');
  const copy = video.buffer.slice(video.byteOffset, video.byteOffset + video.length);
  assertVideo(await aether.media.upload({ file: copy, mimeType: 'video/mp4' }), 'ArrayBuffer');
});

test('an fs.ReadStream of a whole file is read natively from its path and closed', async () => {
  const stream = fs.createReadStream(VIDEO);
  let read = 0;
  stream.on('data', (chunk) => (read += chunk.length));
  const media = await aether.media.upload({ file: stream, mimeType: 'video/mp4' });
  assertVideo(media, 'ReadStream');
  assert.equal(read, 0, 'the stream itself was not read');
  assert.ok(stream.destroyed, 'its descriptor is released');
  assert.equal(media.fileName, 'h264_aac_faststart.mp4', 'named after its path');
});

test('an fs.ReadStream with a start offset is consumed as a stream', async () => {
  const file = path.join(dir, 'prefixed.mp4');
  fs.writeFileSync(file, Buffer.concat([Buffer.from('JUNK'), video]));
  const media = await aether.media.upload({
    file: fs.createReadStream(file, { start: 4 }),
    mimeType: 'video/mp4',
    fileName: 'video.mp4',
  });
  assertVideo(media, 'ReadStream from offset 4');
});

test('a ReadStream opened on a descriptor (no path) is consumed as a stream', async () => {
  const fd = fs.openSync(VIDEO, 'r');
  const media = await aether.media.upload({ file: fs.createReadStream('', { fd }), mimeType: 'video/mp4' });
  assertVideo(media, 'fd stream');
});

test('a Readable, an async generator, an array of chunks, strings', async () => {
  const chunks = [video.subarray(0, 1000), video.subarray(1000, 20000), video.subarray(20000)];
  assertVideo(await aether.media.upload({ file: Readable.from(chunks), mimeType: 'video/mp4' }), 'Readable');
  async function* generate() {
    for (const chunk of chunks) {
      await new Promise((r) => setImmediate(r));
      yield new Uint8Array(chunk);
    }
  }
  assertVideo(await aether.media.upload({ file: generate(), mimeType: 'video/mp4' }), 'async generator');
  assertVideo(await aether.media.upload({ file: chunks, mimeType: 'video/mp4' }), 'array');
  const text = await aether.media.upload({ file: Readable.from(['hello ', 'world']), mimeType: 'image/png', fileName: 'x.png' });
  assert.equal(text.size, 11);
  assert.equal(text.crc32c, 'yZRlqg==');
});

test('a Blob, a File (name and type from it), a web ReadableStream', async () => {
  assertVideo(await aether.media.upload({ file: new Blob([video]), mimeType: 'video/mp4', fileName: 'b.mp4' }), 'Blob');
  const { File } = await import('node:buffer');
  const media = await aether.media.upload({ file: new File([video], 'clip.mp4', { type: 'video/mp4' }) });
  assertVideo(media, 'File');
  assert.equal(media.fileName, 'clip.mp4');
  const web = Readable.toWeb(Readable.from([video]));
  assertVideo(await aether.media.upload({ file: web, mimeType: 'video/mp4', fileName: 'w.mp4' }), 'web stream');
});

test('a producer that reuses its buffer does not change what was uploaded', async () => {
  const shared = Buffer.alloc(64 * 1024);
  const total = 2 * MiB;
  async function* reuse() {
    for (let sent = 0; sent < total; sent += shared.length) {
      shared.fill(sent / shared.length);
      yield shared;
    }
  }
  const expected = Buffer.concat(Array.from({ length: total / shared.length }, (_, i) => Buffer.alloc(shared.length, i)));
  const media = await aether.media.upload({ file: reuse(), mimeType: 'video/mp4', fileName: 'v.mp4' });
  assert.equal(media.crc32c, crc32c(expected));
});

test('large streams: chunked with a size, spooled without', async () => {
  const big = bigBuffer(20 * MiB + 123);
  const withSize = await aether.media.upload({
    file: Readable.from([big.subarray(0, 7 * MiB), big.subarray(7 * MiB)]),
    size: big.length,
    mimeType: 'video/mp4',
    fileName: 'big.mp4',
    partSize: 5 * MiB,
  });
  assert.equal(withSize.size, big.length);
  assert.equal(withSize.crc32c, crc32c(big));
  assert.equal(withSize.sha256, undefined);
  // With the SHA-256 opted in, the one reader of the stream computes it too.
  const spooled = await aether.media.upload({ file: Readable.from([big]), mimeType: 'video/mp4', fileName: 'big.mp4', sha256: true });
  assert.equal(spooled.sha256, sha(big));
  assert.equal(spooled.crc32c, crc32c(big));
  const journal = await mock.journal();
  assert.ok(journal.some((e) => e.method === 'PUT' && /\/parts\/5$/.test(e.path)), 'went in parts');
});

test('a stream is read only as fast as the upload goes (backpressure)', async () => {
  const total = 40 * MiB;
  const chunk = 64 * 1024;
  let produced = 0;
  let producedAtFirstAck;
  const source = new Readable({
    highWaterMark: chunk,
    read() {
      if (produced >= total) return this.push(null);
      produced += chunk;
      this.push(Buffer.alloc(chunk, produced % 251));
    },
  });
  // Every part PUT takes 300 ms: the producer must wait for the upload, not run ahead of it.
  await mock.injectFault({ method: 'PUT', path: '/v1/media/uploads/*/parts/*', action: { type: 'delay', ms: 300 } });
  try {
    const media = await aether.media.upload({
      file: source,
      size: total,
      mimeType: 'video/mp4',
      fileName: 'slow.mp4',
      partSize: 5 * MiB,
      parallelism: 1,
      onProgress: ({ bytesSent }) => {
        if (bytesSent > 0 && producedAtFirstAck === undefined) producedAtFirstAck = produced;
      },
    });
    assert.equal(media.size, total);
  } finally {
    await mock.clearFaults();
  }
  // One part in flight (5 MiB), the next being filled (5 MiB), the queue (1 MiB) and the
  // stream's own buffer: far less than the 40 MiB the producer could have read.
  assert.ok(producedAtFirstAck <= 13 * MiB, `read ${producedAtFirstAck / MiB} MiB before the first part was acknowledged`);
});

test('progress: from 0 to the size, monotonic', async () => {
  const big = bigBuffer(12 * MiB);
  const events = [];
  await aether.media.upload({
    file: big,
    mimeType: 'video/mp4',
    fileName: 'p.mp4',
    partSize: 5 * MiB,
    onProgress: (p) => events.push(p),
  });
  assert.deepEqual(events[0], { bytesSent: 0, total: big.length, partsDone: 0, partsTotal: 3 });
  assert.deepEqual(events.at(-1), { bytesSent: big.length, total: big.length, partsDone: 3, partsTotal: 3 });
  for (let i = 1; i < events.length; i += 1) assert.ok(events[i].bytesSent >= events[i - 1].bytesSent);
});

test('preflight refuses a file before sending a byte', async () => {
  await mock.clearJournal();
  const short = path.join(path.dirname(VIDEO), 'h264_14.9s.mp4');
  await assert.rejects(
    aether.media.upload({ file: short, mimeType: 'video/mp4', platforms: ['tiktok'] }),
    (err) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.code, 'VIDEO_TOO_SHORT');
      assert.equal(err.platform, 'tiktok');
      assert.equal(err.status, null);
      return true;
    },
  );
  const journal = await mock.journal();
  assert.equal(journal.filter((e) => e.path.startsWith('/v1/media')).length, 0);
});

test('a missing file is IO_ERROR; a failing stream is IO_ERROR with its error as cause', async () => {
  await assert.rejects(aether.media.upload({ file: path.join(dir, 'nope.mp4') }), (err) => {
    assert.ok(err instanceof LocalIOError);
    assert.equal(err.code, 'IO_ERROR');
    return true;
  });
  await assert.rejects(aether.media.upload({ file: fs.createReadStream(path.join(dir, 'nope.mp4')) }), {
    code: 'IO_ERROR',
  });
  const boom = new Error('the disk caught fire');
  async function* failing() {
    yield Buffer.alloc(1000);
    throw boom;
  }
  await assert.rejects(aether.media.upload({ file: failing(), mimeType: 'video/mp4', fileName: 'f.mp4' }), (err) => {
    assert.equal(err.code, 'IO_ERROR');
    assert.match(err.message, /the disk caught fire/);
    assert.equal(err.cause, boom);
    return true;
  });
});

test('wrong arguments are INVALID_ARGUMENT, as rejected promises', async () => {
  for (const params of [undefined, {}, { file: 42 }, { file: { not: 'a stream' } }, { file: VIDEO, platforms: 'tiktok' }, { file: VIDEO, onProgress: 5 }, { file: '' }]) {
    const promise = aether.media.upload(params);
    assert.ok(promise instanceof Promise);
    await assert.rejects(promise, (err) => err instanceof InvalidArgumentError && err.code === 'INVALID_ARGUMENT');
  }
  await assert.rejects(aether.media.upload({ file: Buffer.alloc(0), mimeType: 'video/mp4' }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(aether.media.upload({ file: [42], mimeType: 'video/mp4' }), AetherError);
});

test('resume continues a kept session with the same file', async () => {
  await mock.injectFault({
    method: 'PUT',
    path: '/v1/media/uploads/*/parts/*',
    times: 3,
    action: { type: 'drop_after_request_bytes', bytes: 1024 },
  });
  const err = await aether.media
    .upload({ file: VIDEO, singleShotThreshold: 0, mimeType: 'video/mp4' }, { maxRetries: 2 })
    .then(() => assert.fail('the upload succeeded through the faults'), (e) => e);
  assert.equal(err.code, 'NETWORK_ERROR');
  assert.equal(err.details.sessionAborted, false);
  const state = await aether.media.uploadState(err.details.uploadId);
  assert.equal(state.status, 'uploading');
  const media = await aether.media.resume(err.details.uploadId, { file: VIDEO, singleShotThreshold: 0, mimeType: 'video/mp4' });
  assert.equal(media.mediaKey, err.details.mediaKey);
  assertVideo(media, 'resumed');
  const ready = await aether.media.waitReady(media.mediaKey, { pollIntervalMs: 50, timeoutMs: 10_000 });
  assert.equal(ready.status, 'ready');
  assert.equal(ready.durationMs, 20000);
});

test('sha256 opted in: the single shot sends X-Content-Sha256, the media has it', async () => {
  const media = await aether.media.upload({ file: VIDEO, sha256: true });
  assert.equal(media.sha256, sha(video));
  assert.equal(media.crc32c, videoCrc);
  const journal = await mock.journal();
  const single = journal.filter((e) => e.method === 'POST' && e.path === '/v1/media').at(-1);
  assert.equal(single.headers['x-content-sha256'], sha(video));
  assert.equal(single.headers['x-content-crc32c'], videoCrc);
});

test('a part damaged on the way is sent again; a single shot damaged every time is CHECKSUM_MISMATCH', async () => {
  const local = await MockServer.start();
  try {
    const client = local.client();
    await local.injectFault({
      method: 'PUT', path: '/v1/media/uploads/*/parts/*', times: 1,
      action: { type: 'flip_request_byte', at: 100 },
    });
    const media = await client.media.upload({ file: VIDEO, singleShotThreshold: 0 });
    assert.equal(media.crc32c, videoCrc);
    const puts = (await local.journal()).filter((e) => e.method === 'PUT');
    assert.deepEqual(puts.map((e) => e.status), [422, 200]);
    await local.injectFault({ method: 'POST', path: '/v1/media', times: 3, action: { type: 'flip_request_byte', at: 10 } });
    await assert.rejects(client.media.upload({ file: VIDEO }), (error) => {
      assert.equal(error.code, 'CHECKSUM_MISMATCH');
      assert.equal(error.field, 'X-Content-Crc32c');
      return true;
    });
  } finally {
    await local.stop();
  }
});
