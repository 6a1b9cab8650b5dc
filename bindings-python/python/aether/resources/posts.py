"""``client.posts``: create (safely retried under an idempotency key), read, list, edit,
cancel, and follow a post until it is published with ``wait`` or ``watch``."""

from __future__ import annotations

from typing import AsyncIterator, Iterable, Iterator, Optional, Sequence, Union

from .._aether import Call, Client, defaults
from .._models import Post
from .._params import (
    ContentInput,
    PlatformsInput,
    When,
    object_id,
    post_request,
    update_request,
)
from ._run import aiterate, iterate, run, wait

__all__ = ["Posts", "AsyncPosts", "DEFAULT_WAIT_TIMEOUT"]

#: Default bound on ``wait`` and ``watch``, in seconds (15 minutes): the core's, read from it.
DEFAULT_WAIT_TIMEOUT: float = defaults()["postsWait"]["timeoutMs"] / 1000

PostId = Union[str, Post]


class _Base:
    def __init__(self, core: Client) -> None:
        self._core = core

    def _create(
        self,
        profile_id: Optional[str],
        profile_ids: Optional[Sequence[str]],
        content: ContentInput,
        media_keys: Optional[Iterable[str]],
        platforms: Optional[PlatformsInput],
        scheduled_for: Optional[When],
        timezone: Optional[str],
        draft: Optional[bool],
        idempotency_key: Optional[str],
    ) -> Call:
        body = post_request(
            profile_id=profile_id,
            profile_ids=profile_ids,
            content_value=content,
            media_keys=media_keys,
            platforms_value=platforms,
            scheduled_for=scheduled_for,
            timezone=timezone,
            draft=draft,
        )
        return self._core.posts_create(body, idempotency_key=idempotency_key)

    def _update(
        self,
        post_id: PostId,
        scheduled_for: Optional[When],
        timezone: Optional[str],
        content: Optional[ContentInput],
        draft: Optional[bool],
    ) -> Call:
        body = update_request(
            scheduled_for=scheduled_for, timezone=timezone, content_value=content, draft=draft
        )
        return self._core.posts_update(object_id(post_id, "post"), body)


