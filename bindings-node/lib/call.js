'use strict';
// The plumbing every resource method shares: argument checks, JSON across the boundary,
// AbortSignal → native CancelToken, native errors → AetherError, cursors → async iterators.

const native = require('./native');
const { fromNative, invalidArgument, cancelled, AetherError } = require('./errors');
const { currentTraceparent } = require('./trace');

/** JSON text of an argument; a value JSON cannot carry (a BigInt, a cycle) is INVALID_ARGUMENT. */
function json(value, what) {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw invalidArgument(`${what} cannot be sent as JSON: ${error.message}`, error);
  }
}

/**
 * Options for the core as JSON text. JSON has no NaN or Infinity (JSON.stringify writes them
 * as null, which would mean "the default"), so they go as strings, which the core refuses
 * with the option's name: every check of a setting is the core's.
 */
function settingsJson(value, what) {
  const finite = (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
  try {
    return JSON.stringify(value ?? {}, finite);
  } catch (error) {
    throw invalidArgument(`${what} cannot be sent as JSON: ${error.message}`, error);
  }
}

function parse(text) {
  return text === null || text === undefined || text === '' ? undefined : JSON.parse(text);
}

function requireString(value, name) {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`${name} must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function requireObject(value, name, { optional = false } = {}) {
  if (value === undefined && optional) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument(`${name} must be an object, got ${describe(value)}`);
  }
  return value;
}

function optionalNumber(value, name) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw invalidArgument(`${name} must be a non-negative number, got ${describe(value)}`);
  }
  return value;
}

function optionalInteger(value, name) {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`${name} must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

function optionalFunction(value, name) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'function') {
    throw invalidArgument(`${name} must be a function, got ${describe(value)}`);
  }
  return value;
}

function checkSignal(signal) {
  if (signal === undefined || signal === null) return undefined;
  if (typeof signal !== 'object' || typeof signal.addEventListener !== 'function' || !('aborted' in signal)) {
    throw invalidArgument('signal must be an AbortSignal');
  }
  return signal;
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  return typeof value === 'object' ? `an object (${value.constructor?.name ?? 'Object'})` : typeof value;
}

/**
 * The per-call request options as JSON (the signal travels as a CancelToken). `withResponse`
 * asks the native call to resolve with `{ data, response }` (see APIPromise).
 */
function requestOptions(options, { withResponse = false } = {}) {
  const o = requireObject(options, 'options', { optional: true });
  // The call's data half goes to the core as it is: the core checks it (one message per
  // fault) and applies its defaults; the signal stays here.
  const picked = {
    idempotencyKey: o.idempotencyKey,
    maxRetries: o.maxRetries,
    timeoutMs: o.timeoutMs,
    attemptTimeoutMs: o.attemptTimeoutMs,
    connectTimeoutMs: o.connectTimeoutMs,
    extraHeaders: o.extraHeaders,
    extraQuery: o.extraQuery,
    withResponse: withResponse || undefined,
    // Read when the call is made, so it is the caller's span.
    traceparent: o.traceparent ?? currentTraceparent(),
  };
  return { json: settingsJson(picked, 'options'), signal: checkSignal(o.signal) };
}

/**
 * Runs `start(token)` — which starts a native call and returns its promise — with the signal
 * wired to a CancelToken (the given one, else one made when there is a signal), and turns a
 * rejection into an AetherError. `failure()` may supply an error that takes precedence: a
 * callback that threw cancels the call, and its error is what the caller sees.
 */
