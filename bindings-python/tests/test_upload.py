"""media.upload from every kind of input, progress callbacks, and failures that must abort the
upload session."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import pathlib
import time
from typing import Any, Callable, List

import pytest

import aether
from aether.testing import MockServer

from conftest import requests_to

MIB = 1024 * 1024


class Unseekable(io.RawIOBase):
    """A pipe-like binary stream: read() only, no size."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(min(len(buffer), 100_000))
        buffer[: len(chunk)] = chunk
        return len(chunk)


class Exploding(io.RawIOBase):
    """A stream that raises after ``limit`` bytes (a file on a network share that went away);
    seekable or not."""

    def __init__(self, data: bytes, limit: int, seekable: bool) -> None:
        self._data = io.BytesIO(data)
        self._limit = limit
        self._seekable = seekable

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._seekable

    def seek(self, offset: int, whence: int = 0) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("seek")
        return self._data.seek(offset, whence)

    def tell(self) -> int:
        return self._data.tell()

    def readinto(self, buffer: Any) -> int:
        if self._data.tell() >= self._limit:
            raise ConnectionResetError("the network share went away")
        chunk = self._data.read(min(len(buffer), self._limit - self._data.tell()))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


INPUTS: List[Callable[[pathlib.Path], Any]] = [
    lambda path: str(path),
    lambda path: path,  # os.PathLike
    lambda path: path.read_bytes(),
    lambda path: bytearray(path.read_bytes()),
    lambda path: memoryview(path.read_bytes()),
    lambda path: open(path, "rb"),
    lambda path: io.BytesIO(path.read_bytes()),
    lambda path: io.BufferedReader(Unseekable(path.read_bytes())),
]
INPUT_NAMES = ["str", "PathLike", "bytes", "bytearray", "memoryview", "file", "BytesIO", "pipe"]


@pytest.mark.parametrize("make", INPUTS, ids=INPUT_NAMES)
def test_upload_from_every_input_kind(
    aether_client: aether.Aether, video: pathlib.Path, make: Callable[[pathlib.Path], Any]
) -> None:
    source = make(video)
    try:
        media = aether_client.media.upload(source, mime_type="video/mp4")
    finally:
        if hasattr(source, "close"):
            source.close()
    data = video.read_bytes()
    assert media.size == len(data) and media.sha256 == sha256(data)
    assert media.mime_type == "video/mp4"
    ready = aether_client.media.wait_ready(media, timeout=30, poll_interval=0.05)
    assert ready.status == "ready" and ready.duration_ms and ready.duration_ms >= 15_000


@pytest.mark.parametrize("kind", ["path", "file", "pipe"])
def test_chunked_uploads(
    aether_mock: MockServer, tmp_path: pathlib.Path, kind: str
) -> None:
    data = os.urandom(13 * MIB)
    path = tmp_path / "big.mp4"
    path.write_bytes(data)
    client = aether_mock.client()
    source: Any = {
        "path": path,
        "file": open(path, "rb"),
        "pipe": io.BufferedReader(Unseekable(data)),
    }[kind]
    try:
        media = client.media.upload(source, mime_type="video/mp4", part_size=5 * MIB)
    finally:
        if hasattr(source, "close"):
            source.close()
    assert media.size == len(data) and media.sha256 == sha256(data)
    parts = requests_to(aether_mock, "PUT", "/v1/media/uploads/")
    assert len(parts) == 3


def test_a_file_object_keeps_its_name_and_position(
    aether_client: aether.Aether, video: pathlib.Path
) -> None:
    with open(video, "rb") as file:
        file.seek(100)
        media = aether_client.media.upload(file)  # the type comes from the name
    assert media.file_name == video.name and media.mime_type == "video/mp4"
    assert media.size == video.stat().st_size - 100


def test_progress_callbacks(aether_client: aether.Aether) -> None:
    data = os.urandom(12 * MIB)
    events: List[aether.UploadProgress] = []
    media = aether_client.media.upload(
        data, mime_type="video/mp4", part_size=5 * MIB, on_progress=events.append
    )
    assert media.size == len(data)
    assert events[0].bytes_sent == 0 and events[0].parts_total == 3
    assert events[-1].bytes_sent == len(data) and events[-1].parts_done == 3
    sent = [event.bytes_sent for event in events]
    assert sent == sorted(sent) and all(event.total == len(data) for event in events)


