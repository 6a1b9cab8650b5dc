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
const { native, json, settingsJson, parse, requireString, requireObject, run } = require('./lib/call');
const { invalidArgument } = require('./lib/errors');

const linkId = (link) => requireString(typeof link === 'object' && link !== null ? link.id : link, 'link id');

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
      {
        apiKey: o.apiKey,
        adminToken: o.adminToken,
        dataDir: o.dataDir,
        settings: o.settings,
        tls: o.tls,
        tlsClientAuth: o.tlsClientAuth,
      },
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

  /** Over HTTPS: the generated CA's PEM file (trust it with `caBundle`); else null. */
  get caFile() {
    return this.#native.caFile ?? null;
  }

  /** Over HTTPS: a client certificate signed by that CA (`clientCert`); else null. */
  get clientCertFile() {
    return this.#native.clientCertFile ?? null;
  }

  /** Over HTTPS: its private key (`clientKey`); else null. */
  get clientKeyFile() {
    return this.#native.clientKeyFile ?? null;
  }

  /** `AETHER_API_KEY` and `AETHER_BASE_URL` (over HTTPS also `AETHER_CA_BUNDLE`) for this
   * emulator, to merge into process.env. */
  get env() {
    const env = { AETHER_API_KEY: this.apiKey, AETHER_BASE_URL: this.url };
    if (this.caFile !== null) env.AETHER_CA_BUNDLE = this.caFile;
    return env;
  }

  /** A client of this emulator (options override its key, URL and, over HTTPS, CA). */
  client(options = {}) {
    const tls = this.caFile === null ? {} : { caBundle: this.caFile };
    return new Aether({ apiKey: this.apiKey, baseUrl: this.url, ...tls, ...options });
  }

  // --- the admin API (the addon's typed client of /_mock/, on the SDK's transport) ---------
  // Refusals reject with the SDK's errors (InvalidRequestError, NotFoundError, …).

  async #call(method, ...args) {
    return parse(await run(null, () => this.#native[method](...args)));
  }

  /** Forgets everything (optionally starting again with these settings). */
  async reset(settings) {
    await this.#call('reset', settings === undefined ? undefined : json(requireObject(settings, 'settings'), 'settings'));
  }

  /** The emulator's settings (processingMs, rateLimit, …). */
  async settings() {
    return this.#call('settings');
  }

  /** Changes some settings; returns all of them. */
  async updateSettings(patch) {
    return this.#call('updateSettings', json(requireObject(patch, 'patch'), 'patch'));
  }

  /** The virtual clock: `{ now }` (RFC 3339). */
  async clock() {
    return this.#call('clock');
  }

  /** Moves the virtual clock forward (`seconds`, or `{ seconds }` / `{ ms }`); returns `{ now }`. */
  async advanceClock(by) {
    const body = typeof by === 'number' ? { seconds: by } : requireObject(by, 'by');
    return this.#call('advanceClock', json(body, 'by'));
  }

  /** Connects a profile without OAuth: `{ platform, tier?, username?, id? }` → Profile. */
  async createProfile(params) {
    return this.#call('createProfile', json(requireObject(params, 'params'), 'params'));
  }

  /** The platform revoked the profile's token: it becomes `disconnected`. */
  async revokeProfile(id) {
    return this.#call('revokeProfile', requireString(id, 'profile id'));
  }

  /**
   * Sets what the account may post (TikTok's creator info): `{ maxVideoDurationSec?,
   * privacyLevelOptions?, commentDisabled?, duetDisabled?, stitchDisabled?, canPost? }`; the fields
   * given replace the account's. Returns its capabilities now.
   */
  async setCapabilities(id, settings) {
    return this.#call('setCapabilities', requireString(id, 'profile id'), json(requireObject(settings, 'settings'), 'settings'));
  }

  /** The end user approves a connect link (by id or by the link object): `{ link, profile, redirect }`. */
  async approveConnectLink(link, { tier } = {}) {
    return this.#call('approveConnectLink', linkId(link), tier || undefined);
  }

  /** The end user declines a connect link. */
  async denyConnectLink(link) {
    return this.#call('denyConnectLink', linkId(link));
  }

  /** Forces how a post (or one target) ends: `{ outcome: 'published' | 'failed', code?, message?, profileId? }`. */
  async forceOutcome(postId, params) {
    return this.#call('forceOutcome', requireString(postId, 'post id'), json(requireObject(params, 'params'), 'params'));
  }

  /** Pre-sets the outcome of targets that finish later (first matching rule wins); returns the rule with its id. */
  async addOutcomeRule(rule) {
    return this.#call('addOutcomeRule', json(requireObject(rule, 'rule'), 'rule'));
  }

  /** The outcome rules in force, first match first. */
  async outcomeRules() {
    return this.#call('outcomeRules');
  }

  async clearOutcomeRules() {
    await this.#call('clearOutcomeRules');
  }

  /** Injects a fault: `{ method?, path, times?, probability?, action: { type, … } }`; returns the rule with its id. */
  async injectFault(rule) {
    return this.#call('injectFault', json(requireObject(rule, 'rule'), 'rule'));
  }

  /** The fault rules in force, first match first. */
  async faults() {
    return this.#call('faults');
  }

  /** Removes one fault rule. */
  async deleteFault(id) {
    await this.#call('deleteFault', requireString(id, 'fault id'));
  }

  /** Removes every fault rule. */
  async clearFaults() {
    await this.#call('clearFaults');
  }

  /**
   * Serves `data` (a Buffer or Uint8Array) from the emulator's loopback file server, for media
   * by URL; resolves with `{ name, url, size, contentType, requests, rangeRequests, bytesServed }`.
   * The url answers range requests; query options make it misbehave (`?status=404`,
   * `?stallMs=5000`, `?redirects=2`, `?redirectLoop=true`, `?contentType=text/html`,
   * `?declaredSize=N`, `?ignoreRange=true`). `freeBox` pads an MP4 after its first box.
   */
  async putFile(name, data, { contentType, freeBox } = {}) {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
    return this.#call('putFile', requireString(name, 'file name'), bytes, contentType, freeBox);
  }

  /** The served file's url and counters (`requests`, `rangeRequests`, `bytesServed`). */
  async fileStats(name) {
    return this.#call('fileStats', requireString(name, 'file name'));
  }

  /** The requests received, oldest first. */
  async journal() {
    return this.#call('journal');
  }

  async clearJournal() {
    await this.#call('clearJournal');
  }

  /**
   * Turns chaos mode on: random faults, drawn from `seed`, on the share `rate` (0–1) of the API
   * requests (`/v1/…`; never the admin API): `{ seed, rate, kinds?, maxPerCall?, stallMs?,
   * delayMs? }`. The faults are ones a correct client survives within its retry policy:
   * `kinds` picks among `reset_before_body`, `reset_after_body`, `unavailable`,
   * `unavailable_retry_after`, `close_mid_response`, `truncated_body`, `stall` and `delay` (all
   * when absent); no call suffers more than `maxPerCall` (2, explicit fault rules included) and
   * no attempt from that retry on is faulted; a stall lasts `stallMs` (300), a delay `delayMs`
   * (150). Resolves with the settings in force. A rate outside 0–1, an unknown kind or key
   * rejects with an InvalidArgumentError naming it, before anything is sent (the emulator's
   * own checks).
   */
  async startChaos(config) {
    return this.#call('startChaos', settingsJson(requireObject(config, 'config'), 'config'));
  }

  /** Turns chaos mode off (the report still reads the journal). */
  async stopChaos() {
    await this.#call('stopChaos');
  }

  /**
   * Whether the client kept its promises through chaos mode's faults: `{ ok, duplicates,
   * orphans, faults, faulted, requests, config }` (`faults`: `{ seq, method, path, fault,
   * clientRequestId }` each; `config` null when off).
   */
  async chaosReport() {
    return this.#call('chaosReport');
  }

  /** Every webhook delivery made (optionally for one webhook), oldest first. */
  async webhookDeliveries(webhookId) {
    return this.#call('webhookDeliveries', webhookId === undefined ? undefined : requireString(webhookId, 'webhook id'));
  }

  /** Someone comments on the profile's post: `{ text, postId?, platformPostId?, author?: { id?, username? }, createdAt? }`; raises `comment.created`. */
  async simulateComment(profileId, params) {
    return this.#call('simulateComment', requireString(profileId, 'profile id'), json(requireObject(params, 'params'), 'params'));
  }

  /** A direct message arrives (or, with `direction: 'outbound'`, is sent): `{ text, conversationId?, direction?, author?, createdAt? }`; raises `message.created`. */
  async simulateMessage(profileId, params) {
    return this.#call('simulateMessage', requireString(profileId, 'profile id'), json(requireObject(params, 'params'), 'params'));
  }

  /** Changes a simulated message, e.g. `{ readAt }`; raises `message.updated`. */
  async updateMessage(messageId, patch) {
    return this.#call('updateMessage', requireString(messageId, 'message id'), json(requireObject(patch, 'patch'), 'patch'));
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
