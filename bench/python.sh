#!/usr/bin/env bash
# The Python package against httpx and requests, side by side in one run (issue 7, Performance):
#  - a SIZE_MIB (1 GiB) upload to the emulator on loopback: `client.media.upload(path)` against
#    a straightforward httpx (and requests) implementation of the chunked protocol — parts read
#    one by one, CRC32C per part, SHA-256 on complete; throughput and peak RSS;
#    target: at least 2 × httpx's throughput, peak RSS under 64 MiB;
#  - the time per `posts.get` (CALLS calls on one kept-alive client) against httpx.Client and
#    requests.Session; target: at most 0.5 × httpx's time;
#  - both again with AsyncAether against httpx.AsyncClient, awaited in one asyncio loop (no
#    target of their own);
#  - COUNT linkedin posts created and waited concurrently under asyncio: AsyncAether against
#    httpx.AsyncClient polling with the server's Retry-After hint (no target: context);
#  - `import aether` (and `import httpx`, `import requests`) in a fresh interpreter.
# Each measurement is bench/python/bench.py (one JSON line each); medians of RUNS runs. The
# package is built in release mode (as `pip install ./bindings-python` does) into
# target/bench-venv. A benchmark, not a test: it prints figures, writes
# bench/results/python.json, and asserts nothing.
#
#   bench/python.sh                          # 1 GiB, 3 runs, 2,000 calls, 100 posts
#   SIZE_MIB=256 RUNS=1 CALLS=500 bench/python.sh
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=${SIZE_MIB:-1024}
runs=${RUNS:-3}
calls=${CALLS:-2000}
count=${COUNT:-100} # at most 150: LinkedIn's daily quota per profile (a new profile per run)

MATURIN_VERSION=1.16.0
PINS=(httpx==0.28.1 requests==2.34.2 crc32c==2.9.post0)
VENV=$PWD/target/bench-venv
py=$VENV/bin/python
bench=("$py" bench/python/bench.py)

[[ -x $py ]] || python3 -m venv "$VENV"
installed=$("$py" -m pip freeze --disable-pip-version-check 2>/dev/null || true)
for pin in "maturin==$MATURIN_VERSION" "${PINS[@]}"; do
  grep -qx "$pin" <<<"$installed" ||
    "$py" -m pip install --quiet --disable-pip-version-check "$pin"
done

cargo build --quiet --release -p aether-mock --bin aether-mock
echo "pip install ./bindings-python (release)"
PATH="$VENV/bin:$PATH" CARGO_TARGET_DIR="$PWD/target" "$py" -m pip install --quiet \
  --disable-pip-version-check --no-build-isolation --no-deps --force-reinstall ./bindings-python

work=$(mktemp -d)
source bench/lib.sh
trap 'stop_mock; rm -rf "$work"' EXIT
start_mock

file=$work/video.bin
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$file"

