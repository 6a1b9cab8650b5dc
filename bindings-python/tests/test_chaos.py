"""Chaos mode on the testing kit: ``MockServer.start_chaos`` turns seeded random faults on, the
client survives them by retrying, and ``chaos_report`` lists what was injected; bad settings
are refused by the emulator's own checks before anything is sent."""

from __future__ import annotations

import pytest

import aether
from aether.testing import MockServer


# ANCHOR: chaos (included by docs/src/guides/testing.md)
def test_chaos_faults_are_survived_and_reported(aether_mock: MockServer) -> None:
    profile = aether_mock.create_profile("linkedin")
    # Every request faulted, but no call more than twice: the third attempt goes through.
    config = aether_mock.start_chaos(seed=7, rate=1.0, stall_ms=50, delay_ms=20)
    assert config["seed"] == 7 and config["rate"] == 1.0 and config["stallMs"] == 50
    client = aether_mock.client(retry_backoff=(0.005, 0.05))
    post = client.posts.create(profile_id=profile.id, content="through the storm")
    assert post.id.startswith("post_")

    report = aether_mock.chaos_report()
    assert report["ok"] is True, report
    assert report["config"]["seed"] == 7
    faults = report["faults"]
    assert report["faulted"] == len(faults) == 2, report
    assert {f["path"] for f in faults} == {"/v1/posts"}
    calls = {f["clientRequestId"] for f in faults}
    assert len(calls) == 1 and calls.pop().startswith("creq_"), faults
    creates = [e for e in aether_mock.journal() if e["path"] == "/v1/posts"]
    assert len(creates) == 3 and sum(bool(e.get("chaos")) for e in creates) == 2

    aether_mock.stop_chaos()
    assert aether_mock.chaos_report()["config"] is None
    assert client.profiles.get(profile.id).id == profile.id
    assert aether_mock.chaos_report()["faulted"] == 2, "no fault once chaos is off"
# ANCHOR_END: chaos


def test_bad_chaos_settings_are_typed_errors(aether_mock: MockServer) -> None:
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_mock.start_chaos(seed=1, rate=2.0)
    assert caught.value.code == "INVALID_ARGUMENT" and caught.value.field == "rate"
    assert "rate must be between 0 and 1, not 2" in caught.value.message
    with pytest.raises(aether.InvalidArgumentError, match="unknown variant `lightning`"):
        aether_mock.start_chaos(seed=1, rate=0.1, kinds=["lightning"])
    with pytest.raises(aether.InvalidArgumentError, match="kinds must name at least one"):
        aether_mock.start_chaos(seed=1, rate=0.1, kinds=[])
    # Refused before anything was sent: chaos mode is still off.
    assert aether_mock.chaos_report()["config"] is None
    assert aether_mock.start_chaos(seed=1, rate=0.5, kinds="delay")["kinds"] == ["delay"]
