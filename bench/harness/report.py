"""Turns bench/results/latest.json into the Markdown table and the PNG chart.

  python bench/harness/report.py [bench/results/latest.json]   # rewrites latest.md and latest.png
  python bench/harness/report.py --readme [bench/results/latest.json]   # and README.md's tables
"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List, Optional

TITLES = {
    "upload": "Upload {size} MiB — MiB/s, higher is better",
    "upload-rss": "Upload {size} MiB, one run: bounded memory — MiB/s and peak RSS",
    "get": "posts.get on a kept-alive connection, {calls} calls — µs per call, lower is better",
    "concurrent": "{count} posts created and waited for concurrently — wall seconds, lower is better",
    "wait": "posts.wait latency, {count} posts one after another — ms from the emulator's change to the wait returning (median), lower is better",
    "startup": "Start-up of a fresh process — ms, lower is better (median of {n} processes)",
}


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _peers(rec: Dict[str, Any]) -> str:
    vs = rec.get("speedVs", {})
    return " · ".join(f"{vs[p]:.2f}× {p}" for p in rec.get("peers", []) if p in vs)


def _title(data: Dict[str, Any], group: str, size: Any, count: Any) -> str:
    meta = data["meta"]
    key = group
    if group == "upload" and size is not None and size == meta.get("rssSizeMiB") and size not in meta.get("sizesMiB", []):
        key = "upload-rss"
    if key not in TITLES:  # a group another part of the harness added
        return f"{group}{f' {size} MiB' if size else ''}{f' {count:,}' if count else ''}"
    return TITLES[key].format(size=size, calls=f"{meta['calls']:,}", count=f"{count or 0:,}",
                              n=meta["startupProcesses"])


def targets_of(data: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The run's targets, evaluated again from its records (so a change to targets.py shows
    when the report is redrawn)."""
    try:
        from targets import evaluate  # bench/harness/targets.py

        return evaluate(data["records"], data["meta"].get("sizesMiB"), data["meta"].get("rssSizeMiB"))
    except ImportError:
        return data.get("targets", [])


def _mark(met: Optional[bool]) -> str:
    return "✅ met" if met else ("❌ not met" if met is False else "— not measured")


def targets_markdown(targets: List[Dict[str, Any]]) -> List[str]:
    lines = ["| target | figure | bound | |", "|---|---|---|---|"]
    for t in targets:
        lines.append(f"| {t['description']} | {t['figure']} | {t.get('bound', '')} | {_mark(t.get('met'))} |")
    met = sum(1 for t in targets if t.get("met"))
    missed = sum(1 for t in targets if t.get("met") is False)
    unmeasured = sum(1 for t in targets if t.get("met") is None)
    return lines + ["", f"{met} met, {missed} not met, {unmeasured} not measured in this run.", ""]


def _groups(data: Dict[str, Any]) -> List[tuple]:
    keys: List[tuple] = []
    for rec in data["records"]:
        key = (rec["group"], rec.get("sizeMiB"), rec.get("count"))
        if key not in keys:
            keys.append(key)
    return keys


