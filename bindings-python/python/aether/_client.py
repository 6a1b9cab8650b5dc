"""The clients: :class:`Aether` (blocking) and :class:`AsyncAether` (asyncio)."""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Mapping, Optional, Tuple, TypeVar, Union

from . import _aether
from ._raw import RawResponses
from ._observe import Hook, _hook, _log
from ._params import out_of_range
from .resources import (
    AsyncConnectLinks,
    AsyncMediaResource,
    AsyncPosts,
    AsyncProfiles,
    AsyncWebhooks,
    ConnectLinks,
    MediaResource,
    Posts,
    Profiles,
    Webhooks,
)

__all__ = [
    "Aether",
    "AsyncAether",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_ATTEMPT_TIMEOUT",
]

# The core's defaults, read from it (never copied here): what an option left as ``None`` gets.
_CLIENT_DEFAULTS = _aether.defaults()["client"]
#: Default bound on each whole call (retries and waits included), in seconds.
DEFAULT_TIMEOUT: float = _CLIENT_DEFAULTS["timeoutMs"] / 1000
#: Default retries after a call's first attempt (3 attempts in all).
DEFAULT_MAX_RETRIES: int = _CLIENT_DEFAULTS["maxRetries"]
#: Default bound on each connect, in seconds.
DEFAULT_CONNECT_TIMEOUT: float = _CLIENT_DEFAULTS["connectTimeoutMs"] / 1000
#: Default bound on each attempt of a call (one that passes it is retried), in seconds.
DEFAULT_ATTEMPT_TIMEOUT: float = _CLIENT_DEFAULTS["attemptTimeoutMs"] / 1000


def _user_agent_suffix() -> str:
    # sys.implementation, not the platform module: the same name, without 7 ms of import.
    implementation = sys.implementation.name
    return f"{implementation}/{sys.version_info[0]}.{sys.version_info[1]}"


def _path(path: "Optional[Union[str, os.PathLike[str]]]") -> Optional[str]:
    return None if path is None else os.fspath(path)


C = TypeVar("C", bound="_ClientBase")


