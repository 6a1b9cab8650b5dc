// Through a real forward proxy (tinyproxy, started by scripts/proxy on a free port of
// 127.0.0.1): the API over HTTPS in a CONNECT tunnel with `proxy`, NO_PROXY and `proxy: ''`
// going direct, and a proxy demanding credentials: an APIConnectionError with code
// PROXY_ERROR (not retried, the password never shown) without them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import Aether, * as sdk from 'aether';
import { MockServer } from 'aether/testing';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'proxy');
const SECRET = 'pr0xy-Secret';

/** Starts scripts/proxy; null when tinyproxy is missing outside CI (the test then skips). */
async function startProxy(auth) {
  // Its stdin is a pipe: closing it (or this process ending) stops the proxy.
  const child = spawn(SCRIPT, auth ? ['--auth', auth] : [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const line = await new Promise((resolve) => {
    lines.once('line', resolve);
    child.once('exit', () => resolve(null));
  });
  if (line === null) {
    if (child.exitCode === 3 && process.env.CI !== 'true') return null;
    throw new Error(`scripts/proxy did not start a proxy (exit ${child.exitCode})`);
  }
  const info = JSON.parse(line);
  return {
    ...info,
    log: () => (fs.existsSync(info.logFile) ? fs.readFileSync(info.logFile, 'utf8') : ''),
    // Closing its stdin stops it; SIGTERM too, should that not be seen.
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', resolve);
      child.stdin.end();
      setTimeout(() => child.kill('SIGTERM'), 5000).unref();
    }),
  };
}

let mock;
let proxy;
let authProxy;

before(async () => {
  mock = await MockServer.start({ tls: true });
  proxy = await startProxy(null);
  authProxy = await startProxy(`node:${SECRET}`);
});

after(async () => {
  await proxy?.stop();
  await authProxy?.stop();
  await mock?.stop();
});

const connectLine = () => `CONNECT 127.0.0.1:${new URL(mock.url).port}`;

test('proxy: "" goes direct, then the API over HTTPS goes through the proxy in a CONNECT tunnel', async (t) => {
  if (proxy === null) return t.skip('tinyproxy is not installed (apt-get install tinyproxy)');
  await assert.rejects(mock.client({ proxy: '' }).profiles.get('prof_nope'), { code: 'NOT_FOUND' });
  assert.ok(!proxy.log().includes(connectLine()), proxy.log());

  const aether = mock.client({ proxy: proxy.url });
  const link = await aether.connectLinks.create({ platform: 'linkedin', redirectUrl: 'https://yourapp.com/cb' });
  const { profile } = await mock.approveConnectLink(link);
  const post = await aether.posts.create({ profileId: profile.id, content: { text: 'via a proxy' } });
  assert.match(post.id, /^post_/);
  assert.ok(proxy.log().includes(connectLine()), proxy.log());
  assert.equal(aether.effectiveOptions().proxy, proxy.url);
});

test('a proxy demanding credentials: PROXY_ERROR without them, the password never shown', async (t) => {
  if (authProxy === null) return t.skip('tinyproxy is not installed (apt-get install tinyproxy)');
  const good = mock.client({ proxy: `http://node:${SECRET}@127.0.0.1:${authProxy.port}` });
  await assert.rejects(good.profiles.get('prof_nope'), { code: 'NOT_FOUND' });
  assert.equal(good.effectiveOptions().proxy, `http://node:[redacted]@127.0.0.1:${authProxy.port}`);

  for (const proxyUrl of [authProxy.url, `http://node:wrong-${SECRET}@127.0.0.1:${authProxy.port}`]) {
    const aether = mock.client({ proxy: proxyUrl, maxRetries: 3 });
    const err = await aether.profiles.get('prof_nope').catch((e) => e);
    assert.ok(err instanceof sdk.APIConnectionError, String(err));
    assert.equal(err.code, 'PROXY_ERROR');
    assert.match(err.message, /`?proxy`?/);
    assert.match(err.message, /credentials/);
    assert.ok(!`${err.message} ${JSON.stringify(err)} ${err.stack}`.includes(SECRET), err.message);
  }
});

test('a proxy that is not an http URL is INVALID_ARGUMENT naming proxy', () => {
  assert.throws(() => new Aether({ apiKey: 'sk_test_x', proxy: `socks5://u:${SECRET}@127.0.0.1:1080` }), (err) => {
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, /proxy/);
    assert.ok(!err.message.includes(SECRET));
    return true;
  });
});
