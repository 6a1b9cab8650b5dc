"""Settings come from the core: a default the core changes reaches Python (nothing is copied
here), the core's checks apply with Python's spelling, and ``resume_state_file`` exists."""

from __future__ import annotations

import math
import socket
import time
from pathlib import Path
from typing import Any

import pytest

import aether
from aether import _aether

from conftest import requests_to


def test_a_client_left_alone_runs_on_the_cores_defaults(aether_mock: Any) -> None:
    client = aether.Aether(api_key=aether_mock.api_key, base_url=aether_mock.url)
    effective = client.effective_options()
    core = _aether.defaults()["client"]
    for name in ("timeoutMs", "connectTimeoutMs", "attemptTimeoutMs", "maxRetries", "retryBackoffBaseMs", "retryBackoffCapMs"):
        assert effective[name] == core[name], name
    assert "apiKey" not in effective
    # The exported constants are the core's values, not copies.
    assert aether.DEFAULT_MAX_RETRIES == core["maxRetries"]
    assert aether.DEFAULT_TIMEOUT == core["timeoutMs"] / 1000
    assert aether.DEFAULT_ATTEMPT_TIMEOUT == core["attemptTimeoutMs"] / 1000


def test_the_default_retry_count_is_what_the_emulator_sees(aether_mock: Any) -> None:
    client = aether.Aether(api_key=aether_mock.api_key, base_url=aether_mock.url, retry_backoff=(0.005, 0.05))
    aether_mock.inject_fault("/v1/profiles/prf_missing", {"type": "status", "status": 503}, method="GET")
    with pytest.raises(aether.AetherError):
        client.profiles.get("prf_missing")
    attempts = requests_to(aether_mock, "GET", "/v1/profiles/prf_missing")
    assert len(attempts) == _aether.defaults()["client"]["maxRetries"] + 1


def test_a_missing_key_is_named_as_python_spells_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AETHER_API_KEY", raising=False)
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether.Aether(base_url="http://127.0.0.1:9")
    assert "pass one with api_key= or set the AETHER_API_KEY" in str(caught.value)
    assert "Client::builder()" not in str(caught.value)


def test_bad_durations_are_refused_in_seconds() -> None:
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether.Aether(api_key="sk_test", base_url="http://127.0.0.1:9", timeout=-1.5)
    assert "timeout= must be a finite, non-negative number of seconds, not -1.5" in str(caught.value)
    with pytest.raises(aether.InvalidArgumentError):
        aether.Aether(api_key="sk_test", base_url="http://127.0.0.1:9", connect_timeout=math.nan)


def test_an_unknown_tier_or_platform_is_refused(aether_client: Any, aether_mock: Any, video: Path) -> None:
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_client.media.upload(video, platforms=["tiktok"], tier="gold")
    assert 'tier= is "gold"' in str(caught.value)
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_client.media.upload(video, platforms=["myspace"])
    assert 'platforms= names "myspace"' in str(caught.value)
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_client.media.upload(video, parallelism=0)
    assert "parallelism= is 0" in str(caught.value)
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_client.media.upload(video, profile_ids=[""])
    assert "profile_ids= has an empty id at index 0" in str(caught.value)
    assert requests_to(aether_mock, "POST", "/v1/media") == []


def test_resume_state_file_is_written_and_removed(aether_client: Any, tmp_path: Path, video: Path) -> None:
    state = tmp_path / "upload.state"
    media = aether_client.media.upload(video, single_shot_threshold=0, resume_state_file=state)
    assert media.media_key
    assert not state.exists(), "the state file is deleted once the upload completes"


def test_wait_options_use_the_cores_checks(aether_client: Any) -> None:
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_client.posts.wait("pst_1", poll_interval=0)
    assert "poll_interval=" in str(caught.value)
    assert aether.resources.posts.DEFAULT_WAIT_TIMEOUT == _aether.defaults()["postsWait"]["timeoutMs"] / 1000


def test_zero_or_negative_attempt_and_stall_timeouts_are_refused(aether_client: Any, video: Path) -> None:
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether.Aether(api_key="sk_test", base_url="http://127.0.0.1:9", attempt_timeout=0)
    assert "attempt_timeout= must be more than 0 seconds" in str(caught.value)
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_client.with_options(attempt_timeout=-1)
    assert "attempt_timeout= must be a finite, non-negative number of seconds" in str(caught.value)
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_client.media.upload(video, stall_timeout=0)
    assert "stall_timeout= must be more than 0 seconds" in str(caught.value)


def test_a_stalled_response_is_retried_after_the_attempt_timeout(aether_client: Any, aether_mock: Any) -> None:
    profile = aether_mock.create_profile("linkedin")
    action = {"type": "stall_mid_response", "afterBytes": 5, "ms": 20000}
    aether_mock.inject_fault("/v1/profiles/*", action, method="GET", times=1)
    read = aether_client.with_options(attempt_timeout=0.3).profiles.get(profile.id)
    assert read.id == profile.id
    assert len(requests_to(aether_mock, "GET", f"/v1/profiles/{profile.id}")) == 2


def never_accepting_address() -> tuple[socket.socket, list[socket.socket], str]:
    """A loopback address whose connects hang: a listener with a backlog of 1 that never
    accepts, its queue filled, so the kernel drops further SYNs. Keep the sockets open."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    host, port = listener.getsockname()
    queued: list[socket.socket] = []
    for _ in range(8):
        sock = socket.socket()
        sock.settimeout(0.3)
        try:
            sock.connect((host, port))
        except (TimeoutError, socket.timeout):
            sock.close()
            return listener, queued, f"http://{host}:{port}"
        queued.append(sock)
    raise AssertionError("the kernel kept accepting into a backlog of 1: no hanging connect")


def test_a_call_sets_its_own_connect_timeout(aether_mock: Any) -> None:
    listener, queued, hanging = never_accepting_address()
    try:
        stuck = aether.Aether(api_key=aether_mock.api_key, base_url=hanging, connect_timeout=30, max_retries=0)
        started = time.monotonic()
        with pytest.raises(aether.APIConnectionError) as caught:
            stuck.with_options(connect_timeout=0.3).profiles.get("prof_1")
        assert caught.value.code == "NETWORK_ERROR"
        assert "within the connect timeout" in str(caught.value)
        assert time.monotonic() - started < 10, "not the client's 30 s"
        # The default pool of a client with a long connect timeout keeps working beside it.
        client = aether.Aether(api_key=aether_mock.api_key, base_url=aether_mock.url, connect_timeout=30)
        profile = aether_mock.create_profile("linkedin")
        assert client.with_options(connect_timeout=0.3).profiles.get(profile.id).id == profile.id
        assert client.profiles.get(profile.id).id == profile.id
        with pytest.raises(aether.InvalidArgumentError) as refused:
            client.with_options(connect_timeout=0)
        assert "connect_timeout= must be more than 0 seconds" in str(refused.value)
    finally:
        for sock in queued:
            sock.close()
        listener.close()