class _ClientBase:
    _core: _aether.Client

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        connect_timeout: Optional[float] = None,
        retry_backoff: Optional[Tuple[float, float]] = None,
        ca_bundle: "Optional[Union[str, os.PathLike[str]]]" = None,
        client_cert: "Optional[Union[str, os.PathLike[str]]]" = None,
        client_key: "Optional[Union[str, os.PathLike[str]]]" = None,
        attempt_timeout: Optional[float] = None,
        log_level: Optional[str] = None,
        on_request: Optional[Hook] = None,
        on_response: Optional[Hook] = None,
        on_retry: Optional[Hook] = None,
        proxy: Optional[str] = None,
    ) -> None:
        if isinstance(max_retries, int) and not -(2**63) <= max_retries < 2**63:
            # Beyond what the native layer holds (its OverflowError names no argument).
            raise out_of_range(OverflowError("too large a count"), {"max_retries": max_retries})
        self._core = _aether.Client(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            connect_timeout=connect_timeout,
            user_agent_suffix=_user_agent_suffix(),
            retry_backoff=retry_backoff,
            ca_bundle=_path(ca_bundle),
            client_cert=_path(client_cert),
            client_key=_path(client_key),
            attempt_timeout=attempt_timeout,
            log_level=log_level,
            log=_log,
            on_request=_hook("on_request", on_request),
            on_response=_hook("on_response", on_response),
            on_retry=_hook("on_retry", on_retry),
            proxy=proxy,
        )
        self._attach()

    def _attach(self) -> None:
        raise NotImplementedError

    def with_options(
        self: C,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        attempt_timeout: Optional[float] = None,
        extra_headers: Optional[Mapping[str, Union[str, int, float, bool]]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        traceparent: Optional[str] = None,
        connect_timeout: Optional[float] = None,
    ) -> C:
        """The same client (sharing connections and the retry budget) with other per-call
        options, e.g. ``client.with_options(timeout=5).posts.get(id)``. ``attempt_timeout``
        bounds each attempt (an attempt that passes it is retried within ``timeout``).
        ``connect_timeout`` bounds each connect of these calls (seconds; default: the
        client's); a value other than the client's uses a connection pool of its own.
        ``extra_headers`` and ``extra_query`` are added to every request of its calls
        (``client.with_options(extra_headers={"X-Trace": "a"}).posts.get(id)``); headers the
        client owns (``Authorization``, ``Idempotency-Key``, ``X-Client-Request-Id``,
        ``Content-Type``…) raise ``InvalidArgumentError``.
        ``traceparent`` is a W3C trace context (``00-<32 hex>-<16 hex>-<2 hex>``) sent with
        every attempt of each call; without it, the current OpenTelemetry span's is sent when
        the ``opentelemetry`` package is installed."""
        if isinstance(max_retries, int) and not -(2**63) <= max_retries < 2**63:
            raise out_of_range(OverflowError("too large a count"), {"max_retries": max_retries})
        copy = object.__new__(type(self))
        copy._core = self._core.with_options(
            timeout=timeout,
            max_retries=max_retries,
            attempt_timeout=attempt_timeout,
            extra_headers=None if extra_headers is None else dict(extra_headers),
            extra_query=None if extra_query is None else dict(extra_query),
            traceparent=traceparent,
            connect_timeout=connect_timeout,
        )
        copy._attach()
        return copy

    @property
    def with_raw_response(self) -> RawResponses:
        """``client.with_raw_response.request(…)``: the :class:`aether.RawResponse` of a
        :meth:`request` (status, headers, request id, ``.parse()``)."""
        return RawResponses(self)

    def _request_call(
        self,
        method: str,
        path: str,
        body: Any,
        query: Optional[Mapping[str, Any]],
        idempotency_key: Optional[str],
    ) -> _aether.Call:
        return self._core.request(
            method,
            path,
            body=body,
            query=None if query is None else dict(query),
            idempotency_key=idempotency_key,
        )

    @property
    def base_url(self) -> str:
        """The base URL every request goes to."""
        return self._core.base_url

    def effective_options(self) -> Dict[str, Any]:
        """The settings this client runs with, in the core's names (durations in
        milliseconds): what was given, else the environment, else the core's defaults. Never
        the API key."""
        return self._core.effective_options()

    def __repr__(self) -> str:
        # Never the API key.
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class Aether(_ClientBase):
    """A client of the Aether API whose calls block (with the GIL released, so other threads
    run; Ctrl-C interrupts them).

    ``api_key`` defaults to the ``AETHER_API_KEY`` environment variable and ``base_url`` to
    ``AETHER_BASE_URL``, else ``https://api.aetherhq.dev``. ``timeout`` bounds each whole call
    in seconds, retries included (default 60); ``max_retries`` is how often a failed call is
    retried (default 2; network failures, 5xx, 429 — creates safely, under an idempotency
    key), waiting ``retry_backoff = (first, longest)`` seconds of jittered backoff (default
    (0.5, 8)). ``ca_bundle`` is a PEM file of CA certificates trusted besides the system's
    (else ``AETHER_CA_BUNDLE``; e.g. a TLS-inspecting proxy's CA); ``client_cert`` and
    ``client_key`` are PEM files presented for mutual TLS (else ``AETHER_CLIENT_CERT`` /
    ``AETHER_CLIENT_KEY``). A failed handshake raises ``APIConnectionError`` with code
    ``TLS_ERROR``, whose message says what to set.
    ``log_level`` (``"error"``, ``"warn"``, ``"info"``, ``"debug"``, ``"trace"`` or ``"off"``;
    else ``AETHER_LOG``) sends lines to the :mod:`logging` logger ``aether``;
    ``on_request``, ``on_response`` and ``on_retry`` are called with an
    :class:`~aether.AttemptEvent` for each attempt (see ``aether._observe``: they run on the
    SDK's threads, and one that raises is logged at ``warn``, never breaking the call).
    ``proxy`` is the forward proxy every
    request goes through, ``"http://user:password@host:port"`` (hosts in ``NO_PROXY`` still
    go direct; ``""``: no proxy, whatever the environment says); left ``None``,
    ``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` decide. A proxy that cannot
    be reached or refuses the credentials raises ``APIConnectionError`` with code
    ``PROXY_ERROR``; the password is never shown.
    An option left as ``None`` gets the core's default
    (:meth:`effective_options` shows them).

    One client can be shared by any number of threads, and keeps working in a child after
    ``os.fork()``. Raises ``InvalidArgumentError`` when no API key can be found.
    """

    connect_links: ConnectLinks
    profiles: Profiles
    media: MediaResource
    posts: Posts
    webhooks: Webhooks

    def _attach(self) -> None:
        self.connect_links = ConnectLinks(self._core)
        self.profiles = Profiles(self._core)
        self.media = MediaResource(self._core)
        self.posts = Posts(self._core)
        self.webhooks = Webhooks(self._core)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: Optional[Mapping[str, Any]] = None,
        idempotency_key: Optional[str] = None,
    ) -> Any:
        """Any endpoint, including one this SDK does not wrap: ``method`` (GET, POST, PUT,
        PATCH, DELETE) of ``path`` (under the base URL, starting with ``/``, e.g.
        ``/v1/platforms``; a full URL raises ``InvalidArgumentError``: the key is only sent to
        the base URL), with a JSON ``body`` and ``query`` parameters (a list value repeats the
        name). Returns the response's JSON (``None`` when empty; the text when it is not
        JSON). Goes through the same transport as every method: authentication, retries, an
        idempotency key on a POST (give ``idempotency_key`` to reuse one), timeouts and
        ``with_options``; errors raise the same exceptions."""
        return self._request_call(method, path, body, query, idempotency_key).wait()

    def close(self) -> None:
        """Closes the client's kept-alive connections (shared with the clients
        ``with_options`` made) and waits until they are closed, at most a second; leaving a
        ``with`` block calls it. The client stays usable: its next call opens a new
        connection. Without it, connections close when the client is collected."""
        self._core.close_connections().wait()

    def __enter__(self) -> "Aether":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncAether(_ClientBase):
    """The same API as :class:`Aether`, with coroutines: ``await client.posts.create(…)``,
    ``async for post in client.posts.watch(id)``. Works under any running asyncio loop (the
    work runs on the SDK's own threads and the results come back through the loop), and one
    client can serve any number of concurrent tasks. Cancelling a task cancels its call (an
    upload aborts its session on the server).
    """

    connect_links: AsyncConnectLinks
    profiles: AsyncProfiles
    media: AsyncMediaResource
    posts: AsyncPosts
    webhooks: AsyncWebhooks

    def _attach(self) -> None:
        self.connect_links = AsyncConnectLinks(self._core)
        self.profiles = AsyncProfiles(self._core)
        self.media = AsyncMediaResource(self._core)
        self.posts = AsyncPosts(self._core)
        self.webhooks = AsyncWebhooks(self._core)

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: Optional[Mapping[str, Any]] = None,
        idempotency_key: Optional[str] = None,
    ) -> Any:
        """See :meth:`Aether.request`."""
        import asyncio

        call = self._request_call(method, path, body, query, idempotency_key)
        return await call.start(asyncio.get_running_loop())

    async def close(self) -> None:
        """See :meth:`Aether.close`; leaving an ``async with`` block calls it."""
        import asyncio

        await self._core.close_connections().start(asyncio.get_running_loop())

    async def __aenter__(self) -> "AsyncAether":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
