"""pytest fixtures of the Aether emulator.

Registered automatically (entry point ``pytest11``) when ``aether`` is installed; otherwise add
``pytest_plugins = ["aether.testing.pytest_plugin"]`` to your ``conftest.py``.

- ``aether_mock``: a fresh :class:`~aether.testing.MockServer` per test (publishing takes 50 ms
  of virtual time; the marker ``@pytest.mark.aether_mock(processing_ms=…, settings={…})``
  changes its start-up options).
- ``aether_client`` / ``aether_async_client``: an ``Aether`` / ``AsyncAether`` connected to it.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from .._client import Aether, AsyncAether
from . import MockServer

__all__ = ["aether_mock", "aether_client", "aether_async_client"]


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "aether_mock(**options): start-up options of the aether_mock fixture's MockServer",
    )


@pytest.fixture
def aether_mock(request: Any) -> Iterator[MockServer]:
    """A running emulator, stopped after the test."""
    options: Dict[str, Any] = {"processing_ms": 50}
    marker = request.node.get_closest_marker("aether_mock")
    if marker is not None:
        options.update(marker.kwargs)
    with MockServer(**options) as server:
        yield server


@pytest.fixture
def aether_client(aether_mock: MockServer) -> Aether:
    """A blocking client of the test's emulator."""
    return aether_mock.client()


@pytest.fixture
def aether_async_client(aether_mock: MockServer) -> AsyncAether:
    """An asyncio client of the test's emulator."""
    return aether_mock.async_client()
