// The npm package `aether` as an ES module: `import Aether from "aether"`.
import cjs from './index.js';

export default cjs;
export const {
  Aether,
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
} = cjs;
