'use strict';
// Seeing what the client does: the core's log lines and hooks, handed to the `logger` and the
// `onRequest` / `onResponse` / `onRetry` options. The core formats every line and fires every
// hook (core/src/transport/observe.rs); they reach JavaScript in order, on the event loop, after
// the fact: a call does not wait for its hooks, and its promise may settle before the last of
// them has run.

const { invalidArgument } = require('./errors');
const native = require('./native');

const HOOKS = { onRequest: 'request', onResponse: 'response', onRetry: 'retry' };
const LEVELS = ['error', 'warn', 'info', 'debug', 'trace'];

/** The default logger: standard error, as the core writes without a sink. */
const STDERR = Object.fromEntries(
  ['error', 'warn', 'info', 'debug'].map((level) => [
    level,
    (line) => process.stderr.write(`aether ${level}: ${line}\n`),
  ]),
);

/**
 * Takes `logger` and the hooks out of the client's options; returns the rest of the options and
 * what the native client needs: the callback it sends lines and events to, and the hooks set.
 */
function observing(options) {
  const { logger, onRequest, onResponse, onRetry, ...rest } = options;
  if (logger !== undefined && logger !== null) {
    for (const method of ['debug', 'info', 'warn', 'error']) {
      if (typeof logger[method] !== 'function') {
        throw invalidArgument(
          `options.logger must have debug, info, warn and error methods; it has no ${method}()`,
        );
      }
    }
  }
  const hooks = { onRequest, onResponse, onRetry };
  for (const [name, fn] of Object.entries(hooks)) {
    if (fn !== undefined && fn !== null && typeof fn !== 'function') {
      throw invalidArgument(`options.${name} must be a function taking the attempt's event`);
    }
  }
  const sink = logger ?? STDERR;
  const state = { level: 0 };
  const write = (level, line) => {
    // `trace` lines go to debug(): a logger has no trace().
    const method = level === 'trace' ? 'debug' : level;
    try {
      sink[method](line);
    } catch {
      // A logger that throws must not become an uncaught exception on the event loop.
    }
  };
  const callback = (json) => {
    if (json === undefined || json === null) return;
    const message = JSON.parse(json);
    if (message.log !== undefined) {
      write(message.log, message.line);
      return;
    }
    const name = Object.keys(HOOKS).find((key) => HOOKS[key] === message.hook);
    const event = message.event;
    try {
      hooks[name](event);
    } catch (error) {
      if (state.level >= LEVELS.indexOf('warn') + 1) {
        write('warn', native.hookFailureLineOf(name, JSON.stringify(event), String(error)));
      }
    }
  };
  const kinds = Object.keys(HOOKS)
    .filter((name) => typeof hooks[name] === 'function')
    .map((name) => HOOKS[name]);
  /** Called with the level the client resolved (its `logLevel`, else AETHER_LOG). */
  const setLevel = (level) => {
    state.level = level ? LEVELS.indexOf(level) + 1 : 0;
  };
  return { rest, callback, kinds, setLevel };
}

module.exports = { observing };
