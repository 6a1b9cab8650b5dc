// The rest of the surface: posts (list, update, cancel, watch), profiles, connect links,
// webhooks (signatures, events), media, and the aether/testing helpers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MockServer, signWebhookPayload } from 'aether/testing';
import { InvalidArgumentError, PermissionDeniedError } from 'aether';
import { VIDEO, collect } from './helpers.mjs';

let mock;
let aether;
let tiktok;
let mediaKey;

before(async () => {
  mock = await MockServer.start({ settings: { processingMs: 300 } });
  aether = mock.client();
  tiktok = await mock.createProfile({ platform: 'tiktok', username: 'creator_one', tier: 'creator' });
  ({ mediaKey } = await aether.media.upload({ file: VIDEO, mimeType: 'video/mp4' }));
});

after(async () => {
  await mock?.stop();
});

const postParams = (extra = {}) => ({
  profileId: tiktok.id,
  content: { text: 'hello #node' },
  mediaKeys: [mediaKey],
  platforms: { tiktok: { privacyLevel: 'SELF_ONLY' } },
  ...extra,
});

test('posts: watch yields each status then ends; wait reports each status once', async () => {
  const post = await aether.posts.create(postParams());
  const seen = (await collect(aether.posts.watch(post.id, { pollIntervalMs: 50 }))).map((p) => p.status);
  assert.deepEqual(seen, ['publishing', 'published']);
  const again = await aether.posts.create(postParams());
  const statuses = [];
  const done = await aether.posts.wait(again.id, { pollIntervalMs: 50, onStatus: (p) => statuses.push(p.status) });
  assert.equal(done.status, 'published');
  assert.deepEqual(statuses, ['publishing', 'published']);
  assert.equal(done.results[0].status, 'published');
  assert.equal(done.platforms.tiktok.privacyLevel, 'SELF_ONLY');
});

test('posts: drafts update and cancel; list pages through everything with filters', async () => {
  const draft = await aether.posts.create(postParams({ draft: true }));
  assert.equal(draft.status, 'draft');
  const edited = await aether.posts.update(draft.id, { content: { text: 'edited' } });
  assert.equal(edited.content.text, 'edited');
  const cancelled = await aether.posts.cancel(draft.id);
  assert.equal(cancelled.status, 'cancelled');
  for (let i = 0; i < 4; i += 1) await aether.posts.create(postParams({ draft: true }));
  await mock.clearJournal();
  const drafts = await collect(aether.posts.list({ status: 'draft', limit: 2 }));
  assert.equal(drafts.length, 4);
  assert.ok(drafts.every((p) => p.status === 'draft'));
  const pages = (await mock.journal()).filter((e) => e.path === '/v1/posts' && e.method === 'GET');
  assert.equal(pages.length, 2, 'two pages of two');
  const mine = await collect(aether.posts.list({ profileId: tiktok.id }));
  assert.ok(mine.length >= 7);
});

test('profiles: get, list, disconnect', async () => {
  const got = await aether.profiles.get(tiktok.id);
  assert.deepEqual(got, tiktok);
  assert.equal(got.tier, 'creator');
  const other = await mock.createProfile({ platform: 'youtube' });
  const all = await collect(aether.profiles.list());
  assert.deepEqual(all.map((p) => p.id).slice(0, 2), [other.id, tiktok.id], 'newest first');
  const gone = await aether.profiles.disconnect(other.id);
  assert.equal(gone.status, 'disconnected');
});

test('connect links: create, approve, get, and the redirect verified', async () => {
  const link = await aether.connectLinks.create({ platform: 'linkedin', redirectUrl: 'https://yourapp.com/cb', state: 'st_123' });
  assert.equal(link.status, 'pending');
  const approval = await mock.approveConnectLink(link);
  const completed = await aether.connectLinks.get(link.id);
  assert.equal(completed.status, 'completed');
  assert.equal(completed.profileId, approval.profile.id);
  assert.deepEqual(aether.connectLinks.verifyCallback(approval.redirect, 'st_123'), {
    profileId: approval.profile.id,
    linkId: link.id,
  });
  assert.throws(() => aether.connectLinks.verifyCallback(approval.redirect, 'other'), InvalidArgumentError);
  const denied = await aether.connectLinks.create({ platform: 'reddit', redirectUrl: 'https://yourapp.com/cb', state: 's' });
  const refusal = await mock.denyConnectLink(denied.id);
  assert.throws(() => aether.connectLinks.verifyCallback(refusal.redirect, 's'), PermissionDeniedError);
});

