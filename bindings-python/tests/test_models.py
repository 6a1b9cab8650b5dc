"""Typed results (attributes, to_dict, reprs without secrets), webhook signatures, and the
blocking iterators."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest

import aether
from aether import _aether
from aether.testing import MockServer


def test_results_are_typed_and_round_trip(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("reddit", username="chan")
    assert isinstance(profile, aether.Profile) and profile.username == "chan"
    post = client.posts.create(
        profile_id=profile.id,
        content={"text": "hello", "title": "A title"},
        platforms={"reddit": {"subreddit": "python", "flair_id": "f1", "nsfw": False}},
        draft=True,
    )
    assert isinstance(post, aether.Post) and isinstance(post.content, aether.PostContent)
    assert post.content.title == "A title" and post.status == "draft" and not post.is_terminal
    assert post.platforms == {"reddit": {"subreddit": "python", "flairId": "f1", "nsfw": False}}
    wire = post.to_dict()
    assert wire["profileIds"] == [profile.id] and wire["content"]["title"] == "A title"
    assert aether.Post.from_dict(wire) == post
    json.dumps(wire)  # JSON-ready
    assert isinstance(post.results[0], aether.TargetResult)
    # Unknown fields from a newer server survive to_dict.
    newer = aether.Post.from_dict({**wire, "brandNewField": {"x": 1}})
    assert newer.to_dict()["brandNewField"] == {"x": 1}


def test_a_field_the_server_left_out_has_its_default_and_nothing_is_shared() -> None:
    # Models are filled without their dataclass __init__ (the hot path of every call): a field
    # absent from the wire form must still get its declared default, a fresh one per object.
    empty = aether.Post.from_dict({})
    assert empty == aether.Post()
    assert empty.content == aether.PostContent() and empty.results == [] and empty.error is None
    other = aether.Post.from_dict({})
    assert empty.results is not other.results and empty.platforms is not other.platforms
    post = aether.Post.from_dict({"id": "post_1", "results": [{"profileId": "prof_1"}]})
    result = post.results[0]
    assert result.profile_id == "prof_1" and result.attempts == 0 and result.status == ""
    with pytest.raises(AttributeError):
        post.id = "post_2"  # type: ignore[misc]
    assert hash(aether.PostContent.from_dict({"text": "x"})) == hash(aether.PostContent(text="x"))
    changed = dataclasses.replace(post, id="post_3")
    assert changed.id == "post_3" and changed.results == post.results


def test_reprs_show_no_secret(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    assert aether_mock.api_key not in repr(client) and aether_mock.api_key not in repr(client._core)
    webhook = client.webhooks.create(url="http://127.0.0.1:9/hook", events=["post.published"])
    assert webhook.secret and webhook.secret not in repr(webhook)
    assert "[redacted]" in repr(webhook)
    assert webhook.secret not in repr(client.webhooks.list())
    assert aether_mock.admin_token not in repr(aether_mock)
    listed = list(client.webhooks.list())
    assert [w.id for w in listed] == [webhook.id] and listed[0].secret is None
    client.webhooks.delete(webhook.id)
    assert list(client.webhooks.list()) == []


def test_webhook_signatures() -> None:
    secret = "whsec_test"
    post = {
        "id": "post_1", "status": "published", "profileIds": ["prof_1"],
        "content": {"text": "hi"}, "createdAt": "2026-06-13T09:30:00Z",
        "updatedAt": "2026-06-13T09:30:00Z",
    }
    body = json.dumps(
        {"id": "evt_1", "type": "post.published", "createdAt": "2026-06-13T09:30:00Z",
         "data": {"post": post}}
    ).encode()
    header = _aether.sign_test_payload(body, secret, int(time.time()))
    from aether.resources.webhooks import Webhooks

    Webhooks.verify_signature(body, header, secret)
    Webhooks.verify_signature(body.decode(), header, ["whsec_old", secret])
    event = Webhooks.construct_event(body, header, secret)
    assert event.type == "post.published" and event.post is not None and event.post.id == "post_1"
    assert event.comment is None and event.message is None
    for payload, head, key, reason in [
        (body + b" ", header, secret, "signature_mismatch"),
        (body, header, "whsec_wrong", "signature_mismatch"),
        (body, "t=1,nonsense", secret, "malformed_header"),
        (body, _aether.sign_test_payload(body, secret, int(time.time()) - 3600), secret,
         "timestamp_outside_tolerance"),
    ]:
        with pytest.raises(aether.InvalidArgumentError) as caught:
            Webhooks.verify_signature(payload, head, key)
        assert (caught.value.details or {})["reason"] == reason


def test_list_paginates_lazily(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    ids = [client.posts.create(profile_id=profile.id, content=f"p{n}", draft=True).id
           for n in range(7)]
    aether_mock.clear_journal()
    listed = client.posts.list(limit=3, status="draft")
    first = next(iter(listed))
    assert first.id == ids[-1]  # newest first
    assert len([e for e in aether_mock.journal() if e["path"] == "/v1/posts"]) == 1
    assert [p.id for p in listed] == list(reversed(ids))[1:]
    assert len([e for e in aether_mock.journal() if e["path"] == "/v1/posts"]) == 3


def test_update_cancel_and_schedule(aether_mock: MockServer) -> None:
    import datetime

    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    post = client.posts.create(profile_id=profile.id, content="later", draft=True)
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
    scheduled = client.posts.update(post, scheduled_for=when, draft=False, content="edited")
    assert scheduled.status == "scheduled" and scheduled.content.text == "edited"
    cancelled = client.posts.cancel(post.id)
    assert cancelled.status == "cancelled" and cancelled.is_terminal
    watched = [p.status for p in client.posts.watch(post.id)]
    assert watched == ["cancelled"]
    assert client.profiles.disconnect(profile).status == "disconnected"
