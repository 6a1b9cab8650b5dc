// Inbox events and dead letters: simulated comments and messages reach a loopback receiver and
// constructEvent gives them typed; a delivery that ran out of attempts is listed with
// deliveries(id, { status: 'failed' }) and redeliver sends the same event, signed afresh, to the
// receiver, where it verifies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { InvalidArgumentError, NotFoundError } from 'aether';
import { collect, startMock } from './helpers.mjs';

let mock;
let aether;
before(async () => ({ mock, aether } = await startMock()));
after(() => mock?.stop());

/** A loopback receiver answering `status` and keeping every { signature, body }. */
async function receiver() {
  const got = [];
  const waiting = [];
  const r = { status: 200, url: '' };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ signature: req.headers['x-aether-signature'], body: Buffer.concat(chunks).toString('utf8') });
      waiting.splice(0).forEach((wake) => wake());
      res.writeHead(r.status, { connection: 'close' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${server.address().port}/hooks`;
  r.next = async () => {
    const deadline = Date.now() + 10_000;
    while (got.length === 0) {
      if (Date.now() > deadline) throw new Error('no delivery within 10 s');
      await new Promise((wake) => {
        waiting.push(wake);
        setTimeout(wake, 100);
      });
    }
    return got.shift();
  };
  r.stop = () => {
    server.closeAllConnections();
    server.close();
  };
  return r;
}

const emulatorNow = async () => Date.parse((await mock.clock()).now) / 1000;

test('inbox events arrive typed through constructEvent', async (t) => {
  const rx = await receiver();
  t.after(rx.stop);
  const events = ['comment.created', 'message.created', 'message.updated'];
  const hook = await aether.webhooks.create({ url: rx.url, events });
  assert.deepEqual(hook.events, events);
  const profile = await mock.createProfile({ platform: 'facebook' });

  const comment = await mock.simulateComment(profile.id, { text: 'great', author: { username: 'fan1' } });
  assert.equal(comment.author.username, 'fan1');
  let { signature, body } = await rx.next();
  const event = aether.webhooks.constructEvent({ payload: body, header: signature, secret: hook.secret });
  assert.equal(event.type, 'comment.created');
  assert.deepEqual(event.data.comment, comment);
  assert.equal(event.data.post, undefined);

  const message = await mock.simulateMessage(profile.id, { text: 'hello?', conversationId: 'conv_n' });
  assert.equal(message.direction, 'inbound');
  ({ signature, body } = await rx.next());
  const created = aether.webhooks.constructEvent({ payload: body, header: signature, secrets: [hook.secret] });
  assert.equal(created.type, 'message.created');
  assert.deepEqual(created.data.message, message);

  const read = await mock.updateMessage(message.id, { readAt: '2026-06-15T07:00:00Z' });
  assert.equal(read.readAt, '2026-06-15T07:00:00.000Z');
  ({ signature, body } = await rx.next());
  const updated = aether.webhooks.constructEvent({ payload: body, header: signature, secret: hook.secret });
  assert.equal(updated.type, 'message.updated');
  assert.notEqual(updated.id, created.id);
  assert.equal(updated.data.message.readAt, '2026-06-15T07:00:00.000Z');
});

test('a dead letter is redelivered to a loopback receiver with a valid signature', async (t) => {
  await mock.updateSettings({ webhookMaxAttempts: 1 });
  t.after(() => mock.updateSettings({ webhookMaxAttempts: 8 }));
  const rx = await receiver();
  t.after(rx.stop);
  rx.status = 500;
  const hook = await aether.webhooks.create({ url: rx.url, events: ['comment.created'] });
  const profile = await mock.createProfile({ platform: 'tiktok' });
  await mock.simulateComment(profile.id, { text: 'first!' });
  const refused = await rx.next();

  let dead = [];
  for (let i = 0; i < 200 && dead.length === 0; i++) {
    dead = await collect(aether.webhooks.deliveries(hook.id, { status: 'failed' }));
    if (dead.length === 0) await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(dead.length, 1);
  assert.equal(dead[0].status, 'failed');
  assert.equal(dead[0].attempts, 1);
  assert.equal(dead[0].lastStatusCode, 500);
  assert.match(dead[0].id, /^dlv_/);
  assert.deepEqual(await collect(aether.webhooks.deliveries(hook.id, { status: 'pending' })), []);

  rx.status = 200;
  await mock.advanceClock({ seconds: 600 });
  const again = await aether.webhooks.redeliver(hook.id, dead[0].id);
  assert.equal(again.eventId, dead[0].eventId);
  const { signature, body } = await rx.next();
  assert.equal(body, refused.body);
  assert.notEqual(signature, refused.signature);
  const now = await emulatorNow();
  assert.equal(aether.webhooks.verifySignature({ payload: body, header: signature, secret: hook.secret, now }), true);
  assert.throws(
    () => aether.webhooks.verifySignature({ payload: refused.body, header: refused.signature, secret: hook.secret, now }),
    (e) => e instanceof InvalidArgumentError && e.details.reason === 'timestamp_outside_tolerance',
  );

  await assert.rejects(aether.webhooks.redeliver(hook.id, 'dlv_nope'), NotFoundError);
  await assert.rejects(collect(aether.webhooks.deliveries('wh_nope')), NotFoundError);
});
