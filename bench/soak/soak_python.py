"""The soak of the Python binding (bench/soak): CYCLES create/get/wait cycles, then UPLOADS
chunked uploads of FILE, on one client (the cycles in LANES threads at once, since each wait
spends most of its time between polls); prints a JSON line every few cycles and uploads with
this process's resident set, the blocks Python's allocator holds (``sys.getallocatedblocks``)
and the objects the garbage collector tracks (after a collection), which bench/soak/soak.py
turns into growth after warm-up.
Usage: python soak_python.py URL API_KEY PROFILE_IDS CYCLES UPLOADS FILE"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading

import aether


LANES = int(os.environ.get("LANES", "16"))


def rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def sample(phase: str, n: int) -> None:
    gc.collect()
    print(json.dumps({"phase": phase, "n": n, "rssKiB": rss_kib(),
                      "pyBlocks": sys.getallocatedblocks(), "pyObjects": len(gc.get_objects())}),
          flush=True)


def main() -> None:
    url, key, profiles_arg, cycles_arg, uploads_arg, file = sys.argv[1:7]
    profiles = profiles_arg.split(",")
    cycles, uploads = int(cycles_arg), int(uploads_arg)
    client = aether.Aether(api_key=key, base_url=url)
    every = max(1, cycles // 40)
    lock = threading.Lock()
    state = {"next": 1, "done": 0}

    def lane() -> None:
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i > cycles:
                return
            post = client.posts.create(profile_id=profiles[i % len(profiles)], content=f"soak {i}")
            client.posts.get(post.id)
            client.posts.wait(post.id)
            with lock:
                state["done"] += 1
                done = state["done"]
                if done % every == 0 or done == cycles:
                    sample("cycles", done)

    sample("cycles", 0)
    threads = [threading.Thread(target=lane) for _ in range(LANES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sample("uploads", 0)
    for i in range(1, uploads + 1):
        client.media.upload(file, part_size=5 * 1024 * 1024, single_shot_threshold=0)
        if i % 5 == 0 or i == uploads:
            sample("uploads", i)


if __name__ == "__main__":
    main()
