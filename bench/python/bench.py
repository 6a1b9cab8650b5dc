"""The Python package against the HTTP clients Python users would otherwise write it with.

One measurement per invocation, one JSON line on stdout (bench/python.sh and bench/run call it):

  bench.py upload     --tool {aether,aether-async,httpx,httpx-async,requests} [--keep-media]
                      URL KEY FILE
  bench.py get        --tool {aether,aether-async,httpx,httpx-async,requests} URL KEY POST_ID CALLS
  bench.py concurrent --tool {aether,httpx}          URL KEY PROFILE_ID[,PROFILE_ID…] COUNT
  bench.py wait-latency --tool {aether,httpx}        URL KEY PROFILE_ID[,PROFILE_ID…] COUNT
  bench.py import     [--tool {aether,httpx,requests}] [--runs N]

  {"tool": …, "op": …, "seconds": …, "mibPerSec": … (upload), "microsPerCall": … (get),
   "peakRssMiB": …}

The clock starts after the interpreter, the imports and the client are set up (and, for `get`,
after one warm-up call that opens the kept-alive connection); `import` times `import X` in fresh
interpreters instead. The `-async` tools (`AsyncAether`, `httpx.AsyncClient`) do the same in one
running asyncio loop: set up, warm up, then the timed awaits. `peakRssMiB` is this process's
peak RSS (for `import`, the largest child's).

The peers are what a competent user writes with httpx or requests: one client/session with
keep-alive, the chunked protocol of PROTOCOL.md done part by part (read a part, CRC32C it with
the `crc32c` package, PUT it, then complete; the whole-file checksum at `complete` is optional
in the protocol and the peers leave it out, which spares them work the SDK does), the
response JSON decoded, errors raised; a post awaited by polling that honours `Retry-After`.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Tuple

MIB = 1024 * 1024
TERMINAL = {"published", "partially_published", "failed", "cancelled"}
UPLOAD_TIMEOUT = 600.0
POST_TEXT = "bench: concurrent create and wait"

Timed = Tuple[float, List[str]]


def peak_rss_mib(children: bool = False) -> int:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return int(resource.getrusage(who).ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def cpu_seconds() -> float:
    """CPU-seconds (user + system, every thread, the core's included) used so far: an upload
    reports the difference around itself, so the interpreter's start-up is not counted."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def emit(tool: str, op: str, seconds: float, peak: Optional[int] = None, **figures: Any) -> None:
    line: Dict[str, Any] = {"tool": tool, "op": op, "seconds": round(seconds, 4)}
    line.update(figures)
    line["peakRssMiB"] = peak_rss_mib() if peak is None else peak
    print(json.dumps(line), flush=True)


def crc32c_function() -> Callable[[bytes], int]:
    """A hardware-accelerated CRC32C from PyPI: `crc32c`, else `google-crc32c`."""
    try:
        import crc32c

        return crc32c.crc32c  # type: ignore[no-any-return]
    except ImportError:
        import google_crc32c

        return google_crc32c.value  # type: ignore[no-any-return]


def crc_header(crc: int) -> str:
    return base64.b64encode(crc.to_bytes(4, "big")).decode("ascii")


# --- upload -----------------------------------------------------------------------------------


def upload_aether(url: str, key: str, path: str) -> Callable[[], Dict[str, Any]]:
    import aether

    client = aether.Aether(api_key=key, base_url=url, timeout=UPLOAD_TIMEOUT)

    def run() -> Dict[str, Any]:
        return client.media.upload(path, mime_type="video/mp4").to_dict()

    return run


def upload_aether_async(url: str, key: str, path: str) -> Callable[[], Awaitable[Dict[str, Any]]]:
    import aether

    client = aether.AsyncAether(api_key=key, base_url=url, timeout=UPLOAD_TIMEOUT)

    async def run() -> Dict[str, Any]:
        return (await client.media.upload(path, mime_type="video/mp4")).to_dict()

    return run


Request = Tuple[str, Dict[str, Any]]  # URL, keyword arguments of the client's post/put


class ChunkedUpload:
    """PROTOCOL.md's chunked upload, one part after another (the shape every peer shares), as
    the requests it sends: a sync or an async client sends them."""

    def __init__(self, url: str, path: str) -> None:
        self.url, self.path = url, path

    def create(self) -> Request:
        return (f"{self.url}/v1/media/uploads",
                {"json": {"fileName": os.path.basename(self.path), "mimeType": "video/mp4",
                          "size": os.path.getsize(self.path)}})

    def parts(self, created: Dict[str, Any]) -> Iterator[Request]:
        """Each part's PUT, read from the file and checksummed as it is asked for."""
        crc32c = crc32c_function()
        with open(self.path, "rb") as file:
            for number in range(1, created["partCount"] + 1):
                part = file.read(created["partSize"])
                yield (f"{self.url}/v1/media/uploads/{created['uploadId']}/parts/{number}",
                       {"content": part,
                        "headers": {"X-Part-Crc32c": crc_header(crc32c(part)),
                                    "Content-Type": "application/octet-stream"}})

    def complete(self, created: Dict[str, Any]) -> Request:
        return f"{self.url}/v1/media/uploads/{created['uploadId']}/complete", {"json": {}}


def upload_chunked(url: str, path: str, post: Callable[..., Any],
                   put: Callable[..., Any]) -> Dict[str, Any]:
    """ChunkedUpload, each request sent by `post` or `put`."""
    upload = ChunkedUpload(url, path)
    target, kw = upload.create()
    created = post(target, **kw)
    for target, kw in upload.parts(created):
        put(target, **kw)
    target, kw = upload.complete(created)
    return post(target, **kw)  # type: ignore[no-any-return]


async def upload_chunked_async(url: str, path: str, post: Callable[..., Awaitable[Any]],
                               put: Callable[..., Awaitable[Any]]) -> Dict[str, Any]:
    """ChunkedUpload, each request awaited (the part read in the loop, as such code does)."""
    upload = ChunkedUpload(url, path)
    target, kw = upload.create()
    created = await post(target, **kw)
    for target, kw in upload.parts(created):
        await put(target, **kw)
    target, kw = upload.complete(created)
    return await post(target, **kw)  # type: ignore[no-any-return]


def upload_httpx_async(url: str, key: str, path: str) -> Callable[[], Awaitable[Dict[str, Any]]]:
    import httpx

    client = httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"},
                               timeout=httpx.Timeout(UPLOAD_TIMEOUT))

    async def post(u: str, **kw: Any) -> Any:
        response = await client.post(u, **kw)
        response.raise_for_status()
        return response.json()

    async def put(u: str, **kw: Any) -> Any:
        response = await client.put(u, **kw)
        response.raise_for_status()
        return response.json()

    return lambda: upload_chunked_async(url, path, post, put)


