"""Shared fixtures. The emulator fixtures (``aether_mock``, ``aether_client``,
``aether_async_client``) come from the package's own pytest plugin, registered by its entry
point when the package is installed — so these tests also prove that plugin works."""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path
from typing import Any, Dict, List

import pytest

REPO = Path(__file__).resolve().parents[2]
MEDIA = REPO / "tests" / "fixtures" / "media"


@pytest.fixture
def media_dir() -> Path:
    return MEDIA


@pytest.fixture
def video() -> Path:
    """A 15 s H.264 MP4: long enough for TikTok."""
    return MEDIA / "h264_15s.mp4"


def requests_to(mock: Any, method: str, path_prefix: str) -> List[Dict[str, Any]]:
    """Journal entries of the emulator for one method and path prefix."""
    return [
        entry
        for entry in mock.journal()
        if entry.get("method") == method and str(entry.get("path", "")).startswith(path_prefix)
    ]


def serve_in_background(server: http.server.HTTPServer) -> threading.Thread:
    """Serves ``server`` from a daemon thread that ``server.shutdown()`` stops at once:
    ``serve_forever`` looks for shutdown every ``poll_interval``, 0.5 s by default, which cost
    ~0.25 s per closed server (~30 s per conformance run)."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    return thread


def pytest_report_header(config: Any) -> str:
    import aether

    return f"aether {aether.__version__} from {os.path.dirname(aether.__file__)}"
