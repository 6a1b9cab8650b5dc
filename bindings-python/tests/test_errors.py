"""Every exception class: the code → class table (exhaustive, from the core's list of codes),
the attributes, pickling, and each family produced for real against the emulator."""

from __future__ import annotations

import pickle
import socket
from typing import Dict, List, Type

import pytest

import aether
from aether import _aether
from aether.testing import MockServer

EXPECTED: Dict[str, Type[aether.AetherError]] = {
    "UNAUTHORIZED": aether.AuthenticationError,
    "FORBIDDEN": aether.PermissionDeniedError,
    "NOT_FOUND": aether.NotFoundError,
    "INVALID_REQUEST": aether.BadRequestError,
    "BULK_INVALID": aether.BadRequestError,
    "RATE_LIMITED": aether.RateLimitError,
    "IDEMPOTENCY_KEY_REUSED": aether.ConflictError,
    "IDEMPOTENCY_KEY_IN_USE": aether.ConflictError,
    "POST_NOT_EDITABLE": aether.ConflictError,
    "POST_NOT_RETRYABLE": aether.ConflictError,
    "PROFILE_DISCONNECTED": aether.ConflictError,
    "CAPTION_TOO_LONG": aether.ValidationError,
    "TITLE_REQUIRED": aether.ValidationError,
    "TITLE_TOO_LONG": aether.ValidationError,
    "TOO_MANY_HASHTAGS": aether.ValidationError,
    "TOO_MANY_MENTIONS": aether.ValidationError,
    "MEDIA_REQUIRED": aether.ValidationError,
    "UNSUPPORTED_MEDIA_TYPE": aether.ValidationError,
    "TOO_MANY_MEDIA": aether.ValidationError,
    "VIDEO_TOO_SHORT": aether.ValidationError,
    "VIDEO_TOO_LONG": aether.ValidationError,
    "FILE_TOO_LARGE": aether.ValidationError,
    "SUBREDDIT_REQUIRED": aether.ValidationError,
    "INVALID_PLATFORM_OPTION": aether.ValidationError,
    "SCHEDULE_IN_PAST": aether.ValidationError,
    "SCHEDULE_TOO_FAR": aether.ValidationError,
    "INVALID_TIMEZONE": aether.ValidationError,
    "POST_LIMIT_REACHED": aether.PostLimitReachedError,
    "CHECKSUM_MISMATCH": aether.UploadError,
    "UPLOAD_INCOMPLETE": aether.UploadError,
    "UPLOAD_EXPIRED": aether.UploadError,
    "MEDIA_FETCH_FAILED": aether.UploadError,
    "PLATFORM_ERROR": aether.PlatformError,
    "INTERNAL_ERROR": aether.InternalServerError,
    "SERVICE_UNAVAILABLE": aether.InternalServerError,
    "NETWORK_ERROR": aether.APIConnectionError,
    "TIMEOUT": aether.APITimeoutError,
    "CANCELLED": aether.OperationCancelledError,
    "INVALID_ARGUMENT": aether.InvalidArgumentError,
    "IO_ERROR": aether.LocalIOError,
    "PROTOCOL_ERROR": aether.APIResponseError,
    "OUTCOME_UNKNOWN": aether.OutcomeUnknownError,
    "TLS_ERROR": aether.APIConnectionError,
    "PROXY_ERROR": aether.APIConnectionError,
}


def test_every_code_of_the_core_has_its_class() -> None:
    codes = _aether.error_codes()
    assert {code for code, _, _ in codes} == set(EXPECTED), "a code was added or removed"
    for code, class_name, status in codes:
        error = _aether.error_for_code(code, "something went wrong", request_id="req_1")
        assert type(error) is EXPECTED[code], code
        assert type(error).__name__ == class_name
        assert isinstance(error, aether.AetherError)
        assert error.code == code and error.status == status and error.request_id == "req_1"
        assert str(error) == f"{code}: something went wrong (request req_1)"


def test_an_unknown_code_is_the_base_class() -> None:
    error = _aether.error_for_code("BRAND_NEW_CODE", "new", status=418)
    assert type(error) is aether.AetherError
    assert error.code == "BRAND_NEW_CODE" and error.status == 418


def test_hierarchy_lets_callers_catch_families() -> None:
    assert issubclass(aether.APITimeoutError, aether.APIConnectionError)
    assert issubclass(aether.InvalidArgumentError, aether.BadRequestError)
    assert issubclass(aether.InvalidArgumentError, ValueError)
    for cls in set(EXPECTED.values()):
        assert issubclass(cls, aether.AetherError) and issubclass(cls, Exception)
        assert cls.__module__ == "aether._exceptions"
        assert getattr(aether, cls.__name__) is cls


