"""Turning Python arguments into the wire shapes the core reads (shared by both clients)."""

from __future__ import annotations

import datetime
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ._exceptions import InvalidArgumentError
from ._models import Media, Post, PostContent, Profile, UploadProgress, _camel

__all__ = ["FileInput", "ProgressCallback"]

#: What ``media.upload`` accepts: a path, an ``os.PathLike``, bytes-like data, or a binary file
#: object (anything with ``read(n)`` returning bytes).
FileInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Any]

#: Called with an :class:`~aether.UploadProgress` as the upload advances.
ProgressCallback = Callable[[UploadProgress], Any]

ContentInput = Union[str, Mapping[str, Any], PostContent]
PlatformsInput = Mapping[str, Optional[Mapping[str, Any]]]
When = Union[str, datetime.datetime]


def object_id(value: Union[str, Post, Profile, Media, Any], what: str) -> str:
    """An id given as a string or as the object that has it."""
    if isinstance(value, str):
        return value
    if isinstance(value, Media):
        return value.media_key
    identifier = getattr(value, "id", None)
    if isinstance(identifier, str):
        return identifier
    raise TypeError(f"expected a {what} id (str), got {type(value).__name__}")


def _wire_keys(value: Any, what: str) -> Dict[str, Any]:
    """A mapping with string keys, camelized; anything else is a ``TypeError`` naming ``what``
    (found by the atheris harness: a float here was an ``AttributeError``)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a dict, not {type(value).__name__}")
    out: Dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{what} has a key {key!r} that is not a str")
        out[_camel(key)] = item
    return out


def content(value: ContentInput) -> Dict[str, Any]:
    if isinstance(value, str):
        return {"text": value}
    if isinstance(value, PostContent):
        return value.to_dict()
    return _wire_keys(value, "content")


def platforms(value: Optional[PlatformsInput]) -> Optional[Dict[str, Any]]:
    """``{"tiktok": {"privacy_level": "SELF_ONLY"}}`` → wire form (snake_case keys camelized;
    camelCase keys pass as they are)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"platforms must be a dict keyed by platform, not {type(value).__name__}")
    out: Dict[str, Any] = {}
    for name, options in value.items():
        if not isinstance(name, str):
            raise TypeError(f"platforms has a key {name!r} that is not a platform name (str)")
        out[name] = _wire_keys(options or {}, f"platforms[{name!r}]")
    return out


def when(value: Optional[When]) -> Optional[str]:
    """A schedule as the API takes it: a datetime with a zone is an instant, a naive one a local
    date-time (to be read in ``timezone``); strings pass as they are."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, datetime.datetime):
        raise TypeError(f"a schedule is a datetime or an ISO 8601 str, not {type(value).__name__}")
    return value.isoformat()


def drop_none(body: Dict[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}


def media_entries(value: Optional[Iterable[Mapping[str, Any]]]) -> Optional[List[Dict[str, Any]]]:
    """``[{"url": …, "type": "image"}, {"media_key": …}]`` → wire form (keys camelized; the
    core refuses a key it does not know, naming the nearest)."""
    if value is None:
        return None
    if isinstance(value, (str, bytes, Mapping)):
        raise TypeError(f"media must be a list of dicts, not {type(value).__name__}")
    return [_wire_keys(entry, f"media[{i}]") for i, entry in enumerate(value)]


def post_request(
    *,
    profile_id: Optional[str],
    profile_ids: Optional[Sequence[str]],
    content_value: Optional[ContentInput],
    text: Optional[str] = None,
    title: Optional[str] = None,
    media_keys: Optional[Iterable[str]],
    media_urls: Optional[Iterable[str]] = None,
    media: Optional[Iterable[Mapping[str, Any]]] = None,
    platforms_value: Optional[PlatformsInput],
    overrides: Optional[PlatformsInput] = None,
    scheduled_for: Optional[When],
    timezone: Optional[str],
    draft: Optional[bool],
) -> Dict[str, Any]:
    return drop_none(
        {
            "profileId": profile_id,
            "profileIds": list(profile_ids) if profile_ids is not None else None,
            "content": content(content_value) if content_value is not None else None,
            "text": text,
            "title": title,
            "mediaKeys": list(media_keys) if media_keys is not None else None,
            "mediaUrls": list(media_urls) if media_urls is not None else None,
            "media": media_entries(media),
            "platforms": platforms(platforms_value),
            "overrides": platforms(overrides),
            "scheduledFor": when(scheduled_for),
            "timezone": timezone,
            "draft": draft,
        }
    )


def update_request(
    *,
    scheduled_for: Optional[When],
    timezone: Optional[str],
    content_value: Optional[ContentInput],
    draft: Optional[bool],
) -> Dict[str, Any]:
    return drop_none(
        {
            "scheduledFor": when(scheduled_for),
            "timezone": timezone,
            "content": content(content_value) if content_value is not None else None,
            "draft": draft,
        }
    )


def upload_source(
    file: FileInput, file_name: Optional[str]
) -> Tuple[Any, Optional[int], Optional[str]]:
    """``(source, size, file_name)`` for the extension: a ``str`` path, ``bytes``, or the file
    object with the bytes left in it (when it can seek) and its name."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        return bytes(file), None, file_name
    if isinstance(file, (str, os.PathLike)):
        path = os.fspath(file)
        return (os.fsdecode(path) if isinstance(path, bytes) else path), None, file_name
    if not callable(getattr(file, "read", None)):
        raise TypeError(
            f"cannot upload a {type(file).__name__}: pass a path (str or os.PathLike), bytes, "
            "or a file object opened in binary mode"
        )
    if file_name is None:
        name = getattr(file, "name", None)
        if isinstance(name, str) and name:
            file_name = os.path.basename(name)
    return file, _remaining(file), file_name


def _remaining(file: Any) -> Optional[int]:
    """Bytes left in a seekable file object, else ``None`` (then the core spools what it
    cannot hold in memory)."""
    try:
        if not file.seekable():
            return None
        position = int(file.tell())
        end = int(file.seek(0, os.SEEK_END))
        file.seek(position)
        return max(end - position, 0)
    except (AttributeError, OSError, ValueError, TypeError):
        return None


def progress_callback(on_progress: Optional[ProgressCallback]) -> Optional[Callable[..., Any]]:
    if on_progress is None:
        return None
    callback = on_progress

    def report(bytes_sent: int, total: int, parts_done: int, parts_total: int) -> None:
        callback(UploadProgress(bytes_sent, total, parts_done, parts_total))

    return report


def out_of_range(error: OverflowError, arguments: Mapping[str, Any]) -> InvalidArgumentError:
    """The typed error for a whole number the native layer cannot hold (pyo3 raises
    ``OverflowError`` for an int beyond its Rust type, before the core's own range check
    runs): it names the arguments that are negative or beyond 32 bits, in Python's spelling."""
    suspects = [
        name
        for name, value in arguments.items()
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value < 2**31
    ]
    named = ", ".join(f"{name}={arguments[name]!r}" for name in suspects) or "an integer argument"
    return InvalidArgumentError(
        f"{named} is out of range ({error}): give a whole number within the range the option"
        " documents (counts and sizes are never negative)",
        code="INVALID_ARGUMENT",
        field=suspects[0] if suspects else None,
    )