def write_markdown(data: Dict[str, Any], path: str) -> None:
    meta = data["meta"]
    m = meta["machine"]
    lines = [
        "# Aether SDK against the tools users would otherwise use",
        "",
        f"`bench/run` on {meta['date']} at commit `{meta['commit']}`"
        f"{' (QUICK=1: a smoke run with small sizes)' if meta.get('quick') else ''}: "
        f"median of {meta['runs']} run(s) per row, ratios computed pair by pair within each run. "
        f"{m['cores']} cores ({m['cpu']}), load average {m['loadAverageAtStart'][0]} at the start; "
        f"the machine's free page reporting {m.get('freePageReporting', 'not recorded')}; "
        f"emulator on loopback (`--processing-ms {meta['processingMs']}`), uploads in "
        f"{meta['partMiB']} MiB parts, {meta['parallelism']} at once. "
        "`speed vs` > 1 means the row is faster than that peer (throughput ÷ throughput, or "
        "peer's time ÷ row's time). See bench/README.md for what each row measures.",
        "",
        "## Targets",
        "",
        "Evaluated from this run's records (ratios: the median of the per-round ratios).",
        "",
        *targets_markdown(targets_of(data)),
    ]
    for group, size, count in _groups(data):
        recs = [r for r in data["records"] if r["group"] == group and r.get("sizeMiB") == size
                and r.get("count") == count]
        title = _title(data, group, size, count)
        unit = recs[0]["unit"]
        lines += [f"## {title}", ""]
        has_limit = group == "upload"
        # posts.get: callgrind's instructions per call (bench/harness/instructions.py).
        has_instr = any("instructionsPerCall" in r for r in recs)
        head = ["tool", "what", f"median {unit}", "runs", "peak RSS MiB"]
        if has_limit:
            head += ["× physical limit", "CPU s/GiB", "CPU × curl -T", "emulator CPU s/GiB"]
        if has_instr:
            head.append("instructions / call")
        head.append("speed vs peers")
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for r in recs:
            name = f"**{r['tool']}**" if r.get("sdk") else (f"*{r['tool']}*" if r.get("ceiling") else r["tool"])
            if "skipped" in r and "median" not in r:
                cells = [name, r["label"], f"{r['skipped']}", "", ""]
                if has_limit:
                    cells += ["", "", "", ""]
                if has_instr:
                    cells.append("")
                cells.append("")
            else:
                digits = 2 if unit == "s" else 1
                label = r["label"]
                flags = [*r.get("warnings", []), *([r["note"]] if r.get("note") else [])]
                if flags:
                    label += " ⚠ " + "; ".join(flags)
                cells = [name, label, _fmt(r["median"], digits),
                         ", ".join(_fmt(v, digits) for v in r["runs"]), _fmt(r.get("peakRssMiB"), 0)]
                if has_limit:
                    cells.append(_fmt(r.get("fractionOfLimit"), 2) if r["tool"] != "loopback" else "1")
                    cpu_vs = r.get("cpuVs", {}).get("curl-single")
                    cells += [_fmt(r.get("cpuSecondsPerGiB"), 2),
                              "1" if r["tool"] == "curl-single" else _fmt(cpu_vs, 2),
                              _fmt(r.get("emulatorCpuSecondsPerGiB"), 2)]
                if has_instr:
                    instr = r.get("instructionsPerCall")
                    cells.append(f"{instr:,}" if isinstance(instr, int) else (instr or ""))
                cells.append(_peers(r))
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    emu = meta.get("emulator") or {}
    if emu.get("getPostRequestsPerSec64Connections"):
        lines += ["## The emulator alone", "",
                  f"`wrk -t2 -c64` on `GET /v1/posts/{{id}}` for {emu['wrkSeconds']} s: "
                  f"{emu['getPostRequestsPerSec64Connections']:,.0f} requests/s; emulator peak RSS over the "
                  f"whole run {emu['emulatorPeakRssMiB']} MiB. Its upload ceiling and its one-connection "
                  "`posts.get` ceiling are the *emulator* rows above.", ""]
    lines += ["Bold rows are the SDK; italic rows are limits (the machine's, the emulator's). "
              "Peak RSS is the whole process's (`/usr/bin/time -f %M`), interpreter included; the "
              "emulator rows give the emulator's. CPU s/GiB is the client's user + system CPU per "
              "GiB sent: of the upload alone for the programs that time the upload alone (they "
              "report `getrusage` before and after), of the whole process for the CLI and curl; "
              "`CPU × curl -T` is its ratio to curl -T's, round by round; `emulator CPU s/GiB` is "
              "the emulator's during the same row.", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


BLUE, ORANGE, GREY = "#1f77b4", "#ff7f0e", "#9a9a9a"


def _color(r: Dict[str, Any]) -> str:
    return BLUE if r.get("sdk") else (GREY if r.get("ceiling") else ORANGE)


def _bars(ax: Any, recs: List[Dict[str, Any]], key: str, title: str, xlabel: str,
          lines: Optional[List[tuple]] = None, digits: int = 1) -> None:
    """One horizontal bar per record (SDK blue, peers orange, limits grey), with vertical
    target lines (x, label)."""
    recs = [r for r in recs if isinstance(r.get(key), (int, float))]
    if not recs:
        ax.set_visible(False)
        return
    values = [r[key] for r in recs]
    y = list(range(len(recs)))
    ax.barh(y, values, color=[_color(r) for r in recs], height=0.7)
    ax.set_yticks(y)
    ax.set_yticklabels([r["tool"] for r in recs], fontsize=8)
    ax.invert_yaxis()
    top = max(values + [x for x, _ in (lines or [])])
    for i, v in enumerate(values):
        ax.text(v, i, f" {v:,.{digits}f}", va="center", fontsize=7)
    for (x, label), style, color in zip(lines or [], ["--", ":"], ["#b00020", "#6a3d9a"]):
        ax.axvline(x, color=color, linestyle=style, linewidth=1.2, label=label)
    if lines:
        ax.legend(fontsize=7, loc="best", framealpha=0.9)
    ax.set_title(title, fontsize=9, loc="left")
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    low = min(v for v in values if v > 0) if any(v > 0 for v in values) else 1
    if top / low > 40:  # e.g. httpx's 120 s against the SDKs' 1 s: a log axis keeps both readable
        ax.set_xscale("log")
        ax.set_xlim(low / 2, top * 3)
        xlabel += " (log scale)"
        ax.set_xlabel(xlabel, fontsize=8)
    else:
        ax.set_xlim(0, top * 1.2)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)


