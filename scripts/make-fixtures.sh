#!/usr/bin/env bash
# Regenerates tests/fixtures/media/: small, real media files made with ffmpeg, and manifest.json,
# which records what ffprobe says about each one and what the probe is expected to answer.
#
# The outputs are committed, so the tests and CI never need ffmpeg; run this only to change the
# fixtures. Inputs are synthetic (colour and test-pattern sources) and encoders run single-threaded
# with +bitexact, so a re-run with the same ffmpeg gives the same facts (bytes may differ slightly
# between ffmpeg versions). Everything is 64x112 (9:16) at 1-10 fps so the folder stays tiny.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=tests/fixtures/media

if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
  echo "ffmpeg not found: installing it (needs root and Debian's packages)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null
fi
command -v python3 >/dev/null || { echo "python3 is needed to write manifest.json" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

FF=(ffmpeg -hide_banner -loglevel error -nostdin -y)
BITEXACT=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1)
SIZE=64x112
# A still picture (the common case for long fixtures: it compresses to almost nothing) and a moving one.
still() { echo "color=c=0x3060a0:s=$SIZE:r=$1:d=$2"; }
moving() { echo "testsrc2=s=$SIZE:r=$1:d=$2"; }
# Near-silent audio: a quiet sine at 8 kHz mono.
tone() { echo "sine=f=440:r=8000:d=$1,volume=0.01"; }

X264=(-c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -threads 1 -x264-params keyint=60:min-keyint=60:scenecut=0 -b:v 8k)
X265=(-c:v libx265 -preset ultrafast -pix_fmt yuv420p -x265-params log-level=error:pools=none:frame-threads=1:keyint=60 -b:v 8k)
AAC=(-c:a aac -b:a 8k -ac 1 -ar 8000)

# h264 MP4 at the duration boundaries of the platform rules (video only, so the duration is exact).
video_only() { # name fps seconds [extra ffmpeg args...]
  local name=$1 fps=$2 secs=$3; shift 3
  "${FF[@]}" -f lavfi -i "$(still "$fps" "$secs")" "${X264[@]}" "${BITEXACT[@]}" "$@" "$OUT/$name"
}
video_only h264_14.9s.mp4 10 14.9
video_only h264_15s.mp4 2 15
video_only h264_60s.mp4 2 60
video_only h264_60.1s.mp4 10 60.1
video_only h264_600s.mp4 1 600
video_only h264_601s.mp4 1 601

# With audio: moov at the end (ffmpeg's default) and moov first (faststart).
"${FF[@]}" -f lavfi -i "$(moving 2 20)" -f lavfi -i "$(tone 20)" -shortest \
  "${X264[@]}" "${AAC[@]}" "${BITEXACT[@]}" "$OUT/h264_aac_moov_at_end.mp4"
"${FF[@]}" -f lavfi -i "$(moving 2 20)" -f lavfi -i "$(tone 20)" -shortest \
  "${X264[@]}" "${AAC[@]}" "${BITEXACT[@]}" -movflags +faststart "$OUT/h264_aac_faststart.mp4"

# H.265 in MP4 (hvc1 and hev1 sample entries) and QuickTime MOV with H.264 and H.265.
"${FF[@]}" -f lavfi -i "$(moving 2 16)" "${X265[@]}" -tag:v hvc1 "${BITEXACT[@]}" "$OUT/h265_hvc1_16s.mp4"
"${FF[@]}" -f lavfi -i "$(moving 2 30)" -f lavfi -i "$(tone 30)" -shortest \
  "${X265[@]}" -tag:v hev1 "${AAC[@]}" "${BITEXACT[@]}" "$OUT/h265_hev1_aac_30s.mp4"
"${FF[@]}" -f lavfi -i "$(moving 2 20)" -f lavfi -i "$(tone 20)" -shortest \
  "${X264[@]}" "${AAC[@]}" "${BITEXACT[@]}" "$OUT/h264_aac_20s.mov"
