'use strict';
// The polling options posts.wait, posts.watch and media.waitReady share.

const { requireObject } = require('./call');

/**
 * wait/watch options: the core's PollOptions, checked by the core. The one idiom translated
 * here: a deadline of null or Infinity (which JSON cannot carry) means none.
 */
function waitOptions(options, what) {
  const o = requireObject(options, what, { optional: true });
  const picked = { pollIntervalMs: o.pollIntervalMs, maxPollIntervalMs: o.maxPollIntervalMs };
  if (o.timeoutMs === null || o.timeoutMs === Infinity) picked.noTimeout = true;
  else picked.timeoutMs = o.timeoutMs;
  return picked;
}

module.exports = { waitOptions };
