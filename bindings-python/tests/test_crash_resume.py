"""A Python process killed with SIGKILL mid-upload, then a new one given the same
``resume_state_file``: the session is continued, at most the one part that was on its way is
sent again (counted by the emulator's journal), and the media's checksums are the file's."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest

from aether.testing import MockServer

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no SIGKILL on Windows")

MIB = 1024 * 1024
PARTS = 4

CHILD = """
import json, sys
import aether
client = aether.Aether(api_key=sys.argv[1], base_url=sys.argv[2])
media = client.media.upload(sys.argv[3], part_size=5 * 1024 * 1024, parallelism=1,
                            resume_state_file=sys.argv[4], sha256=True)
print(json.dumps({"crc32c": media.crc32c, "sha256": media.sha256}))
"""


def part_puts(mock: MockServer) -> List[Tuple[int, Optional[int]]]:
    return [
        (int(str(e["path"]).rsplit("/", 1)[1]), e.get("status"))
        for e in mock.journal()
        if e.get("method") == "PUT" and "/parts/" in str(e.get("path"))
    ]


def child(mock: MockServer, path: Path, state: Path) -> "subprocess.Popen[str]":
    args = [sys.executable, "-c", CHILD, mock.api_key, mock.url, str(path), str(state)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_killed_upload_is_continued_from_its_state_file(aether_mock: MockServer, tmp_path: Path) -> None:
    data = bytes((i * 131) % 251 for i in range(256)) * ((PARTS - 1) * 5 * MIB // 256 + 100)
    path = tmp_path / "big.mp4"
    path.write_bytes(data)
    state = tmp_path / "big.upload.json"
    # Part 3 stalls a minute on arrival: the kill lands while it is on its way.
    aether_mock.inject_fault(
        "/v1/media/uploads/*/parts/3",
        {"type": "stall_request_body", "afterBytes": 0, "ms": 60_000},
        method="PUT",
        times=1,
    )
    first = child(aether_mock, path, state)
    deadline = time.monotonic() + 30
    while not any(n == 3 for n, _ in part_puts(aether_mock)):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, part_puts(aether_mock)
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.communicate()
    assert first.returncode == -signal.SIGKILL
    assert state.exists(), "the killed process left its state file"

    second = child(aether_mock, path, state)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    media: Any = json.loads(out)
    assert media["sha256"] == hashlib.sha256(data).hexdigest()
    assert media["crc32c"]
    assert not state.exists(), "the state file is removed after completion"
    creates = [e for e in aether_mock.journal() if e.get("method") == "POST" and e.get("path") == "/v1/media/uploads"]
    assert len(creates) == 1, "the second process opened no new session"
    puts = part_puts(aether_mock)
    assert len(puts) <= PARTS + 1, f"at most one part re-sent: {puts}"
    for n in range(1, PARTS + 1):
        assert sum(1 for p, s in puts if p == n and s == 200) == 1, f"part {n} stored once: {puts}"
