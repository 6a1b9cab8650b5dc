"""media.upload from every kind of input, progress callbacks, and failures that must abort the
upload session."""

from __future__ import annotations

import asyncio
import base64
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


def _crc32c_table() -> List[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes) -> str:
    """The media's ``crc32c``: base64 of the big-endian CRC32C (small data only: pure Python)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return base64.b64encode((crc ^ 0xFFFFFFFF).to_bytes(4, "big")).decode()


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
    assert media.size == len(data) and media.crc32c == crc32c(data)
    assert media.sha256 is None, "no SHA-256 unless asked for"
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
        media = client.media.upload(source, mime_type="video/mp4", part_size=5 * MIB, sha256=True)
    finally:
        if hasattr(source, "close"):
            source.close()
    # The server checked the CRC32C combined from the parts, and the opted-in SHA-256.
    assert media.size == len(data) and media.sha256 == sha256(data)
    assert media.crc32c is not None and len(media.crc32c) == 8
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
    media = client.media.resume(details["uploadId"], path, sha256=True)
    assert media.size == len(data) and media.sha256 == sha256(data)
    assert media.crc32c is not None


def assert_session_aborted(mock: MockServer) -> None:
    opened = [e for e in requests_to(mock, "POST", "/v1/media/uploads") if e["path"] == "/v1/media/uploads"]
    assert len(opened) == 1 and opened[0]["created"]
    upload_id = opened[0]["created"]
    deadline = time.monotonic() + 5
    while not requests_to(mock, "DELETE", f"/v1/media/uploads/{upload_id}"):
        assert time.monotonic() < deadline, "the upload session was not aborted"
        time.sleep(0.05)
    assert not requests_to(mock, "POST", f"/v1/media/uploads/{upload_id}/complete")


def test_a_part_damaged_on_the_way_is_sent_again(aether_mock: MockServer, video: pathlib.Path) -> None:
    client = aether_mock.client()
    aether_mock.inject_fault(
        "/v1/media/uploads/*/parts/*", {"type": "flip_request_byte", "at": 100}, method="PUT", times=1
    )
    media = client.media.upload(video, single_shot_threshold=0)
    data = video.read_bytes()
    assert (media.crc32c, media.sha256) == (crc32c(data), None)
    statuses = [entry["status"] for entry in requests_to(aether_mock, "PUT", "/v1/media/uploads/")]
    assert statuses == [422, 200]


def test_a_single_shot_damaged_every_time_is_a_checksum_mismatch(
    aether_mock: MockServer, video: pathlib.Path
) -> None:
    client = aether_mock.client()
    aether_mock.inject_fault("/v1/media", {"type": "flip_request_byte", "at": 10}, method="POST", times=3)
    with pytest.raises(aether.UploadError) as caught:
        client.media.upload(video)
    assert caught.value.code == "CHECKSUM_MISMATCH" and caught.value.field == "X-Content-Crc32c"


def test_sha256_opt_in_on_the_single_shot_and_async(aether_mock: MockServer, video: pathlib.Path) -> None:
    data = video.read_bytes()
    media = aether_mock.client().media.upload(video, sha256=True)
    assert (media.sha256, media.crc32c) == (sha256(data), crc32c(data))
    sent = requests_to(aether_mock, "POST", "/v1/media")
    assert sent[-1]["headers"]["x-content-sha256"] == sha256(data)

    async def main() -> Any:
        async with aether_mock.async_client() as client:
            return await client.media.upload(video, sha256=True, single_shot_threshold=0)

    uploaded = asyncio.run(main())
    assert (uploaded.sha256, uploaded.crc32c) == (sha256(data), crc32c(data))
    with pytest.raises(TypeError):
        aether_mock.client().media.upload(url="http://127.0.0.1:1/a.mp4", sha256=True)
