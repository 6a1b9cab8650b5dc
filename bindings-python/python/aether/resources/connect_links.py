"""``client.connect_links``: the hosted OAuth page that connects an end user's account."""

from __future__ import annotations

from typing import Optional

from .._aether import verify_callback
from .._models import CallbackOutcome, ConnectLink
from .._params import drop_none
from ._run import Pending, Resource, awaiting, blocking

__all__ = ["ConnectLinks", "AsyncConnectLinks"]


class _ConnectLinks(Resource):
    @staticmethod
    def verify_callback(url: str, *, expected_state: str) -> CallbackOutcome:
        """Checks the redirect a connect link sends the user back with. The ``state`` must
        equal ``expected_state`` (compared in constant time) or ``InvalidArgumentError`` is
        raised; a declined authorization raises ``PermissionDeniedError``."""
        profile_id, link_id = verify_callback(url, expected_state)
        return CallbackOutcome(profile_id=profile_id, link_id=link_id)

    def _create(
        self, *, platform: str, redirect_url: str, state: Optional[str] = None
    ) -> Pending[ConnectLink]:
        """Creates a link whose ``url`` is the hosted authorization page to send the user to.
        Pass a random ``state``, keep it in the user's session, and check the redirect with
        :meth:`verify_callback`."""
        body = drop_none({"platform": platform, "redirectUrl": redirect_url, "state": state})
        return Pending(self._core.connect_links_create(body), ConnectLink._from_wire)

    def _get(self, link_id: str) -> Pending[ConnectLink]:
        """The link, with ``status`` and, once completed, ``profile_id``."""
        return Pending(self._core.connect_links_get(link_id), ConnectLink._from_wire)


class ConnectLinks(_ConnectLinks):
    create = blocking(_ConnectLinks._create)
    get = blocking(_ConnectLinks._get)


class AsyncConnectLinks(_ConnectLinks):
    create = awaiting(_ConnectLinks._create)
    get = awaiting(_ConnectLinks._get)
