"""examples/python/publish.py, run as a user would, against the emulator; the test plays the
end user who approves the connect link."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from aether.testing import MockServer

from conftest import REPO


def test_publish_example(aether_mock: MockServer, video: Path) -> None:
    env = {**os.environ, "AETHER_API_KEY": aether_mock.api_key, "AETHER_BASE_URL": aether_mock.url}
    process = subprocess.Popen(
        [sys.executable, str(REPO / "examples" / "python" / "publish.py"), str(video),
         "--poll-interval", "0.05"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Send this to your user: "), first
        link_id = first.strip().rsplit("/", 1)[-1]
        approved = aether_mock.approve_connect_link(link_id)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    lines = out.splitlines()
    assert approved.profile is not None and lines[0] == f"Connected profile {approved.profile.id}"
    assert lines[1].startswith("Uploaded org_") and lines[-1] == "published"