CLASSES: List[Type[aether.AetherError]] = sorted(
    set(EXPECTED.values()) | {aether.AetherError}, key=lambda cls: cls.__name__
)


@pytest.mark.parametrize("cls", CLASSES, ids=[cls.__name__ for cls in CLASSES])
def test_every_class_pickles_with_its_attributes(cls: Type[aether.AetherError]) -> None:
    error = cls(
        "the message",
        code="SOME_CODE",
        status=429,
        request_id="req_abc",
        retry_after=54000.0,
        field="content.text",
        platform="tiktok",
        details={"resetAt": "2026-06-14T00:00:00Z", "list": [1, 2]},
        client_request_id="creq_abc",
        idempotency_key="key-1",
        retryable=True,
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    names = ("code", "message", "status", "request_id", "retry_after", "field", "platform")
    for name in names + ("client_request_id", "idempotency_key", "retryable"):
        assert getattr(copy, name) == getattr(error, name), name
    assert copy.details == error.details and str(copy) == str(error)
    assert "SOME_CODE" in repr(copy)


def test_authentication_error(aether_mock: MockServer) -> None:
    client = aether.Aether(api_key="sk_wrong", base_url=aether_mock.url)
    with pytest.raises(aether.AuthenticationError) as caught:
        client.posts.get("post_x")
    error = caught.value
    assert error.code == "UNAUTHORIZED" and error.status == 401
    assert error.request_id and error.request_id.startswith("req_")
    assert "sk_wrong" not in str(error) and "sk_wrong" not in repr(error)


def test_not_found_error(aether_client: aether.Aether) -> None:
    with pytest.raises(aether.NotFoundError) as caught:
        aether_client.profiles.get("prof_missing")
    assert caught.value.status == 404 and caught.value.details
    assert not caught.value.retryable, "the same get of a missing profile fails again"


# ANCHOR: validation (included by docs/src/guides/testing.md)
def test_validation_error_has_field_and_platform(aether_mock: MockServer) -> None:
    profile = aether_mock.create_profile("linkedin")
    with pytest.raises(aether.ValidationError) as caught:
        aether_mock.client().posts.create(profile_id=profile.id, content={"text": "x" * 3001})
    assert caught.value.code == "CAPTION_TOO_LONG"
    assert caught.value.field == "content.text" and caught.value.platform == "linkedin"
# ANCHOR_END: validation


def test_bad_request_error(aether_mock: MockServer) -> None:
    profile = aether_mock.create_profile("linkedin")
    with pytest.raises(aether.BadRequestError) as caught:
        aether_mock.client().posts.create(
            profile_id=profile.id, content="hi", platforms={"myspace": {}}
        )
    assert caught.value.code == "INVALID_REQUEST" and caught.value.status == 400


def test_rate_limit_error(aether_mock: MockServer) -> None:
    aether_mock.update_settings(rate_limit=2, rate_limit_window_secs=3600)
    client = aether_mock.client(max_retries=0)
    with pytest.raises(aether.RateLimitError) as caught:
        for _ in range(5):
            list(client.profiles.list())
    assert caught.value.code == "RATE_LIMITED" and caught.value.retry_after
    assert caught.value.retryable, "a rate limit passes: the same call can succeed later"


def test_conflict_error(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    post = client.posts.create(profile_id=profile.id, content="hello")
    client.posts.wait(post.id, poll_interval=0.1)
    with pytest.raises(aether.ConflictError) as caught:
        client.posts.cancel(post.id)
    assert caught.value.code == "POST_NOT_EDITABLE" and caught.value.status == 409


# ANCHOR: fault (included by docs/src/guides/testing.md)
def test_internal_server_error_after_retries(aether_mock: MockServer) -> None:
    aether_mock.inject_fault("/v1/posts/*", {"type": "status", "status": 503}, method="GET")
    client = aether_mock.client(retry_backoff=(0.01, 0.02))
    with pytest.raises(aether.InternalServerError) as caught:
        client.posts.get("post_x")
    assert caught.value.code == "SERVICE_UNAVAILABLE"
    gets = [e for e in aether_mock.journal() if e["path"] == "/v1/posts/post_x"]
    assert len(gets) == 3  # the first attempt and 2 retries
# ANCHOR_END: fault


def test_api_response_error(aether_mock: MockServer) -> None:
    aether_mock.inject_fault("/v1/posts/*", "malformed_body", method="GET")
    with pytest.raises(aether.APIResponseError) as caught:
        aether_mock.client().posts.get("post_x")
    assert caught.value.code == "PROTOCOL_ERROR"


def test_timeout_error(aether_mock: MockServer) -> None:
    aether_mock.inject_fault("/v1/posts/*", {"type": "delay", "ms": 3000}, method="GET")
    client = aether_mock.client().with_options(timeout=0.3)
    with pytest.raises(aether.APITimeoutError) as caught:
        client.posts.get("post_x")
    assert caught.value.code == "TIMEOUT"
    assert isinstance(caught.value, aether.APIConnectionError)


def test_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = aether.Aether(api_key="sk_x", base_url=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(aether.APIConnectionError) as caught:
        client.posts.get("post_x")
    assert caught.value.code == "NETWORK_ERROR" and caught.value.status is None


def test_invalid_argument_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AETHER_API_KEY", raising=False)
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether.Aether()
    assert "AETHER_API_KEY" in caught.value.message
    with pytest.raises(ValueError):
        aether.Aether(api_key="sk_x", base_url="ftp://example.com")
    with pytest.raises(aether.InvalidArgumentError):
        aether.Aether(api_key="sk_x", timeout=-1)


def test_environment_variables_configure_the_client(
    aether_mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AETHER_API_KEY", aether_mock.api_key)
    monkeypatch.setenv("AETHER_BASE_URL", aether_mock.url)
    client = aether.Aether()
    assert client.base_url == aether_mock.url
    assert list(client.profiles.list()) == []


def test_permission_denied_from_a_declined_connect_link(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    link = client.connect_links.create(
        platform="tiktok", redirect_url="https://app.example/cb", state="st4te"
    )
    denied = aether_mock.deny_connect_link(link)
    with pytest.raises(aether.PermissionDeniedError) as caught:
        client.connect_links.verify_callback(denied.redirect, expected_state="st4te")
    assert (caught.value.details or {})["error"] == "access_denied"
    approved_link = client.connect_links.create(
        platform="tiktok", redirect_url="https://app.example/cb", state="st4te"
    )
    approved = aether_mock.approve_connect_link(approved_link)
    outcome = client.connect_links.verify_callback(approved.redirect, expected_state="st4te")
    assert approved.profile is not None and outcome.profile_id == approved.profile.id
    with pytest.raises(aether.InvalidArgumentError):
        client.connect_links.verify_callback(approved.redirect, expected_state="forged")


def test_platform_error_is_a_failed_post_not_an_exception(aether_mock: MockServer) -> None:
    client = aether_mock.client()
    profile = aether_mock.create_profile("linkedin")
    post = client.posts.create(profile_id=profile.id, content="hello")
    aether_mock.force_outcome(post, "failed", code="PLATFORM_ERROR", message="LinkedIn is down")
    done = client.posts.wait(post.id, poll_interval=0.1)
    assert done.status == "failed"
    assert done.results[0].error is not None and done.results[0].error.code == "PLATFORM_ERROR"


def test_outcome_unknown_error_carries_the_key_to_repeat_the_create_with(
    aether_mock: MockServer,
) -> None:
    profile = aether_mock.create_profile("linkedin")
    aether_mock.inject_fault("/v1/posts", "reset_after_body", method="POST")
    client = aether_mock.client(retry_backoff=(0.01, 0.02))
    with pytest.raises(aether.OutcomeUnknownError) as caught:
        client.posts.create(profile_id=profile.id, content="maybe live")
    error = caught.value
    assert not isinstance(error, aether.APIConnectionError)
    assert error.code == "OUTCOME_UNKNOWN" and error.status is None
    assert error.idempotency_key and error.idempotency_key in error.message
    assert error.client_request_id and error.client_request_id.startswith("creq_")
    assert (error.details or {})["cause"] == "NETWORK_ERROR"
    creates = [e for e in aether_mock.journal() if e["path"] == "/v1/posts"]
    assert [e["clientRequestId"] for e in creates] == [error.client_request_id] * 3
    aether_mock.clear_faults()
    post = client.posts.create(
        profile_id=profile.id, content="maybe live", idempotency_key=error.idempotency_key
    )
    assert [p.id for p in client.posts.list()] == [post.id]


def test_a_read_whose_answers_are_lost_stays_a_connection_error(aether_mock: MockServer) -> None:
    aether_mock.inject_fault("/v1/posts/*", "reset_after_body", method="GET")
    client = aether_mock.client(retry_backoff=(0.01, 0.02))
    with pytest.raises(aether.APIConnectionError) as caught:
        client.posts.get("post_x")
    assert caught.value.code == "NETWORK_ERROR" and caught.value.idempotency_key is None
    assert caught.value.client_request_id is not None