def upload_httpx(url: str, key: str, path: str) -> Callable[[], Dict[str, Any]]:
    import httpx

    client = httpx.Client(headers={"Authorization": f"Bearer {key}"},
                          timeout=httpx.Timeout(UPLOAD_TIMEOUT))

    def post(u: str, **kw: Any) -> Any:
        response = client.post(u, **kw)
        response.raise_for_status()
        return response.json()

    def put(u: str, **kw: Any) -> Any:
        response = client.put(u, **kw)
        response.raise_for_status()
        return response.json()

    return lambda: upload_chunked(url, path, post, put)


def upload_requests(url: str, key: str, path: str) -> Callable[[], Dict[str, Any]]:
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"

    def post(u: str, **kw: Any) -> Any:
        response = session.post(u, timeout=UPLOAD_TIMEOUT, **kw)
        response.raise_for_status()
        return response.json()

    def put(u: str, content: bytes, **kw: Any) -> Any:
        response = session.put(u, data=content, timeout=UPLOAD_TIMEOUT, **kw)
        response.raise_for_status()
        return response.json()

    return lambda: upload_chunked(url, path, post, put)


ASYNC_UPLOADS = {"aether-async": upload_aether_async, "httpx-async": upload_httpx_async}


def timed_upload(run: Callable[[], Dict[str, Any]]) -> Tuple[float, float, Dict[str, Any]]:
    """Seconds and CPU-seconds of one upload, and its media."""
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    media = run()
    return time.perf_counter() - started, cpu_seconds() - cpu_started, media


