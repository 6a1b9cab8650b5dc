"""Retries the server steers (``X-Should-Retry``, ``Retry-After-Ms``), the retry count each
retry carries, and the W3C ``traceparent`` a call sends (given, or the current OpenTelemetry
span's): all as the emulator's journal saw them."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any, Dict, List

import pytest

import aether
from aether import _trace
from aether.testing import MockServer

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def profile_gets(mock: MockServer) -> List[Dict[str, Any]]:
    return [
        e
        for e in mock.journal()
        if e["method"] == "GET" and str(e["path"]).startswith("/v1/profiles/")
    ]


def test_should_retry_false_on_a_503_stops_the_retries(aether_mock: MockServer) -> None:
    profile = aether_mock.create_profile("linkedin")
    aether_mock.inject_fault(
        "/v1/profiles/*", {"type": "status", "status": 503, "shouldRetry": False}, method="GET"
    )
    with pytest.raises(aether.AetherError) as caught:
        aether_mock.client().profiles.get(profile.id)
    assert caught.value.status == 503
    assert len(profile_gets(aether_mock)) == 1, "one attempt: the server said not to retry"


def test_should_retry_true_retries_a_400(aether_mock: MockServer) -> None:
    profile = aether_mock.create_profile("linkedin")
    action = {"type": "status", "status": 400, "code": "VALIDATION_ERROR", "shouldRetry": True}
    aether_mock.inject_fault("/v1/profiles/*", action, method="GET", times=1)
    assert aether_mock.client().profiles.get(profile.id).id == profile.id
    assert [e["retryCount"] for e in profile_gets(aether_mock)] == [0, 1]


def test_retry_after_ms_wins_over_a_retry_after_too_long(aether_mock: MockServer) -> None:
    profile = aether_mock.create_profile("linkedin")
    client = aether_mock.client()
    aether_mock.inject_fault(
        "/v1/profiles/*", {"type": "status", "status": 503, "retryAfter": 40}, method="GET", times=1
    )
    with pytest.raises(aether.AetherError) as caught:
        client.profiles.get(profile.id)
    assert caught.value.retry_after == 40
    assert len(profile_gets(aether_mock)) == 1

    action = {"type": "status", "status": 503, "retryAfter": 40, "retryAfterMs": 150}
    aether_mock.inject_fault("/v1/profiles/*", action, method="GET", times=1)
    started = time.monotonic()
    client.profiles.get(profile.id)
    took = time.monotonic() - started
    assert 0.15 <= took < 10, took
    assert [e["retryCount"] for e in profile_gets(aether_mock)] == [0, 0, 1]


def test_a_call_s_traceparent_reaches_the_journal(aether_mock: MockServer) -> None:
    profile = aether_mock.create_profile("linkedin")
    aether_mock.inject_fault(
        "/v1/profiles/*", {"type": "status", "status": 503}, method="GET", times=1
    )
    client = aether_mock.client()
    client.with_options(traceparent=TRACEPARENT).profiles.get(profile.id)
    client.profiles.get(profile.id)
    assert [e["traceparent"] for e in profile_gets(aether_mock)] == [TRACEPARENT, TRACEPARENT, None]


def test_a_malformed_traceparent_is_refused(aether_mock: MockServer) -> None:
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_mock.client().with_options(traceparent="00-abc-def-01")
    assert "traceparent=" in str(caught.value)
    assert "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>" in str(caught.value)


def test_the_current_opentelemetry_span_is_sent(aether_mock: MockServer) -> None:
    pytest.importorskip("opentelemetry.sdk.trace")
    from opentelemetry.sdk.trace import TracerProvider

    tracer = TracerProvider().get_tracer("test_steer")
    profile = aether_mock.create_profile("linkedin")
    client = aether_mock.client()
    with tracer.start_as_current_span("publish") as span:
        context = span.get_span_context()
        flags = int(context.trace_flags)
        expected = f"00-{context.trace_id:032x}-{context.span_id:016x}-{flags:02x}"
        client.profiles.get(profile.id)
        list(client.profiles.list())
        # A traceparent given explicitly wins over the span's.
        client.with_options(traceparent=TRACEPARENT).profiles.get(profile.id)
    client.profiles.get(profile.id)

    sent = [e["traceparent"] for e in aether_mock.journal() if e["path"].startswith("/v1/profiles")]
    assert sent == [expected, expected, TRACEPARENT, None]


def test_the_current_span_is_sent_by_the_async_client(aether_mock: MockServer) -> None:
    pytest.importorskip("opentelemetry.sdk.trace")
    from opentelemetry.sdk.trace import TracerProvider

    tracer = TracerProvider().get_tracer("test_steer")
    profile = aether_mock.create_profile("linkedin")

    async def main() -> str:
        client = aether_mock.async_client()
        with tracer.start_as_current_span("async publish") as span:
            await client.profiles.get(profile.id)
            return f"{span.get_span_context().trace_id:032x}"

    trace_id = asyncio.run(main())
    (entry,) = profile_gets(aether_mock)
    assert str(entry["traceparent"]).startswith(f"00-{trace_id}-")


def test_without_opentelemetry_nothing_is_sent(
    aether_mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes `import opentelemetry…` raise ImportError, as if not installed.
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    monkeypatch.setitem(sys.modules, "opentelemetry.trace", None)
    monkeypatch.setattr(_trace, "_trace", None)
    profile = aether_mock.create_profile("linkedin")
    aether_mock.client().profiles.get(profile.id)
    assert _trace._trace is False, "the missing package was looked for once, and remembered"
    assert [e["traceparent"] for e in profile_gets(aether_mock)] == [None]
