'use strict';
// The public client: `new Aether({ apiKey })` with its resources as properties. Every method
// checks its arguments, calls the native client (which runs the core on its runtime) and
// returns a Promise; nothing here blocks the event loop.

const {
  native,
  json,
  parse,
  requireString,
  requireObject,
  optionalNumber,
  optionalInteger,
  optionalFunction,
  checkSignal,
  requestOptions,
  run,
  sync,
  guardedCallback,
  iterate,
} = require('./call');
const { invalidArgument, AetherError } = require('./errors');
const { sourceFor } = require('./upload');

const USER_AGENT = `node/${process.versions.node}`;

function nonEmptyEnv(name) {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** wait/watch options: polling and the deadline (null or Infinity: none). */
function waitOptions(options, what) {
  const o = requireObject(options, what, { optional: true });
  const picked = {
    pollIntervalMs: optionalNumber(o.pollIntervalMs, `${what}.pollIntervalMs`),
    maxPollIntervalMs: optionalNumber(o.maxPollIntervalMs, `${what}.maxPollIntervalMs`),
  };
  if (o.timeoutMs === null || o.timeoutMs === Infinity) picked.noTimeout = true;
  else picked.timeoutMs = optionalNumber(o.timeoutMs, `${what}.timeoutMs`);
  return picked;
}

class ConnectLinks {
  #native;
  constructor(client) {
    this.#native = client;
  }

  /** Creates a hosted authorization page for one platform; send your user to `link.url`. */
  create(params, options) {
    return run(null, async () => {
      const body = json(requireObject(params, 'params'), 'params');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.connectLinksCreate(body, opts, token)).then(parse);
    });
  }

  /** The link, with `status` and, once completed, `profileId`. */
  get(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.connectLinksGet(id, opts, token)).then(parse);
    });
  }

  /**
   * Checks the redirect your user comes back with (`state` first, in constant time) and returns
   * `{ profileId, linkId }`; throws FORBIDDEN when the user declined.
   */
  verifyCallback(url, expectedState) {
    requireString(url, 'url');
    requireString(expectedState, 'expectedState');
    return JSON.parse(sync(() => native.verifyConnectCallback(url, expectedState)));
  }
}

class Profiles {
  #native;
  constructor(client) {
    this.#native = client;
  }

  /** Every connected profile, newest first, fetched page by page as you iterate. */
  list(options) {
    const { json: opts, signal } = requestOptions(options);
    return iterate(() => this.#native.profilesList(opts), signal);
  }

  get(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.profilesGet(id, opts, token)).then(parse);
    });
  }

  /** Disconnects the account; returns the profile, now `disconnected`. */
  disconnect(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.profilesDisconnect(id, opts, token)).then(parse);
    });
  }
}

class Posts {
  #native;
  constructor(client) {
    this.#native = client;
  }

