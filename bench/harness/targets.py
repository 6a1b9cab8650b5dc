"""The issues' targets, checked against the records of one bench/run.

A target names a row (group, op, tool; sizes or a count), a measure (the row's median, its
CPU-seconds per GiB, its peak RSS, or any other numeric field of its record), a comparator and
either an absolute bound or a reference row of the same table. A ratio to a reference row is
the median of the per-round ratios measured_group computed (`speedVs`, `cpuVs`), never a ratio
of medians, when one exists. A target that spans several tables (upload sizes) is met only
when it is met in each; its figure lists each. A target whose rows are not in the run is
"not measured" (met: None), never met; so is a target over every size whose bounded-memory
size (RSS_SIZE, 4 GiB) was skipped, even when the sizes that were measured meet it.

Targets live here, in the benchmark, never in timed unit tests.
"""

from __future__ import annotations

import operator
from typing import Any, Dict, List, Optional

SDK = ["aether-rust", "aether-c", "aether-cli", "aether-python", "aether-node"]
NAMES = {"aether-rust": "Rust", "aether-rust-task": "Rust-in-a-task", "aether-c": "C", "aether-cli": "CLI", "aether-python": "Python",
         "aether-node": "Node"}
COMPARE = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
SYMBOL = {"<=": "≤", ">=": "≥", "<": "<", ">": ">"}


def _t(id: str, description: str, group: Optional[str], tool: str, measure: str, cmp: str,
       bound: float, ref: Optional[str] = None, op: Optional[str] = None,
       sizes: str = "timed", count: Optional[int] = None, unit: str = "") -> Dict[str, Any]:
    return dict(id=id, description=description, group=group, op=op, tool=tool, measure=measure,
                cmp=cmp, bound=bound, ref=ref, sizes=sizes, count=count, unit=unit)


def _targets() -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    # Issue 18 item 2: upload at the limit, against curl -T to the single-shot endpoint.
    for tool in SDK:
        name = NAMES[tool]
        out.append(_t(f"upload-cpu-{name.lower()}", f"{name} upload CPU-s/GiB ≤ 1.3 × curl -T's",
                      "upload", tool, "cpuSecondsPerGiB", "<=", 1.3, ref="curl-single"))
    for tool in SDK:
        name = NAMES[tool]
        bound = 0.9 if tool == "aether-node" else 1.0
        out.append(_t(f"upload-speed-{name.lower()}", f"{name} upload MiB/s ≥ {bound} × curl -T's",
                      "upload", tool, "median", ">=", bound, ref="curl-single"))
    # Earlier issues' upload targets against each language's own peer.
    out.append(_t("upload-speed-python-httpx", "Python upload MiB/s ≥ 2 × httpx's", "upload",
                  "aether-python", "median", ">=", 2.0, ref="httpx"))
    out.append(_t("upload-speed-node-fetch", "Node upload MiB/s ≥ 1.5 × fetch's", "upload",
                  "aether-node", "median", ">=", 1.5, ref="fetch"))
    for tool in SDK:
        name = NAMES[tool]
        bound = 96 if tool == "aether-node" else 64
        out.append(_t(f"upload-rss-{name.lower()}",
                      f"{name} upload peak RSS < {bound} MiB at every size (4 GiB included)",
                      "upload", tool, "peakRssMiB", "<", bound, sizes="all", unit=" MiB"))
    # posts.get µs per call against the reference client of each language.
    # The Rust row calls from #[tokio::main]'s own thread (every answer crosses from a worker to
    # it); the task row calls as a service's handler does. Both are held to the bound.
    for tool, ref, bound in [("aether-rust", "curl", 0.7), ("aether-rust-task", "curl", 0.7),
                             ("aether-c", "curl", 0.7),
                             ("aether-python", "httpx", 0.35), ("aether-node", "fetch", 0.6)]:
        name = NAMES[tool]
        out.append(_t(f"get-{name.lower()}", f"{name} posts.get µs/call ≤ {bound} × {ref}'s",
                      "get", tool, "median", "<=", bound, ref=ref))
    # 150 concurrent posts: time against fetch's, and requests sent against fetch's.
    for tool in ["aether-rust", "aether-c", "aether-python", "aether-node"]:
        name = NAMES[tool]
        out.append(_t(f"concurrent-150-{name.lower()}", f"{name} 150 concurrent posts ≤ 1.2 × fetch's time",
                      "concurrent", tool, "median", "<=", 1.2, ref="fetch", count=150))
    for tool in ["aether-rust", "aether-c", "aether-python", "aether-node"]:
        name = NAMES[tool]
        out.append(_t(f"concurrent-150-requests-{name.lower()}",
                      f"{name} 150 concurrent posts: requests ≤ fetch's", "concurrent", tool,
                      "requests", "<=", 1.0, ref="fetch", count=150))
    # A single posts.wait: from the post's publication to the SDK's answer.
    for tool in ["aether-rust", "aether-c", "aether-python", "aether-node"]:
        name = NAMES[tool]
        out.append(_t(f"wait-latency-{name.lower()}", f"{name} single posts.wait latency median ≤ 150 ms",
                      "wait", tool, "median", "<=", 150, unit=" ms"))
    out.append(dict(id="concurrent-2000-all", description="2,000 concurrent posts: every SDK row faster than every peer",
                    kind="all_beat_peers", group="concurrent", count=2000,
                    tools=["aether-rust", "aether-c", "aether-python", "aether-node"]))
    return out


