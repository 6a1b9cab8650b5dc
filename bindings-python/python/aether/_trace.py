"""The trace context of the current OpenTelemetry span, sent as W3C ``traceparent`` by calls
that give none of their own.

``opentelemetry`` is an optional dependency: without it (or without a current, valid span)
nothing is sent. Only its API package is read, never configured."""

from __future__ import annotations

import importlib
from typing import Any, Optional

#: The ``opentelemetry.trace`` module, ``False`` once known to be missing, ``None`` untried.
_trace: Any = None


def current_traceparent() -> Optional[str]:
    """``00-<trace id>-<span id>-<flags>`` of the current span, or ``None``."""
    global _trace
    if _trace is None:
        try:
            _trace = importlib.import_module("opentelemetry.trace")
        except ImportError:
            # Remembered: a failed import searches sys.path again each time.
            _trace = False
    if _trace is False:
        return None
    context = _trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"
