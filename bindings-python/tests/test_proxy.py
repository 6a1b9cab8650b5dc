"""Through a real forward proxy (tinyproxy, started by ``scripts/proxy`` on a free port of
127.0.0.1): the API over HTTPS in a CONNECT tunnel with ``proxy=`` and with ``HTTPS_PROXY``,
``NO_PROXY`` and ``proxy=""`` going direct, and a proxy demanding credentials:
``APIConnectionError`` with code ``PROXY_ERROR`` (never retried, the password never shown)
without them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Callable, Iterator, Optional

import pytest

import aether
from aether.testing import MockServer

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "proxy"
SECRET = "pr0xy-Secret"


class Proxy:
    def __init__(self, auth: Optional[str]) -> None:
        args = [str(SCRIPT)] + (["--auth", auth] if auth else [])
        # Its stdin is a pipe: closing it (or this process dying) stops the proxy.
        self._process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            code = self._process.wait()
            if code == 3 and os.environ.get("CI") != "true":
                pytest.skip("tinyproxy is not installed (apt-get install tinyproxy)")
            raise AssertionError(f"scripts/proxy did not start a proxy (exit {code})")
        info = json.loads(line)
        self.port: int = info["port"]
        self.url: str = info["url"]
        self._log_file: str = info["logFile"]

    def log(self) -> str:
        try:
            return Path(self._log_file).read_text()
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


@pytest.fixture
def start_proxy() -> Iterator[Callable[[Optional[str]], Proxy]]:
    started: list[Proxy] = []

    def start(auth: Optional[str] = None) -> Proxy:
        proxy = Proxy(auth)
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()


@pytest.fixture
def https_mock() -> Iterator[MockServer]:
    with MockServer(tls=True) as mock:
        yield mock


def connect_line(mock: MockServer) -> str:
    return f"CONNECT 127.0.0.1:{mock.url.rsplit(':', 1)[1]}"


def test_the_api_over_https_goes_through_the_proxy_option_in_a_connect_tunnel(
    https_mock: MockServer, start_proxy: Callable[[Optional[str]], Proxy]
) -> None:
    proxy = start_proxy(None)
    client = https_mock.client(proxy=proxy.url)
    link = client.connect_links.create(platform="linkedin", redirect_url="https://yourapp.com/cb")
    approval = https_mock.approve_connect_link(link.id)
    assert approval.profile is not None
    post = client.posts.create(profile_id=approval.profile.id, content={"text": "via a proxy"})
    assert post.id.startswith("post_")
    assert connect_line(https_mock) in proxy.log()
    assert client.effective_options()["proxy"] == proxy.url


def test_https_proxy_is_honoured_and_no_proxy_or_an_empty_proxy_goes_direct(
    start_proxy: Callable[[Optional[str]], Proxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = start_proxy(None)
    # The variables are read when a client is built; monkeypatch restores them.
    for name in ["HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("https_proxy", proxy.url)
    with MockServer(tls=True) as mock:
        list(mock.client().profiles.list())
        assert connect_line(mock) in proxy.log()
        assert "proxy" not in mock.client().effective_options()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with MockServer(tls=True) as mock:
        list(mock.client().profiles.list())
        list(mock.client(proxy=proxy.url).profiles.list())  # NO_PROXY applies to proxy= too
        assert connect_line(mock) not in proxy.log()
    monkeypatch.delenv("NO_PROXY")
    with MockServer(tls=True) as mock:
        list(mock.client(proxy="").profiles.list())
        assert connect_line(mock) not in proxy.log()


def test_a_proxy_demanding_credentials_is_proxy_error_without_them_and_never_shows_them(
    https_mock: MockServer, start_proxy: Callable[[Optional[str]], Proxy]
) -> None:
    proxy = start_proxy(f"py:{SECRET}")
    good = https_mock.client(proxy=f"http://py:{SECRET}@127.0.0.1:{proxy.port}")
    list(good.profiles.list())
    assert SECRET not in repr(good.effective_options())
    assert good.effective_options()["proxy"] == f"http://py:[redacted]@127.0.0.1:{proxy.port}"

    for proxy_url in [proxy.url, f"http://py:wrong-{SECRET}@127.0.0.1:{proxy.port}"]:
        client = https_mock.client(proxy=proxy_url, max_retries=3)
        with pytest.raises(aether.APIConnectionError) as caught:
            list(client.profiles.list())
        assert caught.value.code == "PROXY_ERROR"
        assert "proxy=" in str(caught.value)
        assert "credentials" in str(caught.value)
        assert SECRET not in f"{caught.value} {caught.value!r} {caught.value.details}"


def test_a_proxy_that_is_not_an_http_url_is_invalid_argument() -> None:
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether.Aether(api_key="sk_test_x", proxy=f"socks5://u:{SECRET}@127.0.0.1:1080")
    assert "proxy=" in str(caught.value)
    assert SECRET not in str(caught.value)
