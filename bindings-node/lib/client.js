'use strict';
// The public client: `new Aether({ apiKey })` with its resources as properties (one file per
// resource in resources/). Every method checks its arguments, calls the native client (which
// runs the core on its runtime) and returns a Promise; nothing here blocks the event loop.

const { native, parse, requireObject, requireString, settingsJson, sync, json, call } = require('./call');
const { ConnectLinks } = require('./resources/connect_links');
const { Profiles } = require('./resources/profiles');
const { Posts } = require('./resources/posts');
const { Media } = require('./resources/media');
const { Webhooks } = require('./resources/webhooks');
const { observing } = require('./observe');

const USER_AGENT = `node/${process.versions.node}`;

/**
 * The Aether client. The options go to the core as they are (the core reads AETHER_API_KEY and
 * AETHER_BASE_URL for what is not given, applies its defaults and checks every value): only
 * `retryBackoff: { initialMs, maxMs }` is flattened, and the User-Agent names Node.
 */
class Aether {
  #native;

  constructor(options = {}) {
    const { rest, callback, kinds, setLevel } = observing(
      requireObject(options, 'options', { optional: true }) ?? {},
    );
    const { retryBackoff, ...given } = rest;
    const backoff = retryBackoff === undefined ? {} : requireObject(retryBackoff, 'options.retryBackoff');
    const config = {
      ...given,
      retryBackoffBaseMs: backoff.initialMs,
      retryBackoffCapMs: backoff.maxMs,
      userAgentSuffix: USER_AGENT,
    };
    const client = sync(
      () => new native.NativeClient(settingsJson(config, 'options'), callback, kinds),
    );
    this.#native = client;
    setLevel(parse(client.effectiveOptions()).logLevel);
    /** Connect links: the hosted OAuth flow that connects a social account. */
    this.connectLinks = new ConnectLinks(client);
    /** Profiles: the connected social accounts. */
    this.profiles = new Profiles(client);
    /** Posts: create, read, list, edit, cancel, wait, watch. */
    this.posts = new Posts(client);
    /** Media: upload (chunked, parallel, resumable), read, wait for verification. */
    this.media = new Media(client);
    /** Webhook endpoints and signature verification. */
    this.webhooks = new Webhooks(client);
  }

  /**
   * Any endpoint, including one this SDK does not wrap: `method` (GET, POST, PUT, PATCH,
   * DELETE) of `path` (under the base URL, starting with `/`; a full URL is INVALID_ARGUMENT:
   * the key is only sent to the base URL), with `{ body, query }` and the per-call options
   * (`idempotencyKey`, `extraHeaders`, `timeoutMs`, `signal`…). Resolves with the response's
   * JSON (`null` when empty, the text when it is not JSON); `.withResponse()` gives
   * `{ data, response }`. The same transport as every method: auth, retries, an idempotency
   * key on a POST, timeouts.
   */
  request(method, path, params) {
    let parts;
    const split = () => {
      if (parts !== undefined) return parts;
      const { body, query, ...options } = requireObject(params, 'params', { optional: true });
      const args = [
        requireString(method, 'method'),
        requireString(path, 'path'),
        body === undefined ? undefined : json(body, 'params.body'),
        query === undefined ? undefined : json(requireObject(query, 'params.query'), 'params.query'),
      ];
      return (parts = { args, options });
    };
    return call(this.#native, 'request', () => split().args, () => split().options);
  }

  /** The base URL requests go to. */
  get baseUrl() {
    return this.#native.baseUrl;
  }

  /** The User-Agent sent with every request. */
  get userAgent() {
    return this.#native.userAgent;
  }

  /** The settings the client runs with (the core's names, durations in ms; never the key). */
  effectiveOptions() {
    return parse(this.#native.effectiveOptions());
  }

  /** Every default of the core: { client, upload, postsWait, mediaWait, webhooks }. */
  static defaults() {
    return parse(native.defaults());
  }

  /**
   * Closes the client's kept-alive connections and resolves once they are closed (within a
   * second). The client stays usable: its next call opens a new connection. Without it,
   * connections close when the client is garbage-collected.
   */
  close() {
    return this.#native.closeConnections();
  }

  /** The rate-limit headers of the latest response that had them, or null. */
  get lastRateLimit() {
    return parse(this.#native.lastRateLimit()) ?? null;
  }
}

module.exports = { Aether, ConnectLinks, Profiles, Posts, Media, Webhooks };
