"""Fuzzes the Python API's argument handling with atheris (issue 20, item 5).

Each input picks a public call — the client's constructor and ``with_options``, ``posts``
(create, get, list, update, cancel, retry, wait, watch, bulk), ``media.upload`` and
``wait_ready``, ``profiles.capabilities``, the webhook signature helpers,
``connect_links.verify_callback`` — and gives it keyword arguments of every type (None, bools, huge and negative ints, NaN and
infinities, odd strings, bytes, lists, dicts, objects), against an emulator in this process.
The promise checked: every refusal is an ``aether.AetherError`` with a ``code`` (or the
``TypeError`` / ``ValueError`` the API documents for a value of the wrong type), never another
exception, never a crash of the process, never a hang (libFuzzer's ``-timeout``).

A short run (the test command, ``scripts/test.d/50-python.sh``)::

    target/py-venv/bin/python bindings-python/fuzz/fuzz_api.py -max_total_time=20

A longer one keeps its corpus::

    mkdir -p target/py-fuzz && target/py-venv/bin/python bindings-python/fuzz/fuzz_api.py \\
        target/py-fuzz -max_total_time=1800 -timeout=30

A failing input is written as ``crash-<sha1>`` and replayed by giving its path instead.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import tempfile
import warnings
from typing import Any, Callable, Dict, List

import atheris

with atheris.instrument_imports():
    import aether
    from aether.testing import MockServer

warnings.simplefilter("ignore")

ALLOWED = (aether.AetherError, TypeError, ValueError)
SCRATCH = tempfile.mkdtemp(prefix="aether-fuzz-")
MOCK = MockServer(processing_ms=1)
CLIENT = MOCK.client(max_retries=0, timeout=5)
PROFILE = MOCK.create_profile("tiktok").id
IDS = [PROFILE, "tiktok_nope", "post_1", "", " ", "a/b", "..", "%2e", "\u0000", "x" * 300]
TEXTS = ["", " ", "hi", "#a #b #c #d #e #f", "\u00e9\u202e", "x" * 2300, "\ud800", "\u0000"]
PLATFORMS = ["tiktok", "instagram", "youtube", "nope", "", "TikTok"]


def scratch_path(fdp: atheris.FuzzedDataProvider) -> str:
    """A path inside the scratch directory: the fuzzer never names /dev/zero or a real file."""
    name = fdp.ConsumeUnicodeNoSurrogates(12).replace("/", "_").replace("\x00", "_")
    return os.path.join(SCRATCH, name.strip(".") or "f")


def value(fdp: atheris.FuzzedDataProvider, depth: int = 0) -> Any:
    kind = fdp.ConsumeIntInRange(0, 17 if depth < 2 else 12)
    if kind == 0:
        return None
    if kind == 1:
        return fdp.ConsumeBool()
    if kind == 2:
        return fdp.ConsumeIntInRange(-3, 70)
    if kind == 3:
        return fdp.PickValueInList([0, -1, 2**31, 2**63, 2**64, -(2**63) - 1, 10**40, 5 * 1024 * 1024])
    if kind == 4:
        return fdp.ConsumeRegularFloat()
    if kind == 5:
        return fdp.PickValueInList([math.nan, math.inf, -math.inf, -0.0, 1e-300, 0.001, 1e300])
    if kind == 6:
        return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 40))
    if kind == 7:
        return fdp.PickValueInList(TEXTS)
    if kind == 8:
        return fdp.PickValueInList(IDS)
    if kind == 9:
        return fdp.PickValueInList(PLATFORMS)
    if kind == 10:
        return fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 64))
    if kind == 11:
        return object()
    if kind == 12:
        return fdp.PickValueInList(["2026-06-01T10:00:00Z", "2026-13-01", "tomorrow", "Europe/Paris", "Mars/Base"])
    if kind == 13:
        return [value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 4))]
    if kind == 14:
        return tuple(value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3)))
    if kind == 15:
        return {fdp.PickValueInList(KEYS): value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 4))}
    if kind == 16:
        # Keys that are not strings, or strings the API has never heard of.
        keys = [fdp.ConsumeUnicode(6), fdp.ConsumeIntInRange(-1, 3), None, 1.5, b"k"]
        return {fdp.PickValueInList(keys): value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3))}
    return iter([value(fdp, depth + 1)])


# Keys of nested dicts the API reads (content, platforms, media, bulk rows), and some it does not.
KEYS = [
    "text", "title", "tiktok", "instagram", "youtube", "privacyLevel", "privacy_level",
    "disableComment", "url", "type", "mediaKey", "media_key", "profileIds", "profile_ids",
    "scheduledFor", "mediaUrls", "platforms", "nope", "", "coverTimestampMs", "isDraft",
]


def kwargs(fdp: atheris.FuzzedDataProvider, names: List[str]) -> Dict[str, Any]:
    chosen: Dict[str, Any] = {}
    for name in names:
        if fdp.ConsumeIntInRange(0, 2) == 0:
            chosen[name] = value(fdp)
    if fdp.ConsumeIntInRange(0, 15) == 0:
        chosen["not_an_option"] = value(fdp)
    return chosen


def first(pages: Any) -> List[Any]:
    return list(itertools.islice(pages, 3))


CLIENT_OPTIONS = [
    "timeout", "max_retries", "connect_timeout", "retry_backoff", "attempt_timeout", "log_level",
    "proxy", "on_request", "on_response", "on_retry",
]
CREATE = [
    "content", "text", "title", "profile_id", "profile_ids", "media_keys", "media_urls", "media",
    "platforms", "overrides", "scheduled_for", "timezone", "draft", "idempotency_key",
]
UPLOAD = [
    "mime_type", "platforms", "file_name", "tier", "part_size", "parallelism",
    "single_shot_threshold", "profile_ids", "stall_timeout", "sha256",
]


def op_client(fdp: atheris.FuzzedDataProvider) -> None:
    options = kwargs(fdp, CLIENT_OPTIONS)
    if fdp.ConsumeBool():
        aether.Aether(api_key=value(fdp), base_url=value(fdp), **options)
    else:
        CLIENT.with_options(**options)


def op_create(fdp: atheris.FuzzedDataProvider) -> None:
    CLIENT.posts.create(**kwargs(fdp, CREATE))


def op_read(fdp: atheris.FuzzedDataProvider) -> None:
    post_id = value(fdp)
    call = fdp.ConsumeIntInRange(0, 4)
    if call == 0:
        CLIENT.posts.get(post_id)
    elif call == 1:
        CLIENT.posts.cancel(post_id)
    elif call == 2:
        CLIENT.posts.retry(post_id)
    elif call == 3:
        CLIENT.posts.update(post_id, **kwargs(fdp, ["scheduled_for", "timezone", "content", "draft"]))
    else:
        CLIENT.profiles.capabilities(post_id)


def op_list(fdp: atheris.FuzzedDataProvider) -> None:
    first(CLIENT.posts.list(**kwargs(fdp, ["status", "profile_id", "limit"])))


def op_wait(fdp: atheris.FuzzedDataProvider) -> None:
    # An id no post has: a wait on a real scheduled post with no timeout would rightly run on.
    post_id = "fz_" + fdp.ConsumeUnicodeNoSurrogates(8)
    options = kwargs(fdp, ["timeout", "poll_interval", "max_poll_interval"])
    which = fdp.ConsumeIntInRange(0, 2)
    if which == 0:
        CLIENT.posts.wait(post_id, **options)
    elif which == 1:
        first(CLIENT.posts.watch(post_id, **options))
    else:
        CLIENT.media.wait_ready(post_id, **options)


def op_bulk(fdp: atheris.FuzzedDataProvider) -> None:
    rows = value(fdp) if fdp.ConsumeBool() else [value(fdp, 1) for _ in range(fdp.ConsumeIntInRange(0, 3))]
    CLIENT.posts.bulk(rows=rows, dry_run=True)


def op_upload(fdp: atheris.FuzzedDataProvider) -> None:
    kind = fdp.ConsumeIntInRange(0, 3)
    if kind == 0:
        file: Any = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 4096))
    elif kind == 1:
        file = scratch_path(fdp)
        if fdp.ConsumeBool():
            with open(file, "wb") as out:
                out.write(fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 4096)))
    else:
        file = value(fdp)
    options = kwargs(fdp, UPLOAD)
    if fdp.ConsumeIntInRange(0, 3) == 0:
        options["resume_state_file"] = scratch_path(fdp)
    CLIENT.media.upload(file, **options)


def op_webhooks(fdp: atheris.FuzzedDataProvider) -> None:
    payload, header, secret = value(fdp), value(fdp), value(fdp)
    extra = kwargs(fdp, ["tolerance"])
    if fdp.ConsumeBool():
        CLIENT.webhooks.verify_signature(payload, header, secret, **extra)
    else:
        CLIENT.webhooks.construct_event(payload, header, secret, **extra)


def op_callback(fdp: atheris.FuzzedDataProvider) -> None:
    CLIENT.connect_links.verify_callback(value(fdp), expected_state=value(fdp))


OPS: List[Callable[[atheris.FuzzedDataProvider], None]] = [
    op_client, op_create, op_read, op_list, op_wait, op_bulk, op_upload, op_webhooks, op_callback,
]


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    op = fdp.PickValueInList(OPS)
    try:
        op(fdp)
    except ALLOWED as error:
        if isinstance(error, aether.AetherError):
            assert isinstance(error.code, str) and error.code, f"{op.__name__}: no code: {error!r}"
            assert str(error), f"{op.__name__}: an empty message: {error!r}"


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
