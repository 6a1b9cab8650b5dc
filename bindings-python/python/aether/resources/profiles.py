"""``client.profiles``: the connected social accounts posts are published to."""

from __future__ import annotations

from typing import Union

from .._models import Profile, ProfileCapabilities
from .._params import object_id
from ._run import Pages, Pending, Resource, aiterating, awaiting, blocking, iterating

__all__ = ["Profiles", "AsyncProfiles"]


class _Profiles(Resource):
    def _list(self) -> Pages[Profile]:
        """Every profile, newest first, fetched page by page as you iterate."""
        return Pages(self._core.profiles_list(), Profile)

    def _get(self, profile_id: Union[str, Profile]) -> Pending[Profile]:
        """One profile; ``NotFoundError`` for an unknown id."""
        call = self._core.profiles_get(object_id(profile_id, "profile"))
        return Pending(call, Profile._from_wire)

    def _capabilities(self, profile_id: Union[str, Profile]) -> Pending[ProfileCapabilities]:
        """What the account may post now (TikTok's creator info: privacy levels, longest video,
        comment/duet/stitch switches; the daily quota). Also refreshes the client's preflight
        cache: ``posts.create`` and ``media.upload(profile_ids=…)`` read them at most once a
        minute per profile. ``NotFoundError`` for an unknown id."""
        call = self._core.profiles_capabilities(object_id(profile_id, "profile"))
        return Pending(call, ProfileCapabilities._from_wire)

    def _disconnect(self, profile_id: Union[str, Profile]) -> Pending[Profile]:
        """Disconnects the account; returns the profile, now ``disconnected``."""
        call = self._core.profiles_disconnect(object_id(profile_id, "profile"))
        return Pending(call, Profile._from_wire)


class Profiles(_Profiles):
    list = iterating(_Profiles._list)
    get = blocking(_Profiles._get)
    capabilities = blocking(_Profiles._capabilities)
    disconnect = blocking(_Profiles._disconnect)


class AsyncProfiles(_Profiles):
    list = aiterating(_Profiles._list, ": ``async for profile in client.profiles.list(): …``")
    get = awaiting(_Profiles._get)
    capabilities = awaiting(_Profiles._capabilities)
    disconnect = awaiting(_Profiles._disconnect)