async def timed_upload_async(args: argparse.Namespace) -> Tuple[float, float, Dict[str, Any]]:
    run = ASYNC_UPLOADS[args.tool](args.url.rstrip("/"), args.key, args.file)
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    media = await run()
    return time.perf_counter() - started, cpu_seconds() - cpu_started, media


def cmd_upload(args: argparse.Namespace) -> None:
    setup = {"aether": upload_aether, "httpx": upload_httpx, "requests": upload_requests}
    if args.tool in ASYNC_UPLOADS:
        import asyncio

        seconds, cpu, media = asyncio.run(timed_upload_async(args))
    else:
        seconds, cpu, media = timed_upload(setup[args.tool](args.url.rstrip("/"), args.key,
                                                            args.file))
    size = os.path.getsize(args.file)
    assert media.get("mediaKey"), media
    if not args.keep_media:
        delete_media(args.url.rstrip("/"), args.key, media["mediaKey"])
    emit(args.tool, "upload", seconds, cpuSeconds=round(cpu, 4),
         mibPerSec=round(size / MIB / seconds, 1))


def delete_media(url: str, key: str, media_key: str) -> None:
    """Frees the emulator's disk after the measurement (repeated 1 GiB runs would fill it)."""
    import urllib.parse
    import urllib.request

    request = urllib.request.Request(
        f"{url}/v1/media/{urllib.parse.quote(media_key, safe='')}", method="DELETE",
        headers={"Authorization": f"Bearer {key}"})
    urllib.request.urlopen(request, timeout=60).close()


# --- get --------------------------------------------------------------------------------------


def get_aether(url: str, key: str, post_id: str) -> Callable[[], Any]:
    import aether

    client = aether.Aether(api_key=key, base_url=url)
    return lambda: client.posts.get(post_id)


def get_httpx(url: str, key: str, post_id: str) -> Callable[[], Any]:
    import httpx

    client = httpx.Client(headers={"Authorization": f"Bearer {key}"})
    target = f"{url}/v1/posts/{post_id}"

    def call() -> Any:
        response = client.get(target)
        response.raise_for_status()
        return response.json()

    return call


def get_requests(url: str, key: str, post_id: str) -> Callable[[], Any]:
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    target = f"{url}/v1/posts/{post_id}"

    def call() -> Any:
        response = session.get(target, timeout=60)
        response.raise_for_status()
        return response.json()

    return call


def get_aether_async(url: str, key: str, post_id: str) -> Callable[[], Awaitable[Any]]:
    import aether

    client = aether.AsyncAether(api_key=key, base_url=url)
    return lambda: client.posts.get(post_id)


def get_httpx_async(url: str, key: str, post_id: str) -> Callable[[], Awaitable[Any]]:
    import httpx

    client = httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"})
    target = f"{url}/v1/posts/{post_id}"

    async def call() -> Any:
        response = await client.get(target)
        response.raise_for_status()
        return response.json()

    return call


ASYNC_GETS = {"aether-async": get_aether_async, "httpx-async": get_httpx_async}


async def timed_gets_async(args: argparse.Namespace) -> float:
    call = ASYNC_GETS[args.tool](args.url.rstrip("/"), args.key, args.post_id)
    await call()  # connect once, outside the measurement
    started = time.perf_counter()
    for _ in range(args.calls):
        await call()
    return time.perf_counter() - started