TARGETS = _targets()


def _tables(records: List[Dict[str, Any]], target: Dict[str, Any], timed_sizes: List[int]) -> List[List[Dict[str, Any]]]:
    """The tables (records sharing group, op, size and count) the target reads, in run order."""
    keys: List[tuple] = []
    for r in records:
        if target.get("group") and r["group"] != target["group"]:
            continue
        if target.get("op") and r.get("op") != target["op"]:
            continue
        if target.get("count") is not None and r.get("count") != target["count"]:
            continue
        if target.get("sizes") == "timed" and r.get("sizeMiB") is not None and timed_sizes \
                and r["sizeMiB"] not in timed_sizes:
            continue
        key = (r["group"], r.get("op"), r.get("sizeMiB"), r.get("count"))
        if key not in keys:
            keys.append(key)
    return [[r for r in records if (r["group"], r.get("op"), r.get("sizeMiB"), r.get("count")) == k]
            for k in keys]


def _where(table: List[Dict[str, Any]]) -> str:
    r = table[0]
    if r.get("sizeMiB"):
        size = r["sizeMiB"]
        return _size_text(size)
    if r.get("count"):
        return f"{r['count']:,} posts"
    return ""


def _ratio(rec: Dict[str, Any], ref: Dict[str, Any], measure: str) -> Optional[float]:
    if measure == "median":
        speed = rec.get("speedVs", {}).get(ref["tool"])
        if speed:
            # speedVs is "faster than" (time ratios inverted): back to the measure's own ratio.
            return speed if rec.get("higherIsBetter") else 1 / speed
    if measure == "cpuSecondsPerGiB" and rec.get("cpuVs", {}).get(ref["tool"]) is not None:
        return rec["cpuVs"][ref["tool"]]
    a, b = rec.get(measure), ref.get(measure)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
        return a / b
    return None


def _fmt(x: float) -> str:
    return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


def _fmt_ratio(value: float, bound: float) -> str:
    """A ratio as `_fmt` writes it, with a third decimal when two would read as the bound
    itself: 0.997 against ≥ 1.0 is a miss, and "1.00×" beside "not met" would read as a bug."""
    text = _fmt(value)
    return f"{value:,.3f}" if text == _fmt(bound) and value != bound else text


def _size_text(size_mib: int) -> str:
    return f"{size_mib // 1024} GiB" if size_mib % 1024 == 0 else f"{size_mib} MiB"


