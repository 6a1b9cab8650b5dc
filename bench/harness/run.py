"""bench/run's driver: every row of the benchmark in one run on this machine.

Starts one emulator, measures each tool RUNS times (the tools interleaved inside each run, so
a slow minute of a busy machine lands on all of them), computes the ratios pair by pair inside
each run and their medians, and writes bench/results/latest.{json,md,png}. bench/README.md says
what each row measures. Standard library only, except the chart (matplotlib, from the venv).

Environment: RUNS (3), SIZES ("512 1024", MiB), RSS_SIZE (4096 MiB: one run of the SDK rows and
curl -T to show bounded memory; 0 skips it), CALLS (10000), COUNTS ("150 2000"), STARTUP_N
(9), WAIT_POSTS (20), QUICK=1 (RUNS=1, SIZES="16 64", RSS_SIZE=128, CALLS=300, COUNTS=40,
STARTUP_N=3, WAIT_POSTS=10), ONLY (comma-separated
groups: upload,get,concurrent,wait,startup,ceiling; such a partial run writes target/bench/only.*),
OUT (where to write, without the extension; default bench/results/latest),
BENCH_PAGE_REPORTING=keep (leave the machine's free page reporting on: see host.py).
"""

from __future__ import annotations

import base64
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional

import instructions  # bench/harness/instructions.py: callgrind's instructions per call
from emulator import Emulator  # bench/harness/emulator.py: aether-mock started for a run
from host import paused_free_page_reporting  # bench/harness/host.py: the VM's memory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.chdir(ROOT)
REL = os.path.join(ROOT, "target", "release")
VENV_PY = os.path.join(ROOT, "target", "bench-venv", "bin", "python")
C_BENCH = os.path.join(ROOT, "target", "bench", "c_bench")
NODE_PKG = os.environ.get("AETHER_NODE_PACKAGE", os.path.join(ROOT, "bench", "node", ".pkg"))
KEY, ADMIN = "sk_bench", "adm_bench"
MIB = 1024 * 1024
# The emulator's daily quota per linkedin profile (PLATFORMS.md): every concurrent program takes
# a comma-separated list of profiles with enough of them for its posts.
LINKEDIN_DAILY = 150
PART_MIB = 8
PARALLELISM = 4

QUICK = os.environ.get("QUICK") == "1"
RUNS = int(os.environ.get("RUNS", "1" if QUICK else "3"))
SIZES = [int(s) for s in os.environ.get("SIZES", "16 64" if QUICK else "512 1024").split()]
# One more upload size, run once, for the SDK rows and curl -T only: peak RSS must not grow with
# the file (the targets' "whatever the file size").
RSS_SIZE = int(os.environ.get("RSS_SIZE", "128" if QUICK else "4096"))
CALLS = int(os.environ.get("CALLS", "300" if QUICK else "10000"))
COUNTS = [int(c) for c in os.environ.get("COUNTS", os.environ.get("COUNT", "40" if QUICK else "150 2000")).split()]
STARTUP_N = int(os.environ.get("STARTUP_N", "3" if QUICK else "9"))
PROCESSING_MS = int(os.environ.get("PROCESSING_MS", "100"))
ONLY = set(filter(None, os.environ.get("ONLY", "upload,get,concurrent,wait,startup,ceiling").split(",")))
# A partial run (ONLY=...) or a smoke run (QUICK=1) does not replace the committed full results
# (nor README.md's tables) unless OUT says so.
OUT = os.environ.get("OUT", "target/bench/only" if "ONLY" in os.environ
                     else "target/bench/quick" if QUICK else "bench/results/latest")
SKIPPED: Dict[str, str] = {}  # tool -> why it is not measured (filled by bench/run too)
for line in os.environ.get("BENCH_SKIP", "").split(";"):
    if "=" in line:
        tool, why = line.split("=", 1)
        SKIPPED[tool.strip()] = why.strip()

WORK = os.path.join(ROOT, "target", "bench", "work")