async function run(signal, start, { token, failure } = {}) {
  if (signal?.aborted) throw cancelled('the operation was aborted before it started', signal.reason);
  let onAbort;
  if (signal) {
    token ??= new native.CancelToken();
    onAbort = () => token.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
  }
  try {
    const result = await start(token);
    // Callbacks have all run before the native promise settles; one that threw is the
    // outcome even when the call got through before the cancellation took effect.
    const own = failure?.();
    if (own !== undefined) throw own;
    return result;
  } catch (error) {
    const own = failure?.();
    if (own !== undefined) throw own;
    const mapped = fromNative(error);
    if (
      mapped instanceof AetherError &&
      mapped.code === 'CANCELLED' &&
      signal?.aborted &&
      mapped.cause === undefined
    ) {
      mapped.cause = signal.reason;
    }
    throw mapped;
  } finally {
    if (signal) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * One request of the native client, as a Promise of its parsed result: `args()` checks and
 * converts the method's leading arguments (a throw there rejects the promise), then the
 * per-call options and a CancelToken for their signal are appended and `client[method]` runs
 * under run()'s cancellation and error mapping. Every plain resource method is this.
 */
function call(client, method, args, options) {
  return APIPromise.from(
    run(null, async () => {
      let given = args();
      // `method` null: args() chose it (its first element), e.g. bulk's file or rows.
      if (method === null) [method, ...given] = given;
      // `options` may be a function: a method whose options come out of its arguments.
      const givenOptions = typeof options === 'function' ? options() : options;
      const { json: opts, signal } = requestOptions(givenOptions, { withResponse: true });
      return run(signal, (token) => client[method](...given, opts, token)).then(parse).then(withMeta);
    }),
  );
}

/**
 * `{ data, response }` from the native side, with `response` as an APIResponse. Every call
 * brings its response's status and headers along (`.withResponse()` may be asked for after
 * the call started), but most callers never look: the APIResponse, whose `Headers` costs
 * several µs to fill, is only built when `response` is first read.
 */
function withMeta(raw) {
  return new Answer(raw.data, raw.response);
}

class Answer {
  #meta;
  #response;

  constructor(data, meta) {
    this.data = data;
    this.#meta = meta;
    // An own, enumerable property as before (a spread or destructuring sees it), built lazily.
    Object.defineProperty(this, 'response', { enumerable: true, get: () => this.#built() });
  }

  #built() {
    this.#response ??= this.#meta instanceof APIResponse ? this.#meta : new APIResponse(this.#meta);
    return this.#response;
  }

  /** The same response with another value (the response still built on first read). */
  with(data) {
    return new Answer(data, this.#response ?? this.#meta);
  }
}

/**
 * The HTTP response of a call, as `.withResponse()` gives it: `status`, `headers` (a
 * `Headers`: `get()` ignores case), `requestId` (`X-Request-Id`), `replayed` (the server
 * replayed the first answer to this idempotency key), `idempotencyKey`, `clientRequestId`.
 */
class APIResponse {
  constructor(meta) {
    this.status = meta?.status ?? 0;
    this.headers = new Headers();
    for (const [name, value] of meta?.headers ?? []) this.headers.append(name, value);
    this.requestId = meta?.requestId ?? null;
    this.replayed = meta?.replayed ?? false;
    this.idempotencyKey = meta?.idempotencyKey ?? null;
    this.clientRequestId = meta?.clientRequestId ?? null;
  }
}

/**
 * The promise every plain method returns: it resolves with the value, and `.withResponse()`
 * resolves with `{ data, response }` for the same call (one request; as Stainless SDKs do).
 * `then` and friends return plain promises.
 */
class APIPromise extends Promise {
  #raw;

  static get [Symbol.species]() {
    return Promise;
  }

  /** The promise of `raw`'s data, keeping `raw` for withResponse(). */
  static from(raw) {
    let resolve;
    let reject;
    const promise = new APIPromise((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    promise.#raw = raw;
    raw.then((r) => resolve(r.data), reject);
    return promise;
  }

  /** `{ data, response }`: the value and the HTTP response it came from. */
  withResponse() {
    // The caller handles the outcome through this promise; the plain one may go unawaited.
    this.catch(() => {});
    return this.#raw;
  }

  /** The same call with its value passed through `fn`, keeping the response. */
  map(fn) {
    this.catch(() => {});
    return APIPromise.from(
      this.#raw.then(async (r) => (r instanceof Answer ? r.with(await fn(r.data)) : { data: await fn(r.data), response: r.response })),
    );
  }
}

/**
 * A listing as an async iterator: `args()` checks and converts the leading arguments (a throw
 * there is synchronous, as the iterator is), then `client[method]` makes the native Cursor
 * with the per-call options; their signal stops the iteration.
 */
function pages(client, method, args, options) {
  const given = args();
  const { json: opts, signal } = requestOptions(options);
  return iterate(() => client[method](...given, opts), signal);
}

/** Calls a synchronous native function, mapping what it throws. */
function sync(fn) {
  try {
    return fn();
  } catch (error) {
    throw fromNative(error);
  }
}

/**
 * A callback the native side calls with JSON; if the user's function throws, the operation is
 * cancelled and fails with that error (instead of an uncaught exception on a native thread).
 */
function guardedCallback(fn, convert, token) {
  const state = { error: undefined };
  const callback = (value) => {
    // `undefined` is the native side's barrier after the last event: nothing to tell.
    if (value === undefined || value === null || state.error !== undefined) return;
    try {
      fn(convert(value));
    } catch (error) {
      state.error = error;
      token.cancel();
    }
  };
  return { callback, failure: () => state.error };
}

/** An async iterator over a native Cursor; `return()` (a `break`) stops its requests. */
function iterate(makeCursor, signal) {
  let cursor;
  let done = false;
  let onAbort;
  const finish = () => {
    done = true;
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
    cursor?.close();
  };
  const open = () => {
    if (cursor === undefined) {
      if (signal?.aborted) throw cancelled('the operation was aborted before it started', signal.reason);
      cursor = sync(makeCursor);
      if (signal) {
        onAbort = () => cursor.close();
        signal.addEventListener('abort', onAbort, { once: true });
      }
    }
    return cursor;
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (done) return { done: true, value: undefined };
      try {
        const text = await open().next();
        if (text === null || text === undefined) {
          const aborted = signal?.aborted;
          finish();
          if (aborted) throw cancelled('the iteration was aborted', signal.reason);
          return { done: true, value: undefined };
        }
        return { done: false, value: JSON.parse(text) };
      } catch (error) {
        finish();
        throw fromNative(error);
      }
    },
    async return(value) {
      finish();
      return { done: true, value };
    },
  };
}

module.exports = {
  native,
  json,
  parse,
  requireString,
  requireObject,
  optionalNumber,
  optionalInteger,
  settingsJson,
  optionalFunction,
  checkSignal,
  describe,
  requestOptions,
  run,
  call,
  APIPromise,
  APIResponse,
  withMeta,
  pages,
  sync,
  guardedCallback,
  iterate,
};
