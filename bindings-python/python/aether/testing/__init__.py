"""Testing against a local emulator of the Aether API, linked into this package.

>>> from aether.testing import MockServer
>>> with MockServer(processing_ms=50) as mock:
...     client = mock.client()
...     profile = mock.create_profile("tiktok")
...     post = client.posts.create(profile_id=profile.id, content={"text": "hi"})

The emulator serves every endpoint with the real service's rules and error codes, keeps state
in memory and media in a temp dir, runs publishing and quotas on a virtual clock you move
with :meth:`MockServer.advance_clock`, and injects faults on request. It runs on the SDK's
own threads inside this process; nothing else needs installing. A pytest plugin provides it
as fixtures (``aether_mock``, ``aether_client``, ``aether_async_client``): it is registered
automatically when this package is installed, or add
``pytest_plugins = ["aether.testing.pytest_plugin"]`` to your ``conftest.py``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import urllib.error
import urllib.request
from typing import Any, Dict, List, Mapping, Optional, Union

from .. import _aether
from .._client import Aether, AsyncAether
from .._models import ConnectLink, Post, Profile, _camel

__all__ = ["MockServer", "ApprovedLink", "DEFAULT_API_KEY"]

#: The API key the emulator accepts unless told otherwise.
DEFAULT_API_KEY = "sk_test_aether_mock"


@dataclasses.dataclass(frozen=True)
class ApprovedLink:
    """What approving (or denying) a connect link did."""

    link: ConnectLink
    profile: Optional[Profile]
    """The connected profile (``None`` when denied)."""
    redirect: str
    """Where the end user's browser is sent (check it with ``connect_links.verify_callback``)."""