@pytest.mark.parametrize("when", ["after_a_part", "on_the_final_event"])
def test_a_raising_progress_callback_aborts_the_upload(aether_mock: MockServer, when: str) -> None:
    client = aether_mock.client()

    def on_progress(progress: aether.UploadProgress) -> None:
        final = progress.bytes_sent == progress.total
        if (when == "after_a_part" and progress.parts_done >= 1) or (
            when == "on_the_final_event" and final
        ):
            # Slow as well: every part is on the server by now, yet it must not be completed.
            time.sleep(0.2 if final else 0)
            raise RuntimeError("stop right there")

    with pytest.raises(RuntimeError, match="stop right there"):
        client.media.upload(
            os.urandom(16 * MIB), mime_type="video/mp4", part_size=5 * MIB,
            parallelism=1, on_progress=on_progress,
        )
    assert_session_aborted(aether_mock)


def test_a_raising_progress_callback_aborts_an_async_upload(aether_mock: MockServer) -> None:
    def on_progress(progress: aether.UploadProgress) -> None:
        if progress.bytes_sent == progress.total:
            time.sleep(0.2)
            raise RuntimeError("not this one")

    async def main() -> None:
        client = aether_mock.async_client()
        with pytest.raises(RuntimeError, match="not this one"):
            await client.media.upload(
                os.urandom(11 * MIB), mime_type="video/mp4", part_size=5 * MIB,
                on_progress=on_progress,
            )

    asyncio.run(main())
    assert_session_aborted(aether_mock)


@pytest.mark.parametrize("size_known", [True, False], ids=["seekable", "unseekable"])
def test_a_file_object_that_raises_mid_read(aether_mock: MockServer, size_known: bool) -> None:
    client = aether_mock.client()
    data = os.urandom(20 * MIB)
    stream = io.BufferedReader(Exploding(data, limit=11 * MIB, seekable=size_known))
    with pytest.raises(aether.LocalIOError) as caught:
        client.media.upload(stream, mime_type="video/mp4", part_size=5 * MIB)
    error = caught.value
    assert error.code == "IO_ERROR"
    assert "the network share went away" in error.message
    assert isinstance(error.__cause__, ConnectionResetError)
    if size_known:
        # The size was known, so the session was open (two parts sent) when read() raised.
        assert error.details and error.details["sessionAborted"] is True
        assert_session_aborted(aether_mock)
    else:
        # An unknown size is spooled to a temp file first: nothing was opened on the server.
        assert not requests_to(aether_mock, "POST", "/v1/media")


def test_a_text_mode_file_is_refused_clearly(
    aether_client: aether.Aether, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with open(path) as text_file, pytest.raises(aether.LocalIOError, match="binary mode"):
        aether_client.media.upload(text_file, mime_type="video/mp4")
    with pytest.raises(TypeError, match="cannot upload a int"):
        aether_client.media.upload(42)


def test_preflight_refuses_before_sending(aether_mock: MockServer, media_dir: pathlib.Path) -> None:
    client = aether_mock.client()
    with pytest.raises(aether.ValidationError) as caught:
        client.media.upload(media_dir / "h264_60.1s.mp4", platforms=["tiktok"])
    assert caught.value.code == "VIDEO_TOO_LONG" and caught.value.platform == "tiktok"
    assert not requests_to(aether_mock, "POST", "/v1/media")
    creator = client.media.upload(media_dir / "h264_60.1s.mp4", platforms=["tiktok"], tier="creator")
    assert creator.size > 0


def test_resume_after_a_failed_upload(aether_mock: MockServer, tmp_path: pathlib.Path) -> None:
    data = os.urandom(11 * MIB)
    path = tmp_path / "resume.mp4"
    path.write_bytes(data)
    # The fault stays until cleared, so every attempt at part 2 fails: with the 503, or with a
    # broken connection when the server answers before reading the part and closes.
    client = aether_mock.client(retry_backoff=(0.01, 0.02))
    aether_mock.inject_fault("/v1/media/uploads/*/parts/2", {"type": "status", "status": 503})
    with pytest.raises((aether.InternalServerError, aether.APIConnectionError)) as caught:
        client.media.upload(path, part_size=5 * MIB, parallelism=1)
    details = caught.value.details
    assert details and details["sessionAborted"] is False
    aether_mock.clear_faults()
    media = client.media.resume(details["uploadId"], path)
    assert media.size == len(data) and media.sha256 == sha256(data)


def assert_session_aborted(mock: MockServer) -> None:
    opened = [e for e in requests_to(mock, "POST", "/v1/media/uploads") if e["path"] == "/v1/media/uploads"]
    assert len(opened) == 1 and opened[0]["created"]
    upload_id = opened[0]["created"]
    deadline = time.monotonic() + 5
    while not requests_to(mock, "DELETE", f"/v1/media/uploads/{upload_id}"):
        assert time.monotonic() < deadline, "the upload session was not aborted"
        time.sleep(0.05)
    assert not requests_to(mock, "POST", f"/v1/media/uploads/{upload_id}/complete")
