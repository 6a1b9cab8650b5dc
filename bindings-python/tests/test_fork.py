"""The client keeps working in a child process after fork (multiprocessing's "fork" context),
including a client whose connections were opened in the parent."""

from __future__ import annotations

import multiprocessing
import sys
from typing import Any, Tuple

import pytest

import aether
from aether.testing import MockServer

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no fork on Windows")

CLIENT: Any = None


def publish_in_child(profile_id: str) -> Tuple[str, str]:
    post = CLIENT.posts.create(profile_id=profile_id, content="from a forked child")
    return post.id, CLIENT.posts.wait(post.id, poll_interval=0.1, timeout=30).status


def fail_in_child(_: int) -> None:
    CLIENT.posts.get("post_missing")


def test_client_works_after_fork(aether_mock: MockServer) -> None:
    global CLIENT
    CLIENT = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    # Use the client in the parent first: its runtime and pooled connections exist now.
    assert CLIENT.profiles.get(profile.id).id == profile.id
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        results = pool.map(publish_in_child, [profile.id] * 4, chunksize=1)
    assert [status for _, status in results] == ["published"] * 4
    assert len({post_id for post_id, _ in results}) == 4
    # ... and still in the parent afterwards.
    assert CLIENT.posts.get(results[0][0]).status == "published"


def test_errors_cross_the_process_boundary(aether_mock: MockServer) -> None:
    global CLIENT
    CLIENT = aether_mock.client()
    list(CLIENT.profiles.list())
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        with pytest.raises(aether.NotFoundError) as caught:
            pool.apply(fail_in_child, (0,))
    assert caught.value.code == "NOT_FOUND" and caught.value.status == 404


def read_with_own_connect_timeout(profile_id: str) -> str:
    return str(CLIENT.with_options(connect_timeout=5).profiles.get(profile_id).id)


def test_a_per_call_connect_timeout_works_after_fork(aether_mock: MockServer) -> None:
    global CLIENT
    CLIENT = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    # The parent opens the pool of that connect timeout (a client of its own) first.
    assert read_with_own_connect_timeout(profile.id) == profile.id
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        # A child that reused the parent's pooled connection would hang: bounded here.
        ids = pool.map_async(read_with_own_connect_timeout, [profile.id] * 4, chunksize=1).get(60)
    assert ids == [profile.id] * 4
    assert read_with_own_connect_timeout(profile.id) == profile.id
