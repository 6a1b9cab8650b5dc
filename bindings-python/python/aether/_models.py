"""The typed results of the API: read-only classes with snake_case attributes.

Each is built from the wire form the server sent (camelCase JSON) and gives it back with
:meth:`to_dict`, unknown fields included. Status and enum fields are plain strings, so a value
a newer server sends never breaks an older client. Timestamps are RFC 3339 strings exactly as
the server sent them (``"2026-06-13T09:30:00Z"``). No ``repr`` shows a secret.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any, Callable, ClassVar, Dict, List, Mapping, Optional, Tuple, Type, TypeVar

__all__ = [
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
    "TERMINAL_POST_STATUSES",
]

#: The statuses a post never leaves.
TERMINAL_POST_STATUSES = frozenset({"published", "partially_published", "failed", "cancelled"})

M = TypeVar("M", bound="_Model")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclasses.dataclass(frozen=True)
class _Model:
    """Base of the result classes: construction from and conversion to the wire form."""

    #: Fields holding nested models: name -> class (lists of them are handled too).
    _nested: ClassVar[Dict[str, Type["_Model"]]] = {}
    #: The wire form the object was built from (kept for the fields this SDK does not know).
    _raw: ClassVar[Dict[str, Any]] = {}

    @classmethod
    def from_dict(cls: Type[M], data: Mapping[str, Any]) -> M:
        """Builds the object from its wire form (camelCase keys, as the API sends it)."""
        # One copy of the whole wire form (the object must not share the caller's dicts); the
        # nested objects are built from parts of that copy, so nothing is copied twice.
        return cls._from_wire(_copy_json(data))

    @classmethod
    def _from_wire(cls: Type[M], data: Dict[str, Any]) -> M:
        """``from_dict`` for a wire form this object may keep as it is (not the caller's).

        Every call decodes an answer, so this is on the path of every request: the instance's
        ``__dict__`` is filled in one go instead of through the frozen dataclass's
        ``__init__`` (one ``object.__setattr__`` per field), which made it the most expensive
        part of a ``posts.get`` in Python."""
        instance = object.__new__(cls)
        values = instance.__dict__
        values["_raw"] = data
        for name, wire, nested, default, factory in _WIRE_FIELDS.get(cls) or _wire_fields(cls):
            value = data.get(wire, _ABSENT)
            if value is _ABSENT:
                values[name] = default if factory is None else factory()
            elif nested is None or value is None:
                values[name] = value
            elif type(value) is list:
                values[name] = [nested._from_wire(item) for item in value]
            else:
                values[name] = nested._from_wire(value)
        return instance

    def to_dict(self) -> Dict[str, Any]:
        """The wire form (camelCase keys, JSON-ready), fields this SDK does not know included."""
        out = copy.deepcopy(self._raw)
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            wire = _camel(field.name)
            if value is None and wire not in out:
                continue
            out[wire] = _to_wire(value)
        return out


#: Marks a field the wire form does not have.
_ABSENT = object()

#: What building one field takes: attribute, wire name, nested model class or None, default
#: value, and default factory or None.
_FieldSpec = Tuple[str, str, Optional[Type["_Model"]], Any, Optional[Callable[[], Any]]]

#: Per class, the spec of each of its fields.
_WIRE_FIELDS: Dict[type, Tuple[_FieldSpec, ...]] = {}


def _wire_fields(cls: Type[_Model]) -> Tuple[_FieldSpec, ...]:
    spec = _WIRE_FIELDS.get(cls)
    if spec is None:
        spec = tuple(
            (
                field.name,
                _camel(field.name),
                cls._nested.get(field.name),
                None if field.default is dataclasses.MISSING else field.default,
                None if field.default_factory is dataclasses.MISSING else field.default_factory,
            )
            for field in dataclasses.fields(cls)
        )
        _WIRE_FIELDS[cls] = spec
    return spec


def _copy_json(value: Any) -> Any:
    """A deep copy of a JSON-shaped value (much cheaper than ``copy.deepcopy``); mappings
    become dicts, and anything else that is not a plain JSON value goes through
    ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, Mapping):
        return {key: _copy_json(item) for key, item in value.items()}
    return copy.deepcopy(value)


