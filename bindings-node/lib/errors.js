'use strict';
// AetherError and its subclasses. The native layer rejects with an Error whose message is a
// tagged JSON payload (the core's Error::to_json plus the class name, chosen in Rust by an
// exhaustive match on the code); `fromNative` turns it into the right class here.

const TAG = '\u0001aether-error:';

/** An error of the Aether SDK or API; `code` is the stable, machine-readable answer. */
class AetherError extends Error {
  constructor(message, fields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    /** e.g. "POST_LIMIT_REACHED" */
    this.code = fields.code ?? 'UNKNOWN';
    /** The HTTP status, or null for client-side errors. */
    this.status = fields.status ?? null;
    /** The server's request id (req_…) of the last response, when one arrived; quote it to support. */
    this.requestId = fields.requestId ?? null;
    /** The id the SDK gave the call (creq_…), sent as X-Client-Request-Id on each attempt. */
    this.clientRequestId = fields.clientRequestId ?? null;
    /** The Idempotency-Key the call sent; after OutcomeUnknownError, call again with it. */
    this.idempotencyKey = fields.idempotencyKey ?? null;
    /** Seconds the server asked to wait before retrying, or null. */
    this.retryAfter = fields.retryAfter ?? null;
    /** Where in the request the problem is, e.g. "content.text". */
    this.field = fields.field ?? null;
    /** The platform whose rule was broken, e.g. "tiktok". */
    this.platform = fields.platform ?? null;
    /** Code-specific data, e.g. { resetAt } or { missingParts }. */
    this.details = fields.details ?? null;
    /** Whether the same request, sent again later, can succeed (the server's X-Should-Retry wins). */
    this.retryable = fields.retryable ?? false;
  }

  /** Everything the error says, for logs and JSON.stringify. */
  toJSON() {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      requestId: this.requestId,
      clientRequestId: this.clientRequestId,
      idempotencyKey: this.idempotencyKey,
      retryAfter: this.retryAfter,
      field: this.field,
      platform: this.platform,
      details: this.details,
      retryable: this.retryable,
    };
  }
}

function define(name, Base = AetherError) {
  const Class = { [name]: class extends Base {} }[name];
  Object.defineProperty(Class.prototype, 'name', { value: name, writable: true, configurable: true });
  return Class;
}

Object.defineProperty(AetherError.prototype, 'name', {
  value: 'AetherError',
  writable: true,
  configurable: true,
});

const AuthenticationError = define('AuthenticationError');
const PermissionDeniedError = define('PermissionDeniedError');
const NotFoundError = define('NotFoundError');
const BadRequestError = define('BadRequestError');
const InvalidArgumentError = define('InvalidArgumentError', BadRequestError);
const ValidationError = define('ValidationError');
const RateLimitError = define('RateLimitError');
const PostLimitReachedError = define('PostLimitReachedError');
const ConflictError = define('ConflictError');
const UploadError = define('UploadError');
const PlatformError = define('PlatformError');
const InternalServerError = define('InternalServerError');
const APIConnectionError = define('APIConnectionError');
const APITimeoutError = define('APITimeoutError', APIConnectionError);
const AbortError = define('AbortError');
const LocalIOError = define('LocalIOError');
const APIResponseError = define('APIResponseError');
// Not an APIConnectionError on purpose: code that reads a connection error as "nothing
// happened" must not swallow a write that may have been done.
const OutcomeUnknownError = define('OutcomeUnknownError');

const classes = {
  AetherError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  BadRequestError,
  InvalidArgumentError,
  ValidationError,
  RateLimitError,
  PostLimitReachedError,
  ConflictError,
  UploadError,
  PlatformError,
  InternalServerError,
  APIConnectionError,
  APITimeoutError,
  AbortError,
  LocalIOError,
  APIResponseError,
  OutcomeUnknownError,
};

/** Builds the error a payload describes (`{ code, message, status?, …, class }`). */
function fromPayload(payload, cause) {
  const Class = Object.hasOwn(classes, payload.class) ? classes[payload.class] : AetherError;
  return new Class(payload.message, {
    code: payload.code,
    status: payload.status,
    requestId: payload.requestId,
    clientRequestId: payload.clientRequestId,
    idempotencyKey: payload.idempotencyKey,
    retryAfter: payload.retryAfterMs === undefined ? null : payload.retryAfterMs / 1000,
    field: payload.field,
    platform: payload.platform,
    details: payload.details,
    retryable: payload.retryable,
    cause,
  });
}

// napi-rs statuses of a failed argument conversion: the caller passed a wrong type.
const ARGUMENT_STATUSES = new Set([
  'InvalidArg',
  'ObjectExpected',
  'StringExpected',
  'NameExpected',
  'FunctionExpected',
  'NumberExpected',
  'BooleanExpected',
  'ArrayExpected',
  'BigintExpected',
  'DateExpected',
  'ArrayBufferExpected',
]);

/**
 * The AetherError for anything a native call threw or rejected with. Errors that are not the
 * SDK's (a bug, a TypeError from user code) are returned unchanged.
 */
function fromNative(error) {
  if (error instanceof AetherError) return error;
  if (error instanceof Error && typeof error.message === 'string') {
    if (error.message.startsWith(TAG)) {
      try {
        return fromPayload(JSON.parse(error.message.slice(TAG.length)));
      } catch {
        // fall through: not a payload after all
      }
    }
    if (ARGUMENT_STATUSES.has(error.code)) {
      return invalidArgument(error.message, error);
    }
  }
  return error;
}

function invalidArgument(message, cause) {
  return new InvalidArgumentError(message, { code: 'INVALID_ARGUMENT', cause });
}

function cancelled(message, cause) {
  return new AbortError(message, { code: 'CANCELLED', cause });
}

module.exports = { ...classes, classes, fromNative, fromPayload, invalidArgument, cancelled };
