"""Type stubs of the extension module ``aether._aether`` (Rust, pyo3).

Private: use the ``aether`` package. Every operation returns a :class:`Call` that runs once,
either blocking (``wait``) or on asyncio (``start``); results are wire-shaped JSON values.
"""

import asyncio
from os import PathLike
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

__version__: str

JSON = Any

class Call:
    def wait(self) -> JSON:
        """Runs to completion with the GIL released; Ctrl-C cancels the work."""
    def start(self, event_loop: asyncio.AbstractEventLoop) -> "asyncio.Future[JSON]":
        """Starts on the SDK's runtime; the future completes on ``event_loop``."""

class Pager:
    def next(self) -> Call:
        """A call giving the next item, or ``None`` at the end."""

class Client:
    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        connect_timeout: Optional[float] = None,
        user_agent_suffix: Optional[str] = None,
        retry_backoff: Optional[Tuple[float, float]] = None,
    ) -> None: ...
    def with_options(
        self, timeout: Optional[float] = None, max_retries: Optional[int] = None
    ) -> "Client": ...
    @property
    def base_url(self) -> str: ...
    @property
    def user_agent(self) -> str: ...
    def effective_options(self) -> Dict[str, Any]: ...
    def connect_links_create(self, request: Dict[str, Any]) -> Call: ...
    def connect_links_get(self, id: str) -> Call: ...
    def profiles_get(self, id: str) -> Call: ...
    def profiles_disconnect(self, id: str) -> Call: ...
    def profiles_list(self) -> Pager: ...
    def posts_create(
        self, request: Dict[str, Any], idempotency_key: Optional[str] = None
    ) -> Call: ...
    def posts_get(self, id: str) -> Call: ...
    def posts_update(self, id: str, request: Dict[str, Any]) -> Call: ...
    def posts_cancel(self, id: str) -> Call: ...
    def posts_list(
        self,
        status: Optional[str] = None,
        profile_id: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> Pager: ...
    def posts_wait(
        self,
        id: str,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        max_poll_interval: Optional[float] = None,
    ) -> Call: ...
    def posts_watch(
        self,
        id: str,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        max_poll_interval: Optional[float] = None,
    ) -> Pager: ...
    def media_upload(
        self,
        source: Any,
        size: Optional[int] = None,
        file_name: Optional[str] = None,
        mime_type: Optional[str] = None,
        platforms: Sequence[str] = ...,
        tier: Optional[str] = None,
        on_progress: Optional[Callable[[int, int, int, int], Any]] = None,
        part_size: Optional[int] = None,
        parallelism: Optional[int] = None,
        single_shot_threshold: Optional[int] = None,
        upload_id: Optional[str] = None,
        resume_state_file: Optional[str] = None,
    ) -> Call: ...
    def media_get(self, media_key: str) -> Call: ...
    def media_delete(self, media_key: str) -> Call: ...
    def media_wait_ready(
        self,
        media_key: str,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
    ) -> Call: ...
    def webhooks_create(self, request: Dict[str, Any]) -> Call: ...
    def webhooks_list(self) -> Pager: ...
    def webhooks_delete(self, id: str) -> Call: ...

class MockServer:
    def __init__(
        self,
        api_key: Optional[str] = None,
        admin_token: Optional[str] = None,
        settings: Optional[Dict[str, Any]] = None,
        data_dir: Union[str, "PathLike[str]", None] = None,
    ) -> None: ...
    @property
    def url(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def admin_token(self) -> str: ...
    @property
    def running(self) -> bool: ...
    def close(self) -> None: ...

def error_codes() -> List[Tuple[str, str, Optional[int]]]: ...
def defaults() -> Dict[str, Any]: ...
def error_for_code(
    code: str,
    message: str,
    status: Optional[int] = None,
    request_id: Optional[str] = None,
) -> BaseException: ...
def verify_signature(
    payload: bytes,
    header: str,
    secrets: List[str],
    tolerance: Optional[float] = None,
    now: Optional[float] = None,
) -> None: ...
def construct_event(
    payload: bytes, header: str, secrets: List[str], tolerance: Optional[float] = None
) -> Dict[str, Any]: ...
def sign_test_payload(payload: bytes, secret: str, timestamp: int) -> str: ...
def verify_callback(url: str, expected_state: str) -> Tuple[str, str]: ...
