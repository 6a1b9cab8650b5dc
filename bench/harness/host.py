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
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from typing import Callable, Iterator

PARAM = "/sys/module/page_reporting/parameters/page_reporting_order"
# Above MAX_PAGE_ORDER (10 on x86-64): no free block is that large, so none is reported.
PAUSED_ORDER = "11"


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
        yield f"paused for the run (order {was} -> {PAUSED_ORDER}), restored after"
    finally:
        with open(PARAM, "w") as f:
            f.write(was)
        signal.signal(signal.SIGTERM, previous)