field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
new_profile() {
  curl -sf "${admin[@]}" -d '{"platform":"linkedin"}' "$url/_mock/profiles" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# Every figure as "tool op metric value" lines, for the medians below.
figures=$work/figures.txt
: >"$figures"
record() { # tool op json metric...
  local tool=$1 op=$2 out=$3
  shift 3
  for metric in "$@"; do echo "$tool $op $metric $(field "$out" "$metric")" >>"$figures"; done
}

profile=$(new_profile)
post=$(curl -sf -H "Authorization: Bearer sk_bench" -H "Content-Type: application/json" \
  -d "{\"profileId\":\"$profile\",\"content\":{\"text\":\"bench\"},\"platforms\":{\"linkedin\":{}}}" \
  "$url/v1/posts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

for run in $(seq "$runs"); do
  line="run $run:"
  # bench.py deletes each uploaded media after its measurement, so the disk does not fill.
  for tool in aether aether-async httpx httpx-async requests; do
    out=$("${bench[@]}" upload --tool $tool "$url" sk_bench "$file")
    record $tool upload "$out" mibPerSec peakRssMiB
    line+=" upload $tool $(field "$out" mibPerSec) MiB/s ($(field "$out" peakRssMiB) MiB) ·"
  done
  for tool in aether aether-async httpx httpx-async requests; do
    out=$("${bench[@]}" get --tool $tool "$url" sk_bench "$post" "$calls")
    record $tool get "$out" microsPerCall
    line+=" get $tool $(field "$out" microsPerCall) µs ·"
  done
  for tool in aether httpx; do
    out=$("${bench[@]}" concurrent --tool $tool "$url" sk_bench "$(new_profile)" "$count")
    record $tool concurrent "$out" seconds peakRssMiB
    line+=" $count posts $tool $(field "$out" seconds) s ($(field "$out" peakRssMiB) MiB) ·"
  done
  for tool in aether httpx requests; do
    out=$("${bench[@]}" import --tool $tool)
    record $tool import "$out" seconds
    line+=" import $tool $(python3 -c "print(round($(field "$out" seconds) * 1000, 1))") ms ·"
  done
  echo "${line% ·}"
done

mkdir -p bench/results
python3 - "$figures" "$size_mib" "$runs" "$calls" "$count" bench/results/python.json <<'PY' 
import json, statistics, sys
from collections import defaultdict

path, out = sys.argv[1], sys.argv[6]
size_mib, runs, calls, count = map(int, sys.argv[2:6])
values = defaultdict(list)
for line in open(path):
    tool, op, metric, value = line.split()
    values[(tool, op, metric)].append(float(value))
m = {key: statistics.median_low(sorted(v)) for key, v in values.items()}

def med(tool, op, metric):
    return m[(tool, op, metric)]

TOOLS = ("aether", "aether-async", "httpx", "httpx-async", "requests")
up = {t: med(t, "upload", "mibPerSec") for t in TOOLS}
get = {t: med(t, "get", "microsPerCall") for t in TOOLS}
result = {
    "uploadMiB": size_mib, "runs": runs, "calls": calls, "concurrentPosts": count,
    "upload": {t: {"mibPerSec": up[t], "peakRssMiB": int(med(t, "upload", "peakRssMiB"))}
               for t in up},
    "get": {t: {"microsPerCall": get[t]} for t in get},
    "concurrent": {t: {"seconds": med(t, "concurrent", "seconds"),
                       "peakRssMiB": int(med(t, "concurrent", "peakRssMiB"))}
                   for t in ("aether", "httpx")},
    "importMillis": {t: round(med(t, "import", "seconds") * 1000, 1)
                     for t in ("aether", "httpx", "requests")},
    "ratios": {
        # targets: upload ≥ 2 × httpx (and peak RSS < 64 MiB); get ≤ 0.5 × httpx's time
        "uploadVsHttpx": round(up["aether"] / up["httpx"], 2),
        "uploadVsRequests": round(up["aether"] / up["requests"], 2),
        "getTimeVsHttpx": round(get["aether"] / get["httpx"], 2),
        "getTimeVsRequests": round(get["aether"] / get["requests"], 2),
        # AsyncAether against httpx.AsyncClient (no target of its own)
        "asyncUploadVsHttpxAsync": round(up["aether-async"] / up["httpx-async"], 2),
        "asyncGetTimeVsHttpxAsync": round(get["aether-async"] / get["httpx-async"], 2),
        "concurrentTimeVsHttpx": round(med("aether", "concurrent", "seconds")
                                       / med("httpx", "concurrent", "seconds"), 2),
    },
}
r = result["ratios"]
print(f"\nmedians of {runs} run(s)     " + "".join(f"{t:>13}" for t in TOOLS))
print(f"upload {size_mib} MiB (MiB/s) " + "".join(f"{up[t]:>13}" for t in up)
      + f"   aether/httpx {r['uploadVsHttpx']} (target ≥ 2)")
print("  peak RSS (MiB)         " + "".join(f"{result['upload'][t]['peakRssMiB']:>13}" for t in up)
      + "   (target aether < 64)")
print(f"posts.get (µs/call)     " + "".join(f"{get[t]:>13}" for t in get)
      + f"   aether/httpx {r['getTimeVsHttpx']} (target ≤ 0.5)")
print(f"async: aether-async/httpx-async upload {r['asyncUploadVsHttpxAsync']}, "
      f"posts.get {r['asyncGetTimeVsHttpxAsync']}")
print(f"{count} posts create+wait (s)" + "".join(
    f"{result['concurrent'][t]['seconds']:>10}" for t in ("aether", "httpx")))
print("import (ms)             " + "".join(f"{v:>10}" for v in result["importMillis"].values()))
with open(out, "w") as f:
    f.write(json.dumps(result, indent=2) + "\n")
print(f"\nwrote {out}")
PY
