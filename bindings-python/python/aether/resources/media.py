"""``client.media``: upload files (single-shot or chunked, parallel, checksummed), read and
delete stored media, and wait for the server's verification."""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, Optional, Union

from .._aether import Call
from .._models import Media
from .._params import FileInput, ProgressCallback, progress_callback, upload_source
from ._run import Pending, Resource, awaiting, blocking, nothing

__all__ = ["MediaResource", "AsyncMediaResource"]

StatePath = Union[str, "os.PathLike[str]"]


class _Media(Resource):
    def _upload_call(
        self,
        file: FileInput,
        mime_type: Optional[str],
        platforms: Optional[Iterable[str]],
        on_progress: Optional[ProgressCallback],
        file_name: Optional[str],
        tier: Optional[str],
        part_size: Optional[int],
        parallelism: Optional[int],
        single_shot_threshold: Optional[int],
        upload_id: Optional[str] = None,
        resume_state_file: Optional[StatePath] = None,
        profile_ids: Optional[Iterable[str]] = None,
        stall_timeout: Optional[float] = None,
        sha256: bool = False,
    ) -> Call:
        source, size, name = upload_source(file, file_name)
        options: Dict[str, Any] = {
            "size": size,
            "file_name": name,
            "mime_type": mime_type,
            "platforms": list(platforms or ()),
            "tier": tier,
            "on_progress": progress_callback(on_progress),
            "part_size": part_size,
            "parallelism": parallelism,
            "single_shot_threshold": single_shot_threshold,
            "upload_id": upload_id,
            "resume_state_file": None if resume_state_file is None else os.fspath(resume_state_file),
            "profile_ids": list(profile_ids or ()),
            "stall_timeout": stall_timeout,
            "sha256": sha256,
        }
        return self._core.media_upload(source, **options)

    def _upload(
        self,
        file: Optional[FileInput] = None,
        mime_type: Optional[str] = None,
        platforms: Optional[Iterable[str]] = None,
        on_progress: Optional[ProgressCallback] = None,
        *,
        url: Optional[str] = None,
        file_name: Optional[str] = None,
        tier: Optional[str] = None,
        part_size: Optional[int] = None,
        parallelism: Optional[int] = None,
        single_shot_threshold: Optional[int] = None,
        resume_state_file: Optional[StatePath] = None,
        profile_ids: Optional[Iterable[str]] = None,
        stall_timeout: Optional[float] = None,
        sha256: bool = False,
    ) -> Pending[Media]:
        """Uploads a file and returns the media (usually still ``processing``); its
        ``media_key`` is what posts reference.

        ``file`` is a path (``str`` or ``os.PathLike``), bytes-like data, or a binary file
        object (read from its current position). ``platforms`` (e.g. ``["tiktok"]``) checks
        the file against those platforms' rules before anything is sent, raising
        ``ValidationError`` (``VIDEO_TOO_SHORT``, …). ``profile_ids`` names the accounts the
        media is for: each one's capabilities (read once and cached by the client for 60 s) and
        its platform's rules for its tier are checked first, so a 70 s video for an account
        that may post 60 s raises ``ValidationError`` ``VIDEO_TOO_LONG`` with the account's
        figures (``details["accountMaxSec"]``) before a byte is sent; an unknown profile raises
        ``NotFoundError``; capabilities that cannot be read (network, 5xx) skip that check, as
        the server checks them when the post is made. ``on_progress`` is called with an
        :class:`~aether.UploadProgress` on the calling thread; if it raises, the upload is
        aborted and the exception propagates (a chunked upload is completed only after the
        callback returned from the final event). Large files go in parallel checksummed parts
        (``part_size`` bytes, ``parallelism`` at a time; files up to ``single_shot_threshold``
        bytes, default 8 MiB, go in one request). Ctrl-C aborts the upload session on the
        server. A file object whose ``read()`` raises gives ``LocalIOError`` (the original
        exception as ``__cause__``) and the session is aborted. An upload that outlived its
        retries keeps its session: the error's ``details`` carry ``uploadId`` for
        :meth:`resume`. With ``resume_state_file``, a chunked upload keeps its state in that
        file, and a later ``upload`` of the same file (even in another process) continues it.
        A part that sends nothing and hears nothing for ``stall_timeout`` seconds (default 30)
        is abandoned and sent again.

        Integrity in one pass: every part carries its CRC32C and the upload is completed with
        the whole file's, combined from the parts' (the file is read once); the media's
        ``crc32c`` is that value. ``sha256=True`` also computes the file's SHA-256 (by the same
        single reader) and has the server check it; the media's ``sha256`` is then set, else it
        is ``None``. Damaged bytes raise ``UploadError`` with code ``CHECKSUM_MISMATCH``.

        ``url=`` instead of a file: the server fetches the URL itself at once and stores it like
        an upload (a signed URL that expires later cannot break a scheduled post); nothing is
        uploaded. With ``platforms``, the URL is preflighted first by reading only the few KiB
        the probe needs with HTTP range requests (``VIDEO_TOO_SHORT``, field ``url``, before the
        ingest call). A URL the server cannot fetch makes :meth:`wait_ready` raise
        ``UploadError`` with code ``MEDIA_FETCH_FAILED`` and ``details`` ``url``, ``reason``
        (``not_found``, ``http_error``, ``timeout``, ``too_large``, ``not_media``,
        ``redirect_loop``, ``refused_host``) and ``httpStatus``.
        """
        if url is not None:
            if file is not None:
                raise TypeError("media.upload takes a file or url=, not both")
            if on_progress is not None or part_size is not None or parallelism is not None:
                raise TypeError(
                    "on_progress, part_size and parallelism apply to files; a url is fetched by"
                    " the server"
                )
            if (
                single_shot_threshold is not None
                or resume_state_file is not None
                or stall_timeout is not None
                or sha256
            ):
                raise TypeError(
                    "single_shot_threshold, resume_state_file, stall_timeout and sha256 apply to"
                    " files; a url is fetched by the server"
                )
            ingest = self._core.media_ingest(
                url,
                file_name=file_name,
                mime_type=mime_type,
                platforms=list(platforms or ()),
                tier=tier,
                profile_ids=list(profile_ids or ()),
            )
            return Pending(ingest, Media._from_wire)
        if file is None:
            raise TypeError("media.upload needs a file (a path, bytes or a file object) or url=")
        call = self._upload_call(
            file,
            mime_type,
            platforms,
            on_progress,
            file_name,
            tier,
            part_size,
            parallelism,
            single_shot_threshold,
            None,
            resume_state_file,
            profile_ids,
            stall_timeout=stall_timeout,
            sha256=sha256,
        )
        return Pending(call, Media._from_wire)

    def _resume(
        self,
        upload_id: str,
        file: FileInput,
        mime_type: Optional[str] = None,
        on_progress: Optional[ProgressCallback] = None,
        *,
        file_name: Optional[str] = None,
        parallelism: Optional[int] = None,
        single_shot_threshold: Optional[int] = None,
        stall_timeout: Optional[float] = None,
        sha256: bool = False,
    ) -> Pending[Media]:
        """Continues the chunked upload ``upload_id`` (from a failed upload's
        ``details["uploadId"]``) with the same file: only the parts the server lacks are
        sent, and the upload is completed with the whole file's CRC32C (combined from the
        parts', those the server holds included). ``sha256=True`` as for :meth:`upload`."""
        call = self._upload_call(
            file,
            mime_type,
            None,
            on_progress,
            file_name,
            None,
            None,
            parallelism,
            single_shot_threshold,
            upload_id,
            stall_timeout=stall_timeout,
            sha256=sha256,
        )
        return Pending(call, Media._from_wire)

    def _get(self, media_key: Union[str, Media]) -> Pending[Media]:
        """The stored media and what verification found."""
        return Pending(self._core.media_get(_key(media_key)), Media._from_wire)

    def _delete(self, media_key: Union[str, Media]) -> Pending[None]:
        """Deletes the stored media. Deleting twice is ``NOT_FOUND``; a delete whose answer
        was lost, and whose retry finds the media gone, succeeds."""
        return Pending(self._core.media_delete(_key(media_key)), nothing)

    def _wait_ready(
        self,
        media_key: Union[str, Media],
        *,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
    ) -> Pending[Media]:
        """Polls until the server has verified the media and returns it ``ready``; a media
        that failed verification raises its error (e.g. ``ValidationError`` with
        ``VIDEO_TOO_SHORT``)."""
        call = self._core.media_wait_ready(
            _key(media_key), timeout=timeout, poll_interval=poll_interval
        )
        return Pending(call, Media._from_wire)


def _key(media_key: Union[str, Media]) -> str:
    return media_key.media_key if isinstance(media_key, Media) else media_key


class MediaResource(_Media):
    upload = blocking(_Media._upload)
    resume = blocking(_Media._resume)
    get = blocking(_Media._get)
    delete = blocking(_Media._delete)
    wait_ready = blocking(_Media._wait_ready)


class AsyncMediaResource(_Media):
    upload = awaiting(
        _Media._upload,
        "; ``on_progress`` runs on the event loop, and cancelling the task aborts the upload"
        " session",
    )
    resume = awaiting(_Media._resume)
    get = awaiting(_Media._get)
    delete = awaiting(_Media._delete)
    wait_ready = awaiting(_Media._wait_ready)
