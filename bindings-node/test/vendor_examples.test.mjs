// The posts.create examples of Aether's own pages (../shared/design/VENDOR.md), written exactly
// as a user copies them (only the client comes from the emulator instead of
// `new Aether({ apiKey: process.env.AETHER_API_KEY })`), against profiles that carry the pages'
// ids. The pages' dates are fixed instants a few months ahead of this suite (the emulator's
// clock starts at the real time); move them forward when they come near.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as sdk from 'aether';
import { MockServer } from 'aether/testing';
import { VIDEO, fixturesDir } from './helpers.mjs';

// The pages' dates have passed by the time anyone reads them: the same hour, a quarter ahead
// (within every horizon but TikTok's, which these examples do not schedule).
const DAY = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
const AT_Z = `${DAY}T14:00:00Z`;
const AT_OFFSET = `${DAY}T09:00:00-05:00`;

let mock;
let aether;
/** A loopback "CDN" serving the media fixtures, for the pages' media URLs. */
let cdn;
let cdnUrl;

before(async () => {
  mock = await MockServer.start({ settings: { processingMs: 100 } });
  aether = mock.client({ retryBackoff: { initialMs: 5, maxMs: 20 } });
  const profiles = [
    ['tiktok', 'tiktok_profile_id'],
    ['instagram', 'ig_8f3k2'],
    ['linkedin', 'li_29dk1'],
    ['threads', 'th_77aa0'],
  ];
  for (const [platform, id] of profiles) await mock.createProfile({ platform, id });
  cdn = http.createServer((req, res) => {
    const file = path.join(fixturesDir, path.basename(req.url));
    if (!fs.existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(fs.readFileSync(file));
  });
  await new Promise((done) => cdn.listen(0, '127.0.0.1', done));
  cdnUrl = `http://127.0.0.1:${cdn.address().port}`;
});

after(async () => {
  cdn?.close();
  await mock?.stop();
});

/** The AetherWarnings process.emitWarning reported while `fn` ran. */
async function warningsDuring(fn) {
  const seen = [];
  const listen = (warning) => warning.name === 'AetherWarning' && seen.push(warning);
  process.on('warning', listen);
  try {
    const value = await fn();
    await new Promise((done) => setImmediate(done));
    return { value, warnings: seen };
  } finally {
    process.off('warning', listen);
  }
}

async function postsSent() {
  return (await mock.journal()).filter((e) => e.method === 'POST' && e.path === '/v1/posts').length;
}

test('the TikTok tutorial: content, mediaKeys, platforms', async () => {
  const { mediaKey } = await aether.media.upload({
    file: fs.createReadStream(VIDEO),
    mimeType: 'video/mp4',
  });

  const post = await aether.posts.create({
    profileId: "tiktok_profile_id",
    content: {
      text: "My first TikTok via API! #coding #developer",
    },
    mediaKeys: [mediaKey],
    platforms: { tiktok: {} },
  });

  assert.equal(post.status, 'publishing');
  assert.deepEqual(post.media, [{ mediaKey, type: 'video' }]);
  assert.equal(post.warnings, undefined, 'two hashtags are below the recommendation: no server warning');
});

test('the scheduling page: text, profileIds, media by URL, scheduledFor with Z, timezone, platforms', async () => {
  const { value: post, warnings } = await warningsDuring(() =>
    aether.posts.create({
      text: "Launching our spring collection today",
      profileIds: ["ig_8f3k2", "li_29dk1", "th_77aa0"],
      media: [{ url: `${cdnUrl}/image.jpg`, type: "image" }],
      scheduledFor: AT_Z,
      timezone: "America/New_York",
      platforms: {
        instagram: { contentType: "reel" },
        linkedin: { visibility: "PUBLIC" },
        threads: { replyControl: "everyone" },
      },
    }),
  );
  assert.equal(post.status, 'scheduled');
  assert.equal(Date.parse(post.publishAt), Date.parse(AT_Z), 'the offset wins');
  assert.equal(post.media[0].type, 'image');
  assert.deepEqual(warnings.map((w) => w.code), ['TIMEZONE_IGNORED']);
});

test('an older copy of that page: mediaUrls and overrides', async () => {
  const post = await aether.posts.create({
    text: "Launching our spring collection today",
    profileIds: ["ig_8f3k2", "li_29dk1"],
    mediaUrls: [`${cdnUrl}/image.jpg`],
    scheduledFor: AT_Z,
    overrides: {
      instagram: { contentType: "reel" },
      linkedin: { visibility: "PUBLIC" },
    },
  });
  assert.equal(post.platforms.instagram.contentType, 'reel');
  assert.equal(post.media[0].sourceUrl.endsWith('image.jpg'), true);
});

test('the scheduling page with uploaded media, in the same media form', async () => {
  const { mediaKey } = await aether.media.upload({ file: path.join(fixturesDir, 'image.jpg') });
  const { value: post, warnings } = await warningsDuring(() =>
    aether.posts.create({
      text: "Launching our spring collection today",
      profileIds: ["ig_8f3k2", "li_29dk1", "th_77aa0"],
      media: [{ mediaKey, type: "image" }],
      scheduledFor: AT_Z,
      timezone: "America/New_York",
      platforms: {
        instagram: { contentType: "reel" },
        linkedin: { visibility: "PUBLIC" },
        threads: { replyControl: "everyone" },
      },
    }),
  );
  assert.equal(post.status, 'scheduled');
  assert.equal(Date.parse(post.publishAt), Date.parse(AT_Z), 'the offset wins');
  assert.deepEqual(post.content, { text: 'Launching our spring collection today' });
  assert.deepEqual(post.platforms, {
    instagram: { contentType: 'reel' },
    linkedin: { visibility: 'PUBLIC' },
    threads: { replyControl: 'everyone' },
  });
  assert.deepEqual(post.media, [{ mediaKey, type: 'image' }]);
  assert.deepEqual(post.warnings.map((w) => w.code), ['TIMEZONE_IGNORED']);
  assert.deepEqual(warnings.map((w) => [w.code, w.message]), [
    ['TIMEZONE_IGNORED', post.warnings[0].message],
  ]);
});

test('the scheduling guide: text, profileIds and an offset', async () => {
  const post = await aether.posts.create({
    text: "Our webinar starts in one hour",
    profileIds: ["li_29dk1", "th_77aa0"],
    scheduledFor: AT_OFFSET,
  });
  assert.equal(post.status, 'scheduled');
  assert.equal(Date.parse(post.publishAt), Date.parse(AT_Z));
  assert.equal(post.warnings, undefined);
});

// (Without its date: TikTok's 10-day horizon would answer SCHEDULE_TOO_FAR first.)
test('the guide cross-posting text alone to TikTok: MEDIA_REQUIRED for that target', async () => {
  const err = await aether.posts
    .create({
      text: "Our webinar starts in one hour",
      profileIds: ["li_29dk1", "tiktok_profile_id"],
    })
    .catch((e) => e);
  assert.ok(err instanceof sdk.ValidationError, String(err));
  assert.equal(err.code, 'MEDIA_REQUIRED');
  assert.equal(err.platform, 'tiktok');
});

test('a typo is refused with the nearest name, and nothing is published without its media', async () => {
  const { mediaKey } = await aether.media.upload({ file: VIDEO });
  const sent = await postsSent();
  const typo = await aether.posts
    .create({ profileId: 'tiktok_profile_id', content: { text: 'hi' }, mediaKey, platforms: { tiktok: {} } })
    .catch((e) => e);
  assert.ok(typo instanceof sdk.InvalidArgumentError, String(typo));
  assert.equal(typo.code, 'INVALID_ARGUMENT');
  assert.equal(typo.message, 'unknown field `mediaKey` in posts.create params; did you mean `mediaKeys`?');
  assert.equal(typo.field, 'mediaKey');

  const platfroms = await aether.posts
    .create({ profileId: 'tiktok_profile_id', content: { text: 'hi' }, mediaKeys: [mediaKey], platfroms: { tiktok: {} } })
    .catch((e) => e);
  assert.match(platfroms.message, /unknown field `platfroms` in posts\.create params; did you mean `platforms`\?/);
  assert.equal(await postsSent(), sent, 'neither request was sent');
});

test('two forms of one thing are INVALID_REQUEST naming the field, before sending', async () => {
  const sent = await postsSent();
  const both = await aether.posts
    .create({ profileId: 'li_29dk1', text: 'a', content: { text: 'b' } })
    .catch((e) => e);
  assert.ok(both instanceof sdk.BadRequestError, String(both));
  assert.equal(both.code, 'INVALID_REQUEST');
  assert.equal(both.field, 'text');
  const alias = await aether.posts
    .create({ profileId: 'li_29dk1', text: 'a', platforms: { linkedin: {} }, overrides: { linkedin: {} } })
    .catch((e) => e);
  assert.equal(alias.field, 'overrides');
  assert.equal(await postsSent(), sent);
});

test('a warning is on the post and emitted as an AetherWarning, never an error', async () => {
  const { mediaKey } = await aether.media.upload({ file: VIDEO });
  const { value: post, warnings } = await warningsDuring(() =>
    aether.posts.create({
      profileId: 'tiktok_profile_id',
      content: { text: 'Drop #a #b #c #d #e #f #g' },
      mediaKeys: [mediaKey],
    }),
  );
  assert.equal(post.status, 'publishing');
  assert.deepEqual(post.warnings, [
    {
      code: 'HASHTAGS_ABOVE_RECOMMENDED',
      message: post.warnings[0].message,
      field: 'content.text',
      platform: 'tiktok',
    },
  ]);
  assert.match(post.warnings[0].message, /7 hashtags; tiktok recommends 3–5/);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].code, 'HASHTAGS_ABOVE_RECOMMENDED');
  assert.match(warnings[0].detail, new RegExp(`^post ${post.id}: tiktok content.text`));
});
