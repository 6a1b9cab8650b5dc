// Chaos mode on the testing kit: mock.startChaos() turns seeded random faults on, the client
// survives them by retrying, and mock.chaosReport() lists what was injected; bad settings are
// refused by the emulator's own checks before anything is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'aether';
import { MockServer } from 'aether/testing';

test('chaos faults are survived by retrying and listed in the report', async () => {
  const mock = await MockServer.start();
  try {
    const profile = await mock.createProfile({ platform: 'linkedin' });
    // Every request faulted, but no call more than twice: the third attempt goes through.
    const config = await mock.startChaos({ seed: 7, rate: 1.0, stallMs: 50, delayMs: 20 });
    assert.deepEqual([config.seed, config.rate, config.stallMs], [7, 1, 50]);
    const aether = mock.client({ retryBackoff: { initialMs: 5, maxMs: 50 } });
    const post = await aether.posts.create({ profileId: profile.id, content: { text: 'through the storm' } });
    assert.match(post.id, /^post_/);

    const report = await mock.chaosReport();
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.equal(report.config.seed, 7);
    assert.equal(report.faulted, 2, JSON.stringify(report));
    assert.equal(report.faults.length, 2);
    assert.deepEqual([...new Set(report.faults.map((f) => f.path))], ['/v1/posts']);
    const calls = [...new Set(report.faults.map((f) => f.clientRequestId))];
    assert.equal(calls.length, 1);
    assert.match(calls[0], /^creq_/);
    const creates = (await mock.journal()).filter((e) => e.path === '/v1/posts');
    assert.equal(creates.length, 3);
    assert.equal(creates.filter((e) => e.chaos === true).length, 2);

    await mock.stopChaos();
    assert.equal((await mock.chaosReport()).config, null);
    assert.equal((await aether.profiles.get(profile.id)).id, profile.id);
    assert.equal((await mock.chaosReport()).faulted, 2, 'no fault once chaos is off');
  } finally {
    await mock.stop();
  }
});

test('bad chaos settings are typed errors, and nothing is sent', async () => {
  const mock = await MockServer.start();
  try {
    const rate = await mock.startChaos({ seed: 1, rate: 2.0 }).catch((e) => e);
    assert.ok(rate instanceof InvalidArgumentError, String(rate));
    assert.equal(rate.code, 'INVALID_ARGUMENT');
    assert.equal(rate.field, 'rate');
    assert.match(rate.message, /rate must be between 0 and 1, not 2/);
    const kind = await mock.startChaos({ seed: 1, rate: 0.1, kinds: ['lightning'] }).catch((e) => e);
    assert.ok(kind instanceof InvalidArgumentError, String(kind));
    assert.match(kind.message, /unknown variant `lightning`/);
    const key = await mock.startChaos({ seed: 1, rate: 0.1, stallMillis: 5 }).catch((e) => e);
    assert.match(key.message, /unknown field `stallMillis`/);
    const nan = await mock.startChaos({ seed: 1, rate: NaN }).catch((e) => e);
    assert.ok(nan instanceof InvalidArgumentError, String(nan));
    await assert.rejects(mock.startChaos(null), InvalidArgumentError);
    assert.equal((await mock.chaosReport()).config, null, 'refused before anything was sent');
  } finally {
    await mock.stop();
  }
});