class MockServer:
    """A running emulator on ``127.0.0.1`` (a free port). Use it as a context manager, or call
    :meth:`close`.

    ``processing_ms`` is how long publishing takes on the virtual clock (default 1500);
    ``settings`` sets any other knob of ``PATCH /_mock/settings`` (snake_case or camelCase:
    ``rate_limit``, ``max_upload_size``, ``poll_hint_secs``, …).
    """

    def __init__(
        self,
        *,
        processing_ms: Optional[int] = None,
        settings: Optional[Mapping[str, Any]] = None,
        api_key: Optional[str] = None,
        admin_token: Optional[str] = None,
        data_dir: Union[str, "os.PathLike[str]", None] = None,
    ) -> None:
        knobs = {_camel(key): value for key, value in (settings or {}).items()}
        if processing_ms is not None:
            knobs["processingMs"] = processing_ms
        self._server = _aether.MockServer(
            api_key=api_key,
            admin_token=admin_token,
            settings=knobs or None,
            data_dir=os.fspath(data_dir) if data_dir is not None else None,
        )

    # --- connection details ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234``."""
        return self._server.url

    @property
    def api_key(self) -> str:
        """The API key the emulator accepts."""
        return self._server.api_key

    @property
    def admin_token(self) -> str:
        """The bearer token of the ``/_mock/`` admin API."""
        return self._server.admin_token

    def client(self, **options: Any) -> Aether:
        """An :class:`~aether.Aether` client of this emulator (options as for ``Aether``)."""
        return Aether(api_key=self.api_key, base_url=self.url, **options)

    def async_client(self, **options: Any) -> AsyncAether:
        """An :class:`~aether.AsyncAether` client of this emulator."""
        return AsyncAether(api_key=self.api_key, base_url=self.url, **options)

    def close(self) -> None:
        """Stops the emulator and removes its temp dir; closing twice is harmless."""
        self._server.close()

    def __enter__(self) -> "MockServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MockServer(url={self.url!r})"

    # --- admin API --------------------------------------------------------------------------

    def admin(self, method: str, path: str, body: Optional[Any] = None) -> Any:
        """Calls the admin API (``path`` under ``/_mock/``) and returns its JSON answer (None
        for an empty one). An error answer raises ``RuntimeError`` with its body."""
        data = json.dumps(body if body is not None else {}).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data if method in ("POST", "PATCH", "PUT") else None,
            method=method,
            headers={
                "Authorization": f"Bearer {self.admin_token}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            raise RuntimeError(
                f"{method} {path} answered {error.code}: {error.read().decode(errors='replace')}"
            ) from None
        return json.loads(text) if text else None

    def reset(self, settings: Optional[Mapping[str, Any]] = None) -> None:
        """Forgets everything (posts, profiles, media, faults, the clock's offset)."""
        knobs = {_camel(key): value for key, value in (settings or {}).items()}
        self.admin("POST", "/_mock/reset", {"settings": knobs} if settings else {})

    def settings(self) -> Dict[str, Any]:
        """The emulator's knobs (camelCase)."""
        result: Dict[str, Any] = self.admin("GET", "/_mock/settings")
        return result

    def update_settings(self, **changes: Any) -> Dict[str, Any]:
        """Changes knobs, e.g. ``update_settings(processing_ms=10, rate_limit=5)``."""
        result: Dict[str, Any] = self.admin(
            "PATCH", "/_mock/settings", {_camel(k): v for k, v in changes.items()}
        )
        return result

    def now(self) -> str:
        """The virtual clock (RFC 3339)."""
        return str(self.admin("GET", "/_mock/clock")["now"])

    def advance_clock(self, seconds: float = 0.0, *, ms: Optional[int] = None) -> str:
        """Moves the virtual clock forward (publishing, quotas and expiries follow at once);
        returns the new time."""
        body: Dict[str, Any] = {"ms": ms} if ms is not None else {"seconds": seconds}
        return str(self.admin("POST", "/_mock/clock/advance", body)["now"])

    def create_profile(
        self,
        platform: str = "tiktok",
        *,
        tier: Optional[str] = None,
        username: Optional[str] = None,
    ) -> Profile:
        """Connects a profile without the OAuth dance."""
        body = {"platform": platform, "tier": tier, "username": username}
        created = self.admin(
            "POST", "/_mock/profiles", {k: v for k, v in body.items() if v is not None}
        )
        return Profile.from_dict(created)

    def revoke_profile(self, profile_id: str) -> Profile:
        """Revokes a profile's platform token (its posts then fail ``PROFILE_DISCONNECTED``)."""
        return Profile.from_dict(self.admin("POST", f"/_mock/profiles/{profile_id}/revoke"))

    def approve_connect_link(
        self, link: Union[str, ConnectLink], *, tier: Optional[str] = None
    ) -> ApprovedLink:
        """Completes a connect link as if the end user had authorized it."""
        link_id = link.id if isinstance(link, ConnectLink) else link
        body = {"tier": tier} if tier else {}
        return _approved(self.admin("POST", f"/_mock/connect-links/{link_id}/approve", body))

    def deny_connect_link(self, link: Union[str, ConnectLink]) -> ApprovedLink:
        """Ends a connect link as if the end user had declined."""
        link_id = link.id if isinstance(link, ConnectLink) else link
        return _approved(self.admin("POST", f"/_mock/connect-links/{link_id}/deny"))

    def force_outcome(
        self,
        post: Union[str, Post],
        outcome: str = "failed",
        *,
        code: Optional[str] = None,
        message: Optional[str] = None,
        profile_id: Optional[str] = None,
    ) -> Post:
        """Decides how a post's targets end (``"published"`` or ``"failed"``, with the
        platform's ``code`` and ``message``) before they finish."""
        post_id = post.id if isinstance(post, Post) else post
        body = {"outcome": outcome, "code": code, "message": message, "profileId": profile_id}
        answer = self.admin(
            "POST",
            f"/_mock/posts/{post_id}/outcome",
            {k: v for k, v in body.items() if v is not None},
        )
        return Post.from_dict(answer)

    def add_outcome_rule(
        self,
        outcome: str = "failed",
        *,
        code: Optional[str] = None,
        message: Optional[str] = None,
        profile_id: Optional[str] = None,
        platform: Optional[str] = None,
        times: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Decides how future targets end (the first matching rule wins; ``times`` makes it
        expire)."""
        body = {
            "outcome": outcome,
            "code": code,
            "message": message,
            "profileId": profile_id,
            "platform": platform,
            "times": times,
        }
        rule: Dict[str, Any] = self.admin(
            "POST", "/_mock/outcomes", {k: v for k, v in body.items() if v is not None}
        )
        return rule

    def inject_fault(
        self,
        path: str,
        action: Union[str, Mapping[str, Any]],
        *,
        method: Optional[str] = None,
        times: Optional[int] = None,
        probability: Optional[float] = None,
    ) -> str:
        """Makes matching requests fail; returns the rule's id.

        ``path`` is a pattern (``*`` within a segment, ``**`` across), ``action`` a type
        (``"reset_after_body"``, ``"reset_before_body"``, ``"close_mid_response"``,
        ``"truncated_body"``, ``"malformed_body"``, ``"incomplete_json"``) or a dict such as
        ``{"type": "status", "status": 503, "retryAfter": 1}``, ``{"type": "delay", "ms": 500}``
        or ``{"type": "drop_after_request_bytes", "bytes": 65536}``.
        """
        rule: Dict[str, Any] = {
            "path": path,
            "action": {"type": action} if isinstance(action, str) else dict(action),
        }
        if method is not None:
            rule["method"] = method
        if times is not None:
            rule["times"] = times
        if probability is not None:
            rule["probability"] = probability
        return str(self.admin("POST", "/_mock/faults", rule)["id"])

    def clear_faults(self) -> None:
        """Removes every fault rule."""
        self.admin("DELETE", "/_mock/faults")

    def journal(self) -> List[Dict[str, Any]]:
        """The requests received (method, path, idempotency key, status, what was created)."""
        entries: List[Dict[str, Any]] = self.admin("GET", "/_mock/journal")["data"]
        return entries

    def clear_journal(self) -> None:
        """Empties the journal."""
        self.admin("DELETE", "/_mock/journal")

    def webhook_deliveries(self) -> List[Dict[str, Any]]:
        """Webhook deliveries made or attempted."""
        entries: List[Dict[str, Any]] = self.admin("GET", "/_mock/webhooks/deliveries")["data"]
        return entries


def _approved(answer: Mapping[str, Any]) -> ApprovedLink:
    profile = answer.get("profile")
    return ApprovedLink(
        link=ConnectLink.from_dict(answer["link"]),
        profile=Profile.from_dict(profile) if profile else None,
        redirect=str(answer.get("redirect", "")),
    )
