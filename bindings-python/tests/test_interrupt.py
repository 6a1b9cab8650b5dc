"""Ctrl-C: a SIGINT sent while a call blocks raises KeyboardInterrupt within a fraction of a
second, and the work stops on the server side too (an upload's session is aborted)."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Callable, List

import pytest

from aether.testing import MockServer

from conftest import requests_to

pytestmark = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signals are only delivered to the main thread",
)


def interrupt_after(seconds: float, sent: List[float]) -> threading.Timer:
    def fire() -> None:
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(seconds, fire)
    timer.start()
    return timer


def interrupted(call: Callable[[], object], after: float = 0.3) -> float:
    """Runs ``call``, interrupting it after ``after`` seconds; returns how long the
    KeyboardInterrupt took to arrive after the signal."""
    sent: List[float] = []
    timer = interrupt_after(after, sent)
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
        return time.monotonic() - sent[0]
    finally:
        timer.cancel()


def test_ctrl_c_interrupts_wait(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    # A draft never changes by itself: wait would poll until its timeout.
    post = client.posts.create(profile_id=profile.id, content="hello", draft=True)
    latency = interrupted(lambda: client.posts.wait(post.id, timeout=60, poll_interval=5))
    assert latency < 0.5, f"KeyboardInterrupt took {latency:.3f} s"
    # The client is still usable afterwards.
    assert client.posts.get(post.id).status == "draft"


def test_ctrl_c_interrupts_a_slow_request(aether_mock: MockServer) -> None:
    aether_mock.inject_fault("/v1/profiles", {"type": "delay", "ms": 10000}, method="GET")
    client = aether_mock.client()
    latency = interrupted(lambda: list(client.profiles.list()))
    assert latency < 0.5, f"KeyboardInterrupt took {latency:.3f} s"


def test_ctrl_c_aborts_the_upload_session(aether_mock: MockServer) -> None:
    # Every part is slowed down, so the upload is in flight when the signal comes.
    aether_mock.inject_fault("/v1/media/uploads/*/parts/*", {"type": "delay", "ms": 5000})
    client = aether_mock.client()
    data = os.urandom(12 * 1024 * 1024)
    latency = interrupted(lambda: client.media.upload(data, mime_type="video/mp4"), after=0.5)
    assert latency < 0.5, f"KeyboardInterrupt took {latency:.3f} s"
    opened = requests_to(aether_mock, "POST", "/v1/media/uploads")
    assert len(opened) == 1 and opened[0]["created"]
    upload_id = opened[0]["created"]
    deadline = time.monotonic() + 5
    while not requests_to(aether_mock, "DELETE", f"/v1/media/uploads/{upload_id}"):
        assert time.monotonic() < deadline, "the upload session was not aborted"
        time.sleep(0.05)
    assert not requests_to(aether_mock, "POST", f"/v1/media/uploads/{upload_id}/complete")
