'use strict';
// The public client: `new Aether({ apiKey })` with its resources as properties (one file per
// resource in resources/). Every method checks its arguments, calls the native client (which
// runs the core on its runtime) and returns a Promise; nothing here blocks the event loop.

const { native, json, parse, requireObject, optionalNumber, optionalInteger, sync } = require('./call');
const { invalidArgument } = require('./errors');
const { ConnectLinks } = require('./resources/connect_links');
const { Profiles } = require('./resources/profiles');
const { Posts } = require('./resources/posts');
const { Media } = require('./resources/media');
const { Webhooks } = require('./resources/webhooks');

const USER_AGENT = `node/${process.versions.node}`;

function nonEmptyEnv(name) {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The Aether client. Reads AETHER_API_KEY and AETHER_BASE_URL for what is not given. */
class Aether {
  #native;

  constructor(options = {}) {
    const o = requireObject(options, 'options', { optional: true });
    const backoff = o.retryBackoff === undefined ? {} : requireObject(o.retryBackoff, 'options.retryBackoff');
    const config = {
      apiKey: o.apiKey ?? nonEmptyEnv('AETHER_API_KEY'),
      baseUrl: o.baseUrl ?? nonEmptyEnv('AETHER_BASE_URL'),
      timeoutMs: optionalNumber(o.timeoutMs, 'options.timeoutMs'),
      connectTimeoutMs: optionalNumber(o.connectTimeoutMs, 'options.connectTimeoutMs'),
      maxRetries: optionalInteger(o.maxRetries, 'options.maxRetries'),
      userAgentSuffix: USER_AGENT,
      retryBackoffInitialMs: optionalNumber(backoff.initialMs, 'options.retryBackoff.initialMs'),
      retryBackoffMaxMs: optionalNumber(backoff.maxMs, 'options.retryBackoff.maxMs'),
    };
    if (config.apiKey !== undefined && typeof config.apiKey !== 'string') {
      throw invalidArgument('options.apiKey must be a string');
    }
    if (config.baseUrl !== undefined && typeof config.baseUrl !== 'string') {
      throw invalidArgument('options.baseUrl must be a string');
    }
    const client = sync(() => new native.NativeClient(json(config, 'options')));
    this.#native = client;
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

  /** The base URL requests go to. */
  get baseUrl() {
    return this.#native.baseUrl;
  }

  /** The User-Agent sent with every request. */
  get userAgent() {
    return this.#native.userAgent;
  }

  /** The rate-limit headers of the latest response that had them, or null. */
  get lastRateLimit() {
    return parse(this.#native.lastRateLimit()) ?? null;
  }
}

module.exports = { Aether, ConnectLinks, Profiles, Posts, Media, Webhooks };
