"""Warnings the API answers on posts, reported the Python way.

A post's ``warnings`` (``HASHTAGS_ABOVE_RECOMMENDED``, ``TIMEZONE_IGNORED``,
``PLATFORM_OPTIONS_UNUSED``, …) never stop it. ``posts.create`` and ``posts.update`` issue each
with :func:`warnings.warn` in the :class:`AetherWarning` category, so the usual tools apply:
``warnings.simplefilter("ignore", aether.AetherWarning)`` silences them, ``"error"`` makes them
raise, ``-W`` on the command line works. The post keeps them in ``post.warnings`` either way.
"""

from __future__ import annotations

import warnings
from typing import Optional

from ._models import Post

__all__ = ["AetherWarning"]


class AetherWarning(UserWarning):
    """Advice from the Aether API about a request that succeeded; ``code`` is the warning's
    stable code and ``post_id``, ``field`` and ``platform`` say where."""

    def __init__(
        self,
        message: str,
        code: str = "",
        post_id: str = "",
        field: Optional[str] = None,
        platform: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.post_id = post_id
        self.field = field
        self.platform = platform


def report(post: Post) -> Post:
    """Issues one :class:`AetherWarning` per warning of ``post`` and returns the post."""
    for warning in post.warnings:
        where = " ".join(x for x in (warning.platform, warning.field) if x)
        text = f"{warning.code}: {warning.message}" + (f" ({where})" if where else "")
        category = AetherWarning(text, warning.code, post.id, warning.field, warning.platform)
        warnings.warn(category, stacklevel=3)
    return post
