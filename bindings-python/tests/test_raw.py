"""Raw responses (``with_raw_response``), extra headers and query parameters per call
(``with_options``), and the escape hatch ``client.request``: against the emulator, sync and
async."""

from __future__ import annotations

import asyncio

import pytest

import aether
from aether.testing import MockServer

from conftest import requests_to


def test_a_raw_response_has_status_request_id_and_rate_limit_headers(
    aether_mock: MockServer,
) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    post = client.posts.create(profile_id=profile.id, content="raw")

    raw = client.posts.with_raw_response.get(post.id)

    assert isinstance(raw, aether.RawResponse)
    assert raw.status_code == 200
    assert raw.parse().id == post.id
    assert raw.headers["X-Request-Id"] == raw.request_id
    assert raw.request_id is not None and raw.request_id.startswith("req_")
    assert "x-ratelimit-limit" in raw.headers and "X-RateLimit-Remaining" in raw.headers
    created = client.posts.with_raw_response.create(profile_id=profile.id, content="two")
    assert created.status_code == 201
    assert created.idempotency_key is not None and len(created.idempotency_key) == 32


def test_extra_headers_and_query_reach_the_server(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    post = client.posts.create(profile_id=profile.id, content="extras")

    tagged = client.with_options(extra_headers={"X-Trace-Tag": "blue"}, extra_query={"debug": 1})
    assert tagged.posts.get(post.id).id == post.id

    (entry,) = requests_to(aether_mock, "GET", f"/v1/posts/{post.id}")
    assert entry["headers"]["x-trace-tag"] == "blue"
    assert entry["query"] == "debug=1"


def test_a_reserved_extra_header_is_refused(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    with pytest.raises(aether.InvalidArgumentError, match="set by the client"):
        client.with_options(extra_headers={"Authorization": "Bearer other"}).posts.get("post_1")


def test_request_reads_an_endpoint_the_sdk_does_not_wrap(aether_mock: MockServer) -> None:
    client = aether_mock.client()

    table = client.request("GET", "/v1/platforms")
    assert "tiktok" in table["platforms"]

    raw = client.with_raw_response.request("GET", "/v1/platforms")
    assert raw.status_code == 200 and "x-request-id" in raw.headers
    assert "tiktok" in raw.parse()["platforms"]


def test_a_post_through_request_with_an_idempotency_key_is_made_once(
    aether_mock: MockServer,
) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    body = {"profileId": profile.id, "content": {"text": "through request"}}

    first = client.with_raw_response.request("POST", "/v1/posts", body=body, idempotency_key="k-1")
    second = client.with_raw_response.request("POST", "/v1/posts", body=body, idempotency_key="k-1")

    assert first.status_code == 201 and not first.replayed
    assert second.replayed
    assert first.parse()["id"] == second.parse()["id"]
    assert len(list(client.posts.list())) == 1
    assert all(e["idempotencyKey"] == "k-1" for e in requests_to(aether_mock, "POST", "/v1/posts"))


def test_request_retries_an_injected_503(aether_mock: MockServer) -> None:
    aether_mock.inject_fault("/v1/platforms", {"type": "status", "status": 503}, method="GET", times=1)
    client = aether_mock.client(retry_backoff=(0.001, 0.005))

    table = client.request("GET", "/v1/platforms", query={"limit": 5})

    assert "platforms" in table
    entries = requests_to(aether_mock, "GET", "/v1/platforms")
    assert [e["status"] for e in entries] == [503, 200]
    assert entries[1]["query"] == "limit=5"


def test_request_refuses_a_url_to_another_origin(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    with pytest.raises(aether.InvalidArgumentError, match="not a URL"):
        client.request("GET", "https://evil.example/v1/posts")
    with pytest.raises(aether.NotFoundError):
        client.request("GET", "/v1/posts/post_missing")


def test_async_raw_response_and_request(aether_mock: MockServer) -> None:
    async def main() -> None:
        client = aether_mock.async_client()
        profile = aether_mock.create_profile("linkedin")
        post = await client.posts.create(profile_id=profile.id, content="async raw")
        raw = await client.posts.with_raw_response.get(post.id)
        assert raw.status_code == 200 and raw.parse().id == post.id
        assert raw.headers["x-request-id"] == raw.request_id
        table = await client.request("GET", "/v1/platforms")
        assert "tiktok" in table["platforms"]

    asyncio.run(main())
