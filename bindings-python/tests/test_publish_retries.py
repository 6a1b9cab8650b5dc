"""Server retries of a transient platform failure: the target's ``attempts`` and
``next_attempt_at``, and ``posts.watch`` yielding every attempt while the post stays
``publishing``."""

from __future__ import annotations

from typing import List, Tuple

from aether.testing import MockServer


def test_watch_yields_every_retried_attempt(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    rule = aether_mock.add_outcome_rule(transient_failures=2, platform="linkedin", times=1)
    assert rule["transientFailures"] == 2 and "outcome" not in rule
    post = client.posts.create(profile_id=profile.id, content="third time lucky")
    assert post.results[0].attempts == 1 and post.results[0].next_attempt_at is None

    seen: List[Tuple[str, int, bool]] = []
    for change in client.posts.watch(post.id, poll_interval=0.1, timeout=30):
        result = change.results[0]
        seen.append((change.status, result.attempts, result.next_attempt_at is not None))
        if result.next_attempt_at is not None:
            # The retry waits 30 s, then 1 min, on the emulator's clock: move it there.
            aether_mock.advance_clock(30 if result.attempts == 1 else 60)

    waiting = [state for state in seen if state[2]]
    assert waiting == [("publishing", 1, True), ("publishing", 2, True)], seen
    assert seen[-1] == ("published", 3, False), seen
    publishes = [e for e in aether_mock.journal() if e["method"] == "PUBLISH"]
    assert [e["status"] for e in publishes] == [503, 503, 200]
    assert all(e["path"] == "/platforms/linkedin/publish" for e in publishes)
    assert publishes[-1]["postId"] == post.id


def test_a_permanent_failure_is_one_attempt(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    aether_mock.add_outcome_rule("failed", code="PLATFORM_ERROR", platform="linkedin")
    post = client.posts.create(profile_id=profile.id, content="refused")
    done = client.posts.wait(post.id, poll_interval=0.1)
    assert done.status == "failed"
    assert done.results[0].attempts == 1 and done.results[0].next_attempt_at is None
    wire = done.to_dict()["results"][0]
    assert wire["attempts"] == 1 and "nextAttemptAt" not in wire
