// HTTPS against the emulator's generated CA: the tutorial flow with `caBundle`, the CA from
// AETHER_CA_BUNDLE, mutual TLS, and TLS_ERROR (an APIConnectionError, not retried) saying
// what to set when the server is not trusted or wants a client certificate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Aether, * as sdk from 'aether';
import { MockServer } from 'aether/testing';
import { VIDEO } from './helpers.mjs';

let mock;

before(async () => {
  mock = await MockServer.start({ tls: true, settings: { processingMs: 50 } });
});

after(async () => {
  await mock?.stop();
});

test('the tutorial flow over HTTPS with the emulator CA as caBundle', async () => {
  assert.match(mock.url, /^https:\/\/127\.0\.0\.1:/);
  assert.ok(fs.existsSync(mock.caFile));
  const aether = new Aether({ apiKey: mock.apiKey, baseUrl: mock.url, caBundle: mock.caFile });
  const link = await aether.connectLinks.create({
    platform: 'tiktok',
    redirectUrl: 'https://yourapp.com/cb',
  });
  assert.match(link.url, /^https:\/\//);
  const { profile } = await mock.approveConnectLink(link);
  const media = await aether.media.upload({ file: VIDEO, mimeType: 'video/mp4' });
  const post = await aether.posts.create({
    profileId: profile.id,
    content: { text: 'over TLS' },
    mediaKeys: [media.mediaKey],
    platforms: { tiktok: {} },
  });
  const done = await aether.posts.wait(post.id);
  assert.equal(done.status, 'published');
  assert.equal(aether.effectiveOptions().caBundle, mock.caFile);
});

test('an untrusted server is TLS_ERROR naming caBundle, not retried', async () => {
  const aether = new Aether({ apiKey: mock.apiKey, baseUrl: mock.url, maxRetries: 3 });
  const err = await aether.profiles.get('prof_nope').catch((e) => e);
  assert.ok(err instanceof sdk.APIConnectionError, String(err));
  assert.equal(err.code, 'TLS_ERROR');
  assert.match(err.message, /caBundle/);
  assert.match(err.message, /AETHER_CA_BUNDLE/);
});

test('mock.client() trusts the emulator CA; mTLS accepted with the certificate, refused without', async () => {
  await assert.rejects(mock.client().profiles.get('prof_nope'), { code: 'NOT_FOUND' });
  const mtls = await MockServer.start({ tlsClientAuth: true });
  try {
    const withCert = mtls.client({ clientCert: mtls.clientCertFile, clientKey: mtls.clientKeyFile });
    await assert.rejects(withCert.profiles.get('prof_nope'), { code: 'NOT_FOUND' });
    const err = await mtls.client().profiles.get('prof_nope').catch((e) => e);
    assert.equal(err.code, 'TLS_ERROR');
    assert.match(err.message, /clientCert/);
  } finally {
    await mtls.stop();
  }
});

test('a CA bundle that cannot be read is refused when the client is built, naming caBundle', () => {
  assert.throws(() => new Aether({ apiKey: 'sk_test', caBundle: '/nonexistent/ca.pem' }), {
    code: 'INVALID_ARGUMENT',
    message: /caBundle/,
  });
});
