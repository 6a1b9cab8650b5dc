#!/usr/bin/env bash
# The Rust core against curl, in one run on this machine (issue: the Rust client's benchmarks):
#  - a 1 GiB upload to the emulator on loopback: the SDK's chunked, parallel upload against
#    `curl -T` of the same file to the single-shot endpoint; throughput and peak RSS;
#  - the time per `posts.get` on a kept-alive connection against curl fetching the same URL
#    repeatedly on one connection.
# Medians of RUNS runs. A benchmark, not a test: it prints figures, writes
# bench/results/core.json, and asserts nothing. Both uploads send the same file to the same
# emulator in the same run; before each one the previous upload's media is deleted and the disk
# is synced, so neither pays for the other's writeback or finds the disk fuller.
#
#   bench/core.sh                # 1 GiB, 3 runs, 2,000 calls
#   SIZE_MIB=256 RUNS=1 CALLS=500 bench/core.sh
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=${SIZE_MIB:-1024}
runs=${RUNS:-3}
calls=${CALLS:-2000}

cargo build --quiet --release -p aether-mock --bin aether-mock
cargo build --quiet --release -p aether-bench

work=$(mktemp -d)
source bench/lib.sh
trap 'stop_mock; rm -rf "$work"' EXIT
# Let curl's single PUT of the whole file in.
start_mock $(((size_mib + 1) * 1024 * 1024))

file=$work/video.bin
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$file"

# Deletes an uploaded media (its file goes with it) and flushes the disk before the next upload.
forget() {
  curl -sf -o /dev/null -X DELETE -H "Authorization: Bearer sk_bench" \
    "$url/v1/media/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1")"
  sync
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

sdk_mibs=() sdk_rss=() curl_mibs=() curl_rss=()
sync
for run in $(seq "$runs"); do
  out=$(target/release/upload "$url" sk_bench "$file" 4 8)
  forget "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["mediaKey"])' "$out")"
  sdk_mibs+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["mibPerSec"])' "$out")")
  sdk_rss+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["peakRssMiB"])' "$out")")

  /usr/bin/time -f '%M' -o "$work/curl.rss" curl -sf -o "$work/curl.json" -w '%{time_total}\n' \
    -X POST -T "$file" -H "Authorization: Bearer sk_bench" -H "Content-Type: video/mp4" \
    -H "X-File-Name: video.mp4" "$url/v1/media" >"$work/curl.time"
  forget "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mediaKey"])' "$work/curl.json")"
  curl_mibs+=("$(python3 -c "print(round($size_mib / $(cat "$work/curl.time"), 1))")")
  curl_rss+=("$(($(cat "$work/curl.rss") / 1024))")
  echo "run $run: sdk ${sdk_mibs[-1]} MiB/s (${sdk_rss[-1]} MiB peak) · curl -T ${curl_mibs[-1]} MiB/s (${curl_rss[-1]} MiB peak)"
done

profile=$(curl -sf "${admin[@]}" -d '{"platform":"linkedin"}' "$url/_mock/profiles" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
post=$(curl -sf -H "Authorization: Bearer sk_bench" -H "Content-Type: application/json" \
  -d "{\"profileId\":\"$profile\",\"content\":{\"text\":\"bench\"},\"platforms\":{\"linkedin\":{}}}" \
  "$url/v1/posts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
sdk_us=() curl_us=()
{
  echo 'header = "Authorization: Bearer sk_bench"'
  for _ in $(seq "$calls"); do echo "url = \"$url/v1/posts/$post\""; echo 'output = "/dev/null"'; done
} >"$work/curl.cfg"
for run in $(seq "$runs"); do
  out=$(target/release/get_loop "$url" sk_bench "$post" "$calls")
  sdk_us+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["microsPerCall"])' "$out")")
  start=$(date +%s.%N)
  curl -sf -K "$work/curl.cfg"
  end=$(date +%s.%N)
  curl_us+=("$(python3 -c "print(round(($end - $start) * 1e6 / $calls, 1))")")
  echo "run $run: posts.get ${sdk_us[-1]} µs/call · curl keep-alive ${curl_us[-1]} µs/call"
done

m_sdk=$(printf '%s\n' "${sdk_mibs[@]}" | median)
m_curl=$(printf '%s\n' "${curl_mibs[@]}" | median)
m_sdk_rss=$(printf '%s\n' "${sdk_rss[@]}" | median)
m_curl_rss=$(printf '%s\n' "${curl_rss[@]}" | median)
m_sdk_us=$(printf '%s\n' "${sdk_us[@]}" | median)
m_curl_us=$(printf '%s\n' "${curl_us[@]}" | median)
mkdir -p bench/results
cat >bench/results/core.json <<JSON
{ "uploadMiB": $size_mib, "runs": $runs,
  "sdkUploadMiBPerSec": $m_sdk, "curlUploadMiBPerSec": $m_curl,
  "sdkVsCurlThroughput": $(python3 -c "print(round($m_sdk / $m_curl, 2))"),
  "sdkPeakRssMiB": $m_sdk_rss, "curlPeakRssMiB": $m_curl_rss,
  "calls": $calls, "sdkMicrosPerGet": $m_sdk_us, "curlMicrosPerGet": $m_curl_us }
JSON
cat bench/results/core.json
