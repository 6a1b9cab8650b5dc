"""Runs examples/python/publish.py as a user of the installed package would try it: against the
emulator of `aether.testing` (started here, in the installed package), with AETHER_API_KEY and
AETHER_BASE_URL pointing at it, playing the end user who approves the connect link. Exits
non-zero unless the example connected, uploaded and published.

    python publish_example.py EXAMPLE VIDEO
"""

from __future__ import annotations

import os
import subprocess
import sys

from aether.testing import MockServer


def main(example: str, video: str) -> int:
    with MockServer(processing_ms=200) as mock:
        env = {**os.environ, "AETHER_API_KEY": mock.api_key, "AETHER_BASE_URL": mock.url}
        process = subprocess.Popen(
            [sys.executable, example, video, "--poll-interval", "0.05"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            if not first.startswith("Send this to your user: "):
                print(f"unexpected first line {first!r}; stderr: {process.stderr.read()}")
                return 1
            approved = mock.approve_connect_link(first.strip().rsplit("/", 1)[-1])
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    print(first + out, end="")
    lines = out.splitlines()
    ok = (
        process.returncode == 0
        and approved.profile is not None
        and lines[0] == f"Connected profile {approved.profile.id}"
        and lines[1].startswith("Uploaded org_")
        and lines[-1] == "published"
    )
    if not ok:
        print(f"publish.py did not publish (exit {process.returncode}); stderr:\n{err}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
