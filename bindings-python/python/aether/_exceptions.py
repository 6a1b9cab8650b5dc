"""The exceptions the SDK raises.

Every error is an :class:`AetherError` carrying the API's stable ``code`` (the same string in
every language, e.g. ``"POST_LIMIT_REACHED"``) plus what the server said about it. Subclasses
group the codes callers usually react to the same way; the extension module picks the class
from the core's error family with an exhaustive match, so every code lands in exactly one.

=======================  ===================================================================
class                    codes
=======================  ===================================================================
AuthenticationError      UNAUTHORIZED
PermissionDeniedError    FORBIDDEN
NotFoundError            NOT_FOUND
BadRequestError          INVALID_REQUEST (and, through InvalidArgumentError, INVALID_ARGUMENT)
InvalidArgumentError     INVALID_ARGUMENT — refused before anything was sent; also a ValueError
ValidationError          the platforms' content, media and schedule rules: CAPTION_TOO_LONG,
                         TITLE_REQUIRED, TITLE_TOO_LONG, TOO_MANY_HASHTAGS, TOO_MANY_MENTIONS,
                         MEDIA_REQUIRED, UNSUPPORTED_MEDIA_TYPE, TOO_MANY_MEDIA, VIDEO_TOO_SHORT,
                         VIDEO_TOO_LONG, FILE_TOO_LARGE, SUBREDDIT_REQUIRED,
                         INVALID_PLATFORM_OPTION, SCHEDULE_IN_PAST, SCHEDULE_TOO_FAR,
                         INVALID_TIMEZONE
RateLimitError           RATE_LIMITED (``retry_after`` says how long to wait)
PostLimitReachedError    POST_LIMIT_REACHED (the daily quota; ``retry_after`` is the reset)
ConflictError            IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_USE, POST_NOT_EDITABLE,
                         POST_NOT_RETRYABLE, PROFILE_DISCONNECTED
UploadError              CHECKSUM_MISMATCH, UPLOAD_INCOMPLETE, UPLOAD_EXPIRED,
                         MEDIA_FETCH_FAILED (``details``: ``url``, ``reason``, ``httpStatus``)
PlatformError            PLATFORM_ERROR
InternalServerError      INTERNAL_ERROR, SERVICE_UNAVAILABLE
APIConnectionError       NETWORK_ERROR, TLS_ERROR (a certificate not trusted or a client
                         certificate missing; the message says what to set), PROXY_ERROR
                         (the proxy unreachable or refusing the credentials)
APITimeoutError          TIMEOUT (a subclass of APIConnectionError)
OperationCancelledError  CANCELLED
LocalIOError             IO_ERROR (a local file or file object could not be read)
APIResponseError         PROTOCOL_ERROR (a response the SDK cannot understand)
OutcomeUnknownError      OUTCOME_UNKNOWN (a write may or may not have been done; repeat it
                         with ``idempotency_key``) — deliberately not an APIConnectionError
AetherError itself       codes this version of the SDK does not know
=======================  ===================================================================

All of them pickle (``multiprocessing`` can send them back from a worker).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

__all__ = [
    "AetherError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "BadRequestError",
    "InvalidArgumentError",
    "ValidationError",
    "RateLimitError",
    "PostLimitReachedError",
    "ConflictError",
    "UploadError",
    "PlatformError",
    "InternalServerError",
    "APIConnectionError",
    "APITimeoutError",
    "OperationCancelledError",
    "LocalIOError",
    "APIResponseError",
    "OutcomeUnknownError",
]


class AetherError(Exception):
    """An error of the Aether SDK or API.

    Attributes:
        code: the stable, machine-readable code, e.g. ``"POST_LIMIT_REACHED"``.
        message: the human-readable explanation.
        status: the HTTP status of the response, when there was one.
        request_id: the server's request id (``req_…``) of the last response, when one
            arrived; quote it to support.
        client_request_id: the id the SDK gave the call (``creq_…``), sent as
            ``X-Client-Request-Id`` on each of its attempts; present even when no response
            arrived.
        idempotency_key: the ``Idempotency-Key`` the call sent (yours, or the one made for a
            create); after :class:`OutcomeUnknownError`, repeat the call with it.
        retry_after: seconds the server asked to wait before retrying, if it said.
        field: where in the request the problem is, e.g. ``"content.text"``.
        platform: the platform whose rule was broken, e.g. ``"tiktok"``.
        details: code-specific data, e.g. ``{"resetAt": …}`` or ``{"missingParts": […]}``.
        retryable: whether the same request, sent again later, can succeed: the transient
            codes (``RATE_LIMITED``, ``SERVICE_UNAVAILABLE``, network failures, …), unless the
            server's ``X-Should-Retry`` said otherwise.
    """

    code: str
    message: str
    status: Optional[int]
    request_id: Optional[str]
    retry_after: Optional[float]
    field: Optional[str]
    platform: Optional[str]
    details: Optional[Any]
    client_request_id: Optional[str]
    idempotency_key: Optional[str]
    retryable: bool

    def __init__(
        self,
        message: str,
        *,
        code: str = "UNKNOWN",
        status: Optional[int] = None,
        request_id: Optional[str] = None,
        retry_after: Optional[float] = None,
        field: Optional[str] = None,
        platform: Optional[str] = None,
        details: Optional[Any] = None,
        client_request_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id
        self.retry_after = retry_after
        self.field = field
        self.platform = platform
        self.details = details
        self.client_request_id = client_request_id
        self.idempotency_key = idempotency_key
        self.retryable = retryable

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        if self.request_id:
            text += f" (request {self.request_id})"
        return text

    def __repr__(self) -> str:
        parts = [f"code={self.code!r}", f"message={self.message!r}"]
        names = ("status", "request_id", "client_request_id", "idempotency_key", "retry_after")
        for name in names + ("field", "platform"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> Tuple[Any, Tuple[str], Dict[str, Any]]:
        # Rebuilt from the message, then every attribute restored (pickle, copy, multiprocessing).
        return (type(self), (self.message,), dict(self.__dict__))


class AuthenticationError(AetherError):
    """``UNAUTHORIZED``: the API key is missing or invalid."""


class PermissionDeniedError(AetherError):
    """``FORBIDDEN``: the key may not touch this resource."""


class NotFoundError(AetherError):
    """``NOT_FOUND``: no such id (``details["resource"]`` names which kind)."""


class BadRequestError(AetherError):
    """``INVALID_REQUEST``: the server could not read the request (``field`` says where)."""


class InvalidArgumentError(BadRequestError, ValueError):
    """``INVALID_ARGUMENT``: an argument was refused before anything was sent."""


class ValidationError(AetherError):
    """A platform's content, media or schedule rule was broken (``CAPTION_TOO_LONG``,
    ``VIDEO_TOO_SHORT``, …); ``platform`` and ``field`` say which and where."""


class RateLimitError(AetherError):
    """``RATE_LIMITED``: too many API calls; wait ``retry_after`` seconds."""


class PostLimitReachedError(AetherError):
    """``POST_LIMIT_REACHED``: the profile's daily publish quota is used; ``retry_after`` is
    the time to the reset."""


class ConflictError(AetherError):
    """A state conflict: an idempotency key reused or in use, a post that can no longer be
    edited, a disconnected profile."""


class UploadError(AetherError):
    """An upload problem: ``CHECKSUM_MISMATCH``, ``UPLOAD_INCOMPLETE``, ``UPLOAD_EXPIRED``, or
    ``MEDIA_FETCH_FAILED`` (the server could not fetch a media URL: ``details["url"]``,
    ``details["reason"]``, ``details.get("httpStatus")``)."""


class PlatformError(AetherError):
    """``PLATFORM_ERROR``: the social platform refused or failed (``details`` carry its code)."""


class InternalServerError(AetherError):
    """``INTERNAL_ERROR`` or ``SERVICE_UNAVAILABLE``: the server failed (retried already)."""


class APIConnectionError(AetherError):
    """``NETWORK_ERROR``: the connection failed or broke before a response arrived; or
    ``TLS_ERROR``: the TLS handshake failed (set ``ca_bundle``, ``client_cert``/``client_key``);
    or ``PROXY_ERROR``: the proxy could not be reached or refused the credentials (set
    ``proxy``, ``HTTPS_PROXY`` or ``NO_PROXY``)."""


class APITimeoutError(APIConnectionError):
    """``TIMEOUT``: a request or operation deadline passed."""


class OperationCancelledError(AetherError):
    """``CANCELLED``: the operation was cancelled."""


class LocalIOError(AetherError):
    """``IO_ERROR``: reading a local file or file object failed (``__cause__`` is the file
    object's own exception, when it raised one)."""


class APIResponseError(AetherError):
    """``PROTOCOL_ERROR``: a response the SDK cannot understand."""


class OutcomeUnknownError(AetherError):
    """``OUTCOME_UNKNOWN``: a create, update or delete ran out of retries on a network error or
    a timeout after the request may have reached the server, so whether it was done is unknown.
    It is not a failure: call again with ``idempotency_key=err.idempotency_key`` and the server
    returns the first result if it was done, or does it once if not. ``details["cause"]`` is
    ``"NETWORK_ERROR"`` or ``"TIMEOUT"``. Not an :class:`APIConnectionError` on purpose: code
    that treats a connection error as "nothing happened" must not swallow this one."""
