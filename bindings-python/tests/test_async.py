"""AsyncAether: coroutines on any running asyncio loop, 1,000 posts created and waited
concurrently, cancellation, async iterators."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import List

import pytest

import aether
from aether import AsyncAether
from aether.testing import MockServer


@pytest.mark.aether_mock(processing_ms=20, settings={"poll_hint_secs": 0})
def test_a_thousand_posts_created_and_waited_concurrently(aether_mock: MockServer) -> None:
    # Threads allows 250 posts a day per profile.
    profiles = [aether_mock.create_profile("threads") for _ in range(4)]

    async def one(client: AsyncAether, n: int) -> str:
        post = await client.posts.create(
            profile_id=profiles[n % 4].id, content=f"concurrent post {n}"
        )
        done = await client.posts.wait(post.id, poll_interval=0.1, timeout=120)
        return done.status

    async def main() -> List[str]:
        client = aether_mock.async_client()
        return await asyncio.gather(*(one(client, n) for n in range(1000)))

    started = time.monotonic()
    statuses = asyncio.run(main())
    elapsed = time.monotonic() - started
    assert statuses == ["published"] * 1000
    created = [e for e in aether_mock.journal() if e["method"] == "POST" and e["path"] == "/v1/posts"]
    assert len(created) == 1000
    assert elapsed < 60, f"1,000 posts took {elapsed:.1f} s"


def test_cancelling_a_task_cancels_the_call(aether_mock: MockServer) -> None:
    profile = aether_mock.create_profile("linkedin")

    async def main() -> float:
        client = aether_mock.async_client()
        post = await client.posts.create(profile_id=profile.id, content="draft", draft=True)
        task = asyncio.ensure_future(client.posts.wait(post.id, timeout=60, poll_interval=5))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The client keeps working after a cancellation.
        assert (await client.posts.get(post.id)).status == "draft"
        return time.monotonic() - started

    assert asyncio.run(main()) < 0.5


def test_async_iterators_and_errors(aether_mock: MockServer) -> None:
    profile = aether_mock.create_profile("linkedin")

    async def main() -> None:
        client = aether_mock.async_client()
        for n in range(5):
            await client.posts.create(profile_id=profile.id, content=f"post {n}", draft=True)
        posts = [p async for p in client.posts.list(limit=2)]
        assert len(posts) == 5 and all(isinstance(p, aether.Post) for p in posts)
        assert [p.id async for p in client.profiles.list()] == [profile.id]
        with pytest.raises(aether.NotFoundError):
            await client.posts.get("post_missing")
        with pytest.raises(aether.NotFoundError):
            async for _ in client.posts.watch("post_missing"):
                pass

    asyncio.run(main())


def test_works_under_any_running_loop(aether_mock: MockServer) -> None:
    """One client used from two loops, one of them in another thread, and a fresh loop per
    asyncio.run."""
    client = aether_mock.async_client()
    profile = aether_mock.create_profile("linkedin")

    async def create(text: str) -> str:
        return (await client.posts.create(profile_id=profile.id, content=text)).id

    results: List[str] = []
    thread = threading.Thread(target=lambda: results.append(asyncio.run(create("thread loop"))))
    thread.start()
    results.append(asyncio.run(create("main loop")))
    thread.join()
    results.append(asyncio.run(create("another loop")))
    loop = asyncio.new_event_loop()
    try:
        results.append(loop.run_until_complete(create("a loop not run by asyncio.run")))
    finally:
        loop.close()
    assert len(set(results)) == 4


def test_progress_runs_on_the_loop(aether_mock: MockServer) -> None:
    data = bytes(range(256)) * 40_000  # ~10 MB: chunked

    async def main() -> None:
        client = aether_mock.async_client()
        loop_thread = threading.get_ident()
        seen: List[aether.UploadProgress] = []

        def on_progress(progress: aether.UploadProgress) -> None:
            assert threading.get_ident() == loop_thread
            seen.append(progress)

        media = await client.media.upload(data, mime_type="video/mp4", on_progress=on_progress)
        assert media.size == len(data)
        assert seen and seen[-1].bytes_sent == len(data) and seen[-1].fraction == 1.0

    asyncio.run(main())


def test_leaving_async_with_closes_the_connection_and_the_client_stays_usable(
    aether_mock: MockServer,
) -> None:
    profile = aether_mock.create_profile("linkedin")

    async def main() -> None:
        async with aether_mock.async_client() as client:
            await client.profiles.get(profile.id)
            await client.profiles.get(profile.id)
        await client.profiles.get(profile.id)

    asyncio.run(main())
    reads = [e for e in aether_mock.journal() if e["path"] == f"/v1/profiles/{profile.id}"]
    # The first two share a kept-alive connection; the one after the block opens a new one.
    assert len(reads) == 3
    assert reads[0]["connection"] == reads[1]["connection"] != reads[2]["connection"]
