"""Turns bench/results/latest.json into the Markdown table and the PNG chart.

  python bench/harness/report.py [bench/results/latest.json]   # rewrites latest.md and latest.png
"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List

TITLES = {
    "upload": "Upload {size} MiB — MiB/s, higher is better",
    "get": "posts.get on a kept-alive connection, {calls} calls — µs per call, lower is better",
    "concurrent": "{count} posts created and waited for concurrently — wall seconds, lower is better",
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
        f"emulator on loopback (`--processing-ms {meta['processingMs']}`), uploads in "
        f"{meta['partMiB']} MiB parts, {meta['parallelism']} at once. "
        "`speed vs` > 1 means the row is faster than that peer (throughput ÷ throughput, or "
        "peer's time ÷ row's time). See bench/README.md for what each row measures.",
        "",
    ]
    for group, size, count in _groups(data):
        recs = [r for r in data["records"] if r["group"] == group and r.get("sizeMiB") == size
                and r.get("count") == count]
        title = TITLES[group].format(size=size, calls=f"{meta['calls']:,}", count=f"{count or 0:,}",
                                     n=meta["startupProcesses"])
        unit = recs[0]["unit"]
        lines += [f"## {title}", ""]
        has_limit = group == "upload"
        # posts.get: callgrind's instructions per call (bench/harness/instructions.py).
        has_instr = any("instructionsPerCall" in r for r in recs)
        head = ["tool", "what", f"median {unit}", "runs", "peak RSS MiB"]
        if has_limit:
            head.append("× physical limit")
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
                    cells.append("")
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
              "emulator rows give the emulator's.", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def write_chart(data: Dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = _groups(data)
    heights = []
    for group, size, count in groups:
        heights.append(max(1, len([r for r in data["records"] if r["group"] == group
                                   and r.get("sizeMiB") == size and r.get("count") == count
                                   and "median" in r])))
    fig, axes = plt.subplots(len(groups), 1, figsize=(10, sum(0.32 * h + 0.9 for h in heights)),
                             squeeze=False, gridspec_kw={"height_ratios": heights})
    meta = data["meta"]
    for ax, (group, size, count) in zip(axes[:, 0], groups):
        recs = [r for r in data["records"] if r["group"] == group and r.get("sizeMiB") == size
                and r.get("count") == count and "median" in r]
        if not recs:
            ax.set_visible(False)
            continue
        names = [r["tool"] for r in recs]
        values = [r["median"] for r in recs]
        colors = ["#1f77b4" if r.get("sdk") else ("#999999" if r.get("ceiling") else "#ff7f0e") for r in recs]
        y = range(len(recs))
        ax.barh(list(y), values, color=colors)
        ax.set_yticks(list(y))
        ax.set_yticklabels(names, fontsize=8)
        ax.invert_yaxis()
        for i, v in enumerate(values):
            ax.text(v, i, f" {v:,.1f}", va="center", fontsize=7)
        title = TITLES[group].format(size=size, calls=f"{meta['calls']:,}", count=f"{count or 0:,}",
                                     n=meta["startupProcesses"])
        ax.set_title(title, fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlim(0, max(values) * 1.18)
    fig.suptitle(f"Aether SDK (blue) vs peers (orange) and limits (grey) — bench/run, {meta['date']}"
                 f"{', QUICK' if meta.get('quick') else ''}", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.985))
    fig.savefig(path, dpi=110)
    plt.close("all")


if __name__ == "__main__":
    source = sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.json"
    loaded = json.load(open(source))
    write_markdown(loaded, source.replace(".json", ".md"))
    write_chart(loaded, source.replace(".json", ".png"))