  /**
   * Creates a post. Sent with an idempotency key and retried safely: a create whose answer was
   * lost is never published twice.
   */
  create(params, options) {
    return run(null, async () => {
      const body = json(requireObject(params, 'params'), 'params');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.postsCreate(body, opts, token)).then(parse);
    });
  }

  get(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.postsGet(id, opts, token)).then(parse);
    });
  }

  /** Every post matching `params`, newest first, fetched page by page as you iterate. */
  list(params, options) {
    const p = requireObject(params, 'params', { optional: true });
    const query = json(
      {
        status: p.status,
        profileId: p.profileId,
        limit: optionalInteger(p.limit, 'params.limit'),
        cursor: p.cursor,
      },
      'params',
    );
    const { json: opts, signal } = requestOptions(options);
    return iterate(() => this.#native.postsList(query, opts), signal);
  }

  /** Changes a draft or scheduled post (schedule, content, draft); else POST_NOT_EDITABLE. */
  update(id, params, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const body = json(requireObject(params, 'params'), 'params');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.postsUpdate(id, body, opts, token)).then(parse);
    });
  }

  /** Cancels a draft or scheduled post; returns it, now `cancelled`. */
  cancel(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.postsCancel(id, opts, token)).then(parse);
    });
  }

  /**
   * Polls until the post is published, partially published, failed or cancelled, and returns
   * it (a failed post is a result, not an error). `onStatus` hears every distinct status.
   */
  wait(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const o = requireObject(options, 'options', { optional: true });
      const wait = json(waitOptions(o, 'options'), 'options');
      const onStatus = optionalFunction(o.onStatus, 'options.onStatus');
      const signal = checkSignal(o.signal);
      const { json: opts } = requestOptions({ maxRetries: o.maxRetries });
      const token = new native.CancelToken();
      const guard = onStatus ? guardedCallback(onStatus, JSON.parse, token) : undefined;
      return run(signal, () => this.#native.postsWait(id, wait, guard?.callback, token, opts), {
        token,
        failure: guard?.failure,
      }).then(parse);
    });
  }

  /** The post each time its status changes (the current one first), until a terminal one. */
  watch(id, options) {
    requireString(id, 'id');
    const o = requireObject(options, 'options', { optional: true });
    const wait = json(waitOptions(o, 'options'), 'options');
    const signal = checkSignal(o.signal);
    // Aborting closes the cursor (which drops the core's stream and its polling); the
    // iteration then ends with an AbortError whose cause is the signal's reason.
    return iterate(() => this.#native.postsWatch(id, wait, undefined, undefined), signal);
  }
}

const UPLOAD_KEYS = ['fileName', 'mimeType', 'tier', 'partSize', 'parallelism', 'singleShotThreshold', 'resumeStateFile'];

class Media {
  #native;
  constructor(client) {
    this.#native = client;
  }

  /**
   * Uploads a video or image and returns the media (`mediaKey`, usually still `processing`).
   * `file` is a path, a file: URL, a Buffer or Uint8Array, an fs.ReadStream (read natively
   * from its path), or any Readable or async iterable of chunks (read with backpressure).
   */
  upload(params, options) {
    return this.#upload(undefined, params, options);
  }

  /** Continues the chunked upload `uploadId` with the same file (only missing parts are sent). */
  resume(uploadId, params, options) {
    return run(null, async () => {
      requireString(uploadId, 'uploadId');
      return this.#upload(uploadId, params, options);
    });
  }