def cmd_get(args: argparse.Namespace) -> None:
    setup = {"aether": get_aether, "httpx": get_httpx, "requests": get_requests}
    calls = args.calls
    if args.tool in ASYNC_GETS:
        import asyncio

        seconds = asyncio.run(timed_gets_async(args))
    else:
        call = setup[args.tool](args.url.rstrip("/"), args.key, args.post_id)
        call()  # connect once, outside the measurement
        started = time.perf_counter()
        for _ in range(calls):
            call()
        seconds = time.perf_counter() - started
    emit(args.tool, "get", seconds, microsPerCall=round(seconds * 1e6 / calls, 1))


# --- concurrent create + wait -----------------------------------------------------------------


def profile_for(profile_ids: str, i: int) -> str:
    """PROFILE_ID may be a comma-separated list: post i goes to profile i mod n (the emulator
    allows 150 posts a profile a day, so 2,000 posts need several profiles)."""
    ids = profile_ids.split(",")
    return ids[i % len(ids)]


def post_body(profile_id: str) -> Dict[str, Any]:
    return {"profileId": profile_id, "content": {"text": POST_TEXT},
            "platforms": {"linkedin": {}}}


async def concurrent_aether(url: str, key: str, profile_id: str, count: int) -> Timed:
    import asyncio

    import aether

    client = aether.AsyncAether(api_key=key, base_url=url)

    async def one(i: int) -> str:
        post = await client.posts.create(profile_id=profile_for(profile_id, i), content={"text": POST_TEXT},
                                         platforms={"linkedin": {}})
        return (await client.posts.wait(post.id)).status

    started = time.perf_counter()
    statuses = await asyncio.gather(*(one(i) for i in range(count)))
    return time.perf_counter() - started, list(statuses)


def hint_seconds(headers: Any) -> Optional[float]:
    """The server's poll hint: `Retry-After-Ms` (which wins), else `Retry-After` in seconds."""
    ms = headers.get("retry-after-ms")
    if ms is not None and ms.isdigit():
        return int(ms) / 1000
    secs = headers.get("retry-after")
    if secs is not None and secs.isdigit():
        return float(secs)
    return None


def next_poll(headers: Any, sent: float, default: float) -> float:
    """When to poll next, as PROTOCOL.md says (second edition): at the server's hint (else
    every `default` seconds), never sooner than 100 ms after the previous request started."""
    hint = hint_seconds(headers)
    return max(time.monotonic() + (default if hint is None else hint), sent + 0.1)


async def httpx_create_and_wait(client: Any, body: Dict[str, Any]) -> Dict[str, Any]:
    """Create a post (with an idempotency key, as PROTOCOL.md recommends), then poll it: the
    create's answer already says `publishing` and when to look again (`Retry-After-Ms`), so the
    first GET waits for that hint; without one it is sent at once, later ones every 3 s (the
    protocol's default)."""
    import asyncio
    import uuid

    sent = time.monotonic()
    response = await client.post("/v1/posts", json=body,
                                 headers={"Idempotency-Key": str(uuid.uuid4())})
    response.raise_for_status()
    post: Dict[str, Any] = response.json()
    at = sent if hint_seconds(response.headers) is None else next_poll(response.headers, sent, 3.0)
    while post["status"] not in TERMINAL:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        sent = time.monotonic()
        response = await client.get(f"/v1/posts/{post['id']}")
        response.raise_for_status()
        post = response.json()
        at = next_poll(response.headers, sent, 3.0)
    return post


def httpx_client(url: str, key: str, count: int) -> Any:
    import httpx

    # As many connections as tasks (with httpx's default pool of 100 the creates would queue).
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=count)
    return httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"},
                             timeout=60, limits=limits)


async def concurrent_httpx(url: str, key: str, profile_id: str, count: int) -> Timed:
    import asyncio

    async with httpx_client(url, key, count) as client:

        async def one(i: int) -> str:
            post = await httpx_create_and_wait(client, post_body(profile_for(profile_id, i)))
            return str(post["status"])

        started = time.perf_counter()
        statuses = await asyncio.gather(*(one(i) for i in range(count)))
        return time.perf_counter() - started, list(statuses)


