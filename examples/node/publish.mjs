// The whole flow of the README with the Node SDK: connect a TikTok account, upload a video,
// publish, follow the post until TikTok is done, and handle the daily limit.
//
//   AETHER_API_KEY=sk_… node publish.mjs ./video.mp4
//
// Without AETHER_API_KEY it runs against the emulator embedded in the package
// (`aether/testing`), approving the connect link itself.
import fs from 'node:fs';
import Aether, { AetherError } from 'aether';
import { MockServer } from 'aether/testing';

const file = process.argv[2] ?? new URL('../../tests/fixtures/media/h264_15s.mp4', import.meta.url);

const mock = process.env.AETHER_API_KEY ? undefined : await MockServer.start({ settings: { processingMs: 300 } });
const aether = mock ? mock.client() : new Aether();

try {
  // 1. Connect an account: send your user to link.url; they come back connected.
  const link = await aether.connectLinks.create({
    platform: 'tiktok',
    redirectUrl: 'https://yourapp.com/oauth/tiktok/callback',
  });
  console.log(`connect: ${link.url}`);
  if (mock) await mock.approveConnectLink(link.id); // the emulator's stand-in for the user
  const { profileId } = await aether.connectLinks.get(link.id);
  console.log(`profile: ${profileId}`);

  // 2. Upload the video, checked against TikTok's rules before a byte is sent.
  const media = await aether.media.upload({
    file: fs.createReadStream(file),
    mimeType: 'video/mp4',
    platforms: ['tiktok'],
    onProgress: ({ bytesSent, total }) => console.log(`upload: ${bytesSent}/${total} bytes`),
  });
  console.log(`media: ${media.mediaKey}`);

  // 3. Publish, and follow every status until TikTok has finished.
  const post = await aether.posts.create({
    profileId,
    content: { text: 'My first TikTok via API! #coding #developer' },
    mediaKeys: [media.mediaKey],
    platforms: { tiktok: {} },
  });
  const done = await aether.posts.wait(post.id, {
    pollIntervalMs: mock ? 200 : 3000,
    onStatus: (p) => console.log(`status: ${p.status}`),
  });
  for (const result of done.results) {
    console.log(`${result.platform}: ${result.status} ${result.url ?? result.error?.message ?? ''}`);
  }
  if (done.status !== 'published') process.exitCode = 1;
} catch (err) {
  if (err instanceof AetherError && err.code === 'POST_LIMIT_REACHED') {
    console.error(`daily limit reached; try again in ${err.retryAfter} s`);
  } else {
    console.error(err instanceof AetherError ? `${err.code}: ${err.message} (${err.requestId ?? 'no request'})` : err);
  }
  process.exitCode = 1;
} finally {
  await mock?.stop();
}
