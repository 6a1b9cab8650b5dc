'use strict';
// The npm package `aether` (CommonJS entry; index.mjs is the ES module one).
//
//   const Aether = require('aether');            // or: const { Aether, AetherError } = require('aether')
//   const aether = new Aether({ apiKey: process.env.AETHER_API_KEY });

const { Aether } = require('./lib/client');
const errors = require('./lib/errors');

const exported = {
  Aether,
  default: Aether,
  AetherError: errors.AetherError,
  AuthenticationError: errors.AuthenticationError,
  PermissionDeniedError: errors.PermissionDeniedError,
  NotFoundError: errors.NotFoundError,
  BadRequestError: errors.BadRequestError,
  InvalidArgumentError: errors.InvalidArgumentError,
  ValidationError: errors.ValidationError,
  RateLimitError: errors.RateLimitError,
  PostLimitReachedError: errors.PostLimitReachedError,
  ConflictError: errors.ConflictError,
  UploadError: errors.UploadError,
  PlatformError: errors.PlatformError,
  InternalServerError: errors.InternalServerError,
  APIConnectionError: errors.APIConnectionError,
  APITimeoutError: errors.APITimeoutError,
  AbortError: errors.AbortError,
  LocalIOError: errors.LocalIOError,
  APIResponseError: errors.APIResponseError,
  OutcomeUnknownError: errors.OutcomeUnknownError,
};

// `require('aether')` is the class itself, with everything else as its properties.
for (const [name, value] of Object.entries(exported)) {
  if (name !== 'Aether' || Aether.Aether === undefined) {
    Object.defineProperty(Aether, name, { value, enumerable: true });
  }
}

module.exports = Aether;
