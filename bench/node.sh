#!/usr/bin/env bash
# The Node package against Node's built-in fetch, side by side in one run (issue 8,
# Performance), all against the emulator on loopback:
#  - upload: a SIZE_MIB file from fs.createReadStream through `aether.media.upload`, against a
#    straightforward fetch implementation of the chunked protocol (a file handle read part by
#    part, CRC32C in plain JavaScript, SHA-256 with node:crypto, parts PUT in turn);
#    throughput and the process's peak RSS. The emulator is restarted with an empty data
#    directory before every upload, so the disk does not fill and each starts alike;
#  - get: the time per `posts.get` in a loop of CALLS calls against fetch with keep-alive;
#  - concurrent: COUNT (≤ 150, a linkedin profile's daily quota) linkedin posts created at once
#    and waited for until terminal, polled alike by both (at once, then per Retry-After);
#  - require: loading the package in a fresh node process (and, beside it, Node's own fetch).
# The addon is built in release into bench/node/.pkg (a copy of the package), so the debug
# build the tests make in bindings-node is neither measured nor replaced. Medians of RUNS
# runs. A benchmark, not a test: it prints a table, writes bench/results/node.json and
# asserts nothing. Targets (issue 8): get ≤ 1.0 × fetch's time; upload ≥ 1.5 × fetch's
# throughput with peak RSS < 96 MiB.
#
#   bench/node.sh                                  # 1 GiB, 3 runs, 2,000 calls, 50 posts
#   SIZE_MIB=256 RUNS=1 CALLS=500 COUNT=20 bench/node.sh
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=${SIZE_MIB:-1024}
runs=${RUNS:-3}
calls=${CALLS:-2000}
count=${COUNT:-50}

cargo build --quiet --release -p aether-mock --bin aether-mock
pkg=$PWD/bench/node/.pkg
(
  cd bindings-node
  if [[ ! -e node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund >&2
  fi
  mkdir -p "$pkg"
  npx napi build --release --output-dir "$pkg" --dts native.d.ts >&2
  rm -rf "$pkg/lib"
  cp -r package.json index.js index.mjs lib "$pkg/"
)
export AETHER_NODE_PACKAGE=$pkg

work=$(mktemp -d)
source bench/lib.sh
trap 'stop_mock; rm -rf "$work"' EXIT

file=$work/video.bin
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$file"

results=$work/results.jsonl
: >"$results"
measure() { # measure ARGS...: one bench.mjs run; its JSON line is kept and printed
  local line
  if line=$(node bench/node/bench.mjs "$@"); then
    echo "$line" >>"$results"
    echo "  $line"
  else
    echo "  (failed: $*)"
  fi
}

echo "upload: $size_mib MiB, $runs runs"
for run in $(seq "$runs"); do
  for tool in aether fetch; do
    start_mock
    measure upload --tool "$tool" "$url" sk_bench "$file"
  done
done
start_mock

# A linkedin profile publishes 150 posts a day: a new one for every batch.
new_profile() {
  curl -sf "${admin[@]}" -d '{"platform":"linkedin"}' "$url/_mock/profiles" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
profile=$(new_profile)
post=$(curl -sf -H "Authorization: Bearer sk_bench" -H "Content-Type: application/json" \
  -d "{\"profileId\":\"$profile\",\"content\":{\"text\":\"bench\"},\"platforms\":{\"linkedin\":{}}}" \
  "$url/v1/posts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

echo "posts.get: $calls calls, $runs runs"
for run in $(seq "$runs"); do
  for tool in aether fetch; do measure get --tool "$tool" "$url" sk_bench "$post" "$calls"; done
done

echo "concurrent: $count posts created and waited for, $runs runs"
for run in $(seq "$runs"); do
  for tool in aether fetch; do measure concurrent --tool "$tool" "$url" sk_bench "$(new_profile)" "$count"; done
done

echo "require: $runs runs"
for run in $(seq "$runs"); do
  for tool in aether fetch; do measure require --tool "$tool"; done
done

mkdir -p bench/results
python3 - "$(node --version)" "$results" "$size_mib" "$runs" "$calls" "$count" >bench/results/node.json <<'PY'
import json, statistics, sys
node, path, size_mib, runs, calls, count = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
lines = [json.loads(l) for l in open(path) if l.strip()]
def median(tool, op, field):
    values = [l[field] for l in lines if l["tool"] == tool and l["op"] == op]
    return statistics.median_low(values) if values else None
def ratio(a, b):
    return round(a / b, 2) if a is not None and b else None
r = {"node": node, "uploadMiB": size_mib, "runs": runs, "calls": calls, "concurrentPosts": count}
for tool in ("aether", "fetch"):
    r[f"{tool}UploadMiBPerSec"] = median(tool, "upload", "mibPerSec")
    r[f"{tool}UploadPeakRssMiB"] = median(tool, "upload", "peakRssMiB")
    r[f"{tool}MicrosPerGet"] = median(tool, "get", "microsPerCall")
    r[f"{tool}ConcurrentSeconds"] = median(tool, "concurrent", "seconds")
    r[f"{tool}ConcurrentPeakRssMiB"] = median(tool, "concurrent", "peakRssMiB")
    r[f"{tool}LoadSeconds"] = median(tool, "require", "seconds")
r["uploadAetherVsFetchThroughput"] = ratio(r["aetherUploadMiBPerSec"], r["fetchUploadMiBPerSec"])
r["getAetherVsFetchTime"] = ratio(r["aetherMicrosPerGet"], r["fetchMicrosPerGet"])
r["concurrentAetherVsFetchTime"] = ratio(r["aetherConcurrentSeconds"], r["fetchConcurrentSeconds"])
r["targets"] = {
    "uploadAtLeast1.5xFetch": r["uploadAetherVsFetchThroughput"] is not None and r["uploadAetherVsFetchThroughput"] >= 1.5,
    "uploadPeakRssUnder96MiB": r["aetherUploadPeakRssMiB"] is not None and r["aetherUploadPeakRssMiB"] < 96,
    "getAtMost1.0xFetch": r["getAetherVsFetchTime"] is not None and r["getAetherVsFetchTime"] <= 1.0,
}
print(json.dumps(r, indent=2))
PY

python3 - bench/results/node.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rows = [
    ("upload MiB/s", "aetherUploadMiBPerSec", "fetchUploadMiBPerSec", "uploadAetherVsFetchThroughput", "≥ 1.5 ×"),
    ("upload peak RSS MiB", "aetherUploadPeakRssMiB", "fetchUploadPeakRssMiB", None, "< 96 MiB"),
    ("posts.get µs/call", "aetherMicrosPerGet", "fetchMicrosPerGet", "getAetherVsFetchTime", "≤ 1.0 ×"),
    (f"{r['concurrentPosts']} posts create+wait s", "aetherConcurrentSeconds", "fetchConcurrentSeconds", "concurrentAetherVsFetchTime", ""),
    ("load (require) s", "aetherLoadSeconds", "fetchLoadSeconds", None, ""),
]
print(f"\n{'medians of ' + str(r['runs']) + ' runs':<26}{'aether':>10}{'fetch':>10}{'ratio':>8}  target")
for name, a, f, ratio, target in rows:
    print(f"{name:<26}{r[a]!s:>10}{r[f]!s:>10}{(r[ratio] if ratio else '')!s:>8}  {target}")
print(f"\ntargets met: {r['targets']}")
PY
