"""Instructions per call, counted by callgrind: a figure of the posts.get table that does not
move with the machine's load (bench/README.md, "posts.get").

Each program runs twice under `valgrind --tool=callgrind`, with FEW and MANY calls (plus its one
warm-up call); the difference of the two totals divided by MANY - FEW is what one more call
costs the client process: start-up, imports and connecting cancel out. Every thread of the
process is counted (the runtime's workers included); the emulator is not. Without valgrind the
figure is "not available".

Environment: INSTR_FEW (100), INSTR_MANY (600); INSTR=0 skips the step.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from typing import Callable, Dict, List, Optional, Union

FEW = int(os.environ.get("INSTR_FEW", "100"))
MANY = int(os.environ.get("INSTR_MANY", "600"))
ENABLED = os.environ.get("INSTR", "1") != "0"
# What the JSON record calls it, and its unit.
FIELD = "instructionsPerCall"


def available() -> Optional[str]:
    """None when callgrind can run, else why not."""
    if not ENABLED:
        return "not measured (INSTR=0)"
    if shutil.which("valgrind") is None:
        return "not available: valgrind is not installed (apt-get install valgrind)"
    return None


def total_instructions(argv: List[str], env: Optional[Dict[str, str]] = None,
                       timeout: float = 900) -> int:
    """The instructions (Ir) the process executed, all threads, under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        full_env = dict(os.environ)
        full_env.update(env or {})
        # The Python binding busy-waits briefly for an answer before it sleeps; under valgrind
        # (threads run one at a time) that spin only burns instructions: turn it off here.
        full_env["AETHER_SPIN_US"] = "0"
        proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                               "--dump-instr=no", *argv], env=full_env, capture_output=True,
                              text=True, timeout=timeout)
        if proc.returncode != 0:
            tail = " / ".join(l.strip() for l in proc.stderr.strip().splitlines()[-2:])
            raise RuntimeError(f"exit status {proc.returncode} under callgrind: {tail}"[:300])
        with open(out) as f:
            for line in f:
                match = re.match(r"(?:summary|totals):\s+(\d+)", line)
                if match:
                    return int(match.group(1))
    raise RuntimeError("callgrind wrote no total")


def per_call(argv_for: Callable[[int], List[str]], env: Optional[Dict[str, str]] = None) -> float:
    """(Ir with MANY calls - Ir with FEW calls) / (MANY - FEW)."""
    few = total_instructions(argv_for(FEW), env)
    many = total_instructions(argv_for(MANY), env)
    return (many - few) / (MANY - FEW)


def measure(rows: List[Dict], log: Callable[..., None]) -> Dict[str, Union[float, str]]:
    """{tool: instructions per call, or why there is none} for every row with `calls_argv`."""
    why_not = available()
    out: Dict[str, Union[float, str]] = {}
    for row in rows:
        argv_for = row.get("calls_argv")
        if argv_for is None:
            continue
        tool = row["tool"]
        if why_not or not row["ok"]:
            out[tool] = why_not or "not available"
            continue
        try:
            out[tool] = round(per_call(argv_for, row.get("env")))
            log(f"  get {tool:<14} {out[tool]:,} instructions per call (callgrind, "
                f"{MANY} - {FEW} calls)")
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            out[tool] = f"failed: {e}"
            log(f"  get {tool}: instructions not counted: {e}")
    return out
