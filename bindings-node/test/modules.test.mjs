// The package's shape: ESM and CJS entries, exports, the error classes and the code list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import Aether, * as esm from 'aether';
import * as testingEsm from 'aether/testing';
import { packageDir } from './helpers.mjs';

const require = createRequire(import.meta.url);
const native = require('../lib/native.js');

test('import Aether from "aether" and require("aether") are the same class', () => {
  const cjs = require('aether');
  assert.equal(typeof Aether, 'function');
  assert.equal(cjs, Aether);
  assert.equal(cjs.Aether, Aether);
  assert.equal(cjs.default, Aether);
  assert.equal(esm.Aether, Aether);
  assert.equal(esm.AetherError, cjs.AetherError);
  const { AetherError, PostLimitReachedError } = require('aether');
  assert.ok(new PostLimitReachedError('x') instanceof AetherError);
});

test('aether/testing works from both module systems', () => {
  const cjs = require('aether/testing');
  assert.equal(typeof cjs.MockServer.start, 'function');
  assert.equal(testingEsm.MockServer, cjs.MockServer);
  assert.equal(testingEsm.signWebhookPayload, cjs.signWebhookPayload);
});

test('every exported name of the CommonJS entry is exported by the ES module entry', () => {
  const cjs = require('aether');
  const cjsNames = Object.keys(cjs).filter((n) => n !== 'default').sort();
  const esmNames = Object.keys(esm).filter((n) => n !== 'default').sort();
  assert.deepEqual(esmNames, cjsNames);
});

test('each error code maps to an exported class, and index.d.ts lists exactly these codes', () => {
  const pairs = JSON.parse(native.errorCodes());
  assert.ok(pairs.length >= 38);
  for (const [code, className] of pairs) {
    assert.equal(typeof esm[className], 'function', `${code} → ${className} is exported`);
    assert.ok(new esm[className]('m', { code }) instanceof esm.AetherError);
  }
  const dts = fs.readFileSync(path.join(packageDir, 'index.d.ts'), 'utf8');
  const union = dts.match(/type ErrorCode =([^;]+);/)[1];
  const declared = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(declared, pairs.map(([code]) => code).sort());
});

test('the error classes are named and chain like stripe-node\'s', () => {
  const e = new esm.APITimeoutError('slow', { code: 'TIMEOUT' });
  assert.ok(e instanceof esm.APIConnectionError);
  assert.ok(e instanceof esm.AetherError);
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'APITimeoutError');
  assert.equal(new esm.InvalidArgumentError('x').name, 'InvalidArgumentError');
  assert.ok(new esm.InvalidArgumentError('x') instanceof esm.BadRequestError);
  assert.match(String(e), /^APITimeoutError: slow/);
  assert.deepEqual(Object.keys(e.toJSON()), [
    'name', 'code', 'message', 'status', 'requestId', 'clientRequestId', 'idempotencyKey',
    'retryAfter', 'field', 'platform', 'details', 'retryable',
  ]);
});

test('package.json exports both conditions with types first', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'aether');
  for (const entry of ['.', './testing']) {
    assert.deepEqual(Object.keys(pkg.exports[entry]), ['import', 'require']);
    for (const condition of ['import', 'require']) {
      assert.deepEqual(Object.keys(pkg.exports[entry][condition]), ['types', 'default']);
      for (const file of Object.values(pkg.exports[entry][condition])) {
        assert.ok(fs.existsSync(path.join(packageDir, file)), `${file} exists`);
      }
    }
  }
});