def _to_wire(value: Any) -> Any:
    if isinstance(value, _Model):
        return value.to_dict()
    if isinstance(value, list):
        return [_to_wire(item) for item in value]
    return copy.deepcopy(value)


@dataclasses.dataclass(frozen=True)
class ResultError(_Model):
    """Why a post, a target or a media failed: ``code`` (e.g. ``"VIDEO_TOO_SHORT"``) and
    ``message``, with code-specific ``details``."""

    code: str = ""
    message: str = ""
    details: Optional[Any] = None


@dataclasses.dataclass(frozen=True)
class ConnectLink(_Model):
    """A hosted authorization page for one platform: send the end user to ``url``."""

    id: str = ""
    platform: str = ""
    url: str = ""
    redirect_url: str = ""
    status: str = ""
    """``pending``, ``completed``, ``denied`` or ``expired``."""
    expires_at: str = ""
    state: Optional[str] = None
    profile_id: Optional[str] = None
    created_at: Optional[str] = None
    """The connected profile, once ``completed``."""


@dataclasses.dataclass(frozen=True)
class CallbackOutcome(_Model):
    """A verified connect-link redirect: the profile that was connected, through which link."""

    profile_id: str = ""
    link_id: str = ""


@dataclasses.dataclass(frozen=True)
class Profile(_Model):
    """A connected social account."""

    id: str = ""
    platform: str = ""
    username: str = ""
    display_name: str = ""
    tier: str = ""
    """``standard`` or ``creator`` (TikTok creators may post longer videos)."""
    status: str = ""
    """``active`` or ``disconnected``."""
    connected_at: str = ""


@dataclasses.dataclass(frozen=True)
class ProfileCapabilities(_Model):
    """What one account may post now: TikTok's creator info (privacy levels, longest video,
    the comment/duet/stitch switches) and the same facts for other platforms, with the daily
    quota. The TikTok-only fields are ``None`` on other platforms."""

    profile_id: str = ""
    platform: str = ""
    tier: str = ""
    can_post: bool = False
    """False when the profile is disconnected, the platform refuses posts from it for now, or
    today's quota is used."""
    posts_remaining_today: int = 0
    quota_reset_at: str = ""
    """When the daily quota resets (00:00 UTC)."""
    max_video_duration_sec: int = 0
    min_video_duration_sec: int = 0
    privacy_level_options: Optional[List[str]] = None
    """The ``privacyLevel`` values the creator offers, e.g. ``["SELF_ONLY"]``."""
    comment_disabled: Optional[bool] = None
    """The creator turned comments off: a post cannot turn them on."""
    duet_disabled: Optional[bool] = None
    stitch_disabled: Optional[bool] = None


@dataclasses.dataclass(frozen=True)
class Media(_Model):
    """A stored media file; ``media_key`` is what posts reference."""

    _nested: ClassVar[Dict[str, Type[_Model]]] = {"error": ResultError}

    media_key: str = ""
    file_name: str = ""
    mime_type: str = ""
    size: int = 0
    crc32c: Optional[str] = None
    """Base64 of the file's big-endian CRC32C (for a chunked upload, combined from its
    parts'); ``None`` only while a URL ingest is still fetching."""
    sha256: Optional[str] = None
    """Hex SHA-256 of the file, only when one was sent (``media.upload(..., sha256=True)``)."""
    status: str = ""
    """``processing``, ``ready`` or ``failed``."""
    kind: str = ""
    duration_ms: Optional[int] = None
    width: Optional[int] = None
    height: Optional[int] = None
    video_codec: Optional[str] = None
    audio_codec: Optional[str] = None
    container: Optional[str] = None
    error: Optional[ResultError] = None
    source_url: Optional[str] = None
    """The URL the server fetched the file from (media by URL)."""


@dataclasses.dataclass(frozen=True)
class PostContent(_Model):
    """The text (and, for YouTube and Reddit, the title) of a post."""

    text: str = ""
    title: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class PostMedia(_Model):
    """One media item of a post, whatever shape the request used."""

    media_key: str = ""
    source_url: Optional[str] = None
    """The URL the media was fetched from, for media given by URL."""
    type: str = ""
    """``image``, ``video`` or ``audio``."""


