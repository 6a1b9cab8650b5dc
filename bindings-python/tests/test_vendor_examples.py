"""The ``posts.create`` examples of Aether's own pages (``../shared/design/VENDOR.md``),
translated to Python's idiom (keyword arguments, snake_case), against profiles that carry the
pages' ids. The pages' dates are fixed instants a few months ahead of this suite (the emulator's
clock starts at the real time); move them forward when they come near."""

from __future__ import annotations

import datetime
import http.server
import warnings
from pathlib import Path
from typing import Any, Iterator

import pytest

import aether
from aether.testing import MockServer

from conftest import requests_to, serve_in_background

# The pages' dates have passed by the time anyone reads them: the same hour, a quarter ahead
# (within every horizon but TikTok's, which these examples do not schedule).
_DAY = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=90)).date()
AT_Z = f"{_DAY.isoformat()}T14:00:00Z"
AT_OFFSET = f"{_DAY.isoformat()}T09:00:00-05:00"

IDS = {
    "tiktok": "tiktok_profile_id",
    "instagram": "ig_8f3k2",
    "linkedin": "li_29dk1",
    "threads": "th_77aa0",
}


@pytest.fixture
def client(aether_mock: MockServer) -> aether.Aether:
    for platform, profile_id in IDS.items():
        aether_mock.create_profile(platform, id=profile_id)
    return aether_mock.client()


def test_the_scheduling_page_with_uploaded_media(client: aether.Aether, media_dir: Path) -> None:
    photo = client.media.upload(media_dir / "image.jpg")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        post = client.posts.create(
            text="Launching our spring collection today",
            profile_ids=["ig_8f3k2", "li_29dk1", "th_77aa0"],
            media=[{"media_key": photo.media_key, "type": "image"}],
            scheduled_for=AT_Z,
            timezone="America/New_York",
            platforms={
                "instagram": {"content_type": "reel"},
                "linkedin": {"visibility": "PUBLIC"},
                "threads": {"reply_control": "everyone"},
            },
        )
    assert post.status == "scheduled"
    assert post.content.text == "Launching our spring collection today"
    assert post.platforms == {
        "instagram": {"contentType": "reel"},
        "linkedin": {"visibility": "PUBLIC"},
        "threads": {"replyControl": "everyone"},
    }
    assert [(m.media_key, m.type) for m in post.media] == [(photo.media_key, "image")]
    assert [w.code for w in post.warnings] == ["TIMEZONE_IGNORED"]
    reported = [w for w in caught if issubclass(w.category, aether.AetherWarning)]
    assert len(reported) == 1
    message = reported[0].message
    assert isinstance(message, aether.AetherWarning)
    assert message.code == "TIMEZONE_IGNORED" and message.post_id == post.id
    assert message.field == "timezone"
    assert issubclass(aether.AetherWarning, UserWarning)


