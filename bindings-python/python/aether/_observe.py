"""Seeing what the client does: log lines and hooks.

The core formats the lines and fires the hooks once for every language; this module gives
them their Python shape. Lines go to the :mod:`logging` logger ``aether`` (``TRACE`` is
level 5, below ``DEBUG``) when the client's ``log_level`` (else the ``AETHER_LOG``
environment variable) lets them through: ``error`` failed calls, ``warn`` failed hooks,
``info`` retries, ``debug`` one line per attempt, ``trace`` request and response bodies with
secrets redacted, and upload part events. Hooks get an :class:`AttemptEvent`.

Hooks and log lines run on the SDK's runtime threads (with the GIL), before the call goes on:
keep them short, and make them thread-safe. An exception a hook raises is logged at
``warn`` and never changes the call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional

__all__ = ["AttemptEvent", "Hook", "TRACE"]

#: The level of the ``trace`` lines (bodies, upload parts), below ``logging.DEBUG``.
TRACE = 5
logging.addLevelName(TRACE, "TRACE")
_logger = logging.getLogger("aether")


def _log(levelno: int, line: str) -> None:
    _logger.log(levelno, line)


@dataclass(frozen=True)
class AttemptEvent:
    """One attempt of a call, as a hook sees it."""

    #: ``GET``, ``POST``, …
    method: str
    #: The path under the base URL, without the query.
    path: str
    #: 1 for the first attempt; in ``on_retry``, the attempt that failed.
    attempt: int
    #: The HTTP status of the answer; ``None`` before it and after a network failure.
    status: Optional[int]
    #: The error code of a failed attempt (``SERVICE_UNAVAILABLE``, …), else ``None``.
    error_code: Optional[str]
    #: The server's request id of the answer, when one came.
    request_id: Optional[str]
    #: The call's client request id (the same on every attempt).
    client_request_id: str
    #: The ``Idempotency-Key`` sent (every POST has one).
    idempotency_key: Optional[str]
    #: Milliseconds since the call began.
    elapsed_ms: float
    #: In ``on_retry``: the wait before the next attempt, in milliseconds.
    next_delay_ms: Optional[float]

    @classmethod
    def _from_wire(cls, data: Mapping[str, Any]) -> "AttemptEvent":
        return cls(
            method=data["method"],
            path=data["path"],
            attempt=data["attempt"],
            status=data.get("status"),
            error_code=data.get("errorCode"),
            request_id=data.get("requestId"),
            client_request_id=data["clientRequestId"],
            idempotency_key=data.get("idempotencyKey"),
            elapsed_ms=data["elapsedMs"],
            next_delay_ms=data.get("nextDelayMs"),
        )


#: A hook: called with each :class:`AttemptEvent`; what it returns is ignored.
Hook = Callable[[AttemptEvent], Any]


def _hook(name: str, hook: Optional[Hook]) -> Optional[Callable[[Dict[str, Any]], None]]:
    """``hook`` as the native client calls it (with the event's wire form)."""
    if hook is None:
        return None
    if not callable(hook):
        raise TypeError(f"{name}= must be a callable taking an AttemptEvent, not {hook!r}")

    def call(data: Dict[str, Any]) -> None:
        hook(AttemptEvent._from_wire(data))

    return call
