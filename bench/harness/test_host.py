"""How bench/run pauses the machine's free page reporting (host.py), on a stand-in for the
kernel's parameter file.

Run by scripts/test.d/15-structure.sh: `python3 -m unittest discover -s bench/harness`.
"""

import os
import resource
import tempfile
import unittest
from unittest import mock

import host


class PausedFreePageReporting(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.param = os.path.join(self.dir.name, "page_reporting_order")
        with open(self.param, "w") as f:
            f.write("9\n")
        patch = mock.patch.object(host, "PARAM", self.param)
        patch.start()
        self.addCleanup(patch.stop)
        # A stand-in for /proc/meminfo: no memory to write beyond the headroom, unless a test says.
        self.meminfo = os.path.join(self.dir.name, "meminfo")
        self.available(host.HEADROOM)
        patch = mock.patch.object(host, "MEMINFO", self.meminfo)
        patch.start()
        self.addCleanup(patch.stop)
        self.logged = []

    def available(self, size: int) -> None:
        with open(self.meminfo, "w") as f:
            f.write(f"MemTotal:       24683772 kB\nMemAvailable:   {size // 1024} kB\n")

    def order(self) -> str:
        with open(self.param) as f:
            return f.read().strip()

    def test_paused_while_the_run_lasts_and_restored_after_even_when_it_fails(self):
        with self.assertRaises(RuntimeError):
            with host.paused_free_page_reporting(self.logged.append) as said:
                self.assertEqual(self.order(), host.PAUSED_ORDER)
                self.assertIn("paused for the run (order 9 -> 11)", said)
                raise RuntimeError("a group failed")
        self.assertEqual(self.order(), "9")

    def test_once_paused_the_available_memory_but_the_headroom_is_written_once(self):
        def rss() -> int:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

        extra = 4 * host.CHUNK
        before = rss()
        self.available(host.HEADROOM + extra + host.CHUNK // 2)
        with host.paused_free_page_reporting(self.logged.append) as said:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            self.assertGreaterEqual(peak, before + extra * 0.9, "the pages were written")
            self.assertLess(rss(), before + host.CHUNK, "and freed again")
        self.assertIn("0.2 GiB of free memory written once before the run", said)
        self.assertIn("0.2 GiB of free memory written once", self.logged[-1])

    def test_nothing_is_written_when_only_the_headroom_is_available(self):
        self.available(host.HEADROOM // 2)
        with host.paused_free_page_reporting(self.logged.append) as said:
            pass
        self.assertIn("0.0 GiB of free memory written once", said)

    def test_left_alone_when_asked(self):
        with mock.patch.dict(os.environ, {"BENCH_PAGE_REPORTING": "keep"}):
            with host.paused_free_page_reporting(self.logged.append) as said:
                self.assertEqual(self.order(), "9")
        self.assertIn("kept by BENCH_PAGE_REPORTING=keep", said)

    def test_a_machine_without_it_runs_as_before(self):
        os.remove(self.param)
        with host.paused_free_page_reporting(self.logged.append) as said:
            self.assertEqual(said, "absent")
        self.assertFalse(os.path.exists(self.param))


if __name__ == "__main__":
    unittest.main()