@pytest.fixture
def cdn(media_dir: Path) -> Iterator[str]:
    """A loopback "CDN" serving the media fixtures, for the pages' media URLs."""

    class Files(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(media_dir), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    serve_in_background(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_older_page_with_media_urls_and_overrides(client: aether.Aether, cdn: str) -> None:
    url = f"{cdn}/image.jpg"
    post = client.posts.create(
        text="Launching our spring collection today",
        profile_ids=["ig_8f3k2", "li_29dk1"],
        media_urls=[url],
        scheduled_for=AT_Z,
        overrides={"instagram": {"content_type": "reel"}, "linkedin": {"visibility": "PUBLIC"}},
    )
    assert post.status == "scheduled"
    assert post.platforms == {
        "instagram": {"contentType": "reel"},
        "linkedin": {"visibility": "PUBLIC"},
    }
    assert [(m.source_url, m.type) for m in post.media] == [(url, "image")]
    assert post.media_keys == [post.media[0].media_key]
    assert client.media.wait_ready(post.media_keys[0]).status == "ready"


def test_the_scheduling_page_with_a_media_entry_by_url(client: aether.Aether, cdn: str) -> None:
    with pytest.warns(aether.AetherWarning, match="TIMEZONE_IGNORED"):
        post = client.posts.create(
            text="Launching our spring collection today",
            profile_ids=["ig_8f3k2", "li_29dk1", "th_77aa0"],
            media=[{"url": f"{cdn}/image.jpg", "type": "image"}],
            scheduled_for=AT_Z,
            timezone="America/New_York",
            platforms={
                "instagram": {"content_type": "reel"},
                "linkedin": {"visibility": "PUBLIC"},
                "threads": {"reply_control": "everyone"},
            },
        )
    assert post.media[0].type == "image" and post.media[0].source_url == f"{cdn}/image.jpg"


def test_the_scheduling_guide_with_an_offset(client: aether.Aether) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", aether.AetherWarning)  # no warning is expected
        post = client.posts.create(
            text="Our webinar starts in one hour",
            profile_ids=["li_29dk1", "th_77aa0"],
            scheduled_for=AT_OFFSET,
        )
    assert post.status == "scheduled" and post.warnings == []
    assert post.publish_at is not None and post.publish_at.startswith(AT_Z[:19])


def test_overrides_is_the_alias_of_platforms(client: aether.Aether) -> None:
    post = client.posts.create(
        text="Spring update",
        profile_ids=["li_29dk1"],
        overrides={"linkedin": {"visibility": "CONNECTIONS"}},
        draft=True,
    )
    assert post.platforms == {"linkedin": {"visibility": "CONNECTIONS"}}


def test_two_forms_of_one_thing_are_refused_before_sending(
    client: aether.Aether, aether_mock: MockServer
) -> None:
    with pytest.raises(aether.BadRequestError) as both:
        client.posts.create(profile_id="li_29dk1", text="a", content={"text": "b"})
    assert both.value.code == "INVALID_REQUEST" and both.value.field == "text"
    with pytest.raises(aether.BadRequestError) as alias:
        client.posts.create(
            profile_id="li_29dk1", text="a", platforms={"linkedin": {}}, overrides={"linkedin": {}}
        )
    assert alias.value.field == "overrides"
    assert requests_to(aether_mock, "POST", "/v1/posts") == []


def test_unknown_keys_are_refused_with_the_nearest_name(
    client: aether.Aether, aether_mock: MockServer, video: Path
) -> None:
    clip = client.media.upload(video)
    # A misspelt keyword: mypy refuses it (the catch-all is NoReturn); at run time it is
    # INVALID_ARGUMENT naming the nearest keyword, not a post published without its media.
    with pytest.raises(aether.InvalidArgumentError) as keyword:
        client.posts.create(profile_id="tiktok_profile_id", text="hi", media_key=[clip.media_key])  # type: ignore[call-arg]
    assert keyword.value.code == "INVALID_ARGUMENT"
    assert keyword.value.field == "media_key"
    assert "did you mean `media_keys`?" in keyword.value.message
    with pytest.raises(aether.InvalidArgumentError, match="did you mean `platforms`"):
        client.posts.create(profile_id="tiktok_profile_id", text="hi", platfroms={})  # type: ignore[call-arg]
    with pytest.raises(aether.InvalidArgumentError) as nested:
        client.posts.create(
            profile_id="tiktok_profile_id",
            text="hi",
            media=[{"media_kee": clip.media_key}],
        )
    assert "did you mean `mediaKey`?" in nested.value.message
    with pytest.raises(aether.InvalidArgumentError) as option:
        client.posts.create(
            profile_id="tiktok_profile_id",
            text="hi",
            media_keys=[clip.media_key],
            platforms={"tiktok": {"privacy_levle": "SELF_ONLY"}},
        )
    assert option.value.field == "platforms.tiktok.privacyLevle"
    assert "did you mean `privacyLevel`?" in option.value.message
    assert requests_to(aether_mock, "POST", "/v1/posts") == []


def test_a_hashtag_warning_is_a_python_warning(client: aether.Aether, video: Path) -> None:
    clip = client.media.upload(video)
    with pytest.warns(aether.AetherWarning, match="HASHTAGS_ABOVE_RECOMMENDED"):
        post = client.posts.create(
            profile_id="tiktok_profile_id",
            content="Drop #a #b #c #d #e #f #g",
            media_keys=[clip.media_key],
        )
    assert post.status == "publishing"
    assert [(w.code, w.platform, w.field) for w in post.warnings] == [
        ("HASHTAGS_ABOVE_RECOMMENDED", "tiktok", "content.text")
    ]
