"""``client.posts.retry``: the failed target of a cross-post publishes again and only it; a post
with nothing to retry raises ``ConflictError`` (``POST_NOT_RETRYABLE``); sync and async."""

from __future__ import annotations

import asyncio

import pytest

import aether
from aether.testing import MockServer


def _partial(aether_mock: MockServer) -> aether.Post:
    """A linkedin + threads post whose threads target failed: ``partially_published``."""
    client = aether_mock.client()
    linkedin = aether_mock.create_profile("linkedin")
    threads = aether_mock.create_profile("threads")
    post = client.posts.create(profile_ids=[linkedin.id, threads.id], content="cross-post")
    aether_mock.force_outcome(post, "failed", profile_id=threads.id)
    aether_mock.advance_clock(2)
    post = client.posts.get(post.id)
    assert post.status == "partially_published"
    return post


def test_retry_publishes_only_the_failed_target(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    partial = _partial(aether_mock)
    published = partial.results[0]

    retried = client.posts.retry(partial)
    assert retried.status == "publishing"
    assert retried.results[0] == published
    assert retried.results[1].status == "publishing" and retried.results[1].error is None
    aether_mock.advance_clock(2)
    done = client.posts.get(partial.id)
    assert done.status == "published"
    assert done.results[0].platform_post_id == published.platform_post_id

    with pytest.raises(aether.ConflictError) as caught:
        client.posts.retry(partial.id)
    error = caught.value
    assert error.code == "POST_NOT_RETRYABLE" and error.status == 409
    assert error.details is not None and error.details["status"] == "published"
    assert "is published" in str(error)


def test_retry_refuses_a_draft_and_an_unknown_id(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    draft = client.posts.create(profile_id=profile.id, content="later", draft=True)
    with pytest.raises(aether.ConflictError) as caught:
        client.posts.retry(draft.id)
    assert caught.value.code == "POST_NOT_RETRYABLE"
    assert caught.value.details is not None and caught.value.details["status"] == "draft"
    with pytest.raises(aether.NotFoundError):
        client.posts.retry("post_nope")
    with pytest.raises(aether.InvalidArgumentError):
        client.posts.retry("")


def test_async_retry(aether_mock: MockServer) -> None:
    partial = _partial(aether_mock)

    async def main() -> str:
        client = aether_mock.async_client()
        retried = await client.posts.retry(partial.id)
        return retried.status

    assert asyncio.run(main()) == "publishing"