def _table(data: Dict[str, Any], group: str, size: Any = None, count: Any = None) -> List[Dict[str, Any]]:
    return [r for r in data["records"] if r["group"] == group and r.get("sizeMiB") == size
            and r.get("count") == count and "median" in r]


def write_chart(data: Dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    meta = data["meta"]
    rows: List[tuple] = []  # (left panel, right panel or None, bars)
    for group, size, count in _groups(data):
        if group != "upload" or size not in meta.get("sizesMiB", []):
            continue
        recs = _table(data, "upload", size)
        curl = next((r for r in recs if r["tool"] == "curl-single"), None)
        speed_lines = cpu_lines = None
        if curl:
            speed_lines = [(curl["median"], "target: curl -T (Rust, C, CLI, Python ≥ 1.0×)"),
                           (curl["median"] * 0.9, "target: 0.9 × curl -T (Node)")]
            if curl.get("cpuSecondsPerGiB"):
                cpu_lines = [(curl["cpuSecondsPerGiB"] * 1.3, "target: ≤ 1.3 × curl -T's CPU")]
        rows.append((("bars", recs, "median", f"Upload {size} MiB: throughput", "MiB/s, higher is better", speed_lines, 0),
                     ("bars", recs, "cpuSecondsPerGiB", f"Upload {size} MiB: client CPU per GiB",
                      "CPU-seconds (user + system) per GiB, lower is better", cpu_lines, 2), len(recs)))
    rss = [r for r in data["records"] if r["group"] == "upload" and r.get("peakRssMiB") is not None
           and not r.get("ceiling") and r["tool"] not in ("loopback",)]
    if rss:
        rows.append((("rss", rss), None, len({r["tool"] for r in rss})))
    pairs = [(g, sz, c) for g, sz, c in _groups(data) if g != "upload"]
    for i in range(0, len(pairs), 2):
        panels = []
        for group, size, count in pairs[i:i + 2]:
            recs = _table(data, group, size, count)
            unit = recs[0]["unit"] if recs else ""
            better = "higher is better" if recs and recs[0].get("higherIsBetter") else "lower is better"
            panels.append(("bars", recs, "median", _title(data, group, size, count).split(" — ")[0],
                           f"{unit}, {better}", None, 2 if unit == "s" else 1))
        rows.append((panels[0], panels[1] if len(panels) > 1 else None, max(len(_table(data, *p)) for p in pairs[i:i + 2])))
    if not rows:
        return
    heights = [max(2, n) * 0.26 + 0.9 for *_, n in rows]
    fig = plt.figure(figsize=(13, sum(heights) + 0.8))
    grid = fig.add_gridspec(len(rows), 2, height_ratios=heights, hspace=0.5, wspace=0.3)
    for i, (left, right, _) in enumerate(rows):
        if left[0] == "rss":
            _rss_panel(fig.add_subplot(grid[i, :]), left[1], meta)
            continue
        for j, panel in enumerate([left, right]):
            if panel is None:
                continue
            _, recs, key, title, xlabel, lines, digits = panel
            _bars(fig.add_subplot(grid[i, j]), recs, key, title, xlabel, lines, digits)
    met = [t for t in targets_of(data) if t.get("met") is not None]
    fig.suptitle(f"Aether SDK (blue) vs the tools users would otherwise use (orange) and limits (grey) — "
                 f"bench/run {meta['date']}{', QUICK' if meta.get('quick') else ''}; "
                 f"targets met: {sum(1 for t in met if t['met'])} of {len(met)} measured",
                 fontsize=10)
    fig.subplots_adjust(left=0.1, right=0.97, top=1 - 0.9 / (sum(heights) + 0.8), bottom=0.4 / (sum(heights) + 0.8))
    fig.savefig(path, dpi=110)
    plt.close("all")


def _two_lines(tool: str) -> str:
    """A long row name broken after its last hyphen, so that neighbouring labels do not run into
    each other ("aether-python-async" beside "aether-python")."""
    if len(tool) <= 13 or "-" not in tool:
        return tool
    cut = tool.rindex("-") + 1
    return tool[:cut] + "\n" + tool[cut:]


def _rss_panel(ax: Any, recs: List[Dict[str, Any]], meta: Dict[str, Any]) -> None:
    """Peak RSS of every upload row at every size: grouped bars, the limits as lines."""
    sizes = sorted({r["sizeMiB"] for r in recs})
    tools: List[str] = []
    for r in recs:
        if r["tool"] not in tools:
            tools.append(r["tool"])
    width = 0.8 / len(sizes)
    shades = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"]
    for k, size in enumerate(sizes):
        by_tool = {r["tool"]: r for r in recs if r["sizeMiB"] == size}
        xs = [i + (k - (len(sizes) - 1) / 2) * width for i, t in enumerate(tools) if t in by_tool]
        vs = [by_tool[t]["peakRssMiB"] for t in tools if t in by_tool]
        label = f"{size // 1024} GiB" if size % 1024 == 0 else f"{size} MiB"
        ax.bar(xs, vs, width=width, color=shades[min(k, 3) if len(sizes) <= 4 else k % 4], label=label,
               edgecolor="white", linewidth=0.5)
    for bound, label in [(64, "64 MiB (target, Node 96)"), (96, "96 MiB")]:
        ax.axhline(bound, color="#444444", linestyle="--", linewidth=0.9)
        ax.text(len(tools) - 0.5, bound, f" {label}", fontsize=7, va="bottom", ha="right", color="#444444")
    ax.set_xticks(range(len(tools)))
    ax.set_xticklabels([_two_lines(t) for t in tools], fontsize=8)
    for tick, t in zip(ax.get_xticklabels(), tools):
        tick.set_color(BLUE if t.startswith("aether") else "#b35900")
    ax.set_ylabel("peak RSS, MiB", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title("Upload peak RSS by file size (whole process) — lower is better; flat means bounded",
                 fontsize=9, loc="left")
    ax.legend(fontsize=7, ncol=len(sizes), loc="upper left")
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)


README_BEGIN = "<!-- bench/run tables: written by bench/harness/report.py, do not edit by hand -->"
README_END = "<!-- end of bench/run tables -->"
SDK_ORDER = ["aether-rust", "aether-c", "aether-cli", "aether-python", "aether-python-async", "aether-node"]


def _cells(recs: List[Dict[str, Any]], key: str, digits: int) -> tuple:
    by = {r["tool"]: r for r in recs if isinstance(r.get(key), (int, float))}
    sdk = " · ".join(_fmt(float(by[t][key]), digits) if t in by else "—" for t in SDK_ORDER)
    peers = " · ".join(f"{r['tool']} {_fmt(float(r[key]), digits)}" for r in recs
                       if r["tool"] in by and not r.get("sdk") and not r.get("ceiling") and r["tool"] != "loopback")
    limits = " · ".join(f"{r['tool']} {_fmt(float(r[key]), digits)}" for r in recs
                        if r["tool"] in by and (r.get("ceiling") or r["tool"] == "loopback"))
    return sdk, peers, limits


def readme_tables(data: Dict[str, Any]) -> List[str]:
    meta = data["meta"]
    lines = [README_BEGIN, "",
             f"From `bench/run` on {meta['date']} at commit `{meta['commit']}` ({meta['machine']['cores']} cores, "
             f"load average {meta['machine']['loadAverageAtStart'][0]} at the start; medians of {meta['runs']} "
             f"runs; the full tables in [bench/results/latest.md](bench/results/latest.md)).", "",
             *targets_markdown(targets_of(data)),
             "| what | SDK (Rust · C · CLI · Python · Python async · Node) | the alternatives | limits |", "|---|---|---|---|"]
    for group, size, count in _groups(data):
        recs = _table(data, group, size, count)
        if not recs:
            continue
        if group == "upload":
            where = f"{size // 1024} GiB" if size % 1024 == 0 else f"{size} MiB"
            if size in meta.get("sizesMiB", []):
                lines.append("| upload {}, MiB/s | {} | {} | {} |".format(where, *_cells(recs, "median", 0)))
                lines.append("| upload {}, client CPU s/GiB | {} | {} | {} |".format(where, *_cells(recs, "cpuSecondsPerGiB", 2)))
            lines.append("| upload {}, peak RSS MiB | {} | {} | |".format(where, *_cells(recs, "peakRssMiB", 0)[:2]))
        else:
            unit = recs[0]["unit"]
            what = _title(data, group, size, count).split(" — ")[0]
            lines.append("| {}, {} | {} | {} | {} |".format(what, unit, *_cells(recs, "median", 2 if unit == "s" else 1)))
    return lines + ["", README_END]


def write_readme(data: Dict[str, Any], path: str = "README.md") -> bool:
    """Replaces README.md's bench/run tables (between the markers) with this run's; False when
    the README has no markers."""
    text = open(path).read()
    if README_BEGIN not in text or README_END not in text:
        return False
    head, rest = text.split(README_BEGIN, 1)
    tail = rest.split(README_END, 1)[1]
    with open(path, "w") as f:
        f.write(head + "\n".join(readme_tables(data)) + tail)
    return True


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--readme"]
    source = args[0] if args else "bench/results/latest.json"
    loaded = json.load(open(source))
    write_markdown(loaded, source.replace(".json", ".md"))
    write_chart(loaded, source.replace(".json", ".png"))
    if "--readme" in sys.argv and not write_readme(loaded):
        print("README.md has no bench/run markers; tables not written", file=sys.stderr)
