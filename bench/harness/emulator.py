"""The emulator as the benchmarks start it: `aether-mock` on a port the OS picks, with its own
data folder, a known API key and admin token, and its admin API through urllib (standard library
only). bench/harness/run.py and bench/soak/soak.py build on it."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from typing import Any


class Emulator:
    def __init__(self, binary: str, data_dir: str, ready_file: str, key: str, admin: str,
                 processing_ms: int, timeout: float = 120) -> None:
        """Starts `binary` and waits for its ready line (written to `ready_file`)."""
        self.key, self.admin, self.timeout = key, admin, timeout
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--api-key", key, "--admin-token", admin,
             "--data-dir", data_dir, "--processing-ms", str(processing_ms)],
            stdout=open(ready_file, "w"), stderr=subprocess.DEVNULL)
        for _ in range(400):
            if os.path.getsize(ready_file) > 0:
                break
            time.sleep(0.05)
        self.url = json.load(open(ready_file))["url"].rstrip("/")

    def request(self, method: str, path: str, body: Any = None, admin: bool = False) -> Any:
        """One call with the API key, or the admin token (`admin`); the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.admin if admin else self.key}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            text = resp.read()
        return json.loads(text) if text else None

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()
