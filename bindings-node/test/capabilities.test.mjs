// profiles.capabilities and the preflight that reads them: what an account forbids fails before
// anything is sent, with the account's own figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { MockServer } from 'aether/testing';
import { fixturesDir } from './helpers.mjs';

let mock;
let aether;

before(async () => {
  mock = await MockServer.start();
  aether = mock.client();
});

after(async () => {
  await mock?.stop();
});

test('capabilities read back as the admin set them; unknown profile is NOT_FOUND', async () => {
  const profile = await mock.createProfile({ platform: 'tiktok' });
  await mock.setCapabilities(profile.id, { privacyLevelOptions: ['SELF_ONLY'], maxVideoDurationSec: 30, commentDisabled: true });
  const caps = await aether.profiles.capabilities(profile.id);
  assert.equal(caps.profileId, profile.id);
  assert.deepEqual(caps.privacyLevelOptions, ['SELF_ONLY']);
  assert.equal(caps.maxVideoDurationSec, 30);
  assert.equal(caps.minVideoDurationSec, 15);
  assert.equal(caps.commentDisabled, true);
  assert.equal(caps.canPost, true);
  assert.equal(caps.postsRemainingToday, 10);
  await assert.rejects(aether.profiles.capabilities('tiktok_nobody'), { code: 'NOT_FOUND' });
});

test('a privacy level the account does not offer fails before sending; asked once', async () => {
  const profile = await mock.createProfile({ platform: 'tiktok' });
  await mock.setCapabilities(profile.id, { privacyLevelOptions: ['SELF_ONLY'] });
  const client = mock.client();
  const { mediaKey } = await client.media.upload({ file: path.join(fixturesDir, 'h264_15s.mp4') });
  const params = (privacyLevel) => ({
    profileId: profile.id,
    content: { text: 'a clip #one #two #three' },
    mediaKeys: [mediaKey],
    platforms: { tiktok: { privacyLevel } },
  });
  await assert.rejects(client.posts.create(params('PUBLIC_TO_EVERYONE')), (error) => {
    assert.equal(error.code, 'INVALID_PLATFORM_OPTION');
    assert.match(error.message, /SELF_ONLY/);
    assert.deepEqual(error.details.allowed, ['SELF_ONLY']);
    return true;
  });
  await client.posts.create(params('SELF_ONLY'));
  const journal = await mock.journal();
  const posts = journal.filter((e) => e.method === 'POST' && e.path === '/v1/posts');
  const reads = journal.filter((e) => e.method === 'GET' && e.path === `/v1/profiles/${profile.id}/capabilities`);
  assert.equal(posts.length, 1);
  assert.equal(reads.length, 1, 'the second create used the cached capabilities');
});

test('a video longer than the account allows is refused before upload', async () => {
  const profile = await mock.createProfile({ platform: 'tiktok' });
  await mock.setCapabilities(profile.id, { maxVideoDurationSec: 30 });
  await mock.clearJournal();
  await assert.rejects(
    aether.media.upload({ file: path.join(fixturesDir, 'h264_60s.mp4'), profileIds: [profile.id] }),
    (error) => {
      assert.equal(error.code, 'VIDEO_TOO_LONG');
      assert.match(error.message, /at most 30 s; the video is 60 s/);
      assert.equal(error.details.accountMaxSec, 30);
      return true;
    },
  );
  const journal = await mock.journal();
  assert.equal(journal.filter((e) => e.path.startsWith('/v1/media')).length, 0);
});
