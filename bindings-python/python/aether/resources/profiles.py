"""``client.profiles``: the connected social accounts posts are published to."""

from __future__ import annotations

from typing import AsyncIterator, Iterator, Union

from .._aether import Client
from .._models import Profile
from .._params import object_id
from ._run import aiterate, iterate, run, wait

__all__ = ["Profiles", "AsyncProfiles"]


class Profiles:
    def __init__(self, core: Client) -> None:
        self._core = core

    def list(self) -> Iterator[Profile]:
        """Every profile, newest first, fetched page by page as you iterate."""
        return iterate(self._core.profiles_list(), Profile)

    def get(self, profile_id: Union[str, Profile]) -> Profile:
        """One profile; ``NotFoundError`` for an unknown id."""
        return Profile._from_wire(wait(self._core.profiles_get(object_id(profile_id, "profile"))))

    def disconnect(self, profile_id: Union[str, Profile]) -> Profile:
        """Disconnects the account; returns the profile, now ``disconnected``."""
        call = self._core.profiles_disconnect(object_id(profile_id, "profile"))
        return Profile._from_wire(wait(call))


class AsyncProfiles:
    def __init__(self, core: Client) -> None:
        self._core = core

    def list(self) -> AsyncIterator[Profile]:
        """Every profile, newest first, fetched page by page: ``async for p in …``."""
        return aiterate(self._core.profiles_list(), Profile)

    async def get(self, profile_id: Union[str, Profile]) -> Profile:
        """See :meth:`Profiles.get`."""
        call = self._core.profiles_get(object_id(profile_id, "profile"))
        return Profile._from_wire(await run(call))

    async def disconnect(self, profile_id: Union[str, Profile]) -> Profile:
        """See :meth:`Profiles.disconnect`."""
        call = self._core.profiles_disconnect(object_id(profile_id, "profile"))
        return Profile._from_wire(await run(call))