test('webhooks: create, list, a real delivery verified and parsed, delete', async () => {
  const hook = await aether.webhooks.create({ url: 'http://127.0.0.1:9/hooks', events: ['post.published'] });
  assert.match(hook.secret, /\S+/);
  const listed = await collect(aether.webhooks.list());
  assert.ok(listed.some((w) => w.id === hook.id && w.secret === undefined));
  const payload = JSON.stringify({ id: 'evt_1', type: 'post.published', createdAt: '2026-06-13T09:00:00Z', data: { post: await aether.posts.create(postParams()) } });
  const header = signWebhookPayload(payload, hook.secret);
  assert.equal(aether.webhooks.verifySignature({ payload, header, secret: hook.secret }), true);
  assert.equal(aether.webhooks.verifySignature({ payload: Buffer.from(payload), header, secrets: ['old', hook.secret] }), true);
  const event = aether.webhooks.constructEvent({ payload, header, secret: hook.secret });
  assert.equal(event.type, 'post.published');
  const reasons = [
    [{ payload: payload + ' ', header, secret: hook.secret }, 'signature_mismatch'],
    [{ payload, header, secret: 'wrong' }, 'signature_mismatch'],
    [{ payload, header, secret: hook.secret, now: Date.now() / 1000 + 3600 }, 'timestamp_outside_tolerance'],
    [{ payload, header, secret: hook.secret, now: new Date(Date.now() + 3600_000), toleranceSeconds: 7200 }, undefined],
    [{ payload, header: 't=1', secret: hook.secret }, 'malformed_header'],
  ];
  for (const [params, reason] of reasons) {
    if (reason === undefined) assert.equal(aether.webhooks.verifySignature(params), true);
    else assert.throws(() => aether.webhooks.verifySignature(params), (err) => err.details.reason === reason);
  }
  await aether.webhooks.delete(hook.id);
  await assert.rejects(aether.webhooks.delete(hook.id), { code: 'NOT_FOUND' });
});

test('media: get, waitReady, delete', async () => {
  const ready = await aether.media.waitReady(mediaKey, { pollIntervalMs: 50 });
  assert.equal(ready.status, 'ready');
  assert.equal(ready.kind, 'video');
  assert.deepEqual(await aether.media.get(mediaKey), ready);
  const other = await aether.media.upload({ file: VIDEO, mimeType: 'video/mp4' });
  await aether.media.delete(other.mediaKey);
  await assert.rejects(aether.media.get(other.mediaKey), { code: 'NOT_FOUND' });
  const junk = await aether.media.upload({ file: VIDEO.replace('h264_aac_faststart.mp4', 'random.bin'), fileName: 'a.mp4', mimeType: 'video/mp4' });
  await assert.rejects(aether.media.waitReady(junk.mediaKey, { pollIntervalMs: 50 }), (err) => {
    assert.equal(err.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal(err.details.media.status, 'failed');
    return true;
  });
});

test('testing helpers: clock, settings, outcomes, faults, journal, reset', async () => {
  const before = Date.parse((await mock.clock()).now);
  const { now } = await mock.advanceClock(3600);
  assert.ok(Date.parse(now) - before >= 3600_000);
  assert.equal((await mock.updateSettings({ processingMs: 60_000 })).processingMs, 60_000);
  const post = await aether.posts.create(postParams());
  await mock.forceOutcome(post.id, { outcome: 'failed', code: 'PLATFORM_ERROR', message: 'TikTok said no' });
  assert.equal((await aether.posts.get(post.id)).status, 'publishing', 'decided, not yet done');
  await mock.advanceClock({ seconds: 61 });
  const failed = await aether.posts.get(post.id);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.results[0].error.code, 'PLATFORM_ERROR');
  const rule = await mock.injectFault({ method: 'GET', path: '/v1/profiles/**', times: 1, action: { type: 'status', status: 503 } });
  assert.match(rule.id, /\S/);
  await aether.profiles.get(tiktok.id); // retried past the 503
  const journal = await mock.journal();
  assert.ok(journal.some((e) => e.status === 503));
  await mock.reset();
  await assert.rejects(aether.profiles.get(tiktok.id), { code: 'NOT_FOUND' });
  await assert.rejects(mock.createProfile({ platform: 'tiktok', id: 'bad id!' }), { code: 'INVALID_REQUEST' });
  await assert.rejects(mock.createProfile('tiktok'), InvalidArgumentError);
  await assert.rejects(mock.deleteFault('fault_nope'), { code: 'NOT_FOUND' });
});