"${FF[@]}" -f lavfi -i "$(still 1 90)" "${X265[@]}" -tag:v hvc1 "${BITEXACT[@]}" "$OUT/h265_90s.mov"

# Fragmented MP4: empty moov, one fragment per keyframe (every 4 s); one with audio and
# moof-relative offsets (CMAF style), one with a global sidx.
"${FF[@]}" -f lavfi -i "$(moving 5 21)" "${X264[@]}" -g 20 "${BITEXACT[@]}" \
  -movflags frag_keyframe+empty_moov "$OUT/h264_fragmented_21s.mp4"
"${FF[@]}" -f lavfi -i "$(moving 5 33)" -f lavfi -i "$(tone 33)" -shortest "${X264[@]}" -g 20 \
  "${AAC[@]}" "${BITEXACT[@]}" -movflags frag_keyframe+empty_moov+default_base_moof \
  "$OUT/h264_aac_fragmented_cmaf_33s.mp4"
"${FF[@]}" -f lavfi -i "$(moving 5 17)" "${X264[@]}" -g 20 "${BITEXACT[@]}" \
  -movflags frag_keyframe+empty_moov+global_sidx "$OUT/h264_fragmented_sidx_17s.mp4"
# B-frames in fragments: the video starts at its first composition offset (no edit list), and
# ffprobe counts the duration from the earliest track start to the latest track end.
"${FF[@]}" -f lavfi -i "$(moving 25 9.1)" -f lavfi -i "$(tone 9.1)" "${X264[@]}" -bf 3 -g 50 \
  "${AAC[@]}" "${BITEXACT[@]}" -movflags frag_keyframe+empty_moov "$OUT/h264_aac_fragmented_bframes_9s.mp4"

# Audio only (AAC in M4A): a probe result, not an error; the rules reject it where video is needed.
"${FF[@]}" -f lavfi -i "$(tone 12)" "${AAC[@]}" "${BITEXACT[@]}" "$OUT/aac_audio_only_12s.m4a"

# WebM (VP9 + Opus), Matroska (H.264 + AAC).
"${FF[@]}" -f lavfi -i "$(moving 2 18)" -f lavfi -i "sine=f=440:r=48000:d=18,volume=0.01" -shortest \
  -c:v libvpx-vp9 -b:v 10k -deadline realtime -cpu-used 8 -threads 1 -row-mt 0 \
  -c:a libopus -b:a 6k -ac 1 "${BITEXACT[@]}" "$OUT/vp9_opus_18s.webm"
"${FF[@]}" -f lavfi -i "$(moving 2 25)" -f lavfi -i "$(tone 25)" -shortest \
  "${X264[@]}" "${AAC[@]}" "${BITEXACT[@]}" "$OUT/h264_aac_25s.mkv"
"${FF[@]}" -f lavfi -i "sine=f=440:r=48000:d=8,volume=0.01" -c:a libopus -b:a 6k -ac 1 \
  "${BITEXACT[@]}" "$OUT/opus_audio_only_8s.webm"

# Other codecs in MP4, where this ffmpeg has the encoder.
ENCODERS=$(ffmpeg -hide_banner -encoders 2>/dev/null)
if grep -q ' libaom-av1 ' <<<"$ENCODERS"; then
  "${FF[@]}" -f lavfi -i "$(moving 2 10)" -c:v libaom-av1 -cpu-used 8 -usage realtime -b:v 10k \
    -threads 1 "${BITEXACT[@]}" "$OUT/av1_10s.mp4"
fi
"${FF[@]}" -f lavfi -i "$(moving 2 10)" -c:v mpeg4 -q:v 31 -threads 1 "${BITEXACT[@]}" "$OUT/mpeg4_10s.mp4"
"${FF[@]}" -f lavfi -i "$(moving 2 10)" -c:v libvpx-vp9 -b:v 10k -deadline realtime -cpu-used 8 \
  -threads 1 -row-mt 0 "${BITEXACT[@]}" "$OUT/vp9_10s.mp4"

