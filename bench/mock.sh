#!/usr/bin/env bash
# The emulator's own ceiling: GET /v1/posts/{id} throughput under wrk, and chunked upload
# throughput to disk driven by curl, against a release build on loopback. A benchmark, not a
# test: it prints figures (and writes bench/results/mock.json) and asserts nothing.
#
#   bench/mock.sh            # 10 s of wrk, a 1 GiB chunked upload
#   DURATION=5 UPLOAD_MIB=256 bench/mock.sh
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-10}
upload_mib=${UPLOAD_MIB:-1024}
connections=${CONNECTIONS:-64}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --quiet --release -p aether-mock --bin aether-mock

work=$(mktemp -d)
source bench/lib.sh
trap 'stop_mock; rm -rf "$work"' EXIT
start_mock
auth=(-H "Authorization: Bearer sk_bench")
json=(-H "Content-Type: application/json")
profile=$(curl -sf "${admin[@]}" -d '{"platform":"linkedin"}' "$url/_mock/profiles" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
post=$(curl -sf "${auth[@]}" "${json[@]}" \
  -d "{\"profileId\":\"$profile\",\"content\":{\"text\":\"bench\"},\"platforms\":{\"linkedin\":{}}}" \
  "$url/v1/posts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

echo "== GET /v1/posts/$post: wrk, 2 threads, $connections connections, ${duration}s"
wrk -t2 -c"$connections" -d"${duration}s" -H "Authorization: Bearer sk_bench" \
  "$url/v1/posts/$post" | tee "$work/wrk.txt"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")

echo "== chunked upload of $upload_mib MiB (8 MiB parts, curl, sequential)"
part=$((8 * 1024 * 1024))
size=$((upload_mib * 1024 * 1024))
head -c "$part" /dev/urandom >"$work/part"
crc=$(python3 - "$work/part" <<'PY'
import base64, sys
data = open(sys.argv[1], "rb").read()
# CRC-32C (Castagnoli), reflected polynomial 0x82F63B78.
table = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    table.append(c)
crc = 0xFFFFFFFF
for b in data:
    crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
crc ^= 0xFFFFFFFF
print(base64.b64encode(crc.to_bytes(4, "big")).decode())
PY
)
session=$(curl -sf "${auth[@]}" "${json[@]}" \
  -d "{\"fileName\":\"bench.mp4\",\"mimeType\":\"video/mp4\",\"size\":$size,\"partSize\":$part}" \
  "$url/v1/media/uploads")
upload_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["uploadId"])' "$session")
count=$((size / part))
start=$(date +%s.%N)
for n in $(seq 1 "$count"); do
  curl -sf -o /dev/null "${auth[@]}" -H "X-Part-Crc32c: $crc" -T "$work/part" \
    "$url/v1/media/uploads/$upload_id/parts/$n"
done
end=$(date +%s.%N)
mibs=$(python3 -c "print(round($upload_mib / ($end - $start), 1))")
echo "parts: $count × 8 MiB in $(python3 -c "print(round($end - $start, 2))") s = $mibs MiB/s"
disk=$(dd if=/dev/zero of="$work/dd" bs=8M count="$count" conv=fdatasync 2>&1 |
  awk '/copied/ {print $(NF-1), $NF}')
rm -f "$work/dd"
echo "for scale, dd to the same disk (fdatasync): $disk"
rss=$(awk '/VmHWM/ {print $2}' "/proc/$mock_pid/status")
echo "emulator peak RSS: $((rss / 1024)) MiB"

mkdir -p bench/results
cat >bench/results/mock.json <<JSON
{ "getPostRequestsPerSec": $rps, "chunkedUploadMiBPerSec": $mibs, "uploadMiB": $upload_mib,
  "emulatorPeakRssMiB": $((rss / 1024)), "ddSameDisk": "$disk", "wrkConnections": $connections, "durationSec": $duration }
JSON
cat bench/results/mock.json
