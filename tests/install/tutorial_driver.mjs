// Runs the tutorial's compiled TypeScript (build/tutorial.js) in the project it is copied into,
// against the emulator of the installed `aether/testing`, with the setup the tutorial expects
// (the same as bindings-node/test/examples.test.mjs gives it): AETHER_API_KEY and AETHER_BASE_URL,
// ./video.mp4, and a TikTok profile "tiktok_profile_id" with 9 posts today, so that the
// tutorial's post is the 10th and its error-handling create the 11th (POST_LIMIT_REACHED).
//
//   node tutorial_driver.mjs VIDEO
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { MockServer } from 'aether/testing';

const video = process.argv[2];
const mock = await MockServer.start({ settings: { processingMs: 500 } });
let failure;
try {
  const profile = await mock.createProfile({ platform: 'tiktok', id: 'tiktok_profile_id' });
  const aether = mock.client();
  const earlier = await aether.media.upload({ file: video, mimeType: 'video/mp4' });
  for (let i = 0; i < 9; i += 1) {
    await aether.posts.create({
      profileId: profile.id,
      content: { text: `earlier post ${i}` },
      mediaKeys: [earlier.mediaKey],
      platforms: { tiktok: {} },
    });
  }
  fs.copyFileSync(video, 'video.mp4');
  const result = spawnSync(process.execPath, ['build/tutorial.js'], {
    env: { ...process.env, AETHER_API_KEY: mock.apiKey, AETHER_BASE_URL: mock.url },
    encoding: 'utf8',
    timeout: 60_000,
  });
  process.stdout.write(result.stdout);
  const lines = result.stdout.trim().split('\n');
  if (result.status !== 0) failure = `the tutorial exited ${result.status}:\n${result.stderr}`;
  else if (!/^http:\/\/127\.0\.0\.1:\d+\/connect\/link_/.test(lines[0])) failure = `link.url: ${lines[0]}`;
  else if (!/^org_mock\/\w+\.mp4$/.test(lines[1])) failure = `mediaKey: ${lines[1]}`;
  else if (lines[2] !== 'published' || lines.length !== 3) failure = `not "published" last: ${lines.slice(2)}`;
  const posts = (await mock.journal()).filter((e) => e.method === 'POST' && e.path === '/v1/posts');
  const statuses = posts.slice(-2).map((e) => e.status).join(',');
  if (!failure && statuses !== '201,429') failure = `the last two creates answered ${statuses}, not 201,429`;
} finally {
  await mock.stop();
}
if (failure) {
  console.error(`tutorial_driver.mjs: ${failure}`);
  process.exit(1);
}
