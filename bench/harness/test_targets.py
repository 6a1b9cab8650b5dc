"""How the bench judges its targets (targets.py), on records shaped as bench/run writes them.

Run by scripts/test.d/15-structure.sh: `python3 -m unittest discover -s bench/harness`.
"""

import unittest

from targets import evaluate


def upload(tool: str, size: int, rss: float, runs: int = 3) -> dict:
    return {"group": "upload", "op": "upload", "tool": tool, "sizeMiB": size, "median": 900.0,
            "peakRssMiB": rss, "runs": [1.0] * runs, "higherIsBetter": True}


def rss_target(targets: list, name: str) -> dict:
    return next(t for t in targets if t["id"] == f"upload-rss-{name}")


class UploadRss(unittest.TestCase):
    def timed(self, rss: float = 40.0) -> list:
        return [upload(tool, size, rss) for size in (512, 1024) for tool in ("aether-rust", "curl-single")]

    def test_a_skipped_bounded_memory_size_is_not_measured_not_met(self):
        target = rss_target(evaluate(self.timed(), [512, 1024], 4096), "rust")
        self.assertIsNone(target["met"])
        self.assertIn("4 GiB not measured", target["figure"])
        self.assertIn("40 MiB at 512 MiB", target["figure"])

    def test_every_size_measured_and_under_the_bound_is_met(self):
        records = self.timed() + [upload("aether-rust", 4096, 41.0, runs=1)]
        target = rss_target(evaluate(records, [512, 1024], 4096), "rust")
        self.assertIs(target["met"], True)
        self.assertIn("41 MiB at 4 GiB", target["figure"])

    def test_over_the_bound_at_a_measured_size_is_not_met_even_with_the_large_size_skipped(self):
        target = rss_target(evaluate(self.timed(rss=70.0), [512, 1024], 4096), "rust")
        self.assertIs(target["met"], False)
        self.assertIn("4 GiB not measured", target["figure"])

    def test_a_run_that_asked_for_no_bounded_memory_size_is_judged_on_what_it_measured(self):
        target = rss_target(evaluate(self.timed(), [512, 1024], 0), "rust")
        self.assertIs(target["met"], True)
        self.assertNotIn("not measured", target["figure"])


class Ratios(unittest.TestCase):
    def speed(self, vs_curl: float) -> dict:
        rows = [dict(upload(tool, 512, 40.0), speedVs={"curl-single": vs_curl} if tool == "aether-c" else {})
                for tool in ("aether-c", "curl-single")]
        return next(t for t in evaluate(rows, [512], 0) if t["id"] == "upload-speed-c")

    def test_a_miss_that_would_round_to_the_bound_shows_a_third_decimal(self):
        target = self.speed(0.997)
        self.assertIs(target["met"], False)
        self.assertIn("0.997× (900 vs 900) at 512 MiB", target["figure"])

    def test_other_ratios_keep_two_decimals(self):
        for vs_curl, shown, met in ((1.0, "1.00×", True), (1.04, "1.04×", True), (0.97, "0.97×", False)):
            target = self.speed(vs_curl)
            self.assertIs(target["met"], met)
            self.assertTrue(target["figure"].startswith(shown), target["figure"])


if __name__ == "__main__":
    unittest.main()
