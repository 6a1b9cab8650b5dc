'use strict';
// posts: create, read, list, edit, cancel, retry, bulk-create from a CSV, wait for and watch posts.

const {
  native,
  json,
  parse,
  settingsJson,
  requireString,
  requireObject,
  describe,
  optionalInteger,
  optionalFunction,
  checkSignal,
  requestOptions,
  run,
  call,
  pages,
  guardedCallback,
  iterate,
} = require('../call');
const { fileURLToPath } = require('node:url');
const { invalidArgument } = require('../errors');
const { waitOptions } = require('../wait_options');

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
    const args = () => [json(requireObject(params, 'params'), 'params')];
    return call(this.#native, 'postsCreate', args, options).map(reportWarnings);
  }

  /**
   * Creates a post from every row of a CSV file (a path) or of `rows` (objects the SDK writes
   * as CSV), each as `create` would, independently; resolves to `{ dryRun, total, created,
   * failed, results: [{ row, line, ok, post?, error? }] }`. `{ dryRun: true }` checks every row
   * and creates nothing. One idempotency key covers the whole call.
   */
  bulk(pathOrRows, options) {
    const args = () => {
      const o = requireObject(options, 'options', { optional: true });
      const dryRun = o.dryRun ?? false;
      if (typeof dryRun !== 'boolean') {
        throw invalidArgument(`options.dryRun must be a boolean, got ${describe(dryRun)}`);
      }
      if (Array.isArray(pathOrRows)) return ['postsBulkRows', json(pathOrRows, 'rows'), dryRun];
      if (pathOrRows instanceof URL) return ['postsBulkFile', fileURLToPath(pathOrRows), dryRun];
      return ['postsBulkFile', requireString(pathOrRows, 'pathOrRows'), dryRun];
    };
    return call(this.#native, null, args, options);
  }

  get(id, options) {
    return call(this.#native, 'postsGet', () => [requireString(id, 'id')], options);
  }

  /** Every post matching `params`, newest first, fetched page by page as you iterate. */
  list(params, options) {
    return pages(this.#native, 'postsList', () => [listQuery(params)], options);
  }

  /** Changes a draft or scheduled post (schedule, content, draft); else POST_NOT_EDITABLE. */
  update(id, params, options) {
    const args = () => [requireString(id, 'id'), json(requireObject(params, 'params'), 'params')];
    return call(this.#native, 'postsUpdate', args, options).map(reportWarnings);
  }

  /** Cancels a draft or scheduled post; returns it, now `cancelled`. */
  cancel(id, options) {
    return call(this.#native, 'postsCancel', () => [requireString(id, 'id')], options);
  }

  /**
   * Publishes the failed targets of a `failed` or `partially_published` post again, and only
   * those; returns the post, `publishing` again. Else a ConflictError `POST_NOT_RETRYABLE`
   * (`details.status` is the post's status).
   */
  retry(id, options) {
    return call(this.#native, 'postsRetry', () => [requireString(id, 'id')], options);
  }

  /**
   * Polls until the post is published, partially published, failed or cancelled, and returns
   * it (a failed post is a result, not an error). `onStatus` hears every distinct status.
   */
  wait(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const o = requireObject(options, 'options', { optional: true });
      const wait = settingsJson(waitOptions(o, 'options'), 'options');
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
    const wait = settingsJson(waitOptions(o, 'options'), 'options');
    const signal = checkSignal(o.signal);
    // Aborting closes the cursor (which drops the core's stream and its polling); the
    // iteration then ends with an AbortError whose cause is the signal's reason.
    return iterate(() => this.#native.postsWatch(id, wait, undefined, undefined), signal);
  }
}

/**
 * Reports each of a post's warnings the Node way, `process.emitWarning` with the type
 * `AetherWarning` and the warning's code (listen with `process.on('warning', …)`, silence with
 * `--no-warnings`); the post, which keeps them in `warnings`, is returned as it is.
 */
function reportWarnings(post) {
  for (const warning of post?.warnings ?? []) {
    const where = [warning.platform, warning.field].filter(Boolean).join(' ');
    process.emitWarning(warning.message, {
      type: 'AetherWarning',
      code: warning.code,
      detail: where ? `post ${post.id}: ${where}` : `post ${post.id}`,
    });
  }
  return post;
}

/** The query of `list` as JSON: the filters, and `limit` as the page size. */
function listQuery(params) {
  const p = requireObject(params, 'params', { optional: true });
  const query = {
    status: p.status,
    profileId: p.profileId,
    limit: optionalInteger(p.limit, 'params.limit'),
    cursor: p.cursor,
  };
  return json(query, 'params');
}

module.exports = { Posts };
