// Media by URL: media.upload({ url }) against the emulator's loopback file server — the server's
// fetch and each way it fails (waitReady throws MEDIA_FETCH_FAILED naming the URL and why), and
// the preflight that reads a few KiB with range requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AetherError, InvalidArgumentError, UploadError, ValidationError } from 'aether';
import { fixturesDir, startMock } from './helpers.mjs';

let mock;
let aether;
before(async () => ({ mock, aether } = await startMock()));
after(() => mock?.stop());

async function serve(name, fixture, options = {}) {
  const bytes = fs.readFileSync(path.join(fixturesDir, fixture));
  const file = await mock.putFile(name, bytes, { contentType: 'video/mp4', ...options });
  return file.url;
}

const waitFast = { pollIntervalMs: 20 };

test('a URL is fetched by the server and verified', async () => {
  const url = await serve('clip.mp4', 'h264_15s.mp4');
  const media = await aether.media.upload({ url });
  assert.equal(media.status, 'processing');
  assert.equal(media.sourceUrl, url);
  assert.equal(media.fileName, 'clip.mp4');
  const ready = await aether.media.waitReady(media.mediaKey, waitFast);
  assert.equal(ready.status, 'ready');
  assert.equal(ready.durationMs, 15000);
  const redirected = await aether.media.upload({ url: `${url}?redirects=2`, fileName: 'mine.mp4' });
  assert.equal(redirected.fileName, 'mine.mp4');
  assert.equal((await aether.media.waitReady(redirected.mediaKey, waitFast)).status, 'ready');
});

test('each failed fetch throws MEDIA_FETCH_FAILED naming the URL and the reason', async () => {
  await mock.updateSettings({ ingestTimeoutMs: 300 });
  const url = await serve('clip.mp4', 'h264_15s.mp4');
  const cases = [
    ['.gone?X-Signature=s3cr3t', 'not_found', 404],
    ['?status=500', 'http_error', 500],
    ['?stallMs=5000', 'timeout', undefined],
    ['?declaredSize=300000000000', 'too_large', 200],
    ['?contentType=text/html', 'not_media', 200],
    ['?redirectLoop=true', 'redirect_loop', 302],
  ];
  for (const [query, reason, status] of cases) {
    const media = await aether.media.upload({ url: url + query });
    const error = await aether.media.waitReady(media.mediaKey, waitFast).then(
      () => assert.fail(`${query}: expected a failure`),
      (e) => e,
    );
    assert.ok(error instanceof UploadError, `${query}: ${error}`);
    assert.equal(error.code, 'MEDIA_FETCH_FAILED');
    assert.equal(error.details.reason, reason, query);
    assert.equal(error.details.httpStatus, status, query);
    assert.match(error.message, /\/mock-files\/clip\.mp4/);
    assert.ok(!JSON.stringify([error.message, error.details]).includes('s3cr3t'));
  }
  await mock.updateSettings({ ingestTimeoutMs: 10000 });
});

test('other hosts are refused at once and the arguments are checked', async () => {
  await assert.rejects(aether.media.upload({ url: 'https://cdn.example.com/a.mp4?sig=abc' }), (error) => {
    assert.ok(error instanceof AetherError);
    assert.equal(error.code, 'MEDIA_FETCH_FAILED');
    assert.equal(error.status, 422);
    assert.equal(error.field, 'url');
    assert.equal(error.details.reason, 'refused_host');
    assert.match(error.message, /loopback/);
    return true;
  });
  await assert.rejects(aether.media.upload({ url: 'ftp://127.0.0.1/a.mp4' }), InvalidArgumentError);
  await assert.rejects(aether.media.upload({ url: 'http://127.0.0.1/a.mp4', file: Buffer.from('x') }), /not both/);
  await assert.rejects(aether.media.upload({ url: 'http://127.0.0.1/a.mp4', partSize: 5 << 20 }), /applies to files/);
});

test('the preflight reads a few KiB of the URL with range requests', async () => {
  const url = await serve('short.mp4', 'h264_14.9s.mp4', { freeBox: 8_000_000 });
  const before = (await mock.journal()).filter((e) => e.path === '/v1/media/ingest').length;
  await assert.rejects(aether.media.upload({ url, platforms: ['tiktok'] }), (error) => {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.code, 'VIDEO_TOO_SHORT');
    assert.equal(error.field, 'url');
    assert.equal(error.details.measured, 14900);
    return true;
  });
  const after = (await mock.journal()).filter((e) => e.path === '/v1/media/ingest').length;
  assert.equal(after, before, 'nothing was sent to the API');
  const stats = await mock.fileStats('short.mp4');
  assert.ok(stats.size > 8_000_000);
  assert.ok(stats.rangeRequests >= 1, JSON.stringify(stats));
  assert.ok(stats.bytesServed <= 64 * 1024, JSON.stringify(stats));
});