class Posts(_Base):
    def create(
        self,
        *,
        content: ContentInput,
        profile_id: Optional[str] = None,
        profile_ids: Optional[Sequence[str]] = None,
        media_keys: Optional[Iterable[str]] = None,
        platforms: Optional[PlatformsInput] = None,
        scheduled_for: Optional[When] = None,
        timezone: Optional[str] = None,
        draft: Optional[bool] = None,
        idempotency_key: Optional[str] = None,
    ) -> Post:
        """Creates a post, e.g. ``create(profile_id=…, content={"text": …},
        media_keys=[key], platforms={"tiktok": {}})``.

        Sent under an idempotency key (generated unless given) and retried safely: a create
        whose response was lost is never published twice. ``content`` is a dict
        (``{"text": …, "title": …}``) or a string. ``platforms`` maps each platform to its
        options (snake_case or camelCase keys). Raises ``ValidationError`` for a broken rule
        (``CAPTION_TOO_LONG``, ``MEDIA_REQUIRED``, …, with ``field`` and ``platform``) and
        ``PostLimitReachedError`` when the daily quota is used (``retry_after`` to the reset).
        """
        call = self._create(
            profile_id,
            profile_ids,
            content,
            media_keys,
            platforms,
            scheduled_for,
            timezone,
            draft,
            idempotency_key,
        )
        return Post._from_wire(wait(call))

    def get(self, post_id: PostId) -> Post:
        """The post as it is now."""
        return Post._from_wire(wait(self._core.posts_get(object_id(post_id, "post"))))

    def list(
        self,
        *,
        status: Optional[str] = None,
        profile_id: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> Iterator[Post]:
        """Every post matching the filters, newest first, fetched page by page (``limit``
        posts per page) as you iterate."""
        pager = self._core.posts_list(status=status, profile_id=profile_id, limit=limit)
        return iterate(pager, Post)

    def update(
        self,
        post_id: PostId,
        *,
        scheduled_for: Optional[When] = None,
        timezone: Optional[str] = None,
        content: Optional[ContentInput] = None,
        draft: Optional[bool] = None,
    ) -> Post:
        """Changes the schedule or content of a draft or scheduled post; otherwise
        ``ConflictError`` (``POST_NOT_EDITABLE``)."""
        return Post._from_wire(wait(self._update(post_id, scheduled_for, timezone, content, draft)))

    def cancel(self, post_id: PostId) -> Post:
        """Cancels a draft or scheduled post and returns it, now ``cancelled``."""
        return Post._from_wire(wait(self._core.posts_cancel(object_id(post_id, "post"))))

    def wait(
        self,
        post_id: PostId,
        *,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        max_poll_interval: Optional[float] = None,
    ) -> Post:
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
        return Post._from_wire(wait(call))

    def watch(
        self,
        post_id: PostId,
        *,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        max_poll_interval: Optional[float] = None,
    ) -> Iterator[Post]:
        """Yields the post each time its status changes (the current status first), ending
        after a terminal status; polls like :meth:`wait`."""
        pager = self._core.posts_watch(
            object_id(post_id, "post"),
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        )
        return iterate(pager, Post)


class AsyncPosts(_Base):
    async def create(
        self,
        *,
        content: ContentInput,
        profile_id: Optional[str] = None,
        profile_ids: Optional[Sequence[str]] = None,
        media_keys: Optional[Iterable[str]] = None,
        platforms: Optional[PlatformsInput] = None,
        scheduled_for: Optional[When] = None,
        timezone: Optional[str] = None,
        draft: Optional[bool] = None,
        idempotency_key: Optional[str] = None,
    ) -> Post:
        """See :meth:`Posts.create`."""
        call = self._create(
            profile_id,
            profile_ids,
            content,
            media_keys,
            platforms,
            scheduled_for,
            timezone,
            draft,
            idempotency_key,
        )
        return Post._from_wire(await run(call))

    async def get(self, post_id: PostId) -> Post:
        """See :meth:`Posts.get`."""
        return Post._from_wire(await run(self._core.posts_get(object_id(post_id, "post"))))

    def list(
        self,
        *,
        status: Optional[str] = None,
        profile_id: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> AsyncIterator[Post]:
        """See :meth:`Posts.list`: ``async for post in client.posts.list(): …``."""
        pager = self._core.posts_list(status=status, profile_id=profile_id, limit=limit)
        return aiterate(pager, Post)

    async def update(
        self,
        post_id: PostId,
        *,
        scheduled_for: Optional[When] = None,
        timezone: Optional[str] = None,
        content: Optional[ContentInput] = None,
        draft: Optional[bool] = None,
    ) -> Post:
        """See :meth:`Posts.update`."""
        call = self._update(post_id, scheduled_for, timezone, content, draft)
        return Post._from_wire(await run(call))

    async def cancel(self, post_id: PostId) -> Post:
        """See :meth:`Posts.cancel`."""
        return Post._from_wire(await run(self._core.posts_cancel(object_id(post_id, "post"))))

    async def wait(
        self,
        post_id: PostId,
        *,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        max_poll_interval: Optional[float] = None,
    ) -> Post:
        """See :meth:`Posts.wait`; cancelling the task stops polling."""
        call = self._core.posts_wait(
            object_id(post_id, "post"),
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        )
        return Post._from_wire(await run(call))

    def watch(
        self,
        post_id: PostId,
        *,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        max_poll_interval: Optional[float] = None,
    ) -> AsyncIterator[Post]:
        """See :meth:`Posts.watch`: ``async for post in client.posts.watch(id): …``."""
        pager = self._core.posts_watch(
            object_id(post_id, "post"),
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        )
        return aiterate(pager, Post)
