"""HTTPS against the emulator's generated CA: the tutorial flow with ``ca_bundle=``, the CA from
``AETHER_CA_BUNDLE``, mutual TLS, and ``TLS_ERROR`` (an ``APIConnectionError``, never retried)
saying what to set when the server is not trusted or wants a client certificate."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

import aether
from aether.testing import MockServer


@pytest.fixture
def https_mock() -> Iterator[MockServer]:
    with MockServer(processing_ms=50, tls=True) as mock:
        yield mock


def test_the_tutorial_flow_over_https_with_the_emulators_ca(
    https_mock: MockServer, video: Path
) -> None:
    assert https_mock.url.startswith("https://127.0.0.1:")
    assert https_mock.ca_file is not None and Path(https_mock.ca_file).is_file()
    client = aether.Aether(
        api_key=https_mock.api_key, base_url=https_mock.url, ca_bundle=Path(https_mock.ca_file)
    )
    link = client.connect_links.create(platform="tiktok", redirect_url="https://yourapp.com/cb")
    assert link.url.startswith("https://")
    approval = https_mock.approve_connect_link(link.id)
    assert approval.profile is not None
    media = client.media.upload(str(video), mime_type="video/mp4")
    post = client.posts.create(
        profile_id=approval.profile.id,
        content={"text": "over TLS"},
        media_keys=[media.media_key],
        platforms={"tiktok": {}},
    )
    done = client.posts.wait(post.id)
    assert done.status == "published"
    assert client.effective_options()["caBundle"] == https_mock.ca_file


def test_an_untrusted_server_is_tls_error_naming_ca_bundle(https_mock: MockServer) -> None:
    # The system's roots only; retries asked for, yet a TLS failure is not retried.
    client = aether.Aether(api_key=https_mock.api_key, base_url=https_mock.url, max_retries=3)
    with pytest.raises(aether.APIConnectionError) as caught:
        client.profiles.get("prof_nope")
    assert caught.value.code == "TLS_ERROR"
    assert "ca_bundle=" in str(caught.value) and "AETHER_CA_BUNDLE" in str(caught.value)


def test_the_ca_from_aether_ca_bundle(
    https_mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert https_mock.ca_file is not None
    monkeypatch.setenv("AETHER_CA_BUNDLE", https_mock.ca_file)
    client = aether.Aether(api_key=https_mock.api_key, base_url=https_mock.url)
    with pytest.raises(aether.NotFoundError):
        client.profiles.get("prof_nope")


def test_mutual_tls_accepted_with_the_certificate_and_refused_without() -> None:
    with MockServer(tls_client_auth=True) as mock:
        assert mock.client_cert_file is not None and mock.client_key_file is not None
        with_cert = mock.client(client_cert=mock.client_cert_file, client_key=mock.client_key_file)
        with pytest.raises(aether.NotFoundError):
            with_cert.profiles.get("prof_nope")
        with pytest.raises(aether.APIConnectionError) as caught:
            mock.client().profiles.get("prof_nope")
        assert caught.value.code == "TLS_ERROR"
        assert "client_cert=" in str(caught.value)


def test_a_pem_file_that_cannot_be_read_is_refused_naming_the_option(tmp_path: Path) -> None:
    with pytest.raises(aether.InvalidArgumentError, match="ca_bundle="):
        aether.Aether(api_key="sk_test", ca_bundle=tmp_path / "missing.pem")
    (tmp_path / "not.pem").write_text("hello")
    with pytest.raises(aether.InvalidArgumentError, match="client_key="):
        aether.Aether(api_key="sk_test", client_cert=tmp_path / "not.pem")
