#!/usr/bin/env bash
# Fuzzes for a bounded time: builds fuzz/ (libFuzzer through the libfuzzer-sys crate, with the
# coverage instrumentation that cargo-fuzz would add, passed as stable rustc flags, so neither
# nightly nor cargo-fuzz is needed), seeds each target's corpus and runs the targets one after
# the other:
#   probe              the media probe (seeded with the media fixtures)
#   decode_error       aether::decode_error: status, headers, body of an error response
#   webhook_signature  the x-aether-signature parser and verify_signature
#   bulk_csv           the bulk CSV's row count (arbitrary files) and the CSV written from rows
#   capabilities       the profile capabilities decoder (GET /v1/profiles/{id}/capabilities)
#   webhook_event      the webhook event decoder (construct_event over signed arbitrary bodies)
# A panic, an overflow, an oversized allocation or a timeout fails the step and leaves the input
# in fuzz/artifacts/<target>/ (replay: fuzz/target/<host>/release/<target> <file>).
#
# AETHER_FUZZ_SECONDS sets the run time of each target (default 20 for the first three, 6 for
# the decoders and the CSV, whose inputs are small and whose code is shallower; a longer run:
# AETHER_FUZZ_SECONDS=600 AETHER_FUZZ_TARGETS=bulk_csv scripts/test.d/20-fuzz.sh).
# AETHER_FUZZ_TARGETS picks targets (default: all six), e.g. "decode_error webhook_signature".
set -euo pipefail
cd "$(dirname "$0")/../.."

read -r -a targets <<<"${AETHER_FUZZ_TARGETS:-probe decode_error webhook_signature bulk_csv capabilities webhook_event}"
host=$(rustc -vV | sed -n 's/^host: //p')
# Explicit --target keeps these flags away from build scripts and proc macros.
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module \
  -Cllvm-args=-sanitizer-coverage-level=4 \
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
  -Cllvm-args=-sanitizer-coverage-pc-table \
  -Cllvm-args=-sanitizer-coverage-trace-compares \
  -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR=fuzz/target
bins=()
for target in "${targets[@]}"; do bins+=(--bin "$target"); done
# Not --locked: fuzz/ depends on core/, so a dependency added to core must be able to land in
# fuzz/Cargo.lock (cargo keeps every version already locked there).
started=$(date +%s)
cargo build --release --manifest-path fuzz/Cargo.toml --target "$host" "${bins[@]}"
echo "fuzz: built ${targets[*]} in $(($(date +%s) - started)) s"