def _one(target: Dict[str, Any], records: List[Dict[str, Any]], timed_sizes: List[int],
         rss_size: Optional[int] = None) -> Dict[str, Any]:
    out = {"id": target["id"], "description": target["description"]}
    if target.get("kind") == "all_beat_peers":
        return {**out, **_all_beat_peers(target, records)}
    cmp, bound, ref, measure = target["cmp"], target["bound"], target.get("ref"), target["measure"]
    out["bound"] = f"{SYMBOL[cmp]} {bound}" + ("×" if ref else target.get("unit", ""))
    figures, results, values, sizes = [], [], [], []
    for table in _tables(records, target, timed_sizes):
        rec = next((r for r in table if r["tool"] == target["tool"] and "median" in r), None)
        if rec is None or not isinstance(rec.get(measure), (int, float)):
            continue
        where = _where(table)
        if ref:
            other = next((r for r in table if r["tool"] == ref and "median" in r), None)
            value = None if other is None else _ratio(rec, other, measure)
            if value is None:
                continue
            text = f"{_fmt_ratio(value, bound)}× ({_fmt(rec[measure])} vs {_fmt(other[measure])})"
        else:
            value = float(rec[measure])
            text = f"{value:,.0f}{target.get('unit', '')}" if value >= 10 else f"{_fmt(value)}{target.get('unit', '')}"
        figures.append(f"{text}{f' at {where}' if where else ''}")
        values.append(value)
        results.append(COMPARE[cmp](value, bound))
        sizes.append(rec.get("sizeMiB"))
    if not results:
        return {**out, "figure": "not measured", "met": None}
    worst = max(values) if cmp in ("<=", "<") else min(values)
    met: Optional[bool] = all(results)
    if target.get("sizes") == "all" and rss_size and rss_size not in sizes:
        # "At every size" was not shown: the size that proves memory stays bounded is missing.
        figures.append(f"{_size_text(rss_size)} not measured")
        met = None if met else False
    return {**out, "figure": "; ".join(figures), "value": round(worst, 3), "met": met}


def _all_beat_peers(target: Dict[str, Any], records: List[Dict[str, Any]]) -> Dict[str, Any]:
    table = [r for r in records if r["group"] == target["group"] and r.get("count") == target["count"]
             and "median" in r]
    sdk = {r["tool"]: r for r in table if r["tool"] in target["tools"]}
    peers = [r["tool"] for r in table if not r.get("sdk") and not r.get("ceiling")]
    missing = [NAMES[t] for t in target["tools"] if t not in sdk]
    base = {"bound": "> 1× (fastest peer's time ÷ slowest SDK row's)"}
    if not peers or missing:
        why = "not measured" + (f" ({', '.join(missing)} missing)" if missing and len(missing) < len(target["tools"]) else "")
        return {**base, "figure": why, "met": None}
    slowest = max(sdk.values(), key=lambda r: r["median"])
    fastest = min((r for r in table if r["tool"] in peers), key=lambda r: r["median"])
    value = fastest["median"] / slowest["median"]
    figure = (f"{_fmt(value)}× (slowest SDK {slowest['tool']} {_fmt(slowest['median'])} s vs fastest "
              f"peer {fastest['tool']} {_fmt(fastest['median'])} s)")
    return {**base, "figure": figure, "value": round(value, 3), "met": value > 1}


def evaluate(records: List[Dict[str, Any]], timed_sizes: Optional[List[int]] = None,
             rss_size: Optional[int] = None) -> List[Dict[str, Any]]:
    """Every target, against these records. `timed_sizes` are the upload sizes measured RUNS
    times (the bounded-memory size, run once, only counts for the RSS targets); `rss_size` is
    that bounded-memory size (0 or None: the run did not ask for it)."""
    if timed_sizes is None:
        timed_sizes = sorted({r["sizeMiB"] for r in records if r.get("sizeMiB") and len(r.get("runs", [])) > 1})
    return [_one(t, records, timed_sizes, rss_size) for t in TARGETS]
