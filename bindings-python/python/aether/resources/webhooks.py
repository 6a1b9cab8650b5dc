"""``client.webhooks``: endpoint registration, and verification of signed deliveries."""

from __future__ import annotations

from typing import Iterable, List, Optional, Sequence, Union

from .._aether import construct_event, defaults, verify_signature
from .._models import Webhook, WebhookDelivery, WebhookEvent
from ._run import Pages, Pending, Resource, aiterating, awaiting, blocking, iterating, nothing

__all__ = ["Webhooks", "AsyncWebhooks", "SIGNATURE_HEADER", "DEFAULT_TOLERANCE"]

_DEFAULTS = defaults()["webhooks"]
#: The header a delivery's signature arrives in (the core's).
SIGNATURE_HEADER: str = _DEFAULTS["signatureHeader"]
#: How far a delivery's timestamp may be from now, in seconds (the core's default).
DEFAULT_TOLERANCE: float = _DEFAULTS["toleranceMs"] / 1000

Payload = Union[bytes, bytearray, memoryview, str]
Secrets = Union[str, Sequence[str]]


def _payload(payload: Payload) -> bytes:
    if isinstance(payload, str):
        return payload.encode("utf-8")
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    # Not bytes(payload) for anything else: bytes(10**9) would allocate a gigabyte of zeros,
    # and bytes(2**64) raised OverflowError.
    raise TypeError(
        f"payload must be the raw request body as bytes (or str), not {type(payload).__name__}"
    )


def _secrets(secret: Secrets) -> List[str]:
    return [secret] if isinstance(secret, str) else list(secret)


class _Webhooks(Resource):
    @staticmethod
    def verify_signature(
        payload: Payload,
        header: str,
        secret: Secrets,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        now: Optional[float] = None,
    ) -> None:
        """Checks a delivery's ``x-aether-signature`` header against the **raw** request body
        (verify before parsing JSON). ``secret`` may be a list during a rotation. Raises
        ``InvalidArgumentError`` whose ``details["reason"]`` is ``malformed_header``,
        ``no_secret``, ``signature_mismatch`` or ``timestamp_outside_tolerance``. ``now``
        (unix seconds, default the system clock) is for tests."""
        verify_signature(_payload(payload), header, _secrets(secret), tolerance, now)

    @staticmethod
    def construct_event(
        payload: Payload,
        header: str,
        secret: Secrets,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> WebhookEvent:
        """Verifies a delivery like :meth:`verify_signature` and returns its event."""
        event = construct_event(_payload(payload), header, _secrets(secret), tolerance)
        return WebhookEvent.from_dict(event)

    def _create(self, *, url: str, events: Iterable[str]) -> Pending[Webhook]:
        """Registers an endpoint; the returned ``secret`` is shown only here."""
        call = self._core.webhooks_create({"url": url, "events": list(events)})
        return Pending(call, Webhook._from_wire)

    def _list(self) -> Pages[Webhook]:
        """Every endpoint (without secrets), page by page as you iterate."""
        return Pages(self._core.webhooks_list(), Webhook)

    def _delete(self, webhook_id: str) -> Pending[None]:
        """Deletes an endpoint; deliveries stop at once. Deleting twice is ``NOT_FOUND``; a
        delete whose answer was lost, and whose retry finds the webhook gone, succeeds."""
        return Pending(self._core.webhooks_delete(webhook_id), nothing)

    def _deliveries(self, webhook_id: str, *, status: Optional[str] = None) -> Pages[WebhookDelivery]:
        """A webhook's deliveries, newest first, page by page as you iterate; ``status``
        (``"pending"``, ``"succeeded"`` or ``"failed"``: the dead letters, kept 30 days)
        keeps only those."""
        return Pages(self._core.webhooks_deliveries(webhook_id, status), WebhookDelivery)

    def _redeliver(self, webhook_id: str, delivery_id: str) -> Pending[WebhookDelivery]:
        """Sends a delivery again now: the same event id and body, a fresh signature. Returns
        the delivery, ``pending`` again."""
        call = self._core.webhooks_redeliver(webhook_id, delivery_id)
        return Pending(call, WebhookDelivery._from_wire)


class Webhooks(_Webhooks):
    create = blocking(_Webhooks._create)
    list = iterating(_Webhooks._list)
    delete = blocking(_Webhooks._delete)
    deliveries = iterating(_Webhooks._deliveries)
    redeliver = blocking(_Webhooks._redeliver)


class AsyncWebhooks(_Webhooks):
    create = awaiting(_Webhooks._create)
    list = aiterating(_Webhooks._list)
    delete = awaiting(_Webhooks._delete)
    deliveries = aiterating(_Webhooks._deliveries)
    redeliver = awaiting(_Webhooks._redeliver)
