// posts.bulk: a CSV file by path, rows as objects, dry runs, per-row results with row and line
// numbers, and the errors a file can meet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockServer } from 'aether/testing';
import { BadRequestError, InvalidArgumentError } from 'aether';

let mock;
let aether;
let li;
let dir;

before(async () => {
  mock = await MockServer.start();
  aether = mock.client();
  li = (await mock.createProfile({ platform: 'linkedin' })).id;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aether-bulk-test-'));
});

after(async () => {
  await mock?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const file = (name, text) => {
  const at = path.join(dir, name);
  fs.writeFileSync(at, text);
  return at;
};

test('a file creates each row; results carry row and line numbers', async () => {
  const csv = file(
    'good.csv',
    `\ufefftext,profileIds\r\n"Hello, world",${li}\r\n\r\n"two\nlines",${li}\r\nnobody,li_nobody\r\n`,
  );
  const result = await aether.posts.bulk(csv);
  assert.equal(result.dryRun, false);
  assert.deepEqual([result.total, result.created, result.failed], [3, 2, 1]);
  assert.deepEqual(
    result.results.map((r) => [r.row, r.line, r.ok]),
    [[1, 2, true], [2, 4, true], [3, 6, false]],
  );
  assert.equal(result.results[0].post.content.text, 'Hello, world');
  assert.equal(result.results[1].post.content.text, 'two\nlines');
  assert.equal(result.results[2].error.code, 'NOT_FOUND');
  assert.equal(result.results[2].post, undefined);
});

test('rows as objects, with a dry run first that creates nothing', async () => {
  const rows = [
    { text: 'a, with comma', profileIds: [li] },
    { text: 'say "hi"\nand more', profileIds: [li], title: 'T' },
  ];
  const dry = await aether.posts.bulk(rows, { dryRun: true });
  assert.equal(dry.dryRun, true);
  assert.deepEqual([dry.total, dry.created, dry.failed], [2, 0, 0]);
  assert.ok(dry.results.every((r) => r.ok && r.post === undefined));
  const done = await aether.posts.bulk(rows, { idempotencyKey: 'node-bulk-1' });
  assert.equal(done.created, 2);
  assert.deepEqual(done.results.map((r) => r.post.content.text), ['a, with comma', 'say "hi"\nand more']);
  const again = await aether.posts.bulk(rows, { idempotencyKey: 'node-bulk-1' });
  assert.deepEqual(again, done, 'the same key replays the first answer');
  const created = (await mock.journal()).filter((e) => e.path === '/v1/posts/bulk' && e.replayed);
  assert.equal(created.length, 1, 'the repeat was a replay');
});

test('a misspelt row key and a bad dryRun are refused before sending', async () => {
  await assert.rejects(aether.posts.bulk([{ text: 'x', mediaKey: ['k'] }]), (error) => {
    assert.ok(error instanceof InvalidArgumentError);
    assert.match(error.message, /mediaKey/);
    return true;
  });
  await assert.rejects(aether.posts.bulk([], { dryRun: 'yes' }), InvalidArgumentError);
  await assert.rejects(aether.posts.bulk(42), InvalidArgumentError);
});

test('a malformed file is BULK_INVALID with its line; limits are named', async () => {
  const bad = file('bad.csv', 'text,profileIds\nok,p\n"never closed,p\nmore,p\n');
  await assert.rejects(aether.posts.bulk(bad), (error) => {
    assert.ok(error instanceof BadRequestError);
    assert.equal(error.code, 'BULK_INVALID');
    assert.equal(error.details.line, 3);
    return true;
  });
  const many = Array.from({ length: 1001 }, (_, i) => ({ text: `post ${i}`, profileIds: [li] }));
  await assert.rejects(aether.posts.bulk(many), (error) => {
    assert.ok(error instanceof InvalidArgumentError);
    assert.match(error.message, /1000/);
    return true;
  });
  const big = file('big.csv', Buffer.alloc(5 * 1024 * 1024 + 1, 'a'));
  await assert.rejects(aether.posts.bulk(big), /5 MiB/);
});
