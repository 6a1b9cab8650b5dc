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
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from .. import _aether
from .._client import Aether, AsyncAether
from .._models import Comment, ConnectLink, Message, Post, Profile, ProfileCapabilities, _camel

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

    ``tls=True`` serves HTTPS with a CA and certificates made at start: :attr:`ca_file` is the
    CA to trust (``ca_bundle=``; :meth:`client` does), :attr:`client_cert_file` and
    :attr:`client_key_file` a client certificate signed by it; ``tls_client_auth=True``
    requires such a certificate (mutual TLS).
    """

    def __init__(
        self,
        *,
        processing_ms: Optional[int] = None,
        settings: Optional[Mapping[str, Any]] = None,
        api_key: Optional[str] = None,
        admin_token: Optional[str] = None,
        data_dir: Union[str, "os.PathLike[str]", None] = None,
        tls: bool = False,
        tls_client_auth: bool = False,
    ) -> None:
        knobs = _knobs(settings or {})
        if processing_ms is not None:
            knobs["processingMs"] = processing_ms
        self._server = _aether.MockServer(
            api_key=api_key,
            admin_token=admin_token,
            settings=knobs or None,
            data_dir=os.fspath(data_dir) if data_dir is not None else None,
            tls=tls,
            tls_client_auth=tls_client_auth,
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

    @property
    def ca_file(self) -> Optional[str]:
        """Over HTTPS: the generated CA's PEM file; else ``None``."""
        return self._server.ca_file

    @property
    def client_cert_file(self) -> Optional[str]:
        """Over HTTPS: a client certificate (PEM) signed by that CA; else ``None``."""
        return self._server.client_cert_file

    @property
    def client_key_file(self) -> Optional[str]:
        """Over HTTPS: its private key (PEM); else ``None``."""
        return self._server.client_key_file

    def _trust(self, options: Dict[str, Any]) -> Dict[str, Any]:
        if self.ca_file is not None:
            options.setdefault("ca_bundle", self.ca_file)
        return options

    def client(self, **options: Any) -> Aether:
        """An :class:`~aether.Aether` client of this emulator (options as for ``Aether``;
        over HTTPS it trusts the emulator's CA)."""
        return Aether(api_key=self.api_key, base_url=self.url, **self._trust(options))

    def async_client(self, **options: Any) -> AsyncAether:
        """An :class:`~aether.AsyncAether` client of this emulator."""
        return AsyncAether(api_key=self.api_key, base_url=self.url, **self._trust(options))

    def close(self) -> None:
        """Stops the emulator and removes its temp dir; closing twice is harmless."""
        self._server.close()

    def __enter__(self) -> "MockServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MockServer(url={self.url!r})"

    # --- admin API (the extension's typed client of ``/_mock/``, on the SDK's transport) ------
    # Every call blocks with the GIL released; a refusal raises the SDK's error for its code
    # (``InvalidRequestError``, ``NotFoundError``, …).

    def reset(self, settings: Optional[Mapping[str, Any]] = None) -> None:
        """Forgets everything (posts, profiles, media, faults, the clock's offset); the
        settings become ``settings`` (snake_case or camelCase), the others their defaults."""
        knobs = _knobs(settings) if settings else None
        self._server.reset(knobs).wait()

    def settings(self) -> Dict[str, Any]:
        """The emulator's knobs (camelCase)."""
        result: Dict[str, Any] = self._server.settings().wait()
        return result

    def update_settings(self, **changes: Any) -> Dict[str, Any]:
        """Changes knobs, e.g. ``update_settings(processing_ms=10, rate_limit=5)``; returns
        all of them."""
        result: Dict[str, Any] = self._server.update_settings(_knobs(changes)).wait()
        return result

    def clock(self) -> str:
        """The virtual clock (RFC 3339)."""
        return str(self._server.clock().wait()["now"])

    def advance_clock(self, seconds: float = 0.0, *, ms: Optional[int] = None) -> str:
        """Moves the virtual clock forward (publishing, quotas and expiries follow at once);
        returns the new time."""
        if ms is not None:
            moved = self._server.advance_clock(ms=ms).wait()
        else:
            moved = self._server.advance_clock(seconds=float(seconds)).wait()
        return str(moved["now"])

    def create_profile(
        self,
        platform: str = "tiktok",
        *,
        tier: Optional[str] = None,
        username: Optional[str] = None,
        id: Optional[str] = None,
    ) -> Profile:
        """Connects a profile without the OAuth dance (``id`` picks its id)."""
        body = _present(platform=platform, tier=tier, username=username, id=id)
        return Profile.from_dict(self._server.create_profile(body).wait())

    def revoke_profile(self, profile_id: str) -> Profile:
        """Revokes a profile's platform token (its posts then fail ``PROFILE_DISCONNECTED``)."""
        return Profile.from_dict(self._server.revoke_profile(profile_id).wait())

    def set_capabilities(
        self,
        profile_id: str,
        *,
        max_video_duration_sec: Optional[int] = None,
        privacy_level_options: Optional[Sequence[str]] = None,
        comment_disabled: Optional[bool] = None,
        duet_disabled: Optional[bool] = None,
        stitch_disabled: Optional[bool] = None,
        can_post: Optional[bool] = None,
    ) -> ProfileCapabilities:
        """Sets what the account may post (TikTok's creator info); the fields given replace the
        account's, the rest keep theirs. Returns its capabilities now."""
        body = _present(
            maxVideoDurationSec=max_video_duration_sec,
            privacyLevelOptions=(
                list(privacy_level_options) if privacy_level_options is not None else None
            ),
            commentDisabled=comment_disabled,
            duetDisabled=duet_disabled,
            stitchDisabled=stitch_disabled,
            canPost=can_post,
        )
        answer = self._server.set_capabilities(profile_id, body).wait()
        return ProfileCapabilities.from_dict(answer)

    def approve_connect_link(
        self, link: Union[str, ConnectLink], *, tier: Optional[str] = None
    ) -> ApprovedLink:
        """Completes a connect link as if the end user had authorized it."""
        link_id = link.id if isinstance(link, ConnectLink) else link
        return _approved(self._server.approve_connect_link(link_id, tier or None).wait())

    def deny_connect_link(self, link: Union[str, ConnectLink]) -> ApprovedLink:
        """Ends a connect link as if the end user had declined."""
        link_id = link.id if isinstance(link, ConnectLink) else link
        return _approved(self._server.deny_connect_link(link_id).wait())

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
        body = _present(outcome=outcome, code=code, message=message, profileId=profile_id)
        return Post.from_dict(self._server.force_outcome(post_id, body).wait())

    def add_outcome_rule(
        self,
        outcome: Optional[str] = None,
        *,
        code: Optional[str] = None,
        message: Optional[str] = None,
        transient_failures: Optional[int] = None,
        profile_id: Optional[str] = None,
        platform: Optional[str] = None,
        times: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Decides how future targets end (the first matching rule wins; ``times`` makes it
        expire); returns the rule with its ``id``.

        ``transient_failures=2`` makes a target's first 2 publish attempts fail transiently
        (the server retries them), after which it ends as ``outcome``, or publishes when no
        ``outcome`` is given. Without ``transient_failures``, ``outcome`` defaults to
        ``"failed"``."""
        if outcome is None and transient_failures is None:
            outcome = "failed"
        body = _present(
            outcome=outcome,
            code=code,
            transientFailures=transient_failures,
            message=message,
            profileId=profile_id,
            platform=platform,
            times=times,
        )
        rule: Dict[str, Any] = self._server.add_outcome_rule(body).wait()
        return rule

    def outcome_rules(self) -> List[Dict[str, Any]]:
        """The outcome rules in force, first match first."""
        rules: List[Dict[str, Any]] = self._server.outcome_rules().wait()
        return rules

    def clear_outcome_rules(self) -> None:
        """Removes every outcome rule."""
        self._server.clear_outcome_rules().wait()

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
        ``"truncated_body"``, ``"malformed_body"``, ``"incomplete_json"``,
        ``"invalid_utf8"``) or a dict such as
        ``{"type": "status", "status": 503, "retryAfter": 1}`` (also ``"retryAfterMs": 50``,
        sent as ``Retry-After-Ms``, and ``"shouldRetry": False``, sent as ``X-Should-Retry``),
        ``{"type": "delay", "ms": 500}``
        or ``{"type": "drop_after_request_bytes", "bytes": 65536}``; slow networks:
        ``{"type": "stall_mid_response", "afterBytes": 5, "ms": 5000}``,
        ``{"type": "stall_request_body", "afterBytes": 1024, "ms": 5000}`` and
        ``{"type": "close_idle", "ms": 0}`` (the kept-alive connection then counts as closed
        by the server: the next request on it is dropped unanswered).
        """
        rule = _present(
            path=path,
            action={"type": action} if isinstance(action, str) else dict(action),
            method=method,
            times=times,
            probability=probability,
        )
        return str(self._server.inject_fault(rule).wait()["id"])

    def faults(self) -> List[Dict[str, Any]]:
        """The fault rules in force, first match first."""
        rules: List[Dict[str, Any]] = self._server.faults().wait()
        return rules

    def delete_fault(self, fault_id: str) -> None:
        """Removes one fault rule."""
        self._server.delete_fault(fault_id).wait()

    def clear_faults(self) -> None:
        """Removes every fault rule."""
        self._server.clear_faults().wait()

    def put_file(
        self,
        name: str,
        data: bytes,
        *,
        content_type: Optional[str] = None,
        free_box: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Serves ``data`` from the emulator's loopback file server, for media by URL: returns
        ``{name, url, size, contentType, requests, rangeRequests, bytesServed}``. The ``url``
        answers range requests; query options make it misbehave (``?status=404``,
        ``?stallMs=5000``, ``?redirects=2``, ``?redirectLoop=true``, ``?contentType=text/html``,
        ``?declaredSize=N``, ``?ignoreRange=true``). ``free_box`` pads an MP4 with that many
        bytes after its first box."""
        result: Dict[str, Any] = self._server.put_file(
            name, bytes(data), content_type, free_box
        ).wait()
        return result

    def file_stats(self, name: str) -> Dict[str, Any]:
        """The file's URL and how it was fetched: ``requests``, ``rangeRequests``,
        ``bytesServed``."""
        result: Dict[str, Any] = self._server.file_stats(name).wait()
        return result

    def journal(self) -> List[Dict[str, Any]]:
        """The requests received (method, path, idempotency key, status, what was created)."""
        entries: List[Dict[str, Any]] = self._server.journal().wait()
        return entries

    def clear_journal(self) -> None:
        """Empties the journal."""
        self._server.clear_journal().wait()

    def start_chaos(
        self,
        seed: int,
        rate: float,
        *,
        kinds: Optional[Sequence[str]] = None,
        max_per_call: Optional[int] = None,
        stall_ms: Optional[int] = None,
        delay_ms: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Turns chaos mode on: random faults, drawn from ``seed``, on the share ``rate``
        (0–1) of the API requests (``/v1/…``; never the admin API). Returns the settings in
        force (camelCase).

        The faults are ones a correct client survives within its retry policy: ``kinds``
        picks among ``"reset_before_body"``, ``"reset_after_body"``, ``"unavailable"``,
        ``"unavailable_retry_after"``, ``"close_mid_response"``, ``"truncated_body"``,
        ``"stall"`` and ``"delay"`` (all of them when ``None``); no call suffers more than
        ``max_per_call`` (default 2, explicit fault rules included) and no attempt from that
        retry on is faulted; a stall lasts ``stall_ms`` (300) and a delay ``delay_ms`` (150).
        The same seed faults the same requests of a sequential client again. A rate outside
        0–1 or an unknown kind raises :class:`~aether.InvalidArgumentError` naming it, before
        anything is sent. See :meth:`chaos_report` for what the client's retries did.
        """
        config = _present(
            seed=seed,
            rate=rate,
            # One kind may be given alone (a str is a sequence of letters, not of kinds).
            kinds=[kinds] if isinstance(kinds, str) else None if kinds is None else list(kinds),
            maxPerCall=max_per_call,
            stallMs=stall_ms,
            delayMs=delay_ms,
        )
        result: Dict[str, Any] = self._server.start_chaos(config).wait()
        return result

    def stop_chaos(self) -> None:
        """Turns chaos mode off (the report still reads the journal)."""
        self._server.stop_chaos().wait()

    def chaos_report(self) -> Dict[str, Any]:
        """Whether the client kept its promises through chaos mode's faults: ``ok``, with
        ``duplicates`` (a call, or an idempotency key, that created more than one resource),
        ``orphans`` (upload sessions left open and untouched), and the faults injected
        (``faults``: ``seq``, ``method``, ``path``, ``fault``, ``clientRequestId``; ``faulted``
        of ``requests``); ``config`` is the settings in force (``None`` when off)."""
        report: Dict[str, Any] = self._server.chaos_report().wait()
        return report

    def webhook_deliveries(self, webhook_id: Optional[str] = None) -> List[Dict[str, Any]]:
        """Webhook deliveries made or attempted (optionally for one webhook), oldest first."""
        entries: List[Dict[str, Any]] = self._server.webhook_deliveries(webhook_id).wait()
        return entries

    def simulate_comment(
        self,
        profile_id: str,
        text: str,
        *,
        post_id: Optional[str] = None,
        platform_post_id: Optional[str] = None,
        author: Optional[Mapping[str, str]] = None,
        created_at: Optional[str] = None,
    ) -> Comment:
        """Someone commented on the profile's post: raises ``comment.created``. ``author`` is
        ``{"id": …, "username": …}`` (either may be left out)."""
        body = _present(
            text=text,
            postId=post_id,
            platformPostId=platform_post_id,
            author=dict(author) if author is not None else None,
            createdAt=created_at,
        )
        return Comment.from_dict(self._server.simulate_comment(profile_id, body).wait())

    def simulate_message(
        self,
        profile_id: str,
        text: str,
        *,
        conversation_id: Optional[str] = None,
        direction: Optional[str] = None,
        author: Optional[Mapping[str, str]] = None,
        created_at: Optional[str] = None,
    ) -> Message:
        """A direct message arrived (``direction="inbound"``, the default) or was sent
        (``"outbound"``): raises ``message.created``."""
        body = _present(
            text=text,
            conversationId=conversation_id,
            direction=direction,
            author=dict(author) if author is not None else None,
            createdAt=created_at,
        )
        return Message.from_dict(self._server.simulate_message(profile_id, body).wait())

    def update_message(
        self, message_id: str, *, read_at: Optional[str] = None, text: Optional[str] = None
    ) -> Message:
        """Changes a simulated message (``read_at``: RFC 3339, when it was read): raises
        ``message.updated``."""
        body = _present(readAt=read_at, text=text)
        return Message.from_dict(self._server.update_message(message_id, body).wait())


def _knobs(settings: Mapping[str, Any]) -> Dict[str, Any]:
    return {_camel(key): value for key, value in settings.items()}


def _present(**fields: Any) -> Dict[str, Any]:
    """The fields that were given (``None`` means the emulator's default)."""
    return {key: value for key, value in fields.items() if value is not None}


def _approved(answer: Mapping[str, Any]) -> ApprovedLink:
    profile = answer.get("profile")
    return ApprovedLink(
        link=ConnectLink.from_dict(answer["link"]),
        profile=Profile.from_dict(profile) if profile else None,
        redirect=str(answer.get("redirect", "")),
    )
