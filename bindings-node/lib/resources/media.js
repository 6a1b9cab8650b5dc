'use strict';
// media: uploads (every kind of file), reads, deletes, waiting for verification.

const {
  native,
  parse,
  settingsJson,
  requireString,
  requireObject,
  optionalInteger,
  optionalFunction,
  checkSignal,
  requestOptions,
  run,
  call,
  guardedCallback,
} = require('../call');
const { invalidArgument, AetherError } = require('../errors');
const { sourceFor } = require('../upload');
const { waitOptions } = require('../wait_options');

const UPLOAD_KEYS = [
  'fileName', 'mimeType', 'tier', 'partSize', 'parallelism', 'singleShotThreshold', 'resumeStateFile', 'profileIds',
  'stallTimeoutMs', 'sha256',
];

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

  /**
   * Media by URL (`upload({ url })`): the server fetches the URL at once and stores it like an
   * upload; with `platforms`, the URL is preflighted first by reading only the few KiB the probe
   * needs with HTTP range requests. A fetch that fails makes waitReady() throw MEDIA_FETCH_FAILED
   * with `details.url`, `details.reason` and `details.httpStatus`.
   */
  #ingest(p, options) {
    return run(null, async () => {
      if (p.file !== undefined && p.file !== null) {
        throw invalidArgument('params takes file or url, not both');
      }
      requireString(p.url, 'params.url');
      const fileOnly = ['size', 'onProgress', 'partSize', 'parallelism', 'singleShotThreshold', 'resumeStateFile', 'stallTimeoutMs', 'sha256'];
      for (const key of fileOnly) {
        if (p[key] !== undefined) {
          throw invalidArgument(`params.${key} applies to files; a url is fetched by the server`);
        }
      }
      const picked = {};
      for (const key of ['fileName', 'mimeType', 'tier', 'profileIds']) if (p[key] !== undefined) picked[key] = p[key];
      if (p.platforms !== undefined) {
        if (!Array.isArray(p.platforms)) throw invalidArgument('params.platforms must be an array of platform names');
        picked.platforms = p.platforms;
      }
      const uploadOptions = settingsJson(picked, 'params');
      const signal = checkSignal(p.signal);
      const { json: opts } = requestOptions(options);
      return run(signal, (token) => this.#native.mediaIngest(p.url, uploadOptions, token, opts)).then(parse);
    });
  }

  #upload(uploadId, params, options) {
    return run(null, async () => {
      const p = requireObject(params, 'params');
      if (uploadId === undefined && p.url !== undefined) return this.#ingest(p, options);
      if (p.file === undefined || p.file === null) throw invalidArgument('params.file (or params.url) is required');
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
      const uploadOptions = settingsJson(picked, 'params');
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
    return call(this.#native, 'mediaGet', () => [requireString(mediaKey, 'mediaKey')], options);
  }

  delete(mediaKey, options) {
    return call(this.#native, 'mediaDelete', () => [requireString(mediaKey, 'mediaKey')], options).map(() => undefined);
  }

  /**
   * Polls until the server has verified the media and returns it `ready`; a media that failed
   * verification throws its own code (e.g. VIDEO_TOO_SHORT).
   */
  waitReady(mediaKey, options) {
    return run(null, async () => {
      requireString(mediaKey, 'mediaKey');
      const o = requireObject(options, 'options', { optional: true });
      const wait = settingsJson(waitOptions(o, 'options'), 'options');
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

module.exports = { Media };
