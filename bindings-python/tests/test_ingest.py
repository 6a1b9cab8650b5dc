"""Media by URL: ``client.media.upload(url=...)`` against the emulator's loopback file server —
the server's fetch and each way it fails, raised by ``wait_ready`` as ``UploadError`` with
``MEDIA_FETCH_FAILED``, and the preflight that reads a few KiB with range requests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict

import pytest

import aether
from aether.testing import MockServer

from conftest import requests_to


def serve(mock: MockServer, media_dir: Path, name: str, fixture: str, **options: Any) -> Dict[str, Any]:
    return mock.put_file(name, (media_dir / fixture).read_bytes(), content_type="video/mp4", **options)


def test_a_url_is_fetched_and_verified(
    aether_mock: MockServer, aether_client: aether.Aether, media_dir: Path
) -> None:
    url = serve(aether_mock, media_dir, "clip.mp4", "h264_15s.mp4")["url"]
    media = aether_client.media.upload(url=url)
    assert (media.status, media.source_url, media.file_name) == ("processing", url, "clip.mp4")
    ready = aether_client.media.wait_ready(media, poll_interval=0.02)
    assert (ready.status, ready.duration_ms, ready.source_url) == ("ready", 15000, url)
    # A redirect is followed; a declared name wins.
    media = aether_client.media.upload(url=url + "?redirects=2", file_name="mine.mp4")
    assert media.file_name == "mine.mp4"
    assert aether_client.media.wait_ready(media, poll_interval=0.02).status == "ready"
    assert len(requests_to(aether_mock, "POST", "/v1/media/ingest")) == 2


@pytest.mark.parametrize(
    "query, reason, status",
    [
        (".gone?X-Signature=s3cr3t", "not_found", 404),
        ("?status=502", "http_error", 502),
        ("?stallMs=5000", "timeout", None),
        ("?declaredSize=300000000000", "too_large", 200),
        ("?contentType=text/html", "not_media", 200),
        ("?redirectLoop=true", "redirect_loop", 302),
    ],
)
def test_a_failed_fetch_raises_naming_the_url_and_why(
    aether_mock: MockServer,
    aether_client: aether.Aether,
    media_dir: Path,
    query: str,
    reason: str,
    status: Any,
) -> None:
    aether_mock.update_settings(ingest_timeout_ms=300)
    url = serve(aether_mock, media_dir, "clip.mp4", "h264_15s.mp4")["url"] + query
    media = aether_client.media.upload(url=url)
    with pytest.raises(aether.UploadError) as caught:
        aether_client.media.wait_ready(media, poll_interval=0.02)
    error = caught.value
    assert error.code == "MEDIA_FETCH_FAILED" and error.details is not None
    assert error.details["reason"] == reason
    assert error.details.get("httpStatus") == status
    assert "/mock-files/clip.mp4" in str(error) and reason in str(error)
    assert "s3cr3t" not in str(error) and "s3cr3t" not in str(error.details)


def test_other_hosts_are_refused_and_the_arguments_checked(aether_client: aether.Aether) -> None:
    with pytest.raises(aether.UploadError) as caught:
        aether_client.media.upload(url="https://cdn.example.com/a.mp4?sig=abc")
    error = caught.value
    assert (error.code, error.status, error.field) == ("MEDIA_FETCH_FAILED", 422, "url")
    assert error.details is not None
    assert error.details["reason"] == "refused_host" and "loopback" in str(error)
    with pytest.raises(TypeError, match="not both"):
        aether_client.media.upload(b"x", url="http://127.0.0.1/a.mp4")
    with pytest.raises(TypeError, match="a url is fetched by the server"):
        aether_client.media.upload(url="http://127.0.0.1/a.mp4", part_size=5 << 20)
    with pytest.raises(aether.InvalidArgumentError):
        aether_client.media.upload(url="ftp://127.0.0.1/a.mp4")


def test_the_preflight_reads_a_few_kib_with_range_requests(
    aether_mock: MockServer, aether_client: aether.Aether, media_dir: Path
) -> None:
    url = serve(aether_mock, media_dir, "short.mp4", "h264_14.9s.mp4", free_box=8_000_000)["url"]
    with pytest.raises(aether.ValidationError) as caught:
        aether_client.media.upload(url=url, platforms=["tiktok"])
    error = caught.value
    assert (error.code, error.status, error.field) == ("VIDEO_TOO_SHORT", None, "url")
    assert error.details is not None and error.details["measured"] == 14900
    assert requests_to(aether_mock, "POST", "/v1/media/ingest") == []
    stats = aether_mock.file_stats("short.mp4")
    assert stats["size"] > 8_000_000
    assert stats["rangeRequests"] >= 1 and stats["bytesServed"] <= 64 * 1024, stats


def test_the_async_client_ingests_too(aether_mock: MockServer, media_dir: Path) -> None:
    url = serve(aether_mock, media_dir, "clip.mp4", "h264_15s.mp4")["url"]

    async def main() -> str:
        client = aether_mock.async_client()
        media = await client.media.upload(url=url)
        ready = await client.media.wait_ready(media, poll_interval=0.02)
        return ready.status

    assert asyncio.run(main()) == "ready"
