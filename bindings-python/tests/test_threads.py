"""One client shared by many threads; blocking calls release the GIL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List

import aether
from aether.testing import MockServer


def test_one_client_many_threads(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    profiles = [aether_mock.create_profile("threads") for _ in range(2)]

    def work(n: int) -> str:
        post = client.posts.create(profile_id=profiles[n % 2].id, content=f"thread post {n}")
        assert client.posts.get(post.id).id == post.id
        return client.posts.wait(post.id, poll_interval=0.1, timeout=30).status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(work, range(64)))
    assert statuses == ["published"] * 64
    assert len(list(client.posts.list(limit=25))) == 64


def test_blocking_calls_release_the_gil(aether_mock: MockServer) -> None:
    aether_mock.inject_fault("/v1/profiles", {"type": "delay", "ms": 600}, method="GET")
    client = aether_mock.client()
    ticks: List[int] = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            ticks[0] += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        time.sleep(0.05)
        before = ticks[0]
        started = time.monotonic()
        list(client.profiles.list())
        elapsed = time.monotonic() - started
        during = ticks[0] - before
    finally:
        stop.set()
        spinner.join()
    assert elapsed >= 0.5
    # With the GIL held for 600 ms the spinner would barely move.
    assert during > 100_000, f"the spinner only ran {during} times in {elapsed:.2f} s"


def test_clients_do_not_mix_keys(aether_mock: MockServer) -> None:
    good = aether_mock.client()
    bad = aether.Aether(api_key="sk_other", base_url=aether_mock.url)
    errors: List[BaseException] = []

    def use_bad() -> None:
        try:
            list(bad.profiles.list())
        except aether.AuthenticationError as error:
            errors.append(error)

    threads = [threading.Thread(target=use_bad) for _ in range(4)]
    for thread in threads:
        thread.start()
    assert list(good.profiles.list()) == []
    for thread in threads:
        thread.join()
    assert len(errors) == 4
