"""The soak (issue 20, item 4): each language's driver in bench/soak runs CYCLES create/get/wait
cycles and then UPLOADS chunked uploads on one client against a fresh emulator, sampling its
memory as it goes; this turns the samples into growth after warm-up, per language, and runs the
C driver under valgrind at a smaller count (its leak summary must say 0 bytes lost).

Writes bench/results/soak.json and bench/results/soak.md, and the figures into bench/README.md
between the soak markers. Run it with bench/soak/run (which builds the drivers first).

Growth after warm-up: the resident set at the last sample less the one when the first fifth of
the cycles (or uploads) was done; allocators keep what they once used (per-thread caches fill
during the first few chunked uploads), so a resident set that stops climbing after warm-up is no
leak, and one that climbs with the count is. The growth over the second half is shown too: a
leak shows there as much as anywhere. Python also
counts the allocator's blocks and the objects the collector tracks, Node the V8 heap in use
(each after a collection). The limit is 5 MiB per phase.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "harness"))
from emulator import Emulator  # noqa: E402  (bench/harness/emulator.py)
PROFILE = os.environ.get("SOAK_PROFILE", "debug")
TARGET = os.path.join(ROOT, "target", PROFILE)
CYCLES = int(os.environ.get("CYCLES", "10000"))
UPLOADS = int(os.environ.get("UPLOADS", "50"))
VALGRIND_CYCLES = int(os.environ.get("VALGRIND_CYCLES", "200"))
VALGRIND_UPLOADS = int(os.environ.get("VALGRIND_UPLOADS", "3"))
ONLY = [x for x in os.environ.get("ONLY", "").split(",") if x]
# SOAK_WRITE=0: print the figures only (the test command's valgrind soak), leaving the results
# and the README as they are.
WRITE = os.environ.get("SOAK_WRITE", "1") != "0"
LIMIT_MIB = 5.0
FILE_MIB = 6  # two parts of 5 MiB: every upload is a chunked session
DAILY = 150  # the emulator's daily quota per linkedin profile
KEY, ADMIN = "sk_soak", "adm_soak"
BEGIN = "<!-- bench/soak figures: written by bench/soak/soak.py, do not edit by hand -->"
END = "<!-- end of bench/soak figures -->"


class SoakEmulator(Emulator):
    def __init__(self) -> None:
        self.data = tempfile.mkdtemp(prefix="aether-soak-")
        super().__init__(os.path.join(TARGET, "aether-mock"), os.path.join(self.data, "store"),
                         os.path.join(self.data, "ready.json"), KEY, ADMIN, processing_ms=1,
                         timeout=60)

    def fresh(self, cycles: int) -> str:
        """An empty emulator without a rate limit, and enough profiles for the daily quota."""
        self.request("POST", "/_mock/reset", {"settings": {"processingMs": 1, "rateLimit": 4_000_000_000}},
                     admin=True)
        count = max(1, -(-cycles // DAILY))
        return ",".join(self.request("POST", "/_mock/profiles", {"platform": "linkedin"}, admin=True)["id"]
                        for _ in range(count))

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.data, ignore_errors=True)


def drivers() -> Dict[str, List[str]]:
    soak = os.path.join(ROOT, "bench", "soak")
    venv_python = os.path.join(ROOT, "target", "py-venv", "bin", "python")
    return {
        "rust": [os.path.join(TARGET, "soak")],
        "c": [os.environ.get("SOAK_C_DRIVER", os.path.join(ROOT, "target", "soak", "c_soak"))],
        "python": [os.environ.get("SOAK_PYTHON", venv_python), os.path.join(soak, "soak_python.py")],
        "node": ["node", "--expose-gc", os.path.join(soak, "soak_node.mjs")],
    }


def run(name: str, command: List[str], mock: SoakEmulator, file: str, cycles: int, uploads: int,
        wrap: Optional[List[str]] = None, lanes: Optional[int] = None) -> Dict[str, Any]:
    profiles = mock.fresh(cycles)
    started = time.monotonic()
    env = dict(os.environ)
    if lanes is not None:
        env["LANES"] = str(lanes)
    proc = subprocess.run([*(wrap or []), *command, mock.url, KEY, profiles, str(cycles),
                           str(uploads), file], capture_output=True, text=True, cwd=ROOT, env=env)
    seconds = time.monotonic() - started
    samples = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0:
        return {"language": name, "error": proc.stderr.strip()[-2000:], "seconds": seconds}
    return {"language": name, "seconds": round(seconds, 1), "cycles": cycles, "uploads": uploads,
            "samples": samples, "growth": growth(samples, cycles, uploads)}


def growth(samples: List[Dict[str, Any]], cycles: int, uploads: int) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for phase, count in (("cycles", cycles), ("uploads", uploads)):
        rows = sorted((s for s in samples if s["phase"] == phase), key=lambda s: s["n"])
        if not rows:
            continue
        warm = next(s for s in rows if s["n"] >= max(1, count // 5))
        half = next(s for s in rows if s["n"] >= max(1, count // 2))
        last = rows[-1]
        figures: Dict[str, Any] = {
            "warmRssMiB": round(warm["rssKiB"] / 1024, 1),
            "rssGrowthMiB": round((last["rssKiB"] - warm["rssKiB"]) / 1024, 2),
            "secondHalfMiB": round((last["rssKiB"] - half["rssKiB"]) / 1024, 2),
            "peakRssMiB": round(max(s["rssKiB"] for s in rows) / 1024, 1),
        }
        if "pyBlocks" in last:
            figures["pyBlocksGrowth"] = last["pyBlocks"] - warm["pyBlocks"]
            figures["pyObjectsGrowth"] = last["pyObjects"] - warm["pyObjects"]
        if "heapUsed" in last:
            figures["heapGrowthMiB"] = round((last["heapUsed"] - warm["heapUsed"]) / 1024 / 1024, 2)
        figures["ok"] = figures["rssGrowthMiB"] < LIMIT_MIB and figures.get("heapGrowthMiB", 0) < LIMIT_MIB
        out[phase] = figures
    return out


def valgrind(mock: SoakEmulator, file: str) -> Dict[str, Any]:
    if shutil.which("valgrind") is None:
        return {"error": "valgrind is not installed"}
    log = os.path.join(mock.data, "valgrind.log")
    wrap = ["valgrind", "--leak-check=full", "--show-leak-kinds=definite,possible",
            "--errors-for-leak-kinds=definite,possible", "--error-exitcode=99",
            f"--suppressions={os.path.join(ROOT, 'tests', 'c', 'valgrind.supp')}", f"--log-file={log}"]
    result = run("c", drivers()["c"], mock, file, VALGRIND_CYCLES, VALGRIND_UPLOADS, wrap, lanes=1)
    text = open(log).read() if os.path.exists(log) else ""

    def lost(kind: str) -> Optional[int]:
        match = re.search(rf"{kind} lost: ([\d,]+) bytes", text)
        if match:
            return int(match.group(1).replace(",", ""))
        # No leak summary lines at all: every block was freed.
        return 0 if "All heap blocks were freed" in text else None

    errors = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    return {"cycles": VALGRIND_CYCLES, "uploads": VALGRIND_UPLOADS, "seconds": result.get("seconds"),
            "definitelyLost": lost("definitely"), "indirectlyLost": lost("indirectly"),
            "possiblyLost": lost("possibly"), "errors": int(errors.group(1)) if errors else None,
            "exit": "ok" if "error" not in result else (result["error"][-500:] or "valgrind failed the run")}


def markdown(data: Dict[str, Any]) -> List[str]:
    meta = data["meta"]
    lines = [f"From `bench/soak/run` on {meta['date']} at commit `{meta['commit']}` ({meta['cores']} cores, "
             f"`{meta['profile']}` builds): {meta['cycles']:,} create/get/wait cycles, then {meta['uploads']} "
             f"chunked uploads of {FILE_MIB} MiB (two 5 MiB parts), on one client per language; growth is "
             f"measured from the end of the first fifth (warm-up) to the end, and over the second half. Limit: {LIMIT_MIB:g} MiB.", "",
             "| language | cycles: RSS after warm-up → growth (second half) | uploads: RSS after warm-up → growth (second half) | other counters after warm-up (cycles / uploads) | time | within limit |",
             "|---|---|---|---|---|---|"]
    for r in data["languages"]:
        if "error" in r:
            lines.append(f"| {r['language']} | failed: {r['error'][-200:]!s} | | | | no |")
            continue
        c, u = r["growth"].get("cycles", {}), r["growth"].get("uploads", {})
        other = []
        for label, key in (("Python blocks", "pyBlocksGrowth"), ("gc objects", "pyObjectsGrowth")):
            if key in c:
                other.append(f"{label} {c[key]:+,} / {u.get(key, 0):+,}")
        if "heapGrowthMiB" in c:
            other.append(f"V8 heap {c['heapGrowthMiB']:+.2f} / {u.get('heapGrowthMiB', 0):+.2f} MiB")
        ok = c.get("ok") and u.get("ok")
        lines.append(f"| {r['language']} | {c.get('warmRssMiB')} MiB → {c.get('rssGrowthMiB', 0):+.2f} MiB "
                     f"({c.get('secondHalfMiB', 0):+.2f}) | {u.get('warmRssMiB')} MiB → "
                     f"{u.get('rssGrowthMiB', 0):+.2f} MiB ({u.get('secondHalfMiB', 0):+.2f}) | "
                     f"{'; '.join(other) or '—'} | {r['seconds']} s | "
                     f"{'yes' if ok else 'NO'} |")
    v = data.get("valgrind") or {}
    if v:
        lines += ["", f"C under valgrind ({v.get('cycles')} cycles, {v.get('uploads')} uploads, memcheck with "
                  f"`tests/c/valgrind.supp`): definitely lost {v.get('definitelyLost')} bytes, indirectly lost "
                  f"{v.get('indirectlyLost')}, possibly lost {v.get('possiblyLost')}, {v.get('errors')} errors "
                  f"({v.get('exit')}, {round(v.get('seconds') or 0, 1)} s)."]
    return lines


def main() -> int:
    file = os.path.join(tempfile.mkdtemp(prefix="aether-soak-file-"), "soak.mp4")
    with open(file, "wb") as out:
        out.write(os.urandom(FILE_MIB * 1024 * 1024))
    mock = SoakEmulator()
    results = []
    try:
        for name, command in drivers().items():
            if ONLY and name not in ONLY:
                continue
            print(f"soak: {name} ({CYCLES} cycles, {UPLOADS} uploads)", file=sys.stderr, flush=True)
            results.append(run(name, command, mock, file, CYCLES, UPLOADS))
            print(json.dumps({k: v for k, v in results[-1].items() if k != "samples"}), file=sys.stderr)
        checked = None
        if not ONLY or "valgrind" in ONLY:
            print(f"soak: c under valgrind ({VALGRIND_CYCLES} cycles, {VALGRIND_UPLOADS} uploads)",
                  file=sys.stderr, flush=True)
            checked = valgrind(mock, file)
            print(json.dumps(checked), file=sys.stderr)
    finally:
        mock.stop()
        shutil.rmtree(os.path.dirname(file), ignore_errors=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    data = {"meta": {"date": time.strftime("%Y-%m-%d"), "commit": commit, "cores": os.cpu_count(),
                     "machine": platform.machine(), "profile": PROFILE, "cycles": CYCLES, "uploads": UPLOADS},
            "languages": results, "valgrind": checked}
    table = markdown(data)
    print("\n".join(table))
    bad = [r for r in results if "error" in r or not all(g.get("ok") for g in r["growth"].values())]
    leaked = checked is not None and (checked.get("definitelyLost") != 0 or checked.get("possiblyLost") != 0
                                      or checked.get("errors") != 0)
    if WRITE:
        write(data, table)
    return 1 if bad or leaked else 0


def write(data: Dict[str, Any], table: List[str]) -> None:
    results_dir = os.path.join(ROOT, "bench", "results")
    with open(os.path.join(results_dir, "soak.json"), "w") as out:
        json.dump(data, out, indent=1)
    with open(os.path.join(results_dir, "soak.md"), "w") as out:
        out.write("# Soak\n\n" + "\n".join(table) + "\n")
    readme = os.path.join(ROOT, "bench", "README.md")
    text = open(readme).read()
    block = "\n".join([BEGIN, "", *table, "", END])
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Soak\n\n" + block + "\n"
    with open(readme, "w") as out:
        out.write(text)


if __name__ == "__main__":
    sys.exit(main())
