"""``client.profiles.capabilities`` and the preflight that reads them: what an account forbids
fails before anything is sent, with the account's own figures."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import aether

from conftest import requests_to


def test_capabilities_read_back_as_set(aether_client: Any, aether_mock: Any) -> None:
    profile = aether_mock.create_profile("tiktok")
    set_back = aether_mock.set_capabilities(
        profile.id, privacy_level_options=["SELF_ONLY"], max_video_duration_sec=30, comment_disabled=True
    )
    assert set_back.max_video_duration_sec == 30
    caps = aether_client.profiles.capabilities(profile.id)
    assert isinstance(caps, aether.ProfileCapabilities)
    assert (caps.profile_id, caps.platform, caps.tier) == (profile.id, "tiktok", "standard")
    assert caps.privacy_level_options == ["SELF_ONLY"]
    assert (caps.max_video_duration_sec, caps.min_video_duration_sec) == (30, 15)
    assert (caps.comment_disabled, caps.duet_disabled) == (True, False)
    assert caps.can_post and caps.posts_remaining_today == 10
    assert caps.to_dict()["privacyLevelOptions"] == ["SELF_ONLY"]
    with pytest.raises(aether.NotFoundError):
        aether_client.profiles.capabilities("tiktok_nobody")

    async def read() -> int:
        caps = await aether_mock.async_client().profiles.capabilities(profile)
        return int(caps.max_video_duration_sec)

    assert asyncio.run(read()) == 30


def test_a_forbidden_privacy_level_fails_before_sending(
    aether_client: Any, aether_mock: Any, video: Path
) -> None:
    profile = aether_mock.create_profile("tiktok")
    aether_mock.set_capabilities(profile.id, privacy_level_options=["SELF_ONLY"])
    media = aether_client.media.upload(video)
    with pytest.raises(aether.ValidationError) as caught:
        aether_client.posts.create(
            profile_id=profile.id,
            content="a clip #one #two #three",
            media_keys=[media.media_key],
            platforms={"tiktok": {"privacyLevel": "PUBLIC_TO_EVERYONE"}},
        )
    assert caught.value.code == "INVALID_PLATFORM_OPTION"
    assert "SELF_ONLY" in str(caught.value)
    assert (caught.value.details or {})["allowed"] == ["SELF_ONLY"]
    assert requests_to(aether_mock, "POST", "/v1/posts") == []


def test_a_video_longer_than_the_account_allows_is_refused_before_upload(
    aether_client: Any, aether_mock: Any, media_dir: Path
) -> None:
    profile = aether_mock.create_profile("tiktok")
    aether_mock.set_capabilities(profile.id, max_video_duration_sec=30)
    with pytest.raises(aether.ValidationError) as caught:
        aether_client.media.upload(media_dir / "h264_60s.mp4", profile_ids=[profile.id])
    assert caught.value.code == "VIDEO_TOO_LONG"
    assert "at most 30 s; the video is 60 s" in str(caught.value)
    assert (caught.value.details or {})["accountMaxSec"] == 30
    assert requests_to(aether_mock, "POST", "/v1/media") == []
    with pytest.raises(aether.NotFoundError) as missing:
        aether_client.media.upload(media_dir / "h264_15s.mp4", profile_ids=["tiktok_nobody"])
    assert missing.value.field == "profile_ids[0]"
