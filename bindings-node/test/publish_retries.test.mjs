// Server retries of a transient platform failure: the target's attempts and nextAttemptAt,
// posts.watch yielding every attempt while the post stays publishing, and the journal's
// platform publishes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MockServer } from 'aether/testing';

let mock;
let aether;
let linkedin;

before(async () => {
  mock = await MockServer.start({ settings: { processingMs: 50 } });
  aether = mock.client();
  linkedin = await mock.createProfile({ platform: 'linkedin' });
});

after(async () => {
  await mock?.stop();
});

test('watch yields every retried attempt; the post publishes on the third', async () => {
  const rule = await mock.addOutcomeRule({ platform: 'linkedin', transientFailures: 2, times: 1 });
  assert.equal(rule.transientFailures, 2);
  assert.equal(rule.outcome, undefined);
  const post = await aether.posts.create({ profileId: linkedin.id, content: { text: 'third time lucky' } });
  assert.equal(post.results[0].attempts, 1);
  assert.equal(post.results[0].nextAttemptAt, undefined);

  const seen = [];
  for await (const change of aether.posts.watch(post.id, { pollIntervalMs: 100, timeoutMs: 30_000 })) {
    const result = change.results[0];
    seen.push([change.status, result.attempts, result.nextAttemptAt !== undefined]);
    if (result.nextAttemptAt !== undefined) {
      // The retry waits 30 s, then 1 min, on the emulator's clock: move it there.
      assert.equal(Date.parse(result.nextAttemptAt) - Date.parse(change.updatedAt), result.attempts === 1 ? 30_000 : 60_000);
      await mock.advanceClock(result.attempts === 1 ? 30 : 60);
    }
  }
  assert.deepEqual(seen.filter((s) => s[2]), [['publishing', 1, true], ['publishing', 2, true]], JSON.stringify(seen));
  assert.deepEqual(seen.at(-1), ['published', 3, false]);
  const publishes = (await mock.journal()).filter((e) => e.method === 'PUBLISH' && e.postId === post.id);
  assert.deepEqual(publishes.map((e) => e.status), [503, 503, 200]);
  assert.equal(publishes[2].path, '/platforms/linkedin/publish');
});

test('a permanent failure is one attempt, not retried', async () => {
  await mock.addOutcomeRule({ platform: 'linkedin', outcome: 'failed', code: 'PLATFORM_ERROR', times: 1 });
  const post = await aether.posts.create({ profileId: linkedin.id, content: { text: 'refused' } });
  const done = await aether.posts.wait(post.id, { pollIntervalMs: 100 });
  assert.equal(done.status, 'failed');
  assert.equal(done.results[0].attempts, 1);
  assert.equal(done.results[0].nextAttemptAt, undefined);
  const publishes = (await mock.journal()).filter((e) => e.method === 'PUBLISH' && e.postId === post.id);
  assert.deepEqual(publishes.map((e) => e.status), [502]);
});