def log(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# The emulator


class Mock(Emulator):
    def __init__(self) -> None:
        data = os.path.join(WORK, "data")
        shutil.rmtree(data, ignore_errors=True)
        ready = os.path.join(WORK, "ready.json")
        if os.path.exists(ready):
            os.remove(ready)
        super().__init__(os.path.join(REL, "aether-mock"), data, ready, KEY, ADMIN, PROCESSING_MS)
        self.reset()

    def reset(self, max_single: int = 64 * MIB) -> None:
        """Empties the emulator (media files included, so the disk does not fill) and keeps the
        rate limiter out of the figures."""
        self.request("POST", "/_mock/reset", {"settings": {
            "processingMs": PROCESSING_MS, "rateLimit": 4_000_000_000,
            "maxSingleUpload": max_single}}, admin=True)

    def profiles(self, count: int) -> List[str]:
        return [self.request("POST", "/_mock/profiles", {"platform": "linkedin"}, admin=True)["id"]
                for _ in range(count)]

    def post(self, profile: str) -> str:
        return self.request("POST", "/v1/posts", {
            "profileId": profile, "content": {"text": "bench"}, "platforms": {"linkedin": {}}})["id"]

    def journal_mark(self) -> int:
        """One API request, so that the journal's sequence numbers say where the next program's
        requests start (a reset empties the journal but keeps counting)."""
        self.request("GET", "/v1/profiles?limit=1")
        return int(self.request("GET", "/_mock/journal", admin=True)["data"][-1]["seq"])

    def requests_since(self, mark: int, publishes: int) -> int:
        """API requests the emulator received after `mark`: the journal's entries without its
        own publish attempts (`PUBLISH`). The journal keeps its last 10,000 entries; when older
        ones were dropped, the count comes from the sequence numbers, less `publishes` (one
        attempt per post when every post publishes at once)."""
        entries = [e for e in self.request("GET", "/_mock/journal", admin=True)["data"] if e["seq"] > mark]
        if not entries:
            return 0
        if entries[0]["seq"] == mark + 1:
            return sum(1 for e in entries if e["method"] != "PUBLISH")
        return int(entries[-1]["seq"]) - mark - publishes

    def rss_mib(self) -> int:
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
        return 0

    def cpu_seconds(self) -> float:
        """The emulator's CPU-seconds so far (user + system, /proc/PID/stat, 10 ms ticks)."""
        fields = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

# --------------------------------------------------------------------------------------------
# Running one measurement


class Failed(Exception):
    pass


def run_cmd(argv: List[str], env: Optional[Dict[str, str]] = None, timeout: float = 1800) -> Dict[str, Any]:
    """Runs argv under /usr/bin/time; returns its last JSON line (if any) plus the wall time, the
    peak RSS of the process (the largest of it and its children) and its CPU-seconds (user +
    system, its children included: `_cpu`)."""
    rss_file = os.path.join(WORK, "rss")
    full_env = dict(os.environ)
    full_env.update(env or {})
    started = time.perf_counter()
    children = children_cpu()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file, *argv], env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - started
    # The CPU of the process and its children, in microseconds (getrusage of this process's
    # waited-for children; /usr/bin/time's own ~1 ms included): /usr/bin/time's %U %S count
    # in 10 ms steps.
    cpu = children_cpu() - children
    reported = any(l.startswith("{") and ('"seconds"' in l or '"microsPerCall"' in l)
                   for l in proc.stdout.splitlines())
    if proc.returncode != 0 and not reported:
        lines = [l.strip() for l in proc.stderr.strip().splitlines() if l.strip()]
        why = f"exit status {proc.returncode}" if proc.returncode > 0 else f"killed by signal {-proc.returncode}"
        if proc.returncode > 128:
            why = f"exit status {proc.returncode} (signal {proc.returncode - 128})"
        raise Failed(" / ".join([why, *lines[-2:]])[:400])
    line: Dict[str, Any] = {}
    for text in reversed(proc.stdout.strip().splitlines()):
        try:
            parsed = json.loads(text)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            line = parsed
            break
    try:
        line["_rssMiB"] = int(open(rss_file).read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        line["_rssMiB"] = None
    line["_cpu"] = cpu
    line["_wall"] = wall
    line["_stdout"] = proc.stdout
    if proc.returncode != 0:
        # The figure was printed, then the process failed (e.g. a crash at exit): keep the
        # figure, and say so in the results.
        code = proc.returncode
        line["_warning"] = (f"exit status {code}" + (f" (signal {code - 128})" if code > 128 else "")
                            + " after printing its result")
    return line


def have(path: str) -> bool:
    return os.path.exists(path)


def node_ok() -> bool:
    return "aether-node" not in SKIPPED and have("bench/node/bench.mjs") and shutil.which("node") is not None


def python_ok() -> bool:
    return "aether-python" not in SKIPPED and have("bench/python/bench.py") and have(VENV_PY)


def python_peers_ok() -> bool:
    """httpx and requests need the venv and bench.py, not the aether extension."""
    return have("bench/python/bench.py") and have(VENV_PY)


# --------------------------------------------------------------------------------------------
# Rows: each is (tool, label, available?, measure(context) -> {value, rss, extra})


def crc32c_b64(data: bytes) -> str:
    import crc32c  # type: ignore  # installed into the venv by bench/run

    return base64.b64encode(crc32c.crc32c(data).to_bytes(4, "big")).decode()


class UploadCtx:
    def __init__(self, mock: Mock, size_mib: int, file: str) -> None:
        self.mock, self.size_mib, self.file = mock, size_mib, file
        self.size = size_mib * MIB
        self.parts_dir = os.path.join(WORK, "parts")
        self.part_crcs: List[str] = []
        self.crc32c = ""  # the whole file's, base64 (what `complete` takes)

    def prepare_parts(self) -> None:
        """What a shell user does before driving the chunked protocol with curl: cut the file
        into parts and checksum them (outside the clock: see bench/README.md)."""
        shutil.rmtree(self.parts_dir, ignore_errors=True)
        os.makedirs(self.parts_dir)
        subprocess.run(["split", "-b", f"{PART_MIB}M", "-d", "-a", "5", self.file,
                        os.path.join(self.parts_dir, "p")], check=True)
        names = sorted(os.listdir(self.parts_dir))
        self.part_crcs = []
        import crc32c  # type: ignore  # installed into the venv by bench/run

        whole = 0
        for name in names:
            data = open(os.path.join(self.parts_dir, name), "rb").read()
            self.part_crcs.append(crc32c_b64(data))
            whole = crc32c.crc32c(data, whole)
        self.crc32c = base64.b64encode(whole.to_bytes(4, "big")).decode()

    def cleanup(self) -> None:
        shutil.rmtree(self.parts_dir, ignore_errors=True)


def mibs(size_mib: int, seconds: float) -> float:
    return size_mib / seconds


def upload_program(argv_fn: Callable[[UploadCtx], List[str]], env_fn=None, use_wall=False):
    def measure(ctx: UploadCtx) -> Dict[str, Any]:
        env = env_fn(ctx) if env_fn else None
        out = run_cmd(argv_fn(ctx), env=env)
        seconds = out["_wall"] if use_wall or "seconds" not in out else float(out["seconds"])
        # A program that times the upload alone reports the upload's own CPU (getrusage before
        # and after); a whole-process row (the CLI, curl) is charged the whole process.
        cpu = out["_cpu"] if use_wall or "cpuSeconds" not in out else float(out["cpuSeconds"])
        return {"value": mibs(ctx.size_mib, seconds), "seconds": seconds, "rss": out["_rssMiB"],
                "cpu": cpu, "warning": out.get("_warning")}
    return measure


def curl_single(ctx: UploadCtx) -> Dict[str, Any]:
    out = run_cmd(["curl", "-sSf", "-o", "/dev/null", "-w", "%{time_total}\n", "-X", "POST", "-T",
                   ctx.file, "-H", f"Authorization: Bearer {KEY}", "-H", "Content-Type: video/mp4",
                   "-H", "X-File-Name: video.mp4", f"{ctx.mock.url}/v1/media"])
    seconds = float(out["_stdout"].strip().splitlines()[-1])
    return {"value": mibs(ctx.size_mib, seconds), "seconds": seconds, "rss": out["_rssMiB"],
            "cpu": out["_cpu"]}


def warm_up(ctx: UploadCtx, max_single: int) -> None:
    """One unmeasured curl -T of the file before a size's rounds: the emulator's first copy of
    it lands in memory the machine has not used since boot (or gave back to the host), which
    costs it up to 5 x its usual CPU; the rounds after reuse the pages this copy frees (the
    reset before each row deletes it)."""
    ctx.mock.reset(max_single)
    curl_single(ctx)


def parts_config(ctx: "UploadCtx", upload_id: str, name: str) -> str:
    """A curl config (-K) that PUTs every part file of ctx to the session, each with its
    X-Part-Crc32c, one transfer per part."""
    names = sorted(os.listdir(ctx.parts_dir))
    config = os.path.join(WORK, name)
    with open(config, "w") as cfg:
        for n, (part, crc) in enumerate(zip(names, ctx.part_crcs), start=1):
            if n > 1:
                cfg.write("next\n")
            cfg.write(f'header = "Authorization: Bearer {KEY}"\nheader = "X-Part-Crc32c: {crc}"\n'
                      f'upload-file = "{os.path.join(ctx.parts_dir, part)}"\n'
                      f'url = "{ctx.mock.url}/v1/media/uploads/{upload_id}/parts/{n}"\n'
                      'output = "/dev/null"\nfail\nsilent\nshow-error\n')
    return config


def curl_chunked(ctx: UploadCtx, parallel: int = PARALLELISM) -> Dict[str, Any]:
    """The chunked protocol driven by curl: create the session (curl), PUT every part with its
    X-Part-Crc32c from one curl process (--parallel, PARALLELISM at once, kept-alive
    connections), complete with the whole file's CRC32C (curl). Timed from the first curl to the last; its
    CPU is that of all three curl processes (this process's waited-for children)."""
    children = children_cpu()
    started = time.perf_counter()
    session = json.loads(subprocess.run(
        ["curl", "-sSf", "-H", f"Authorization: Bearer {KEY}", "-H", "Content-Type: application/json",
         "-d", json.dumps({"fileName": "video.mp4", "mimeType": "video/mp4", "size": ctx.size,
                           "partSize": PART_MIB * MIB}), f"{ctx.mock.url}/v1/media/uploads"],
        check=True, capture_output=True, text=True).stdout)
    upload_id = session["uploadId"]
    config = parts_config(ctx, upload_id, "parts.cfg")
    argv = ["curl", "-K", config]
    if parallel > 1:
        argv[1:1] = ["--parallel", "--parallel-max", str(parallel)]
    out = run_cmd(argv)
    subprocess.run(["curl", "-sSf", "-o", "/dev/null", "-H", f"Authorization: Bearer {KEY}", "-H",
                    "Content-Type: application/json", "-d", json.dumps({"crc32c": ctx.crc32c}),
                    f"{ctx.mock.url}/v1/media/uploads/{upload_id}/complete"], check=True)
    seconds = time.perf_counter() - started
    return {"value": mibs(ctx.size_mib, seconds), "seconds": seconds, "rss": out["_rssMiB"],
            "cpu": children_cpu() - children}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def emulator_upload_ceiling(ctx: UploadCtx) -> Dict[str, Any]:
    """The emulator's own chunked-upload ceiling: the parts PUT by curl as fast as it goes
    (PARALLELISM at once, bytes already in the page cache, no session create/complete):
    what the server takes in and writes to its disk per second."""
    session = ctx.mock.request("POST", "/v1/media/uploads", {
        "fileName": "ceiling.mp4", "mimeType": "video/mp4", "size": ctx.size,
        "partSize": PART_MIB * MIB})
    config = parts_config(ctx, session["uploadId"], "ceiling.cfg")
    out = run_cmd(["curl", "--parallel", "--parallel-max", str(PARALLELISM), "-K", config])
    seconds = out["_wall"]
    return {"value": mibs(ctx.size_mib, seconds), "seconds": seconds, "rss": ctx.mock.rss_mib(),
            "cpu": out["_cpu"]}


def with_emulator_cpu(fn: Callable[[UploadCtx], Dict[str, Any]]) -> Callable[[UploadCtx], Dict[str, Any]]:
    """Adds the emulator's CPU-seconds during the measurement (`emulatorCpu`): on two cores the
    emulator competes with the client, so its work per GiB bounds every row."""
    def measure(ctx: UploadCtx) -> Dict[str, Any]:
        before = ctx.mock.cpu_seconds()
        result = fn(ctx)
        result["emulatorCpu"] = ctx.mock.cpu_seconds() - before
        return result
    return measure


def py(op: str, tool: str, *args: str) -> List[str]:
    return [VENV_PY, "bench/python/bench.py", op, "--tool", tool, *args]


def nd(op: str, tool: str, *args: str) -> List[str]:
    return ["node", "bench/node/bench.mjs", op, "--tool", tool, *args]


NODE_ENV = {"AETHER_NODE_PACKAGE": NODE_PKG}


def measured_upload_rows(only: Optional[Callable[[Dict[str, Any]], bool]] = None) -> List[Dict[str, Any]]:
    """upload_rows(), each measuring the emulator's CPU too; `only` keeps some of them."""
    return [dict(r, fn=with_emulator_cpu(r["fn"])) for r in upload_rows() if only is None or only(r)]


def bounded_memory_uploads(mock: Mock, size_mib: int) -> List[Dict[str, Any]]:
    """One run of every SDK row and of curl -T at RSS_SIZE (4 GiB): peak RSS must not grow with
    the file. Needs room for the file and the emulator's copy of it."""
    file = os.path.join(WORK, f"video-{size_mib}.bin")
    free_mib = shutil.disk_usage(WORK).free // MIB
    if free_mib < size_mib * 2 + 2048:
        log(f"== upload {size_mib} MiB: skipped, {free_mib} MiB free on the disk")
        return []
    log(f"== upload {size_mib} MiB (one run, bounded memory): generating the file")
    with open(file, "wb") as f:
        block = os.urandom(16 * MIB)  # the content does not matter here, only its size
        for i in range(-(-size_mib // 16)):
            f.write(block[i % 7:] + block[:i % 7])
        f.truncate(size_mib * MIB)
    try:
        ctx = UploadCtx(mock, size_mib, file)
        max_single = (size_mib + 1) * MIB
        warm_up(ctx, max_single)
        rows = measured_upload_rows(lambda r: bool(r.get("sdk")) or r["tool"] == "curl-single")
        return measure_group("upload", "upload", "MiB/s", True, rows, ctx, size_mib, UPLOAD_PEERS,
                             before_each=lambda: mock.reset(max_single), runs=1)
    finally:
        os.remove(file)
        mock.reset()


def upload_rows() -> List[Dict[str, Any]]:
    u = lambda c: (c.mock.url, KEY, c.file)  # noqa: E731
    cli_env = lambda c: {"AETHER_BASE_URL": c.mock.url, "AETHER_API_KEY": KEY}  # noqa: E731
    return [
        dict(tool="loopback", label="physical limit: loopback socket to a discarding sink",
             ok=have(f"{REL}/loopback"), fn=upload_program(lambda c: [f"{REL}/loopback", c.file])),
        dict(tool="emulator", label="emulator ceiling: parts PUT by curl, no create/complete",
             ok=True, fn=emulator_upload_ceiling, ceiling=True),
        dict(tool="aether-rust", label="Rust core (media().upload)", sdk=True,
             ok=have(f"{REL}/upload"),
             fn=upload_program(lambda c: [f"{REL}/upload", *u(c), str(PARALLELISM), str(PART_MIB)])),
        dict(tool="aether-c", label="C (aether_media_upload)", sdk=True, ok=have(C_BENCH),
             fn=upload_program(lambda c: [C_BENCH, "upload", *u(c), str(PARALLELISM), str(PART_MIB)])),
        dict(tool="aether-cli", label="CLI (aether upload --json), whole process", sdk=True,
             ok=have(f"{REL}/aether"), fn=upload_program(
                 lambda c: [f"{REL}/aether", "upload", c.file, "--json", "--mime-type", "video/mp4"],
                 env_fn=cli_env, use_wall=True)),
        dict(tool="aether-python", label="Python (media.upload)", sdk=True, ok=python_ok(),
             fn=upload_program(lambda c: py("upload", "aether", "--keep-media", *u(c)))),
        dict(tool="aether-python-async", label="Python async (await media.upload)", sdk=True,
             ok=python_ok(), fn=upload_program(lambda c: py("upload", "aether-async", "--keep-media", *u(c)))),
        dict(tool="httpx", label="httpx, chunked protocol by hand", ok=python_peers_ok(),
             fn=upload_program(lambda c: py("upload", "httpx", "--keep-media", *u(c)))),
        dict(tool="httpx-async", label="httpx.AsyncClient, chunked protocol by hand", ok=python_peers_ok(),
             fn=upload_program(lambda c: py("upload", "httpx-async", "--keep-media", *u(c)))),
        dict(tool="requests", label="requests, chunked protocol by hand", ok=python_peers_ok(),
             fn=upload_program(lambda c: py("upload", "requests", "--keep-media", *u(c)))),
        dict(tool="aether-node", label="Node (media.upload)", sdk=True, ok=node_ok(),
             fn=upload_program(lambda c: nd("upload", "aether", *u(c)), env_fn=lambda c: NODE_ENV)),
        dict(tool="fetch", label="Node fetch, chunked protocol by hand", ok=node_ok(),
             fn=upload_program(lambda c: nd("upload", "fetch", *u(c)), env_fn=lambda c: NODE_ENV)),
        dict(tool="curl-single", label="curl -T, one POST /v1/media (single-shot)", ok=True,
             fn=curl_single),
        dict(tool="curl-chunked", label=f"curl, chunked protocol ({PARALLELISM} parts at once)",
             ok=True, fn=curl_chunked),
    ]


UPLOAD_PEERS = {
    "aether-rust": ["curl-single", "curl-chunked"],
    "aether-c": ["curl-single", "curl-chunked"],
    "aether-cli": ["curl-single", "curl-chunked"],
    "aether-python": ["httpx", "requests", "curl-chunked"],
    "aether-python-async": ["httpx-async", "httpx", "curl-chunked"],
    "aether-node": ["fetch", "curl-chunked"],
}


class GetCtx:
    def __init__(self, mock: Mock, post: str) -> None:
        self.mock, self.post = mock, post


def get_program(argv_fn, env=None):
    def measure(ctx: GetCtx) -> Dict[str, Any]:
        out = run_cmd(argv_fn(ctx), env=env)
        return {"value": float(out["microsPerCall"]), "rss": out["_rssMiB"], "warning": out.get("_warning")}
    return measure


def curl_config(ctx: GetCtx, calls: int) -> str:
    """A curl config fetching the post `calls` times (one process, one kept-alive connection)."""
    config = os.path.join(WORK, f"get-{calls}.cfg")
    with open(config, "w") as cfg:
        cfg.write(f'header = "Authorization: Bearer {KEY}"\n')
        for _ in range(calls):
            cfg.write(f'url = "{ctx.mock.url}/v1/posts/{ctx.post}"\noutput = "/dev/null"\n')
    return config


def curl_get(ctx: GetCtx) -> Dict[str, Any]:
    """curl fetching the same URL CALLS times from one config file: one process, one kept-alive
    connection (libcurl's connection reuse), as bench/core.sh does."""
    out = run_cmd(["curl", "-sSf", "-K", curl_config(ctx, CALLS)])
    return {"value": out["_wall"] * 1e6 / CALLS, "rss": out["_rssMiB"]}


def wrk_one_connection(ctx: GetCtx) -> Dict[str, Any]:
    """The emulator's ceiling for a sequential keep-alive loop: wrk on one connection."""
    seconds = 2 if QUICK else 5
    text = subprocess.run(["wrk", "-t1", "-c1", f"-d{seconds}s", "-H", f"Authorization: Bearer {KEY}",
                           f"{ctx.mock.url}/v1/posts/{ctx.post}"], capture_output=True, text=True,
                          check=True).stdout
    rps = float(next(l.split()[1] for l in text.splitlines() if l.startswith("Requests/sec")))
    return {"value": 1e6 / rps, "rss": ctx.mock.rss_mib()}


def get_rows(ctx: GetCtx) -> List[Dict[str, Any]]:
    """Each row's `fn` times CALLS calls; `calls_argv(n)` is its command for n calls, which
    bench/harness/instructions.py runs under callgrind."""
    a = lambda n: (ctx.mock.url, KEY, ctx.post, str(n))  # noqa: E731
    rows = [
        dict(tool="emulator", label="emulator ceiling: wrk, 1 connection", ok=shutil.which("wrk") is not None,
             fn=wrk_one_connection, ceiling=True),
        dict(tool="aether-rust", label="Rust core (posts().get)", sdk=True, ok=have(f"{REL}/get_loop"),
             calls_argv=lambda n: [f"{REL}/get_loop", *a(n)]),
        dict(tool="aether-rust-task", label="Rust core (posts().get) in a spawned task, as a service's handler calls it",
             sdk=True, ok=have(f"{REL}/get_loop"), env={"GET_LOOP_IN_TASK": "1"},
             calls_argv=lambda n: [f"{REL}/get_loop", *a(n)]),
        dict(tool="aether-c", label="C (aether_post_get)", sdk=True, ok=have(C_BENCH),
             calls_argv=lambda n: [C_BENCH, "get", *a(n)]),
        dict(tool="aether-python", label="Python (posts.get)", sdk=True, ok=python_ok(),
             calls_argv=lambda n: py("get", "aether", *a(n))),
        dict(tool="aether-python-async", label="Python async (await posts.get)", sdk=True,
             ok=python_ok(), calls_argv=lambda n: py("get", "aether-async", *a(n))),
        dict(tool="httpx", label="httpx.Client, keep-alive", ok=python_ok(),
             calls_argv=lambda n: py("get", "httpx", *a(n))),
        dict(tool="httpx-async", label="httpx.AsyncClient, keep-alive", ok=python_ok(),
             calls_argv=lambda n: py("get", "httpx-async", *a(n))),
        dict(tool="requests", label="requests.Session, keep-alive", ok=python_ok(),
             calls_argv=lambda n: py("get", "requests", *a(n))),
        dict(tool="aether-node", label="Node (posts.get)", sdk=True, ok=node_ok(), env=NODE_ENV,
             calls_argv=lambda n: nd("get", "aether", *a(n))),
        dict(tool="fetch", label="Node fetch, keep-alive", ok=node_ok(), env=NODE_ENV,
             calls_argv=lambda n: nd("get", "fetch", *a(n))),
        dict(tool="curl", label="curl -K, one process, kept-alive (libcurl)", ok=True, fn=curl_get,
             calls_argv=lambda n: ["curl", "-sSf", "-K", curl_config(ctx, n)]),
    ]
    for row in rows:
        if "fn" not in row:
            row["fn"] = get_program(lambda c, argv=row["calls_argv"]: argv(CALLS), env=row.get("env"))
    return rows


GET_PEERS = {
    "aether-rust": ["curl"], "aether-rust-task": ["curl"], "aether-c": ["curl"],
    "aether-python": ["httpx", "requests", "curl"],
    "aether-python-async": ["httpx-async", "httpx", "curl"], "aether-node": ["fetch", "curl"],
}


class ConcCtx:
    def __init__(self, mock: Mock, count: int) -> None:
        self.mock, self.count = mock, count
        self.profiles = ""
        self.mark = 0

    def fresh(self) -> None:
        """A clean emulator and fresh profiles before each program, within the daily quota, and
        the journal's mark from which its requests are counted."""
        self.mock.reset()
        self.profiles = ",".join(self.mock.profiles(math.ceil(self.count / LINKEDIN_DAILY)))
        self.mark = self.mock.journal_mark()


def posts_program(figure: str, argv_fn, env=None):
    """Measures one program of the concurrent or wait group: its own `figure` (seconds or
    medianMs), its peak RSS, and the requests it sent, from the emulator's journal."""
    def measure(ctx: ConcCtx) -> Dict[str, Any]:
        ctx.fresh()
        out = run_cmd(argv_fn(ctx), env=env)
        return {"value": float(out[figure]), "rss": out["_rssMiB"], "warning": out.get("_warning"),
                "requests": ctx.mock.requests_since(ctx.mark, ctx.count)}
    return measure


def posts_rows(figure: str, rust_bin: str, subcommand: str, labels: Dict[str, str]) -> List[Dict[str, Any]]:
    """The six programs of the concurrent and wait groups (the SDK in four languages, httpx and
    fetch), each run with the emulator's URL, the key, the profiles and the post count."""
    a = lambda c: (c.mock.url, KEY, c.profiles, str(c.count))  # noqa: E731
    rows = [
        ("aether-rust", have(f"{REL}/{rust_bin}"), lambda c: [f"{REL}/{rust_bin}", *a(c)], None),
        ("aether-c", have(C_BENCH), lambda c: [C_BENCH, subcommand, *a(c)], None),
        ("aether-python", python_ok(), lambda c: py(subcommand, "aether", *a(c)), None),
        ("httpx", python_ok(), lambda c: py(subcommand, "httpx", *a(c)), None),
        ("aether-node", node_ok(), lambda c: nd(subcommand, "aether", *a(c)), NODE_ENV),
        ("fetch", node_ok(), lambda c: nd(subcommand, "fetch", *a(c)), NODE_ENV),
    ]
    return [dict(tool=tool, label=labels[tool], sdk=tool.startswith("aether-"), ok=ok,
                 fn=posts_program(figure, argv, env=env)) for tool, ok, argv, env in rows]


def conc_rows() -> List[Dict[str, Any]]:
    return posts_rows("seconds", "concurrent", "concurrent", {
        "aether-rust": "Rust core, one tokio task per post",
        "aether-c": "C, 16 pthreads (create, then aether_post_wait)",
        "aether-python": "Python, asyncio.gather",
        "httpx": "httpx.AsyncClient, asyncio.gather, polls at the server's hint",
        "aether-node": "Node, Promise.all",
        "fetch": "Node fetch, Promise.all, polls at the server's hint",
    })


def with_requests(records: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The requests each program sent (median over the runs), shown beside what it is."""
    for rec in records:
        if "requests" in rec:
            rec["label"] += f" — {rec['requests']:,} requests"
    return records


# --------------------------------------------------------------------------------------------
# How soon a wait returns after the change: WAIT_POSTS posts one after another, each created
# and waited for; the program reports the median from the post's publishedAt (the emulator's
# change, on its clock, which is this machine's) to the wait returning.

WAIT_POSTS = int(os.environ.get("WAIT_POSTS", "10" if QUICK else "20"))


def latency_rows() -> List[Dict[str, Any]]:
    return posts_rows("medianMs", "wait_latency", "wait-latency", {
        "aether-rust": "Rust core, posts().wait",
        "aether-c": "C, aether_post_wait",
        "aether-python": "Python, await posts.wait",
        "httpx": "httpx, polls at the server's hint",
        "aether-node": "Node, await posts.wait",
        "fetch": "Node fetch, polls at the server's hint",
    })


# The peers each SDK row of the concurrent and wait groups is compared with.
POSTS_PEERS = {
    "aether-rust": ["httpx", "fetch"], "aether-c": ["httpx", "fetch"],
    "aether-python": ["httpx"], "aether-node": ["fetch"],
}


def fresh_processes(argv: List[str], env: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """Median wall time of STARTUP_N fresh processes, in milliseconds."""
    times, rss = [], []
    for _ in range(STARTUP_N):
        out = run_cmd(argv, env=env)
        times.append(out["_wall"] * 1000)
        rss.append(out["_rssMiB"] or 0)
    return {"value": statistics.median(times), "rss": statistics.median(rss)}


def startup_rows() -> List[Dict[str, Any]]:
    req = f"require({json.dumps(NODE_PKG)})"
    return [
        dict(tool="python", label="python -c pass (the interpreter alone)", ok=have(VENV_PY),
             fn=lambda c: fresh_processes([VENV_PY, "-c", "pass"])),
        dict(tool="aether-python", label="python -c 'import aether'", sdk=True, ok=python_ok(),
             fn=lambda c: fresh_processes([VENV_PY, "-c", "import aether"])),
        dict(tool="httpx", label="python -c 'import httpx'", ok=python_ok(),
             fn=lambda c: fresh_processes([VENV_PY, "-c", "import httpx"])),
        dict(tool="requests", label="python -c 'import requests'", ok=python_ok(),
             fn=lambda c: fresh_processes([VENV_PY, "-c", "import requests"])),
        dict(tool="node", label="node -e 0 (the runtime alone)", ok=shutil.which("node") is not None,
             fn=lambda c: fresh_processes(["node", "-e", "0"])),
        dict(tool="aether-node", label="node -e 'require(\"aether\")'", sdk=True,
             ok=node_ok() and have(os.path.join(NODE_PKG, "package.json")),
             fn=lambda c: fresh_processes(["node", "-e", req])),
        dict(tool="fetch", label="node -e 'fetch' (loads undici)", ok=shutil.which("node") is not None,
             fn=lambda c: fresh_processes(["node", "-e", "globalThis.fetch"])),
        dict(tool="aether-cli", label="aether --version", sdk=True, ok=have(f"{REL}/aether"),
             fn=lambda c: fresh_processes([f"{REL}/aether", "--version"])),
        dict(tool="curl", label="curl --version", ok=True,
             fn=lambda c: fresh_processes(["curl", "--version"])),
    ]


STARTUP_PEERS = {
    "aether-python": ["httpx", "requests", "python"], "aether-node": ["fetch", "node"],
    "aether-cli": ["curl"],
}


# --------------------------------------------------------------------------------------------
# Measuring a group: RUNS rounds, each tool once per round; ratios pair by pair per round


def measure_group(name: str, op: str, unit: str, higher_better: bool, rows: List[Dict[str, Any]],
                  ctx: Any, size_mib: Optional[int], peers: Dict[str, List[str]],
                  before_each: Optional[Callable[[], None]] = None,
                  count: Optional[int] = None, runs: int = RUNS) -> List[Dict[str, Any]]:
    per_run: Dict[str, List[Optional[float]]] = {r["tool"]: [] for r in rows}
    # CPU-seconds of the client (`cpu`) and of the emulator (`emulatorCpu`) per round, for the
    # rows that report them (uploads), aligned with per_run.
    cpu_runs: Dict[str, Dict[str, List[Optional[float]]]] = {
        k: {r["tool"]: [] for r in rows} for k in ("cpu", "emulatorCpu")}
    rss: Dict[str, List[float]] = {r["tool"]: [] for r in rows}
    errors: Dict[str, str] = {}
    warnings: Dict[str, List[str]] = {r["tool"]: [] for r in rows}
    requests: Dict[str, List[int]] = {r["tool"]: [] for r in rows}
    for run in range(1, runs + 1):
        for row in rows:
            tool = row["tool"]
            if not row["ok"] or tool in errors:
                continue
            if before_each:
                before_each()
            try:
                result = row["fn"](ctx)
            except (Failed, subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError,
                    KeyError, ValueError, TypeError) as e:
                errors[tool] = f"failed: {e}"
                log(f"  {name} {tool}: {errors[tool]}")
                continue
            per_run[tool].append(result["value"])
            for k in cpu_runs:
                cpu_runs[k][tool].append(result.get(k))
            if result.get("warning"):
                warnings[tool].append(f"run {run}: {result['warning']}")
                log(f"  {name} {tool} run {run}: {result['warning']}")
            if result.get("rss") is not None:
                rss[tool].append(result["rss"])
            if result.get("requests") is not None:
                requests[tool].append(result["requests"])
            log(f"  {name}{'' if size_mib is None else f' {size_mib} MiB'}{'' if count is None else f' {count}'} run {run}: {tool:<14} "
                f"{result['value']:.1f} {unit}" + (f", peak RSS {result['rss']:.0f} MiB" if result.get("rss") else "")
                + (f", CPU {result['cpu']:.2f} s" if result.get("cpu") is not None else "")
                + (f" (emulator {result['emulatorCpu']:.2f} s)" if result.get("emulatorCpu") is not None else ""))
    by_tool = {r["tool"]: r for r in rows}
    records = []
    limit = "loopback" if "loopback" in by_tool else None

    def ratio_runs(a: str, b: str) -> List[float]:
        out = []
        for x, y in zip(per_run[a], per_run[b]):
            if x and y:
                out.append(x / y if higher_better else y / x)
        return out

    for row in rows:
        tool = row["tool"]
        values = per_run[tool]
        rec: Dict[str, Any] = {
            "group": name, "op": op, "tool": tool, "label": row["label"], "sizeMiB": size_mib, "count": count,
            "unit": unit, "higherIsBetter": higher_better, "sdk": bool(row.get("sdk")),
            "ceiling": bool(row.get("ceiling")) or tool == "loopback",
        }
        if not row["ok"]:
            rec["skipped"] = row.get("why") or SKIPPED.get(tool) or "not available (its program or build is missing)"
        elif tool in errors and not values:
            rec["skipped"] = errors[tool]
        if values:
            rec.update(median=round(statistics.median(values), 2), runs=[round(v, 2) for v in values],
                       peakRssMiB=round(statistics.median(rss[tool]), 1) if rss[tool] else None)
            if tool in errors:
                rec["note"] = errors[tool]
            if warnings[tool]:
                rec["warnings"] = warnings[tool]
            if requests[tool]:
                rec["requests"] = int(statistics.median(requests[tool]))
            ratios = {}
            for other in by_tool:
                if other != tool and per_run[other]:
                    rs = ratio_runs(tool, other)
                    if rs:
                        ratios[other] = round(statistics.median(rs), 3)
            rec["speedVs"] = ratios
            rec["peers"] = [p for p in peers.get(tool, []) if p in ratios]
            if size_mib:
                rec.update(cpu_figures(tool, cpu_runs, size_mib))
            if limit and tool != limit and limit in ratios:
                rec["fractionOfLimit"] = ratios[limit]
        records.append(rec)
    return records


def cpu_figures(tool: str, cpu_runs: Dict[str, Dict[str, List[Optional[float]]]],
                size_mib: int) -> Dict[str, Any]:
    """CPU-seconds per GiB of the client (`cpuSecondsPerGiB`, median of the rounds, every
    round's in `cpuRuns`), its ratio to every other row's, round by round (`cpuVs`: < 1 is less
    CPU than that row), and the emulator's CPU per GiB during the row (`emulatorCpuSecondsPerGiB`)."""
    gib = size_mib / 1024
    mine = cpu_runs["cpu"][tool]
    out: Dict[str, Any] = {}
    if any(c is not None for c in mine):
        per_gib = [c / gib for c in mine if c is not None]
        out["cpuSecondsPerGiB"] = round(statistics.median(per_gib), 3)
        out["cpuRuns"] = [round(c, 3) for c in per_gib]
        vs = {}
        for other, theirs in cpu_runs["cpu"].items():
            pairs = [a / b for a, b in zip(mine, theirs) if other != tool and a is not None and b]
            if pairs:
                vs[other] = round(statistics.median(pairs), 3)
        out["cpuVs"] = vs
    emu = [c / gib for c in cpu_runs["emulatorCpu"][tool] if c is not None]
    if emu:
        out["emulatorCpuSecondsPerGiB"] = round(statistics.median(emu), 3)
    return out


# --------------------------------------------------------------------------------------------


def machine() -> Dict[str, Any]:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    load = open("/proc/loadavg").read().split()[:3]
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "loadAverageAtStart": [float(x) for x in load]}


def main() -> None:
    os.makedirs(WORK, exist_ok=True)
    started = time.time()
    meta = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": RUNS,
            "sizesMiB": SIZES, "rssSizeMiB": RSS_SIZE, "calls": CALLS, "concurrentPosts": COUNTS, "startupProcesses": STARTUP_N,
            "quick": QUICK, "processingMs": PROCESSING_MS, "partMiB": PART_MIB,
            "parallelism": PARALLELISM, "machine": machine(),
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                     text=True).stdout.strip()}
    with paused_free_page_reporting(log) as reporting:
        meta["machine"]["freePageReporting"] = reporting
        run_groups(meta, started)


def run_groups(meta: Dict[str, Any], started: float) -> None:
    records: List[Dict[str, Any]] = []
    mock = Mock()
    ceiling: Dict[str, Any] = {}
    try:
        if "upload" in ONLY:
            for size_mib in SIZES:
                file = os.path.join(WORK, f"video-{size_mib}.bin")
                log(f"== upload {size_mib} MiB: generating the file")
                with open(file, "wb") as f:
                    for _ in range(size_mib):
                        f.write(os.urandom(MIB))
                ctx = UploadCtx(mock, size_mib, file)
                ctx.prepare_parts()
                max_single = (size_mib + 1) * MIB
                warm_up(ctx, max_single)
                records += measure_group("upload", "upload", "MiB/s", True, measured_upload_rows(), ctx,
                                         size_mib, UPLOAD_PEERS, before_each=lambda: mock.reset(max_single))
                ctx.cleanup()
                os.remove(file)
                mock.reset()
            if RSS_SIZE:
                records += bounded_memory_uploads(mock, RSS_SIZE)
        if "get" in ONLY:
            log(f"== posts.get: {CALLS} calls")
            mock.reset()
            post = mock.post(mock.profiles(1)[0])
            get_ctx = GetCtx(mock, post)
            rows = get_rows(get_ctx)
            get_records = measure_group("get", "posts.get", "µs/call", False, rows, get_ctx, None, GET_PEERS)
            log("== posts.get: instructions per call (callgrind)")
            counted = instructions.measure(rows, log)
            for rec in get_records:
                if rec["tool"] in counted:
                    rec[instructions.FIELD] = counted[rec["tool"]]
            records += get_records
        if "concurrent" in ONLY:
            for count in COUNTS:
                log(f"== concurrent: {count} posts created and waited")
                records += with_requests(measure_group("concurrent", "create+wait", "s", False, conc_rows(),
                                                       ConcCtx(mock, count), None, POSTS_PEERS, count=count))
        if "wait" in ONLY:
            log(f"== posts.wait latency: {WAIT_POSTS} posts, one after another")
            records += with_requests(measure_group("wait", "posts.wait latency", "ms", False, latency_rows(),
                                                   ConcCtx(mock, WAIT_POSTS), None, POSTS_PEERS,
                                                   count=WAIT_POSTS))
        if "startup" in ONLY:
            log(f"== start-up: median of {STARTUP_N} fresh processes")
            records += measure_group("startup", "start-up", "ms", False, startup_rows(), None, None,
                                     STARTUP_PEERS)
        if "ceiling" in ONLY and shutil.which("wrk"):
            mock.reset()
            post = mock.post(mock.profiles(1)[0])
            seconds = 2 if QUICK else 5
            text = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "-H", f"Authorization: Bearer {KEY}",
                                   f"{mock.url}/v1/posts/{post}"], capture_output=True, text=True).stdout
            rps = next((float(l.split()[1]) for l in text.splitlines() if l.startswith("Requests/sec")), None)
            ceiling = {"getPostRequestsPerSec64Connections": rps, "emulatorPeakRssMiB": mock.rss_mib(),
                       "wrkSeconds": seconds}
            log(f"== emulator: {rps} GET/s on 64 connections")
    finally:
        mock.stop()
        shutil.rmtree(os.path.join(WORK, "data"), ignore_errors=True)
    meta["elapsedSeconds"] = round(time.time() - started, 1)
    meta["emulator"] = ceiling
    from targets import evaluate  # bench/harness/targets.py

    out = {"meta": meta, "targets": evaluate(records, SIZES, RSS_SIZE), "records": records}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT + ".json", "w") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")
    from report import write_markdown, write_chart, write_readme  # bench/harness/report.py

    write_markdown(out, OUT + ".md")
    write_chart(out, OUT + ".png")
    if OUT == "bench/results/latest":  # a full run: the README's tables are this run's too
        write_readme(out, "README.md")
    log(f"wrote {OUT}.json, .md, .png")
    print(open(OUT + ".md").read())


if __name__ == "__main__":
    main()
