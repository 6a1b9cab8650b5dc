"""``client.posts``: create (safely retried under an idempotency key), read, list, edit,
cancel, retry the failed targets, create many from a CSV (``bulk``), and follow a post until it is published with
``wait`` or ``watch``."""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from .._aether import defaults
from .._models import BulkResult, Post
from .._warnings import report
from .._params import (
    ContentInput,
    PlatformsInput,
    When,
    drop_none,
    object_id,
    platforms,
    post_request,
    update_request,
    when,
)
from ._run import Pages, Pending, Resource, aiterating, awaiting, blocking, iterating

__all__ = ["Posts", "AsyncPosts", "BulkRow", "DEFAULT_WAIT_TIMEOUT"]

#: Default bound on ``wait`` and ``watch``, in seconds (15 minutes): the core's, read from it.
DEFAULT_WAIT_TIMEOUT: float = defaults()["postsWait"]["timeoutMs"] / 1000

PostId = Union[str, Post]


@dataclasses.dataclass(frozen=True)
class BulkRow:
    """One row of ``posts.bulk(rows)``; the SDK writes the rows as CSV. Plain dicts with the
    same keys (snake_case or the CSV's camelCase column names) work too."""

    text: str = ""
    profile_ids: Sequence[str] = ()
    scheduled_for: Optional[When] = None
    timezone: Optional[str] = None
    media_urls: Sequence[str] = ()
    media_keys: Sequence[str] = ()
    title: Optional[str] = None
    platforms: Optional[PlatformsInput] = None


_ROW_KEYS = {field.name for field in dataclasses.fields(BulkRow)}

BulkRowInput = Union[BulkRow, Mapping[str, Any]]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _row(row: BulkRowInput) -> Dict[str, Any]:
    """A row in the core's form (camelCase keys). Unknown keys go on to the core, which refuses
    them naming the key."""
    if isinstance(row, BulkRow):
        values: Dict[str, Any] = {f: getattr(row, f) for f in _ROW_KEYS}
    else:
        values = dict(row)
    wire: Dict[str, Any] = {}
    for key, value in values.items():
        name = _camel(key) if key in _ROW_KEYS else key
        if name in ("profileIds", "mediaUrls", "mediaKeys") and value is not None:
            value = [value] if isinstance(value, str) else list(value)
        elif name == "scheduledFor":
            value = when(value)
        elif name == "platforms":
            value = platforms(value)
        wire[name] = value
    return drop_none(wire)


