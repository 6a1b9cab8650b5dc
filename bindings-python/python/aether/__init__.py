"""The Aether SDK for Python: publish to Instagram, TikTok, LinkedIn, Facebook, YouTube,
Threads and Reddit through one API.

>>> from aether import Aether
>>> client = Aether()                     # AETHER_API_KEY from the environment
>>> media = client.media.upload("video.mp4", mime_type="video/mp4")
>>> post = client.posts.create(profile_id="tiktok_…", content={"text": "Hello"},
...                            media_keys=[media.media_key], platforms={"tiktok": {}})
>>> client.posts.wait(post.id).status
'published'

The work is done by the SDK's Rust core (retries with idempotency keys, chunked parallel
uploads, status polling); this package is its Python face. ``aether.testing`` runs a local
emulator of the API for your tests.
"""

from ._aether import __version__
from ._client import (
    DEFAULT_ATTEMPT_TIMEOUT,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Aether,
    AsyncAether,
)
from ._exceptions import (
    AetherError,
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidArgumentError,
    LocalIOError,
    NotFoundError,
    OperationCancelledError,
    OutcomeUnknownError,
    PermissionDeniedError,
    PlatformError,
    PostLimitReachedError,
    RateLimitError,
    UploadError,
    ValidationError,
)
from ._models import (
    TERMINAL_POST_STATUSES,
    BulkResult,
    BulkRowError,
    BulkRowResult,
    CallbackOutcome,
    Comment,
    ConnectLink,
    InboxAuthor,
    Media,
    Message,
    Post,
    PostContent,
    PostMedia,
    PostWarning,
    Profile,
    ProfileCapabilities,
    ResultError,
    TargetResult,
    UploadProgress,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from .resources.posts import BulkRow
from ._warnings import AetherWarning
from ._raw import Headers, RawResponse
from ._observe import TRACE, AttemptEvent, Hook
from .resources.webhooks import SIGNATURE_HEADER

__all__ = [
    "AttemptEvent",
    "Headers",
    "Hook",
    "RawResponse",
    "TRACE",
    "__version__",
    "BulkRow",
    "Aether",
    "AsyncAether",
    "DEFAULT_ATTEMPT_TIMEOUT",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "SIGNATURE_HEADER",
    "TERMINAL_POST_STATUSES",
    # results
    "BulkResult",
    "BulkRowError",
    "BulkRowResult",
    "CallbackOutcome",
    "ConnectLink",
    "Media",
    "Post",
    "PostContent",
    "PostMedia",
    "PostWarning",
    "Profile",
    "ProfileCapabilities",
    "ResultError",
    "TargetResult",
    "UploadProgress",
    "Webhook",
    "WebhookEvent",
    "WebhookDelivery",
    "InboxAuthor",
    "Comment",
    "Message",
    # errors
    "AetherError",
    "AetherWarning",
    "APIConnectionError",
    "APIResponseError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "InvalidArgumentError",
    "LocalIOError",
    "NotFoundError",
    "OperationCancelledError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "PlatformError",
    "PostLimitReachedError",
    "RateLimitError",
    "UploadError",
    "ValidationError",
]
