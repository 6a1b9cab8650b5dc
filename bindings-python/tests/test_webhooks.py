"""Inbox events and dead letters: simulated comments and messages reach a loopback receiver and
``construct_event`` gives them typed; a delivery that ran out of attempts is listed with
``deliveries(status="failed")`` (sync and async) and ``redeliver`` sends the same event, signed
afresh, to the receiver, where it verifies."""

from __future__ import annotations

import asyncio
import datetime
import http.server
import queue
import time
from typing import Any, Iterator, List, Tuple

import pytest

import aether
from aether import Comment, Message, WebhookDelivery
from aether.testing import MockServer

from conftest import serve_in_background


class Receiver:
    """An HTTP server on 127.0.0.1 that answers ``status`` and queues (signature, body)."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: "queue.Queue[Tuple[str, bytes]]" = queue.Queue()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.requests.put((self.headers.get("x-aether-signature") or "", body))
                self.send_response(outer.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        serve_in_background(self.server)

    def next(self) -> Tuple[str, bytes]:
        return self.requests.get(timeout=10)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def emulator_now(mock: MockServer) -> float:
    return datetime.datetime.fromisoformat(mock.clock().replace("Z", "+00:00")).timestamp()


def test_inbox_events_arrive_typed(aether_mock: MockServer, receiver: Receiver) -> None:
    client = aether_mock.client()
    events = ["comment.created", "message.created", "message.updated"]
    hook = client.webhooks.create(url=receiver.url, events=events)
    assert hook.events == events and hook.secret
    profile = aether_mock.create_profile("instagram")

    comment = aether_mock.simulate_comment(
        profile.id, "so good", author={"username": "fan1"}, platform_post_id="1801"
    )
    assert isinstance(comment, Comment) and comment.author.username == "fan1"
    signature, body = receiver.next()
    event = client.webhooks.construct_event(body, signature, hook.secret)
    assert event.type == "comment.created"
    assert event.comment == comment
    assert event.comment is not None and event.comment.platform_post_id == "1801"
    assert event.post is None and event.message is None

    message = aether_mock.simulate_message(profile.id, "available?", conversation_id="conv_1")
    assert isinstance(message, Message) and message.direction == "inbound"
    signature, body = receiver.next()
    created = client.webhooks.construct_event(body, signature, [hook.secret])
    assert created.type == "message.created" and created.message == message
    assert created.message is not None and created.message.read_at is None

    read = aether_mock.update_message(message.id, read_at="2026-06-15T07:00:00.000Z")
    assert read.read_at == "2026-06-15T07:00:00.000Z"
    signature, body = receiver.next()
    updated = client.webhooks.construct_event(body, signature, hook.secret)
    assert updated.type == "message.updated" and updated.id != created.id
    assert updated.message is not None and updated.message.read_at == "2026-06-15T07:00:00.000Z"


@pytest.mark.aether_mock(settings={"webhook_max_attempts": 1})
def test_a_dead_letter_is_redelivered_to_a_loopback_receiver_with_a_valid_signature(
    aether_mock: MockServer, receiver: Receiver
) -> None:
    client = aether_mock.client()
    receiver.status = 500
    hook = client.webhooks.create(url=receiver.url, events=["comment.created"])
    assert hook.secret
    profile = aether_mock.create_profile("tiktok")
    aether_mock.simulate_comment(profile.id, "first!")
    refused_signature, refused_body = receiver.next()

    dead: List[WebhookDelivery] = []
    for _ in range(200):
        dead = list(client.webhooks.deliveries(hook.id, status="failed"))
        if dead:
            break
        time.sleep(0.025)
    assert len(dead) == 1
    assert isinstance(dead[0], WebhookDelivery)
    assert (dead[0].status, dead[0].attempts, dead[0].last_status_code) == ("failed", 1, 500)
    assert dead[0].next_attempt_at is None and dead[0].last_attempt_at
    assert list(client.webhooks.deliveries(hook.id, status="pending")) == []

    receiver.status = 200
    aether_mock.advance_clock(600)
    again = client.webhooks.redeliver(hook.id, dead[0].id)
    assert (again.id, again.event_id) == (dead[0].id, dead[0].event_id)
    signature, body = receiver.next()
    assert body == refused_body
    assert signature != refused_signature
    now = emulator_now(aether_mock)
    client.webhooks.verify_signature(body, signature, hook.secret, now=now)
    with pytest.raises(aether.InvalidArgumentError) as stale:
        client.webhooks.verify_signature(refused_body, refused_signature, hook.secret, now=now)
    assert (stale.value.details or {})["reason"] == "timestamp_outside_tolerance"

    with pytest.raises(aether.NotFoundError):
        client.webhooks.redeliver(hook.id, "dlv_nope")
    with pytest.raises(aether.NotFoundError):
        list(client.webhooks.deliveries("wh_nope"))

    async def listed() -> List[WebhookDelivery]:
        async_client = aether_mock.async_client()
        for _ in range(200):
            found = [d async for d in async_client.webhooks.deliveries(hook.id, status="succeeded")]
            if found:
                await async_client.webhooks.redeliver(hook.id, found[0].id)
                return found
            await asyncio.sleep(0.025)
        return []

    succeeded = asyncio.run(listed())
    assert [(d.id, d.attempts) for d in succeeded] == [(dead[0].id, 2)]
    signature, body = receiver.next()
    assert body == refused_body
    client.webhooks.verify_signature(body, signature, hook.secret, now=emulator_now(aether_mock))
