"""What the virtual machine does under the benchmark that is none of the tools' doing: its host
taking back the memory the guest frees.

On a virtual machine with free page reporting (virtio-balloon; Firecracker on this project's
machine), blocks of pages the guest frees are reported to the host a few seconds later, and
the host unmaps them; the next write into such a page stops the virtual CPU while the host
maps and zeroes it again, and the guest counts that as its own system time. Every upload
round frees the emulator's copy of the file (the reset before each row deletes its media), so
whether the next row's copy lands in pages already given back depended on how many seconds had
passed: measured with `dd` of 2 GiB into a file on this machine, 0.52-0.58 s of system time
when the pages of a file deleted just before were reused, 2.8-3.7 s eight seconds after the
delete (the host had taken ~0.95 GiB back by then). In the upload rows it showed as the
emulator using 2-5 x its usual CPU in some rounds, at random (bench/README.md).

While the run lasts, `paused_free_page_reporting` raises the smallest block the guest reports
above the largest block its allocator has, so nothing freed is reported, and puts the old value
back at the end (also on SIGTERM or ^C). `BENCH_PAGE_REPORTING=keep` leaves it alone. Where the
setting is absent (no balloon driver) or not writable (not root), the run goes on and says so.

Pausing keeps what the host holds; it does not give back what the host took before the run
(most of the guest's free memory, once the machine has been idle). A row whose copy of the file
lands in such pages pays for them: writing 21 GiB of the guest's free memory took 88.7 s of
system time here the first time (4.2 s per GiB) and 13.8 s right after (0.66 s per GiB), and
the upload rows showed it as the emulator using up to twice its usual CPU in some rounds —
Rust's 1 GiB row, after the emulator's ceiling row, in rounds 2 and 3 of two runs out of three
(bench/README.md). So once reporting is paused, `back_free_memory` writes the free memory once
(all but `HEADROOM`) and frees it again: every page the run can get is then backed by the host,
and stays so until the old setting is back.
"""

from __future__ import annotations

import mmap
import os
import signal
import time
from contextlib import contextmanager
from typing import Callable, Iterator

PARAM = "/sys/module/page_reporting/parameters/page_reporting_order"
# Above MAX_PAGE_ORDER (10 on x86-64): no free block is that large, so none is reported.
PAUSED_ORDER = "11"
MEMINFO = "/proc/meminfo"
# Left unwritten, so that the machine never runs short while `back_free_memory` holds the rest.
HEADROOM = 2 << 30
CHUNK = 64 << 20


@contextmanager
def paused_free_page_reporting(log: Callable[..., None]) -> Iterator[str]:
    """Pauses the guest's free page reporting for the block; yields what was done, for the
    results' `meta.machine.freePageReporting`."""
    try:
        with open(PARAM) as f:
            was = f.read().strip()
    except OSError:
        yield "absent"
        return
    if os.environ.get("BENCH_PAGE_REPORTING") == "keep":
        yield f"on (order {was}), kept by BENCH_PAGE_REPORTING=keep"
        return
    try:
        with open(PARAM, "w") as f:
            f.write(PAUSED_ORDER)
    except OSError as e:
        log(f"free page reporting stays on: {e}")
        yield f"on (order {was}): could not pause it ({e.strerror})"
        return

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    log(f"free page reporting paused for the run (order {was} -> {PAUSED_ORDER})")
    try:
        backed = back_free_memory(log)
        yield f"paused for the run (order {was} -> {PAUSED_ORDER}), restored after; {backed}"
    finally:
        with open(PARAM, "w") as f:
            f.write(was)
        signal.signal(signal.SIGTERM, previous)


def back_free_memory(log: Callable[..., None]) -> str:
    """Writes the machine's available memory but `HEADROOM` once, `CHUNK` at a time, and frees
    it: pages the host had taken back are mapped again now rather than during a row (see the
    module's text). Answers what it did, for the results' `meta.machine.freePageReporting`."""
    with open(MEMINFO) as f:
        kib = next((int(line.split()[1]) for line in f if line.startswith("MemAvailable:")), 0)
    chunks = max(0, (kib * 1024 - HEADROOM) // CHUNK)
    started = time.perf_counter()
    held = []
    try:
        block = b"\1" * CHUNK
        for _ in range(chunks):
            held.append(mmap.mmap(-1, CHUNK))
            held[-1].write(block)
    finally:
        for chunk in held:
            chunk.close()
    gib = len(held) * CHUNK / (1 << 30)
    said = f"{gib:.1f} GiB of free memory written once before the run ({time.perf_counter() - started:.1f} s)"
    log(said)
    return said
