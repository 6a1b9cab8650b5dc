// The tutorial's TypeScript, compiled with tsc and run unchanged against the emulator, and
// examples/node/publish.mjs. examples/node is a user's project: node_modules/aether links here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MockServer } from 'aether/testing';
import Aether from 'aether';
import { examplesDir, linkExamples, packageDir, runNode, scratchDir, VIDEO } from './helpers.mjs';

let mock;

before(async () => {
  linkExamples();
  mock = await MockServer.start({ settings: { processingMs: 500 } });
});

after(async () => {
  await mock?.stop();
});

test('tsc compiles the examples (strict)', async () => {
  const tsc = path.join(packageDir, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await runNode([tsc, '-p', examplesDir], { timeoutMs: 120_000 });
  assert.equal(result.code, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
  assert.ok(fs.existsSync(path.join(examplesDir, 'build', 'tutorial.js')));
});

test('the tutorial runs unchanged: connect, upload, publish, poll, and the daily limit caught', async () => {
  // The tutorial publishes to the placeholder profile id "tiktok_profile_id"; 9 posts already
  // made today leave room for its post, so its error-handling create is the 11th and hits
  // POST_LIMIT_REACHED, which its catch block handles.
  const profile = await mock.createProfile({ platform: 'tiktok', id: 'tiktok_profile_id' });
  assert.equal(profile.id, 'tiktok_profile_id');
  const aether = mock.client();
  const earlier = await aether.media.upload({ file: VIDEO, mimeType: 'video/mp4' });
  for (let i = 0; i < 9; i += 1) {
    await aether.posts.create({
      profileId: profile.id,
      content: { text: `earlier post ${i}` },
      mediaKeys: [earlier.mediaKey],
      platforms: { tiktok: {} },
    });
  }
  await mock.clearJournal();

  const cwd = scratchDir();
  fs.copyFileSync(VIDEO, path.join(cwd, 'video.mp4'));
  const result = await runNode([path.join(examplesDir, 'build', 'tutorial.js')], {
    cwd,
    env: { AETHER_API_KEY: mock.apiKey, AETHER_BASE_URL: mock.url },
  });
  assert.equal(result.code, 0, `the tutorial failed:\n${result.stdout}\n${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  assert.match(lines[0], /^http:\/\/127\.0\.0\.1:\d+\/connect\/link_/, 'link.url');
  assert.match(lines[1], /^org_mock\/\w+\.mp4$/, 'mediaKey');
  assert.equal(lines[2], 'published');
  assert.equal(lines.length, 3);

  const journal = await mock.journal();
  const posts = journal.filter((e) => e.method === 'POST' && e.path === '/v1/posts');
  assert.deepEqual(posts.map((e) => e.status), [201, 429], 'the post, then the 11th refused');
  assert.ok(journal.some((e) => e.method === 'POST' && e.path === '/v1/media'), 'the video was uploaded');
});

test('err.code === "POST_LIMIT_REACHED" as the tutorial checks it', async () => {
  const aether = new Aether({ apiKey: mock.apiKey, baseUrl: mock.url });
  try {
    await aether.posts.create({
      profileId: 'tiktok_profile_id',
      content: { text: 'one more' },
      mediaKeys: [(await aether.media.upload({ file: VIDEO, mimeType: 'video/mp4' })).mediaKey],
      platforms: { tiktok: {} },
    });
    assert.fail('the 12th post of the day was accepted');
  } catch (err) {
    assert.equal(err.code, 'POST_LIMIT_REACHED');
    assert.ok(err instanceof Aether.PostLimitReachedError);
    assert.equal(err.status, 429);
    assert.ok(err.retryAfter > 0);
  }
});

test('examples/node/publish.mjs publishes against its embedded emulator', async () => {
  const result = await runNode([path.join(examplesDir, 'publish.mjs')], {
    cwd: examplesDir,
    env: { AETHER_API_KEY: '', AETHER_BASE_URL: '' },
  });
  assert.equal(result.code, 0, `publish.mjs failed:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /^media: org_mock\//m);
  assert.match(result.stdout, /^status: published$/m);
  assert.match(result.stdout, /^tiktok: published https:/m);
});
