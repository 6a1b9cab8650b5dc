"""The tutorial ("How to post to TikTok via API"), step by step, in Python's idiom."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

import aether
from aether import AsyncAether
from aether.testing import MockServer


def test_tutorial_flow(aether_mock: MockServer, video: Path) -> None:
    client = aether.Aether(api_key=aether_mock.api_key, base_url=aether_mock.url)

    # Connect a TikTok account.
    link = client.connect_links.create(
        platform="tiktok", redirect_url="https://yourapp.com/oauth/tiktok/callback"
    )
    assert link.url.startswith("http") and link.status == "pending"
    approval = aether_mock.approve_connect_link(link.id)  # the user grants access
    assert approval.profile is not None
    link = client.connect_links.get(link.id)
    assert link.status == "completed" and link.profile_id == approval.profile.id
    profile_id = link.profile_id

    # Upload the video, from a file object as fs.createReadStream does.
    with open(video, "rb") as file:
        media = client.media.upload(file, mime_type="video/mp4")
    assert media.media_key and media.kind == "video" and media.size == video.stat().st_size

    # Publish the post.
    post = client.posts.create(
        profile_id=profile_id,
        content={"text": "My first TikTok via API! #coding #developer"},
        media_keys=[media.media_key],
        platforms={"tiktok": {}},
    )
    assert post.status == "publishing"

    # Poll until TikTok has finished processing the video.
    status = post.status
    deadline = time.monotonic() + 30
    while status == "publishing":
        assert time.monotonic() < deadline
        time.sleep(0.1)
        status = client.posts.get(post.id).status
    assert status == "published"

    # ...or let the SDK poll.
    done = client.posts.wait(post.id)
    assert done.status == "published" and done.is_terminal
    assert done.results[0].platform == "tiktok" and done.results[0].url


def test_tutorial_error_handling(aether_mock: MockServer, video: Path, media_dir: Path) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("tiktok")
    media = client.media.upload(str(video), mime_type="video/mp4")

    # CAPTION_TOO_LONG — max 2,200 characters including hashtags.
    with pytest.raises(aether.ValidationError) as caught:
        client.posts.create(
            profile_id=profile.id,
            content={"text": "a" * 2201},
            media_keys=[media.media_key],
            platforms={"tiktok": {}},
        )
    assert caught.value.code == "CAPTION_TOO_LONG" and caught.value.platform == "tiktok"

    # VIDEO_TOO_SHORT — rejected on the client side before upload.
    with pytest.raises(aether.ValidationError) as caught:
        client.media.upload(media_dir / "h264_14.9s.mp4", platforms=["tiktok"])
    assert caught.value.code == "VIDEO_TOO_SHORT"

    # POST_LIMIT_REACHED — 10 posts/day on the standard tier: queue for the next day.
    for n in range(10):
        client.posts.create(
            profile_id=profile.id,
            content={"text": f"post {n}"},
            media_keys=[media.media_key],
            platforms={"tiktok": {}},
        )
    try:
        client.posts.create(
            profile_id=profile.id,
            content={"text": "one too many"},
            media_keys=[media.media_key],
            platforms={"tiktok": {}},
        )
    except aether.AetherError as err:
        assert err.code == "POST_LIMIT_REACHED"
        assert isinstance(err, aether.PostLimitReachedError)
        assert err.status == 429 and err.retry_after and err.retry_after > 0
    else:
        pytest.fail("the 11th post of the day was accepted")
    aether_mock.advance_clock(24 * 3600)
    client.posts.create(
        profile_id=profile.id,
        content={"text": "the next day"},
        media_keys=[media.media_key],
        platforms={"tiktok": {}},
    )


def test_tutorial_flow_async(aether_mock: MockServer, video: Path) -> None:
    async def main() -> str:
        async with AsyncAether(api_key=aether_mock.api_key, base_url=aether_mock.url) as client:
            link = await client.connect_links.create(
                platform="tiktok", redirect_url="https://yourapp.com/oauth/tiktok/callback"
            )
            aether_mock.approve_connect_link(link)
            profile_id = (await client.connect_links.get(link.id)).profile_id
            assert profile_id
            media = await client.media.upload(video, mime_type="video/mp4")
            post = await client.posts.create(
                profile_id=profile_id,
                content={"text": "My first TikTok via API! #coding #developer"},
                media_keys=[media.media_key],
                platforms={"tiktok": {}},
            )
            statuses = [p.status async for p in client.posts.watch(post.id, poll_interval=0.1)]
            assert statuses[0] == "publishing"
            return statuses[-1]

    assert asyncio.run(main()) == "published"
