// posts.retry: the failed target of a cross-post publishes again and only it; a post with
// nothing to retry rejects with a ConflictError POST_NOT_RETRYABLE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, InvalidArgumentError, NotFoundError } from 'aether';
import { startMock } from './helpers.mjs';

let mock;
let aether;
before(async () => ({ mock, aether } = await startMock()));
after(() => mock?.stop());

test('a retry publishes only the failed target; then the post is not retryable', async () => {
  const linkedin = await mock.createProfile({ platform: 'linkedin' });
  const threads = await mock.createProfile({ platform: 'threads' });
  const post = await aether.posts.create({ profileIds: [linkedin.id, threads.id], content: { text: 'cross-post' } });
  await mock.forceOutcome(post.id, { outcome: 'failed', profileId: threads.id });
  await mock.advanceClock({ seconds: 2 });
  const partial = await aether.posts.get(post.id);
  assert.equal(partial.status, 'partially_published');

  const retried = await aether.posts.retry(post.id);
  assert.equal(retried.status, 'publishing');
  assert.deepEqual(retried.results[0], partial.results[0], 'the published target is not sent again');
  assert.equal(retried.results[1].status, 'publishing');
  assert.equal(retried.results[1].error, undefined);
  await mock.advanceClock({ seconds: 2 });
  const done = await aether.posts.get(post.id);
  assert.equal(done.status, 'published');
  assert.equal(done.results[0].platformPostId, partial.results[0].platformPostId);

  const err = await aether.posts.retry(post.id).catch((e) => e);
  assert.ok(err instanceof ConflictError, String(err));
  assert.equal(err.code, 'POST_NOT_RETRYABLE');
  assert.equal(err.status, 409);
  assert.equal(err.details.status, 'published');
  assert.match(err.message, /is published/);
});

test('a draft, an unknown id and an empty id are refused', async () => {
  const profile = await mock.createProfile({ platform: 'linkedin' });
  const draft = await aether.posts.create({ profileId: profile.id, content: { text: 'later' }, draft: true });
  const err = await aether.posts.retry(draft.id).catch((e) => e);
  assert.ok(err instanceof ConflictError);
  assert.equal(err.details.status, 'draft');
  assert.ok((await aether.posts.retry('post_nope').catch((e) => e)) instanceof NotFoundError);
  await assert.rejects(aether.posts.retry(''), InvalidArgumentError);
});
