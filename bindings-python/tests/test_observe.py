"""Log lines (the ``aether`` logger) and hooks: every level, no secret in any line, bodies only
at trace, hooks in order under an injected 503, and a raising hook that changes nothing."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, List, Tuple

import pytest

import aether
from aether.testing import MockServer

LEVELS = ["error", "warn", "info", "debug", "trace"]
NUMBERS = {"error": logging.ERROR, "warn": logging.WARNING, "info": logging.INFO,
           "debug": logging.DEBUG, "trace": aether.TRACE}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=1)
        self.records: List[Tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.getMessage()))


@pytest.fixture
def lines() -> Any:
    handler = Lines()
    logger = logging.getLogger("aether")
    logger.addHandler(handler)
    logger.setLevel(1)
    yield handler
    logger.removeHandler(handler)


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_logs_its_lines_and_never_a_secret(
    aether_mock: MockServer, lines: Lines, level: str
) -> None:
    def explode(event: aether.AttemptEvent) -> None:
        raise RuntimeError("a hook that raises")

    client = aether_mock.client(retry_backoff=(0.005, 0.05), log_level=level, on_retry=explode)
    state = "st_canary_81ac"
    client.connect_links.create(platform="tiktok", redirect_url="https://example.com/b", state=state)
    secret = client.webhooks.create(url="http://127.0.0.1:9/h", events=["post.published"]).secret
    assert secret
    aether_mock.inject_fault("/v1/posts/*", {"type": "status", "status": 503}, method="GET", times=1)
    with pytest.raises(aether.NotFoundError):
        client.posts.get("post_missing")

    seen = {n for n, _ in lines.records}
    expected = {NUMBERS[name] for name in LEVELS[: LEVELS.index(level) + 1]}
    assert seen == expected, lines.records
    for number, line in lines.records:
        for canary in (aether_mock.api_key, secret, state):
            assert canary not in line, line
        if number != aether.TRACE:
            assert "body" not in line, line
    text = "\n".join(line for _, line in lines.records)
    assert "GET /v1/posts/post_missing failed after 2 attempts (404 NOT_FOUND)" in text
    if level != "error":
        assert "on_retry hook failed" in text and "RuntimeError: a hook that raises" in text
    if level == "trace":
        assert '"secret":"[redacted]"' in text and '"state":"[redacted]"' in text


def test_hooks_fire_in_order_with_attempt_numbers(aether_mock: MockServer) -> None:
    events: List[Tuple[str, aether.AttemptEvent]] = []
    client = aether_mock.client(
        retry_backoff=(0.005, 0.05),
        on_request=lambda e: events.append(("request", e)),
        on_response=lambda e: events.append(("response", e)),
        on_retry=lambda e: events.append(("retry", e)),
    )
    profile = aether_mock.create_profile("linkedin")
    aether_mock.inject_fault("/v1/posts", {"type": "status", "status": 503}, method="POST", times=1)
    post = client.posts.create(profile_id=profile.id, content="hooked")
    assert post.id
    assert [(kind, e.attempt) for kind, e in events] == [
        ("request", 1), ("response", 1), ("retry", 1), ("request", 2), ("response", 2)
    ]
    failed, retry, done = events[1][1], events[2][1], events[4][1]
    assert (failed.status, failed.error_code) == (503, "SERVICE_UNAVAILABLE")
    assert retry.next_delay_ms is not None and 0 <= retry.next_delay_ms <= 50
    assert (done.status, done.error_code, done.next_delay_ms) == (201, None, None)
    assert done.request_id and done.request_id.startswith("req_")
    assert {e.idempotency_key for _, e in events} == {events[0][1].idempotency_key}
    assert {e.client_request_id for _, e in events} == {events[0][1].client_request_id}
    assert all((e.method, e.path) == ("POST", "/v1/posts") for _, e in events)


def test_async_client_hooks_and_a_raising_hook(aether_mock: MockServer, lines: Lines) -> None:
    kinds: List[str] = []

    def on_response(event: aether.AttemptEvent) -> None:
        kinds.append(f"response {event.status}")
        raise ValueError("nope")

    async def main() -> None:
        client = aether_mock.async_client(
            log_level="warn", on_request=lambda e: kinds.append("request"), on_response=on_response
        )
        profile = aether_mock.create_profile("linkedin")
        await client.posts.create(profile_id=profile.id, content="async")

    asyncio.run(main())
    assert kinds == ["request", "response 201"]
    assert [n for n, _ in lines.records] == [logging.WARNING]
    assert "on_response hook failed for POST /v1/posts (attempt 1): ValueError: nope" in (
        lines.records[0][1]
    )


def test_a_bad_level_and_a_hook_that_is_not_callable_are_refused(aether_mock: MockServer) -> None:
    with pytest.raises(aether.InvalidArgumentError, match="log_level="):
        aether_mock.client(log_level="loud")
    with pytest.raises(TypeError, match="on_retry="):
        aether_mock.client(on_retry=42)
    assert aether_mock.client(log_level="debug").effective_options()["logLevel"] == "debug"
