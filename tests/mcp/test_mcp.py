"""`aether mcp` driven by the official MCP Python SDK (`mcp` from PyPI), over stdio and over
streamable HTTP, against the emulator that scripts/test.d/75-mcp.sh started.

The environment: AETHER_BIN (the built `aether`), AETHER_MCP_BASE_URL, AETHER_MCP_API_KEY and
AETHER_MCP_ADMIN_TOKEN (the emulator's JSON line). Each test connects its own profile, so the
two transports never see each other's posts.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parents[2]
MEDIA = ROOT / "tests" / "fixtures" / "media"
AETHER = os.environ["AETHER_BIN"]
BASE_URL = os.environ["AETHER_MCP_BASE_URL"]
API_KEY = os.environ["AETHER_MCP_API_KEY"]
ADMIN_TOKEN = os.environ["AETHER_MCP_ADMIN_TOKEN"]

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def new_profile(platform: str, username: str) -> str:
    """A profile connected through the emulator's admin API (no OAuth)."""
    request = urllib.request.Request(
        f"{BASE_URL}/_mock/profiles",
        data=json.dumps({"platform": platform, "username": username}).encode(),
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["id"])


def server_env() -> dict[str, str]:
    """What an `mcpServers` entry gives the server: the key in its environment, never argv."""
    return {"AETHER_BASE_URL": BASE_URL, "AETHER_API_KEY": API_KEY, "NO_PROXY": "*"}


def stdio(*args: str) -> Client:
    params = StdioServerParameters(
        command=AETHER, args=["mcp", "--root", str(MEDIA), *args], env=server_env()
    )
    return Client(params)


@asynccontextmanager
async def http(*args: str) -> AsyncIterator[Client]:
    """`aether mcp --http`: its URL is the first line on stdout."""
    env = {**os.environ, **server_env()}
    process = subprocess.Popen(
        [AETHER, "mcp", "--http", "--root", str(MEDIA), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp"), url
        async with Client(url) as client:
            yield client
    finally:
        process.terminate()
        process.wait(timeout=10)


def answer(result: Any) -> dict[str, Any]:
    """The JSON of a tool's answer (its text block; the structured content is the same)."""
    text = result.content[0].text
    assert API_KEY not in text
    document: dict[str, Any] = json.loads(text)
    if result.structured_content is not None:
        assert result.structured_content == document
    return document


async def ok(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, (tool, result)
    return answer(result)


async def refused(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, (tool, result)
    error: dict[str, Any] = answer(result)["error"]
    return error


async def read_only_session(client: Client, profile: str) -> None:
    listed = await client.list_tools()
    tools = {tool.name: tool for tool in listed.tools}
    assert {"list_profiles", "validate_file", "create_post", "wait_post", "cancel_post"} <= set(
        tools
    )
    hints = tools["validate_file"].annotations
    assert hints is not None and hints.read_only_hint is True
    cancel = tools["cancel_post"].annotations
    assert cancel is not None and cancel.destructive_hint is True
    assert "profileIds" in tools["create_post"].input_schema["properties"]

    checked = await ok(
        client, "validate_file", {"path": "h264_14.9s.mp4", "platforms": ["tiktok"]}
    )
    assert checked["ok"] is False
    assert checked["violations"][0]["code"] == "VIDEO_TOO_SHORT"
    fine = await ok(client, "validate_file", {"path": "h264_15s.mp4", "platforms": ["tiktok"]})
    assert fine["ok"] is True

    error = await refused(client, "create_post", {"profileIds": [profile], "text": "hi"})
    assert error["code"] == "WRITES_NOT_ALLOWED"
    assert "--allow-writes" in error["message"]


async def writing_session(client: Client, profile: str, username: str) -> None:
    error = await refused(client, "create_post", {"profileIds": [username], "text": "hi"})
    assert error["code"] == "PROFILE_ID_REQUIRED"
    assert [m["id"] for m in error["details"]["matches"]] == [profile]

    post = await ok(client, "create_post", {"profileIds": [profile], "text": "From an agent"})
    assert post["status"] in ("publishing", "published")
    done = await ok(client, "wait_post", {"postId": post["id"], "timeoutSeconds": 60})
    assert done["status"] == "published", done
    assert done["results"][0]["url"]


async def test_stdio_with_the_official_client() -> None:
    profile = new_profile("linkedin", "stdio_user")
    async with stdio() as client:
        await read_only_session(client, profile)
    async with stdio("--allow-writes") as client:
        await writing_session(client, profile, "@stdio_user")


async def test_streamable_http_with_the_official_client() -> None:
    profile = new_profile("linkedin", "http_user")
    async with http() as client:
        await read_only_session(client, profile)
    async with http("--allow-writes", "--write-budget", "1") as client:
        await writing_session(client, profile, "http_user")
        error = await refused(client, "create_post", {"profileIds": [profile], "text": "more"})
        assert error["code"] == "WRITE_BUDGET_EXHAUSTED"


def test_the_documented_configuration_starts_this_server() -> None:
    """examples/mcp/mcp_servers.json (included in docs/src/guides/mcp.md) is valid JSON whose
    entries start `aether mcp` with flags it takes and the key in the environment."""
    config = json.loads((ROOT / "examples" / "mcp" / "mcp_servers.json").read_text())
    for entry in config["mcpServers"].values():
        assert entry["command"] == "aether"
        assert entry["args"][0] == "mcp"
        assert "AETHER_API_KEY" in entry["env"]
        assert not any("sk_" in arg for arg in entry["args"]), "the key belongs in env, not args"
        flags = [arg for arg in entry["args"][1:] if arg.startswith("--")]
        shown = subprocess.run(
            [AETHER, "mcp", *entry["args"][1:], "--help"], capture_output=True, text=True
        )
        assert shown.returncode == 0, (flags, shown.stderr)


def test_help_explains_the_flags() -> None:
    shown = subprocess.run([AETHER, "mcp", "--help"], capture_output=True, text=True, check=True)
    for flag in ("--allow-writes", "--write-budget", "--http", "--root"):
        assert flag in shown.stdout


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The HTTP client must reach the loopback server directly, whatever a CI's proxy says.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    yield