  #upload(uploadId, params, options) {
    return run(null, async () => {
      const p = requireObject(params, 'params');
      if (p.file === undefined || p.file === null) throw invalidArgument('params.file is required');
      const picked = {};
      for (const key of UPLOAD_KEYS) if (p[key] !== undefined) picked[key] = p[key];
      if (p.platforms !== undefined) {
        if (!Array.isArray(p.platforms)) throw invalidArgument('params.platforms must be an array of platform names');
        picked.platforms = p.platforms;
      }
      if (picked.fileName === undefined && typeof File === 'function' && p.file instanceof File && p.file.name) {
        picked.fileName = p.file.name;
      }
      if (picked.mimeType === undefined && typeof Blob === 'function' && p.file instanceof Blob && p.file.type) {
        picked.mimeType = p.file.type;
      }
      const uploadOptions = json(picked, 'params');
      const size = optionalInteger(p.size, 'params.size');
      const onProgress = optionalFunction(p.onProgress, 'params.onProgress');
      const signal = checkSignal(p.signal);
      const { json: opts } = requestOptions(options);
      if (signal?.aborted) return run(signal, () => undefined);

      const token = new native.CancelToken();
      const guard = onProgress ? guardedCallback(onProgress, (event) => event, token) : undefined;
      const { source, pump, stop, streamError } = sourceFor(p.file, size);
      const upload = run(
        signal,
        () => this.#native.mediaUpload(source, uploadId, uploadOptions, guard?.callback, token, opts),
        { token, failure: guard?.failure },
      );
      if (!pump) return upload.then(parse);
      const pumping = pump();
      try {
        const media = await upload;
        await pumping;
        return parse(media);
      } catch (error) {
        stop();
        const cause = streamError();
        if (cause !== undefined && error instanceof AetherError && error.cause === undefined) error.cause = cause;
        throw error;
      }
    });
  }

  get(mediaKey, options) {
    return run(null, async () => {
      requireString(mediaKey, 'mediaKey');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.mediaGet(mediaKey, opts, token)).then(parse);
    });
  }

  delete(mediaKey, options) {
    return run(null, async () => {
      requireString(mediaKey, 'mediaKey');
      const { json: opts, signal } = requestOptions(options);
      await run(signal, (token) => this.#native.mediaDelete(mediaKey, opts, token));
    });
  }

  /**
   * Polls until the server has verified the media and returns it `ready`; a media that failed
   * verification throws its own code (e.g. VIDEO_TOO_SHORT).
   */
  waitReady(mediaKey, options) {
    return run(null, async () => {
      requireString(mediaKey, 'mediaKey');
      const o = requireObject(options, 'options', { optional: true });
      const wait = json(waitOptions(o, 'options'), 'options');
      const signal = checkSignal(o.signal);
      return run(signal, (token) => this.#native.mediaWaitReady(mediaKey, wait, token, undefined)).then(parse);
    });
  }

  /** The chunked upload session and the parts the server holds. */
  uploadState(uploadId) {
    return run(null, async () => {
      requireString(uploadId, 'uploadId');
      return run(null, () => this.#native.mediaUploadState(uploadId, undefined)).then(parse);
    });
  }

  /** Aborts a chunked upload and frees its parts. */
  abortUpload(uploadId) {
    return run(null, async () => {
      requireString(uploadId, 'uploadId');
      await run(null, () => this.#native.mediaAbort(uploadId, undefined));
    });
  }
}

class Webhooks {
  #native;
  constructor(client) {
    this.#native = client;
  }

  /** Registers an endpoint; the returned `secret` is shown only here. */
  create(params, options) {
    return run(null, async () => {
      const body = json(requireObject(params, 'params'), 'params');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.webhooksCreate(body, opts, token)).then(parse);
    });
  }

  /** Every endpoint (without secrets), page by page as you iterate. */
  list(options) {
    const { json: opts, signal } = requestOptions(options);
    return iterate(() => this.#native.webhooksList(opts), signal);
  }

  delete(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const { json: opts, signal } = requestOptions(options);
      await run(signal, (token) => this.#native.webhooksDelete(id, opts, token));
    });
  }

  /**
   * Checks a delivery's `x-aether-signature` against its raw body with any of your secrets
   * (constant time; `t` within the tolerance). Throws INVALID_ARGUMENT with `details.reason`
   * otherwise. Synchronous: it does no I/O.
   */
  verifySignature(params) {
    const { payload, header, secrets, toleranceSeconds, now } = verifyParams(params);
    sync(() => native.verifySignature(payload, header, secrets, toleranceSeconds, now));
    return true;
  }

  /** Verifies like `verifySignature` and returns the parsed event. */
  constructEvent(params) {
    const { payload, header, secrets, toleranceSeconds } = verifyParams(params);
    return JSON.parse(sync(() => native.constructEvent(payload, header, secrets, toleranceSeconds)));
  }
}

function verifyParams(params) {
  const p = requireObject(params, 'params');
  let payload = p.payload;
  if (typeof payload === 'string') payload = Buffer.from(payload);
  else if (ArrayBuffer.isView(payload)) payload = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  else throw invalidArgument('payload must be the raw body: a string or a Buffer');
  if (typeof p.header !== 'string') throw invalidArgument('header must be the x-aether-signature value (a string)');
  const secrets = typeof p.secret === 'string' ? [p.secret] : p.secrets;
  if (!Array.isArray(secrets) || !secrets.every((s) => typeof s === 'string')) {
    throw invalidArgument('give secret (a string) or secrets (an array of strings)');
  }
  let now = p.now;
  if (now instanceof Date) now = now.getTime() / 1000;
  return {
    payload,
    header: p.header,
    secrets,
    toleranceSeconds: optionalNumber(p.toleranceSeconds, 'toleranceSeconds'),
    now: optionalNumber(now, 'now'),
  };
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
