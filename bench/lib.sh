# Sourced by the bench/*.sh scripts: one release emulator at a time, on a port the OS picked,
# with its data under $work/data (the caller makes $work). Sets mock_pid, url and admin (curl
# arguments for the admin API); stop_mock also removes the emulator's data.

mock_pid=
admin=(-H "Authorization: Bearer adm_bench" -H "Content-Type: application/json")

stop_mock() {
  if [[ -n $mock_pid ]]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
    mock_pid=
  fi
  rm -rf "$work/data"
}

# start_mock [MAX_SINGLE_UPLOAD_BYTES]: a fresh emulator with the rate limiter out of the
# figures (and the single-shot endpoint taking files up to the given size).
start_mock() {
  stop_mock
  rm -f "$work/ready.json"
  target/release/aether-mock --port 0 --api-key sk_bench --admin-token adm_bench \
    --data-dir "$work/data" --processing-ms "${PROCESSING_MS:-100}" >"$work/ready.json" 2>/dev/null &
  mock_pid=$!
  for _ in $(seq 200); do [[ -s $work/ready.json ]] && break; sleep 0.05; done
  url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$work/ready.json")
  local settings='"rateLimit": 4000000000'
  [[ -n ${1:-} ]] && settings+=", \"maxSingleUpload\": $1"
  curl -sf -o /dev/null -X PATCH "${admin[@]}" -d "{$settings}" "$url/_mock/settings"
}
