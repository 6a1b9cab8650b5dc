"""``client.connect_links``: the hosted OAuth page that connects an end user's account."""

from __future__ import annotations

from typing import Optional

from .._aether import Client, verify_callback
from .._models import CallbackOutcome, ConnectLink
from .._params import drop_none
from ._run import run, wait

__all__ = ["ConnectLinks", "AsyncConnectLinks"]


class _Base:
    def __init__(self, core: Client) -> None:
        self._core = core

    @staticmethod
    def verify_callback(url: str, *, expected_state: str) -> CallbackOutcome:
        """Checks the redirect a connect link sends the user back with. The ``state`` must
        equal ``expected_state`` (compared in constant time) or ``InvalidArgumentError`` is
        raised; a declined authorization raises ``PermissionDeniedError``."""
        profile_id, link_id = verify_callback(url, expected_state)
        return CallbackOutcome(profile_id=profile_id, link_id=link_id)


class ConnectLinks(_Base):
    def create(
        self, *, platform: str, redirect_url: str, state: Optional[str] = None
    ) -> ConnectLink:
        """Creates a link whose ``url`` is the hosted authorization page to send the user to.
        Pass a random ``state``, keep it in the user's session, and check the redirect with
        :meth:`verify_callback`."""
        body = drop_none({"platform": platform, "redirectUrl": redirect_url, "state": state})
        return ConnectLink._from_wire(wait(self._core.connect_links_create(body)))

    def get(self, link_id: str) -> ConnectLink:
        """The link, with ``status`` and, once completed, ``profile_id``."""
        return ConnectLink._from_wire(wait(self._core.connect_links_get(link_id)))


class AsyncConnectLinks(_Base):
    async def create(
        self, *, platform: str, redirect_url: str, state: Optional[str] = None
    ) -> ConnectLink:
        """See :meth:`ConnectLinks.create`."""
        body = drop_none({"platform": platform, "redirectUrl": redirect_url, "state": state})
        return ConnectLink._from_wire(await run(self._core.connect_links_create(body)))

    async def get(self, link_id: str) -> ConnectLink:
        """See :meth:`ConnectLinks.get`."""
        return ConnectLink._from_wire(await run(self._core.connect_links_get(link_id)))
