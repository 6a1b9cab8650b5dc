"""Regressions found by the atheris harness (bindings-python/fuzz/fuzz_api.py): a whole number
the native layer cannot hold was an ``OverflowError`` naming no argument; it is an
``InvalidArgumentError`` naming it, before anything is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import aether
from aether.testing import MockServer


@pytest.mark.parametrize("limit", [2**70, -1, 2**40])
def test_a_list_limit_out_of_range_is_a_typed_error(aether_client: Any, limit: int) -> None:
    with pytest.raises(aether.InvalidArgumentError) as caught:
        list(aether_client.posts.list(limit=limit))
    assert caught.value.code == "INVALID_ARGUMENT" and caught.value.field == "limit"
    assert f"limit={limit}" in str(caught.value)


def test_upload_sizes_beyond_64_bits_are_typed_errors(aether_mock: MockServer, tmp_path: Path) -> None:
    client = aether_mock.client()
    for name in ("part_size", "parallelism", "single_shot_threshold"):
        with pytest.raises(aether.InvalidArgumentError) as caught:
            sizes: Any = {name: 10**40}
            client.media.upload(b"\x00" * 10, mime_type="video/mp4", **sizes)
        assert caught.value.field == name, caught.value
    assert not [e for e in aether_mock.journal() if str(e.get("path", "")).startswith("/v1/media")]


def test_max_retries_beyond_64_bits_is_a_typed_error(aether_mock: MockServer) -> None:
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether.Aether(api_key="sk_test", base_url=aether_mock.url, max_retries=2**64)
    assert "max_retries=" in str(caught.value)
    with pytest.raises(aether.InvalidArgumentError):
        aether_mock.client().with_options(max_retries=-(2**70))
    # Within 64 bits, the core's own check and message apply as before.
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether.Aether(api_key="sk_test", base_url=aether_mock.url, max_retries=-1)
    assert "max_retries=" in str(caught.value)


@pytest.mark.parametrize("payload", [2**64, 10**9, -1, [1, 2], None])
def test_a_webhook_payload_that_is_not_bytes_is_a_type_error(aether_client: Any, payload: Any) -> None:
    # bytes(10**9) would have allocated a gigabyte; bytes(2**64) raised OverflowError.
    for check in (aether_client.webhooks.verify_signature, aether_client.webhooks.construct_event):
        with pytest.raises(TypeError, match="payload must be the raw request body"):
            check(payload, "t=1,v1=00", "whsec_x")


@pytest.mark.parametrize(
    "arguments, named",
    [
        ({"content": 1.5}, "content must be a dict"),
        ({"content": {1: "x"}}, "content has a key 1"),
        ({"text": "hi", "platforms": ["tiktok"]}, "platforms must be a dict"),
        ({"text": "hi", "platforms": {"tiktok": 3}}, "platforms['tiktok'] must be a dict"),
        ({"text": "hi", "media": "https://x.test/a.png"}, "media must be a list of dicts"),
        ({"text": "hi", "media": [7]}, "media[0] must be a dict"),
        ({"text": "hi", "scheduled_for": 1700000000}, "a schedule is a datetime"),
    ],
)
def test_shapes_of_the_wrong_type_are_type_errors_naming_the_argument(
    aether_mock: MockServer, arguments: Any, named: str
) -> None:
    # Found by the atheris harness: these were AttributeErrors from deep inside the SDK.
    profile = aether_mock.create_profile("linkedin")
    client = aether_mock.client()
    with pytest.raises(TypeError, match=named.replace("[", r"\[").replace("]", r"\]")):
        client.posts.create(profile_id=profile.id, **arguments)
    if "content" in arguments:
        with pytest.raises(TypeError, match=named):
            client.posts.update("post_1", content=arguments["content"])
    assert not [e for e in aether_mock.journal() if str(e.get("path", "")).startswith("/v1/posts")]
