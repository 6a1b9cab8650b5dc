'use strict';
// The trace context of the active OpenTelemetry span, sent as W3C `traceparent` by calls that
// give none of their own. `@opentelemetry/api` is optional: when it cannot be loaded (or no
// span is active) nothing is sent. Only its API is read, never configured.

let api; // the module, null once known to be missing, undefined until first asked

function load() {
  if (api === undefined) {
    try {
      api = require('@opentelemetry/api');
    } catch {
      api = null;
    }
  }
  return api;
}

/** `00-<trace id>-<span id>-<flags>` of the active span, or undefined. */
function currentTraceparent() {
  const otel = load();
  const context = otel?.trace?.getActiveSpan?.()?.spanContext?.();
  if (!context || !otel.isSpanContextValid(context)) return undefined;
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

module.exports = { currentTraceparent };