class _Posts(Resource):
    def _bulk(
        self,
        source: Union[str, "os.PathLike[str]", Iterable[BulkRowInput]],
        *,
        dry_run: bool = False,
        idempotency_key: Optional[str] = None,
    ) -> Pending[BulkResult]:
        """Creates a post from every row of a CSV file (a path) or of ``rows`` (``BulkRow`` or
        dicts, written as CSV by the SDK), each as ``create`` would, independently: the result
        has one ``BulkRowResult`` per data row (``row``, ``line``, ``ok``, ``post`` or
        ``error``). ``dry_run=True`` checks every row and creates nothing. One idempotency key
        covers the whole call. Raises ``InvalidArgumentError`` over 5 MiB or 1,000 rows (before
        sending) and ``BadRequestError`` (``BULK_INVALID``, ``details["line"]``) for a file
        that is not valid CSV or has unknown columns."""
        if isinstance(source, (str, os.PathLike)):
            call = self._core.posts_bulk(
                path=os.fspath(source), dry_run=dry_run, idempotency_key=idempotency_key
            )
        else:
            rows: List[Dict[str, Any]] = [_row(row) for row in source]
            call = self._core.posts_bulk(
                rows=rows, dry_run=dry_run, idempotency_key=idempotency_key
            )
        return Pending(call, BulkResult._from_wire)

    def _create(
        self,
        *,
        content: Optional[ContentInput] = None,
        text: Optional[str] = None,
        title: Optional[str] = None,
        profile_id: Optional[str] = None,
        profile_ids: Optional[Sequence[str]] = None,
        media_keys: Optional[Iterable[str]] = None,
        media_urls: Optional[Iterable[str]] = None,
        media: Optional[Iterable[Mapping[str, Any]]] = None,
        platforms: Optional[PlatformsInput] = None,
        overrides: Optional[PlatformsInput] = None,
        scheduled_for: Optional[When] = None,
        timezone: Optional[str] = None,
        draft: Optional[bool] = None,
        idempotency_key: Optional[str] = None,
    ) -> Pending[Post]:
        """Creates a post, in any shape Aether's pages show: the tutorial's
        ``create(profile_id=…, content={"text": …}, media_keys=[key], platforms={"tiktok": {}})``
        or the product pages' ``create(text=…, profile_ids=[…], media=[{"url": …, "type":
        "image"}], scheduled_for=…, timezone=…, platforms={…})`` (``media_urls=[…]`` and
        ``overrides=`` too).

        Sent under an idempotency key (generated unless given) and retried safely: a create
        whose response was lost is never published twice. When every attempt's answer is
        lost it raises :class:`aether.OutcomeUnknownError` (the post may exist): call again
        with ``idempotency_key=err.idempotency_key`` to get it, or have it made once. ``content`` is a dict
        (``{"text": …, "title": …}``) or a string; or give ``text`` (and ``title``). Media
        come in one of ``media_keys``, ``media_urls`` or ``media``; options in ``platforms``
        or ``overrides`` (snake_case or camelCase keys). Two forms of one thing raise
        ``BadRequestError`` (``INVALID_REQUEST``, naming the field); a key the SDK does not
        know in a nested dict raises ``InvalidArgumentError`` naming the nearest known one.
        Raises ``ValidationError`` for a broken rule (``CAPTION_TOO_LONG``, ``MEDIA_REQUIRED``,
        …, with ``field`` and ``platform``) and ``PostLimitReachedError`` when the daily quota
        is used (``retry_after`` to the reset). The post's ``warnings`` are also issued as
        :class:`aether.AetherWarning`.
        """
        body = post_request(
            profile_id=profile_id,
            profile_ids=profile_ids,
            content_value=content,
            text=text,
            title=title,
            media_keys=media_keys,
            media_urls=media_urls,
            media=media,
            platforms_value=platforms,
            overrides=overrides,
            scheduled_for=scheduled_for,
            timezone=timezone,
            draft=draft,
        )
        call = self._core.posts_create(body, idempotency_key=idempotency_key)
        return Pending(call, _reported)

    def _get(self, post_id: PostId) -> Pending[Post]:
        """The post as it is now."""
        return Pending(self._core.posts_get(object_id(post_id, "post")), Post._from_wire)

    def _list(
        self,
        *,
        status: Optional[str] = None,
        profile_id: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> Pages[Post]:
        """Every post matching the filters, newest first, fetched page by page (``limit``
        posts per page) as you iterate."""
        pager = self._core.posts_list(status=status, profile_id=profile_id, limit=limit)
        return Pages(pager, Post)

    def _update(
        self,
        post_id: PostId,
        *,
        scheduled_for: Optional[When] = None,
        timezone: Optional[str] = None,
        content: Optional[ContentInput] = None,
        draft: Optional[bool] = None,
    ) -> Pending[Post]:
        """Changes the schedule or content of a draft or scheduled post; otherwise
        ``ConflictError`` (``POST_NOT_EDITABLE``). An update whose answer was lost is retried;
        when the retry finds the post no longer editable (releasing a draft starts publishing
        it), the post is read back and returned if it shows every change asked for."""
        body = update_request(
            scheduled_for=scheduled_for, timezone=timezone, content_value=content, draft=draft
        )
        call = self._core.posts_update(object_id(post_id, "post"), body)
        return Pending(call, _reported)

    def _cancel(self, post_id: PostId) -> Pending[Post]:
        """Cancels a draft or scheduled post and returns it, now ``cancelled``; otherwise
        ``POST_NOT_EDITABLE``. A cancel whose answer was lost is retried, and when the retry
        finds the post already cancelled (by the lost attempt) the post is read back and
        returned."""
        return Pending(self._core.posts_cancel(object_id(post_id, "post")), Post._from_wire)

    def _retry(self, post_id: PostId) -> Pending[Post]:
        """Publishes the failed targets of a ``failed`` or ``partially_published`` post again,
        and only those (a target that published is never sent again); returns the post,
        ``publishing`` again; follow it with ``wait``. Any other status (a retry still
        publishing included) raises ``ConflictError`` (``POST_NOT_RETRYABLE``, the post's status
        in ``details["status"]``). Sent with an idempotency key, so a retried request starts
        nothing twice."""
        return Pending(self._core.posts_retry(object_id(post_id, "post")), Post._from_wire)

    def _wait(
        self,
        post_id: PostId,
        *,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        max_poll_interval: Optional[float] = None,
    ) -> Pending[Post]:
        """Polls the post until its status is terminal (``published``,
        ``partially_published``, ``failed``, ``cancelled``) and returns it. A post that
        *failed* is returned, not raised: look at ``status``, ``error`` and ``results``.

        Polls every ``poll_interval`` seconds (default 3, or the server's hint), backing off
        to ``max_poll_interval`` (default 30) while nothing changes. Raises
        ``APITimeoutError`` after ``timeout`` seconds (default 15 minutes; ``math.inf``: no
        bound). Ctrl-C stops it
        at once (``KeyboardInterrupt``).
        """
        call = self._core.posts_wait(
            object_id(post_id, "post"),
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        )
        return Pending(call, Post._from_wire)

    def _watch(
        self,
        post_id: PostId,
        *,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        max_poll_interval: Optional[float] = None,
    ) -> Pages[Post]:
        """Yields the post each time its status changes (the current status first) or the
        server retries a target's transient platform failure (``attempts``,
        ``next_attempt_at``), ending after a terminal status; polls like :meth:`wait`."""
        pager = self._core.posts_watch(
            object_id(post_id, "post"),
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        )
        return Pages(pager, Post)


def _reported(data: Dict[str, Any]) -> Post:
    """The post, its warnings issued as :class:`aether.AetherWarning`."""
    return report(Post._from_wire(data))


class Posts(_Posts):
    create = blocking(_Posts._create)
    bulk = blocking(_Posts._bulk)
    get = blocking(_Posts._get)
    list = iterating(_Posts._list)
    update = blocking(_Posts._update)
    cancel = blocking(_Posts._cancel)
    retry = blocking(_Posts._retry)
    wait = blocking(_Posts._wait)
    watch = iterating(_Posts._watch)


class AsyncPosts(_Posts):
    create = awaiting(_Posts._create)
    bulk = awaiting(_Posts._bulk)
    get = awaiting(_Posts._get)
    list = aiterating(_Posts._list, ": ``async for post in client.posts.list(): …``")
    update = awaiting(_Posts._update)
    cancel = awaiting(_Posts._cancel)
    retry = awaiting(_Posts._retry)
    wait = awaiting(_Posts._wait, "; cancelling the task stops polling")
    watch = aiterating(_Posts._watch, ": ``async for post in client.posts.watch(id): …``")
