'use strict';
// The polling options posts.wait, posts.watch and media.waitReady share.

const { requireObject, optionalNumber } = require('./call');

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

module.exports = { waitOptions };