@dataclasses.dataclass(frozen=True)
class PostWarning(_Model):
    """Advice about a post, never an error (``HASHTAGS_ABOVE_RECOMMENDED``,
    ``TIMEZONE_IGNORED``, ``PLATFORM_OPTIONS_UNUSED``, …). ``create`` and ``update`` also issue
    each with ``warnings.warn(..., aether.AetherWarning)``."""

    code: str = ""
    message: str = ""
    field: Optional[str] = None
    """Where in the request (``content.text``, ``timezone``, ``platforms.youtube``)."""
    platform: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class TargetResult(_Model):
    """How a post went on one profile."""

    _nested: ClassVar[Dict[str, Type[_Model]]] = {"error": ResultError}

    profile_id: str = ""
    platform: str = ""
    status: str = ""
    """``pending``, ``scheduled``, ``publishing``, ``published``, ``failed`` or ``cancelled``."""
    platform_post_id: Optional[str] = None
    url: Optional[str] = None
    error: Optional[ResultError] = None
    published_at: Optional[str] = None
    attempts: int = 0
    """Publish attempts so far, the one under way included (at most 6: the server retries a
    transient platform failure up to 5 times)."""
    next_attempt_at: Optional[str] = None
    """When the server's next attempt is due, while a transient failure waits for its retry."""


@dataclasses.dataclass(frozen=True)
class Post(_Model):
    """A post to one or more profiles."""

    _nested: ClassVar[Dict[str, Type[_Model]]] = {
        "content": PostContent,
        "media": PostMedia,
        "results": TargetResult,
        "error": ResultError,
        "warnings": PostWarning,
    }

    id: str = ""
    status: str = ""
    """``draft``, ``scheduled``, ``publishing``, ``published``, ``partially_published``,
    ``failed`` or ``cancelled``."""
    profile_ids: List[str] = dataclasses.field(default_factory=list)
    content: PostContent = dataclasses.field(default_factory=PostContent)
    media_keys: List[str] = dataclasses.field(default_factory=list)
    media: List[PostMedia] = dataclasses.field(default_factory=list)
    """The media in order, with the URL of media given by URL."""
    platforms: Dict[str, Any] = dataclasses.field(default_factory=dict)
    """The per-platform options, in wire form: ``{"tiktok": {"privacyLevel": …}}``."""
    scheduled_for: Optional[str] = None
    timezone: Optional[str] = None
    publish_at: Optional[str] = None
    schedule_resolution: Optional[str] = None
    created_at: str = ""
    updated_at: str = ""
    results: List[TargetResult] = dataclasses.field(default_factory=list)
    error: Optional[ResultError] = None
    warnings: List[PostWarning] = dataclasses.field(default_factory=list)
    """Advice that did not stop the post (empty when there is none)."""

    @property
    def is_terminal(self) -> bool:
        """Whether the status can no longer change."""
        return self.status in TERMINAL_POST_STATUSES


@dataclasses.dataclass(frozen=True)
class BulkRowError(_Model):
    """Why one bulk row failed: the error ``posts.create`` would have raised for it."""

    code: str = ""
    message: str = ""
    field: Optional[str] = None
    platform: Optional[str] = None
    details: Optional[Any] = None


@dataclasses.dataclass(frozen=True)
class BulkRowResult(_Model):
    """One row of a bulk file: ``row`` (data rows from 1), ``line`` (where it starts in the
    file), ``ok``, and the ``post`` created or the ``error``."""

    _nested: ClassVar[Dict[str, Type[_Model]]] = {
        "post": Post,
        "warnings": PostWarning,
        "error": BulkRowError,
    }

    row: int = 0
    line: int = 0
    ok: bool = False
    post: Optional[Post] = None
    warnings: Optional[List[PostWarning]] = None
    error: Optional[BulkRowError] = None