# Broken files: an MP4 cut in the middle of its mdat (moov first, so the index survives), a WebM
# cut in half, and bytes that are no media at all.
cut_half() { # src dst
  local size
  size=$(stat -c %s "$1")
  head -c $((size / 2)) "$1" >"$2"
}
cut_half "$OUT/h264_aac_faststart.mp4" "$OUT/truncated_faststart.mp4"
cut_half "$OUT/vp9_opus_18s.webm" "$OUT/truncated.webm"
python3 - "$OUT/random.bin" <<'EOF'
import random, sys
random.seed(20261125)
open(sys.argv[1], "wb").write(bytes(random.getrandbits(8) for _ in range(4096)))
EOF

# Still images.
"${FF[@]}" -f lavfi -i "$(moving 1 1)" -frames:v 1 "${BITEXACT[@]}" "$OUT/image.jpg"
"${FF[@]}" -f lavfi -i "$(moving 1 1)" -frames:v 1 "${BITEXACT[@]}" "$OUT/image.png"
"${FF[@]}" -f lavfi -i "$(moving 1 1)" -frames:v 1 "${BITEXACT[@]}" "$OUT/image.gif"

# manifest.json: what ffprobe says, and what the probe must answer.
python3 - "$OUT" <<'EOF'
import json, os, subprocess, sys

out = sys.argv[1]
# What the probe must say for the files ffprobe cannot vouch for.
expected_errors = {
    "truncated_faststart.mp4": ("UNSUPPORTED_MEDIA_TYPE", "past the end of the file"),
    "truncated.webm": ("UNSUPPORTED_MEDIA_TYPE", "past the end of the file"),
    "random.bin": ("UNSUPPORTED_MEDIA_TYPE", "unknown container"),
}
containers = {".mp4": "mp4", ".m4a": "mp4", ".mov": "mov", ".webm": "webm", ".mkv": "matroska",
              ".jpg": "jpeg", ".png": "png", ".gif": "gif"}
images = {".jpg", ".png", ".gif"}

def ffprobe(path):
    run = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams", path],
        capture_output=True, text=True)
    if run.returncode != 0:
        return {"error": run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "failed"}
    info = json.loads(run.stdout)
    fmt = info.get("format", {})
    video = next((s for s in info.get("streams", []) if s.get("codec_type") == "video"), None)
    audio = next((s for s in info.get("streams", []) if s.get("codec_type") == "audio"), None)
    facts = {"formatName": fmt.get("format_name")}
    if "duration" in fmt:
        facts["durationMs"] = round(float(fmt["duration"]) * 1000)
    if video:
        facts.update(videoCodec=video["codec_name"], width=video["width"], height=video["height"])
    if audio:
        facts["audioCodec"] = audio["codec_name"]
    return facts

entries = []
for name in sorted(os.listdir(out)):
    if name == "manifest.json":
        continue
    path = os.path.join(out, name)
    ext = os.path.splitext(name)[1]
    entry = {"file": name, "size": os.path.getsize(path), "ffprobe": ffprobe(path)}
    if name in expected_errors:
        code, reason = expected_errors[name]
        entry["expect"] = {"outcome": "error", "code": code, "reasonContains": reason}
    else:
        facts = entry["ffprobe"]
        kind = "image" if ext in images else ("video" if "videoCodec" in facts else "audio")
        entry["expect"] = {"outcome": "ok", "container": containers[ext], "kind": kind}
    entries.append(entry)

with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump({"generatedBy": "scripts/make-fixtures.sh",
               "ffmpeg": subprocess.run(["ffmpeg", "-version"], capture_output=True,
                                        text=True).stdout.splitlines()[0],
               "files": entries}, f, indent=2)
    f.write("\n")
EOF

du -sh "$OUT"
ls -l "$OUT"
