'use strict';
// `aether/testing`: the Aether emulator (aether-mock) running inside this process, for tests.
//
//   const { MockServer } = require('aether/testing');
//   const mock = await MockServer.start();
//   const aether = mock.client();               // or new Aether({ apiKey: mock.apiKey, baseUrl: mock.url })
//   const profile = await mock.createProfile({ platform: 'tiktok' });
//   …
//   await mock.stop();

const Aether = require('./index.js');
const { native, json, parse, requireString, requireObject, run } = require('./lib/call');
const { invalidArgument } = require('./lib/errors');

const seg = (value, name) => encodeURIComponent(requireString(value, name));

// Emulators still running when the process (or worker) exits are closed synchronously, so
// their temp dirs go too — also after process.exit(), which runs no asynchronous cleanup.
const running = new Set();
let exitHookInstalled = false;
function track(handle) {
  running.add(handle);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const h of running) h.close();
    });
  }
}

class MockServer {
  #native;

  /** Starts an emulator on 127.0.0.1 and a free port; resolves once it accepts connections. */
  static async start(options = {}) {
    const o = requireObject(options, 'options', { optional: true });
    const config = json(
      { apiKey: o.apiKey, adminToken: o.adminToken, dataDir: o.dataDir, settings: o.settings },
      'options',
    );
    const handle = await run(null, () => native.startMockServer(config));
    track(handle);
    return new MockServer(handle);
  }

  constructor(handle) {
    if (!(handle instanceof native.NativeMockServer)) {
      throw invalidArgument('use MockServer.start() to start an emulator');
    }
    this.#native = handle;
  }

  /** The base URL, e.g. http://127.0.0.1:41234. */
  get url() {
    return this.#native.url;
  }

  /** The API key the emulator accepts. */
  get apiKey() {
    return this.#native.apiKey;
  }

  /** The bearer token of the /_mock/ admin API. */
  get adminToken() {
    return this.#native.adminToken;
  }

  /** `AETHER_API_KEY` and `AETHER_BASE_URL` for this emulator, to merge into process.env. */
  get env() {
    return { AETHER_API_KEY: this.apiKey, AETHER_BASE_URL: this.url };
  }

  /** A client of this emulator (options override its key and URL). */
  client(options = {}) {
    return new Aether({ apiKey: this.apiKey, baseUrl: this.url, ...options });
  }

  /** Calls the admin API (`method`, a path under /_mock/, an optional JSON body). */
  async admin(method, path, body) {
    requireString(method, 'method');
    requireString(path, 'path');
    const text = await run(null, () =>
      this.#native.admin(method, path, body === undefined ? undefined : json(body, 'body')),
    );
    return parse(text);
  }

  /** The end user approves a connect link (by id or by the link object): `{ link, profile, redirect }`. */
  approveConnectLink(link, { tier } = {}) {
    const id = typeof link === 'object' && link !== null ? link.id : link;
    return this.admin('POST', `/_mock/connect-links/${seg(id, 'link id')}/approve`, tier ? { tier } : {});
  }

  /** The end user declines a connect link. */
  denyConnectLink(link) {
    const id = typeof link === 'object' && link !== null ? link.id : link;
    return this.admin('POST', `/_mock/connect-links/${seg(id, 'link id')}/deny`, {});
  }

  /** Connects a profile without OAuth: `{ platform, tier?, username? }` → Profile. */
  createProfile(params) {
    return this.admin('POST', '/_mock/profiles', requireObject(params, 'params'));
  }

  /** The platform revoked the profile's token: it becomes `disconnected`. */
  revokeProfile(id) {
    return this.admin('POST', `/_mock/profiles/${seg(id, 'profile id')}/revoke`, {});
  }

  /** Moves the virtual clock forward (`seconds`, or `{ seconds }` / `{ ms }`); returns `{ now }`. */
  advanceClock(by) {
    const body = typeof by === 'number' ? { seconds: by } : requireObject(by, 'by');
    return this.admin('POST', '/_mock/clock/advance', body);
  }

  /** The virtual clock: `{ now }` (RFC 3339). */
  clock() {
    return this.admin('GET', '/_mock/clock');
  }

  /** Forces how a post (or one target) ends: `{ outcome: 'published' | 'failed', code?, message?, profileId? }`. */
  forceOutcome(postId, params) {
    return this.admin('POST', `/_mock/posts/${seg(postId, 'post id')}/outcome`, requireObject(params, 'params'));
  }

  /** Pre-sets the outcome of targets that finish later (first matching rule wins). */
  addOutcomeRule(rule) {
    return this.admin('POST', '/_mock/outcomes', requireObject(rule, 'rule'));
  }

  /** Injects a fault: `{ method?, path, times?, probability?, action: { type, … } }`; returns the rule with its id. */
  injectFault(rule) {
    return this.admin('POST', '/_mock/faults', requireObject(rule, 'rule'));
  }

  /** Removes one fault, or all of them without an id. */
  async clearFaults(id) {
    await this.admin('DELETE', id === undefined ? '/_mock/faults' : `/_mock/faults/${seg(id, 'fault id')}`);
  }

  /** The emulator's settings (processingMs, rateLimit, …). */
  settings() {
    return this.admin('GET', '/_mock/settings');
  }

  /** Changes some settings; returns all of them. */
  updateSettings(patch) {
    return this.admin('PATCH', '/_mock/settings', requireObject(patch, 'patch'));
  }

  /** Forgets everything (optionally starting again with these settings). */
  async reset(settings) {
    await this.admin('POST', '/_mock/reset', settings === undefined ? {} : { settings });
  }

  /** The requests received, oldest first. */
  async journal() {
    return (await this.admin('GET', '/_mock/journal')).data;
  }

  async clearJournal() {
    await this.admin('DELETE', '/_mock/journal');
  }

  /** Every webhook delivery made (optionally for one webhook), oldest first. */
  async webhookDeliveries(webhookId) {
    const query = webhookId === undefined ? '' : `?webhookId=${seg(webhookId, 'webhook id')}`;
    return (await this.admin('GET', `/_mock/webhooks/deliveries${query}`)).data;
  }

  /** Stops the emulator (open connections end, its temp dir is removed). */
  async stop() {
    running.delete(this.#native);
    await run(null, () => this.#native.stop());
  }
}

if (typeof Symbol.asyncDispose === 'symbol') {
  MockServer.prototype[Symbol.asyncDispose] = MockServer.prototype.stop;
}

/** A valid x-aether-signature for `payload`, to test a webhook receiver. */
function signWebhookPayload(payload, secret, timestamp) {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return native.signTestPayload(body, requireString(secret, 'secret'), timestamp);
}

module.exports = { MockServer, signWebhookPayload };