# Seeds: inputs in each harness's layout (see the top of fuzz/fuzz_targets/<target>.rs).
seed() {
  local corpus=$1 name=$2
  shift 2
  printf "$@" >"$corpus/seed-$name"
}
# A seed given on stdin, as is (JSON and CSV hold characters printf would interpret).
seed_text() {
  cat >"$1/seed-$2"
}
seed_corpus() {
  local target=$1 corpus=$2
  case $target in
    probe)
      find tests/fixtures/media -type f ! -name manifest.json -exec cp {} "$corpus/" \;
      ;;
    decode_error)
      # mode 0 (raw body), status 429, two headers (retry-after: 60, x-request-id: req_1), body.
      seed "$corpus" limit '\000\255\001\002\001\00260\000\005req_1{"error":{"code":"POST_LIMIT_REACHED","message":"quota","requestId":"req_2","field":"profileId","platform":"tiktok","retryAfter":3600,"details":{"resetAt":"2026-06-16T00:00:00.000Z"}}}'
      # status 503 with an HTTP-date Retry-After and a body that is not JSON.
      seed "$corpus" html '\000\367\001\001\001\035Wed, 21 Oct 2015 07:28:00 GMT<html>Service Unavailable</html>'
      # a redirect with a Location.
      seed "$corpus" redirect '\000\056\001\001\005\025https://example.test/'
      # mode 3 (well-formed body with retryAfter): code, message, requestId, field, platform, details.
      seed "$corpus" fields '\003\246\001\000\074\000\000\000\000\000\000\000CAPTION_TOO_LONG\000too long\000req_9\000content.text\000tiktok\000{"measured":2201}'
      ;;
    webhook_signature)
      # mode 0, t = 1700000000, tolerance 300, header length 80, then header and payload.
      seed "$corpus" signed '\000\000\361\123\145\000\000\000\000\054\001\120\000t=1700000000,v1=42ac6f0448c1d9c3e1e82b9726248f58fef84afffcbad5188246e96070e0ea46body'
      ;;
    bulk_csv)
      # mode 0: a file with a BOM, CRLF, a quoted cell holding a newline and a comma, a blank row.
      printf '\000\357\273\277text,profileIds,scheduledFor\r\n"Hi, ""all""\nthere",tiktok_1,2026-06-01T10:00:00Z\r\n,,\r\nbye,"ig_1,li_2",\r\n' >"$corpus/seed-file"
      # mode 1: rows (fields by tab, list items by |), one with platforms, one refused (a comma).
      printf '\001hello\ttiktok_1|ig_2\t\t\thttp://127.0.0.1/a.mp4\t\tTitle\t{"tiktok":{"privacyLevel":"SELF_ONLY"}}\n"quoted"\tli_1\n' >"$corpus/seed-rows"
      printf '\001bad\tid,with,commas\n' >"$corpus/seed-refused"
      ;;
    capabilities)
      seed_text "$corpus" tiktok <<'JSON'
{"profileId":"tiktok_1","platform":"tiktok","tier":"creator","canPost":true,"postsRemainingToday":15,"quotaResetAt":"2026-06-16T00:00:00.000Z","maxVideoDurationSec":600,"minVideoDurationSec":3,"privacyLevelOptions":["PUBLIC_TO_EVERYONE","SELF_ONLY"],"commentDisabled":false,"duetDisabled":true,"stitchDisabled":false}
JSON
      seed_text "$corpus" unknown <<'JSON'
{"profileId":"x_1","platform":"mastodon","tier":"gold","canPost":false,"postsRemainingToday":0,"quotaResetAt":"2026-06-16T00:00:00Z","maxVideoDurationSec":0,"minVideoDurationSec":0,"privacyLevelOptions":["FRIENDS_ONLY"]}
JSON
      ;;
    webhook_event)
      seed_text "$corpus" post <<'JSON'
{"id":"evt_1","type":"post.published","createdAt":"2026-06-15T10:00:00.000Z","data":{"post":{"id":"post_1","status":"published","profileIds":["tiktok_1"],"content":{"text":"hi"},"mediaKeys":["org_mock/a.mp4"],"createdAt":"2026-06-15T09:59:00.000Z","updatedAt":"2026-06-15T10:00:00.000Z","results":[{"profileId":"tiktok_1","platform":"tiktok","status":"published","platformPostId":"tt_1","url":"https://www.tiktok.com/@a/video/1","attempts":1}],"warnings":[{"code":"HASHTAGS_ABOVE_RECOMMENDED","message":"many","platform":"tiktok"}]}}}
JSON
      seed_text "$corpus" comment <<'JSON'
{"id":"evt_2","type":"comment.created","createdAt":"2026-06-15T10:00:00Z","data":{"comment":{"id":"cmt_1","profileId":"ig_1","platform":"instagram","postId":"post_1","author":{"id":"u1","username":"ann"},"text":"nice","createdAt":"2026-06-15T10:00:00Z"}}}
JSON
      seed_text "$corpus" message <<'JSON'
{"id":"evt_3","type":"message.updated","createdAt":"2026-06-15T10:00:00Z","data":{"message":{"id":"msg_1","profileId":"fb_1","platform":"facebook","conversationId":"c1","direction":"inbound","author":{"id":"u2","username":"bob"},"text":"hello","createdAt":"2026-06-15T10:00:00Z","readAt":"2026-06-15T10:01:00Z"}}}
JSON
      seed_text "$corpus" unknown <<'JSON'
{"id":"evt_4","type":"post.teleported","createdAt":"2026-06-15T10:00:00Z","data":{}}
JSON
      ;;
  esac
}

failed=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in "${targets[@]}"; do
  corpus=fuzz/corpus/$target
  artifacts=fuzz/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  seed_corpus "$target" "$corpus"
  case $target in
    probe) max_len=131072 ;;
    *) max_len=8192 ;;
  esac
  case $target in
    probe | decode_error | webhook_signature) seconds=${AETHER_FUZZ_SECONDS:-20} ;;
    *) seconds=${AETHER_FUZZ_SECONDS:-6} ;;
  esac
  dict=()
  [[ -f fuzz/$target.dict ]] && dict=(-dict="fuzz/$target.dict")
  echo "fuzz: running $target for ${seconds}s"
  set +e
  "fuzz/target/$host/release/$target" "$corpus" \
    "${dict[@]}" \
    -max_total_time="$seconds" \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -max_len="$max_len" \
    -artifact_prefix="$artifacts/" \
    -print_final_stats=1 \
    >"$log" 2>&1
  status=$?
  set -e
  # The progress lines (#123 NEW ...), the recommended dictionary and libFuzzer's warnings about
  # sanitizer hooks it cannot find are noise; keep the summary and any crash report.
  awk '/^###### Recommended dictionary/ { skip = 1 } !skip && !/^#[0-9]+/ && !/^WARNING: Failed to find function/ { print }
    /^###### End of recommended dictionary/ { skip = 0 }' "$log" | tail -n 60
  grep -E '^#[0-9]+' "$log" | tail -n 1
  if [[ $status -ne 0 ]]; then
    echo "fuzz: $target crashed (exit $status); the input is in $artifacts:" >&2
    ls -l "$artifacts" >&2
    failed+=("$target")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: crashes in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crash in ${targets[*]}"