def cmd_concurrent(args: argparse.Namespace) -> None:
    import asyncio

    run = {"aether": concurrent_aether, "httpx": concurrent_httpx}[args.tool]
    seconds, statuses = asyncio.run(run(args.url.rstrip("/"), args.key, args.profile_id,
                                        args.count))
    counts: Dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    emit(args.tool, "concurrent", seconds, statuses=counts)


# --- wait latency -----------------------------------------------------------------------------


def changed_at(stamps: List[Optional[str]]) -> float:
    """When the emulator published the post (its latest target's `publishedAt`), in Unix
    seconds (the emulator's clock is this machine's)."""
    from datetime import datetime

    return max(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() for s in stamps if s)


async def latency_aether(url: str, key: str, profile_id: str, count: int) -> List[float]:
    import aether

    client = aether.AsyncAether(api_key=key, base_url=url)
    out = []
    for i in range(count):
        post = await client.posts.create(profile_id=profile_for(profile_id, i),
                                         content={"text": POST_TEXT}, platforms={"linkedin": {}})
        done = await client.posts.wait(post.id)
        returned = time.time()
        out.append((returned - changed_at([r.published_at for r in done.results])) * 1000)
    return out


async def latency_httpx(url: str, key: str, profile_id: str, count: int) -> List[float]:
    out = []
    async with httpx_client(url, key, 1) as client:
        for i in range(count):
            post = await httpx_create_and_wait(client, post_body(profile_for(profile_id, i)))
            returned = time.time()
            out.append((returned - changed_at([r.get("publishedAt") for r in post["results"]])) * 1000)
    return out


def cmd_wait_latency(args: argparse.Namespace) -> None:
    import asyncio

    run = {"aether": latency_aether, "httpx": latency_httpx}[args.tool]
    started = time.perf_counter()
    latencies = asyncio.run(run(args.url.rstrip("/"), args.key, args.profile_id, args.count))
    emit(args.tool, "wait-latency", time.perf_counter() - started,
         medianMs=round(statistics.median(latencies), 1),
         latenciesMs=[round(ms, 1) for ms in latencies])


# --- import -----------------------------------------------------------------------------------

IMPORT_PROBE = (
    "import time\nstarted = time.perf_counter()\nimport {module}\n"
    "print(time.perf_counter() - started)\n"
)


def cmd_import(args: argparse.Namespace) -> None:
    probe = IMPORT_PROBE.format(module=args.tool)
    subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True)  # warm cache
    times = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                             text=True).stdout
        times.append(float(out.strip()))
    emit(args.tool, "import", statistics.median(times), peak=peak_rss_mib(children=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ops = parser.add_subparsers(dest="op", required=True)

    up = ops.add_parser("upload")
    up.add_argument("--tool", choices=["aether", "aether-async", "httpx", "httpx-async", "requests"],
                    required=True)
    up.add_argument("url")
    up.add_argument("key")
    up.add_argument("file")
    up.add_argument("--keep-media", action="store_true",
                    help="leave the media on the emulator (bench/run resets the emulator before "
                    "each upload, which deletes it outside the measured span)")
    up.set_defaults(func=cmd_upload)

    get = ops.add_parser("get")
    get.add_argument("--tool", choices=["aether", "aether-async", "httpx", "httpx-async", "requests"],
                     required=True)
    get.add_argument("url")
    get.add_argument("key")
    get.add_argument("post_id")
    get.add_argument("calls", type=int)
    get.set_defaults(func=cmd_get)

    # The posts programs take the same arguments.
    for name, func in [("concurrent", cmd_concurrent), ("wait-latency", cmd_wait_latency)]:
        posts = ops.add_parser(name)
        posts.add_argument("--tool", choices=["aether", "httpx"], required=True)
        posts.add_argument("url")
        posts.add_argument("key")
        posts.add_argument("profile_id")
        posts.add_argument("count", type=int)
        posts.set_defaults(func=func)

    imp = ops.add_parser("import")
    imp.add_argument("--tool", choices=["aether", "httpx", "requests"], default="aether")
    imp.add_argument("--runs", type=int, default=9)
    imp.set_defaults(func=cmd_import)

    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