@dataclasses.dataclass(frozen=True)
class BulkResult(_Model):
    """The answer of ``posts.bulk``: totals and one result per data row."""

    _nested: ClassVar[Dict[str, Type[_Model]]] = {"results": BulkRowResult}

    dry_run: bool = False
    total: int = 0
    created: int = 0
    failed: int = 0
    results: List[BulkRowResult] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, repr=False)
class Webhook(_Model):
    """A webhook endpoint. ``secret`` is only returned by ``create``; store it to verify
    deliveries. It never appears in ``repr``."""

    id: str = ""
    url: str = ""
    events: List[str] = dataclasses.field(default_factory=list)
    secret: Optional[str] = dataclasses.field(default=None, repr=False)
    created_at: str = ""

    def __repr__(self) -> str:
        secret = "'[redacted]'" if self.secret else "None"
        return (
            f"Webhook(id={self.id!r}, url={self.url!r}, events={self.events!r}, "
            f"secret={secret}, created_at={self.created_at!r})"
        )


@dataclasses.dataclass(frozen=True)
class InboxAuthor(_Model):
    """Who wrote a comment or a message, on the platform."""

    id: str = ""
    username: str = ""


@dataclasses.dataclass(frozen=True)
class Comment(_Model):
    """A comment on a connected profile's post (``comment.created``)."""

    _nested: ClassVar[Dict[str, Type[_Model]]] = {"author": InboxAuthor}

    id: str = ""
    profile_id: str = ""
    platform: str = ""
    post_id: Optional[str] = None
    platform_post_id: Optional[str] = None
    author: InboxAuthor = dataclasses.field(default_factory=InboxAuthor)
    text: str = ""
    created_at: str = ""


@dataclasses.dataclass(frozen=True)
class Message(_Model):
    """A direct message of a connected profile (``message.created``, ``message.updated``);
    ``direction`` is ``"inbound"`` or ``"outbound"``, ``read_at`` ``None`` while unread."""

    _nested: ClassVar[Dict[str, Type[_Model]]] = {"author": InboxAuthor}

    id: str = ""
    profile_id: str = ""
    platform: str = ""
    conversation_id: str = ""
    direction: str = ""
    author: InboxAuthor = dataclasses.field(default_factory=InboxAuthor)
    text: str = ""
    created_at: str = ""
    read_at: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class WebhookEvent(_Model):
    """A verified webhook delivery: ``type`` (e.g. ``"post.published"``,
    ``"comment.created"``) and its subject: :attr:`post`, :attr:`comment` or :attr:`message`."""

    id: str = ""
    type: str = ""
    created_at: str = ""
    data: Dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def post(self) -> Optional[Post]:
        """The post of a ``post.*`` event (else ``None``)."""
        post = self.data.get("post")
        return Post.from_dict(post) if post is not None else None

    @property
    def comment(self) -> Optional[Comment]:
        """The comment of a ``comment.created`` event (else ``None``)."""
        comment = self.data.get("comment")
        return Comment.from_dict(comment) if comment is not None else None

    @property
    def message(self) -> Optional[Message]:
        """The message of a ``message.created`` or ``message.updated`` event (else ``None``)."""
        message = self.data.get("message")
        return Message.from_dict(message) if message is not None else None


@dataclasses.dataclass(frozen=True)
class WebhookDelivery(_Model):
    """One event for one webhook, with its attempts: ``status`` is ``"pending"``,
    ``"succeeded"`` or ``"failed"`` (a dead letter, kept 30 days; redeliver it)."""

    id: str = ""
    event_id: str = ""
    event_type: str = ""
    status: str = ""
    attempts: int = 0
    last_attempt_at: Optional[str] = None
    last_status_code: Optional[int] = None
    last_error: Optional[str] = None
    next_attempt_at: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class UploadProgress:
    """Where an upload stands, given to ``on_progress``."""

    bytes_sent: int
    """Bytes the server has acknowledged."""
    total: int
    """The file's size."""
    parts_done: int
    parts_total: int

    @property
    def fraction(self) -> float:
        """``bytes_sent / total``, from 0.0 to 1.0."""
        return self.bytes_sent / self.total if self.total else 1.0
