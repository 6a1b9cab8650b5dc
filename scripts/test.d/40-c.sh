#!/usr/bin/env bash
# The C API (libaether, include/aether.h). In order:
#   1. builds aether-c (libaether.so/.a) and aether-mock (debug);
#   2. regenerates the header with the pinned cbindgen (installed into target/tools when
#      missing) and fails when include/aether.h differs; checks that every declaration in it
#      has a doc comment, a getter for every property of the spec's schemas it has handles for
#      (tests/c/model_spec.py) and version macros that match Cargo.toml;
#   3. checks that libaether.so exports exactly the functions the header declares, all
#      prefixed aether_;
#   4. compiles the C tests with -std=c99 -Wall -Wextra -Wpedantic -Werror, a C++17 file
#      against the header (linked once with the shared and once with the static library), and
#      the example through pkg-config after bindings-c/install.sh (and through CMake's
#      find_package when cmake is installed);
#   5. starts aether-mock on port 0 (and one over HTTPS with client certificates) and two
#      forward proxies (scripts/proxy: tinyproxy, one demanding credentials), and runs the C
#      tests, the conformance scenarios (tests/conformance, through tests/c/conformance.c) over
#      HTTP and again over HTTPS, the C++ test and examples/c/publish.c (approving its connect
#      link as the end user would);
#   6. runs the C tests and the scenarios (over HTTP and HTTPS) again under valgrind: any
#      memory error or leak fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

CBINDGEN_VERSION=0.29.4
tools=target/tools
out=target/c-tests
lib=target/debug
mkdir -p "$out"

step() { printf -- '--- %s\n' "$*"; }

step "build aether-c and aether-mock"
scripts/build-debug

step "header: regenerate with cbindgen $CBINDGEN_VERSION and compare"
if [[ "$("$tools/bin/cbindgen" --version 2>/dev/null || true)" != "cbindgen $CBINDGEN_VERSION" ]]; then
  cargo install cbindgen --version "$CBINDGEN_VERSION" --locked --root "$tools"
fi
"$tools/bin/cbindgen" --quiet --config bindings-c/cbindgen.toml --crate aether-c \
  --output "$out/aether.h" bindings-c
if ! diff -u include/aether.h "$out/aether.h"; then
  echo "include/aether.h is not what cbindgen generates from bindings-c: update it with" >&2
  echo "  cp $out/aether.h include/aether.h" >&2
  exit 1
fi

step "header: a doc comment on every declaration"
python3 - include/aether.h <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
declaration = re.compile(
    r"^(typedef |enum |struct |const |void |bool |size_t |int64_t |uint16_t |uint64_t |char )"
    r"|^#define AETHER_(?!H$)"
    r"|^  [A-Za-z_]")
missing = []
for number, line in enumerate(lines):
    if not declaration.match(line):
        continue
    previous = next((l.strip() for l in reversed(lines[:number]) if l.strip()), "")
    if not previous.endswith("*/"):
        missing.append(f"{number + 1}: {line.strip()}")
if missing:
    sys.exit("declarations without a doc comment in include/aether.h:\n" + "\n".join(missing))
EOF

step "header: a getter (or a stated reason) for every property of the schemas C has handles for"
python3 tests/c/model_spec.py include/aether.h spec/openapi.yaml

step "header: version macros match Cargo.toml"
version=$(cargo metadata --no-deps --format-version 1 --locked |
  python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "aether-c"))')
IFS=. read -r major minor patch <<<"${version%%[-+]*}"
macro() { sed -n "s/^#define $1 //p" include/aether.h; }
for check in "AETHER_VERSION_STRING \"$version\"" "AETHER_VERSION_MAJOR $major" \
  "AETHER_VERSION_MINOR $minor" "AETHER_VERSION_PATCH $patch"; do
  name=${check%% *} expected=${check#* }
  if [[ "$(macro "$name")" != "$expected" ]]; then
    echo "include/aether.h: $name is $(macro "$name"), Cargo.toml says $expected" >&2
    echo "(AETHER_VERSION_STRING is written in bindings-c/cbindgen.toml, the others in bindings-c/src/lib.rs)" >&2
    exit 1
  fi
done

step "exported symbols: exactly the header's functions, all aether_"
nm -D --defined-only "$lib/libaether.so" | awk '{ print $3 }' | sort -u >"$out/exported.txt"
grep -E '^[a-z].*\baether_[a-z0-9_]+\(' include/aether.h |
  grep -oE '\baether_[a-z0-9_]+\(' | tr -d '(' | sort -u >"$out/declared.txt"
grep -oE '\baether_[a-z0-9_]+\(' include/aether.h | tr -d '(' | sort -u >"$out/mentioned.txt"
if grep -v '^aether_' "$out/exported.txt"; then
  echo "libaether.so exports the symbols above, which lack the aether_ prefix" >&2
  exit 1
fi
if ! diff -u "$out/declared.txt" "$out/exported.txt"; then
  echo "the functions exported (+) and declared in include/aether.h (-) differ" >&2
  exit 1
fi
if comm -23 "$out/mentioned.txt" "$out/exported.txt" | grep .; then
  echo "include/aether.h mentions the functions above, which do not exist" >&2
  exit 1
fi
echo "$(wc -l <"$out/exported.txt") functions"

step "compile: C tests (C99, strict), C++17, the example through pkg-config"
# tests/c/support.c speaks HTTPS to the emulator's admin API with OpenSSL (the conformance run
# over HTTPS below).
if [[ ! -e /usr/include/openssl/ssl.h ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -qq libssl-dev >/dev/null || { apt-get update -qq && apt-get install -y -qq libssl-dev >/dev/null; }
  else
    echo "the OpenSSL headers are not installed (apt-get install libssl-dev)" >&2
    exit 1
  fi
fi
cflags=(-std=c99 -Wall -Wextra -Wpedantic -Werror -g)
rpath="-Wl,-rpath,$root/$lib"
cc "${cflags[@]}" -Iinclude -Itests/c tests/c/test_aether.c tests/c/support.c \
  -L"$lib" -laether "$rpath" -pthread -lssl -lcrypto -o "$out/test_aether"
cc "${cflags[@]}" -Iinclude -Itests/c tests/c/conformance.c tests/c/json.c tests/c/support.c \
  -L"$lib" -laether "$rpath" -pthread -lm -lssl -lcrypto -o "$out/conformance"
cc "${cflags[@]}" -Iinclude -Itests/c tests/c/crash_resume.c tests/c/support.c \
  -L"$lib" -laether "$rpath" -pthread -lssl -lcrypto -o "$out/crash_resume"
c++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude tests/c/test_cpp.cpp \
  -L"$lib" -laether "$rpath" -o "$out/test_cpp"
c++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude tests/c/test_cpp.cpp \
  "$lib/libaether.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -o "$out/test_cpp_static"
prefix="$root/$out/install"
bindings-c/install.sh "$prefix" debug >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[[ "$(pkg-config --modversion aether)" == "$version" ]]
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc "${cflags[@]}" examples/c/publish.c $(pkg-config --cflags --libs aether) \
  -Wl,-rpath,"$prefix/lib" -o "$out/publish"
if command -v cmake >/dev/null; then
  mkdir -p "$out/cmake-example"
  cat >"$out/cmake-example/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.16)
project(publish C)
find_package(aether $major.$minor REQUIRED)
add_executable(publish "$root/examples/c/publish.c")
target_link_libraries(publish PRIVATE aether::aether)
EOF
  cmake -S "$out/cmake-example" -B "$out/cmake-example/build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_RPATH="$prefix/lib" >/dev/null
  cmake --build "$out/cmake-example/build" >/dev/null
  echo "CMake find_package(aether): ok"
else
  echo "CMake find_package(aether): skipped (cmake is not installed)"
fi

step "start aether-mock"
mock_line="$out/mock.json"
: >"$mock_line"
target/debug/aether-mock --port 0 --processing-ms 200 >"$mock_line" 2>"$out/mock.log" &
mock_pid=$!
# A second one over HTTPS, requiring client certificates (tests/c: tls_*, and publish.c below).
tls_line="$out/mock-tls.json"
: >"$tls_line"
target/debug/aether-mock --port 0 --processing-ms 200 --tls --tls-client-auth >"$tls_line" \
  2>"$out/mock-tls.log" &
tls_pid=$!
# A third over HTTPS without client certificates, as the other runners play the scenarios (the
# emulator fetches its own files for ingest, presenting none).
conf_tls_line="$out/mock-conformance-tls.json"
: >"$conf_tls_line"
target/debug/aether-mock --port 0 --processing-ms 200 --tls >"$conf_tls_line" \
  2>"$out/mock-conformance-tls.log" &
conf_tls_pid=$!
proxy_pid="" auth_proxy_pid=""
# beside NAME COMMAND...: runs COMMAND in the background, its output kept in $out/NAME.out;
# joined NAME shows that output once it is done and fails when COMMAND failed.
declare -A beside_pids=()
beside() {
  local name=$1
  shift
  "$@" >"$out/$name.out" 2>&1 &
  beside_pids[$name]=$!
}
joined() {
  local status=0
  wait "${beside_pids[$1]}" || status=$?
  cat "$out/$1.out"
  ((status == 0)) || exit 1
}
cleanup() {
  kill "${beside_pids[@]}" "$mock_pid" "$tls_pid" "$conf_tls_pid" $proxy_pid $auth_proxy_pid \
    2>/dev/null || true
  wait "${beside_pids[@]}" "$mock_pid" "$tls_pid" "$conf_tls_pid" $proxy_pid $auth_proxy_pid \
    2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 200); do
  [[ -s $mock_line && -s $tls_line && -s $conf_tls_line ]] && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$out/mock.log" >&2; exit 1; }
  kill -0 "$tls_pid" 2>/dev/null || { cat "$out/mock-tls.log" >&2; exit 1; }
  kill -0 "$conf_tls_pid" 2>/dev/null || { cat "$out/mock-conformance-tls.log" >&2; exit 1; }
  sleep 0.05
done
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "${2:-$mock_line}"; }
export AETHER_MOCK_TLS_URL AETHER_MOCK_TLS_CA AETHER_MOCK_TLS_CLIENT_CERT AETHER_MOCK_TLS_CLIENT_KEY
AETHER_MOCK_TLS_URL=$(field url "$tls_line")
AETHER_MOCK_TLS_CA=$(field caFile "$tls_line")
AETHER_MOCK_TLS_CLIENT_CERT=$(field clientCertFile "$tls_line")
AETHER_MOCK_TLS_CLIENT_KEY=$(field clientKeyFile "$tls_line")
export AETHER_MOCK_URL AETHER_MOCK_ADMIN_TOKEN AETHER_MOCK_API_KEY
AETHER_MOCK_URL=$(field url)
AETHER_MOCK_ADMIN_TOKEN=$(field adminToken)
AETHER_MOCK_API_KEY=$(field apiKey)
export AETHER_FIXTURES="$root/tests/fixtures/media"

# Two forward proxies (tinyproxy through scripts/proxy, installed when missing), one demanding
# credentials, for tests/c: proxy_*. Without tinyproxy (not root, not CI) that test skips.
proxy_line="$out/proxy.json" auth_proxy_line="$out/auth-proxy.json"
: >"$proxy_line"
: >"$auth_proxy_line"
# Stopped by cleanup (SIGTERM), which also stops their tinyproxy.
scripts/proxy --install </dev/null >"$proxy_line" 2>"$out/proxy.log" &
proxy_pid=$!
scripts/proxy --install --auth c:pr0xy-Secret </dev/null >"$auth_proxy_line" \
  2>"$out/auth-proxy.log" &
auth_proxy_pid=$!
for _ in $(seq 200); do
  [[ -s $proxy_line && -s $auth_proxy_line ]] && break
  kill -0 "$proxy_pid" 2>/dev/null && kill -0 "$auth_proxy_pid" 2>/dev/null || break
  sleep 0.05
done
if [[ -s $proxy_line && -s $auth_proxy_line ]]; then
  export AETHER_TEST_PROXY_URL AETHER_TEST_PROXY_LOG AETHER_TEST_AUTH_PROXY_PORT
  AETHER_TEST_PROXY_URL=$(field url "$proxy_line")
  AETHER_TEST_PROXY_LOG=$(field logFile "$proxy_line")
  AETHER_TEST_AUTH_PROXY_PORT=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$auth_proxy_line")
  echo "proxies: $AETHER_TEST_PROXY_URL, 127.0.0.1:$AETHER_TEST_AUTH_PROXY_PORT (credentials)"
elif [[ ${CI:-} == true ]]; then
  cat "$out/proxy.log" "$out/auth-proxy.log" >&2
  echo "scripts/proxy could not start tinyproxy (needed in CI)" >&2
  exit 1
else
  cat "$out/proxy.log" >&2
  echo "no proxy: the C proxy test is skipped" >&2
fi
[[ -n $AETHER_MOCK_URL ]] || { echo "aether-mock printed no URL" >&2; exit 1; }
echo "$AETHER_MOCK_URL"

step "run: C tests"
"$out/test_aether"

step "run: crash and resume (a process SIGKILLed mid-upload, a new one continues it)"
"$out/crash_resume"

# timed LABEL COMMAND...: runs COMMAND, then says how long it took.
timed() {
  local label=$1 started=$SECONDS
  shift
  "$@"
  echo "$label: $((SECONDS - started)) s"
}
# over_tls COMMAND...: runs COMMAND (the scenarios, plain or under valgrind) against the third
# emulator, over HTTPS. The client reads AETHER_CA_BUNDLE; tests/c/support.c too, for the admin
# API (OpenSSL).
over_tls() {
  AETHER_MOCK_URL="$(field url "$conf_tls_line")" \
    AETHER_MOCK_ADMIN_TOKEN="$(field adminToken "$conf_tls_line")" \
    AETHER_MOCK_API_KEY="$(field apiKey "$conf_tls_line")" \
    AETHER_CA_BUNDLE="$(field caFile "$conf_tls_line")" "$@"
}
export AETHER_CONFORMANCE_DIR="$root/tests/conformance"

# Over HTTPS on an emulator of their own, beside the runs over HTTP (which share the first one).
# Valgrind plays both at the end.
beside conformance-tls timed "over HTTPS" over_tls "$out/conformance"

step "run: the conformance scenarios (tests/conformance) through the C API"
timed "over HTTP" "$out/conformance"

step "run: the conformance scenarios in chaos mode (scripts/test.d/45-chaos.sh), not under valgrind"
AETHER_CHAOS_SEED=1 AETHER_CHAOS_RATE=0.10 timed "in chaos mode" "$out/conformance"

step "run: the conformance scenarios over HTTPS (AETHER_CONFORMANCE_TLS=1 elsewhere; run beside the two above)"
joined conformance-tls

step "run: C++ test (shared and static library)"
"$out/test_cpp"
"$out/test_cpp_static"

# The tutorial (connect link, upload, post, wait) as a user runs it: key and URL from the
# environment; over HTTPS the CA and the client certificate from the environment too.
# $1 URL, $2 admin token, $3 an output file, [$4 CA, $5 client cert, $6 client key].
publish_example() {
  local url=$1 token=$2 output=$3 ca=${4:-} cert=${5:-} key=${6:-}
  # A fresh emulator state: the scenarios leave their settings (e.g. 10 minutes of processing).
  python3 - "$url" "$token" "$ca" "$cert" "$key" <<'EOF'
import http.client, ssl, sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
def connect():
    if url.scheme != "https":
        return http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    context = ssl.create_default_context(cafile=sys.argv[3])
    context.load_cert_chain(sys.argv[4], sys.argv[5])
    return http.client.HTTPSConnection(url.hostname, url.port, timeout=10, context=context)
for method, path, body in [("POST", "/_mock/reset", "{}"),
                           ("PATCH", "/_mock/settings", '{"processingMs": 200}')]:
    connection = connect()
    connection.request(method, path, body, {"Authorization": f"Bearer {sys.argv[2]}",
                                            "Content-Type": "application/json"})
    status = connection.getresponse().status
    if status >= 300:
        sys.exit(f"{method} {path} answered {status}")
EOF
  (
    export AETHER_API_KEY=$AETHER_MOCK_API_KEY AETHER_BASE_URL=$url
    if [[ -n $ca ]]; then
      export AETHER_CA_BUNDLE=$ca AETHER_CLIENT_CERT=$cert AETHER_CLIENT_KEY=$key
    fi
    "$out/publish" tests/fixtures/media/h264_15s.mp4 >"$output" 2>&1
  ) &
  local example_pid=$! link=""
  for _ in $(seq 200); do
    link=$(sed -n 's/^connect link: //p' "$output" 2>/dev/null || true)
    [[ -n $link ]] && break
    sleep 0.05
  done
  [[ -n $link ]] || { kill "$example_pid"; cat "$output" >&2; exit 1; }
  # The end user approves on the emulator's hosted page (no redirect is followed).
  python3 - "$link" "$ca" "$cert" "$key" <<'EOF'
import http.client, ssl, sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
query = (url.query + "&" if url.query else "") + "approve=1"
if url.scheme == "https":
    context = ssl.create_default_context(cafile=sys.argv[2])
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    connection = http.client.HTTPSConnection(url.hostname, url.port, timeout=10, context=context)
else:
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
connection.request("GET", f"{url.path}?{query}")
status = connection.getresponse().status
if status != 302:
    sys.exit(f"approving the connect link answered {status}, not 302")
EOF
  if ! wait "$example_pid"; then
    cat "$output" >&2
    echo "examples/c/publish.c failed against $url" >&2
    exit 1
  fi
  cat "$output"
  grep -qx 'published' "$output"
}

step "run: examples/c/publish.c"
publish_example "$AETHER_MOCK_URL" "$AETHER_MOCK_ADMIN_TOKEN" "$out/publish.out"

step "run: examples/c/publish.c over HTTPS (AETHER_CA_BUNDLE, AETHER_CLIENT_CERT/KEY)"
publish_example "$AETHER_MOCK_TLS_URL" "$(field adminToken "$tls_line")" "$out/publish-tls.out" \
  "$AETHER_MOCK_TLS_CA" "$AETHER_MOCK_TLS_CLIENT_CERT" "$AETHER_MOCK_TLS_CLIENT_KEY"

step "valgrind: the C tests, no memory error and no leak"
if ! command -v valgrind >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -qq valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
  else
    echo "valgrind is not installed (apt-get install valgrind)" >&2
    exit 1
  fi
fi
# tests/c/valgrind.supp explains its two entries: the embedded runtime's threads, alive at exit.
valgrind_flags=(--error-exitcode=99 --leak-check=full --show-leak-kinds=definite,possible
  --errors-for-leak-kinds=definite,possible --suppressions=tests/c/valgrind.supp
  --num-callers=40)
# under_valgrind NAME PROGRAM: runs PROGRAM (with the caller's environment) under valgrind,
# its output in $out/NAME.out and valgrind's log in $out/NAME.log; on an error or a leak,
# shows both and fails.
under_valgrind() {
  local name=$1 program=$2
  if ! valgrind "${valgrind_flags[@]}" --log-file="$out/$name.log" "$program" >"$out/$name.out"; then
    cat "$out/$name.out"
    grep -v '^==[0-9]*== *$' "$out/$name.log" | tail -n 80 >&2
    echo "valgrind found memory errors or leaks (full log: $out/$name.log)" >&2
    exit 1
  fi
  tail -n 1 "$out/$name.out"
  grep -E 'ERROR SUMMARY|definitely lost|possibly lost' "$out/$name.log" | sed 's/^==[0-9]*== //'
}
# Valgrind runs a program on one core at a time: the scenarios over HTTPS (their own emulator)
# run beside the C tests and the scenarios over HTTP (which share the first one), and report
# once those are done.
beside valgrind-conformance-tls-summary over_tls under_valgrind valgrind-conformance-tls \
  "$out/conformance"
AETHER_TEST_UNDER_VALGRIND=1 under_valgrind valgrind "$out/test_aether"
under_valgrind valgrind-cpp "$out/test_cpp" >/dev/null
step "valgrind: the conformance scenarios"
under_valgrind valgrind-conformance "$out/conformance"
step "valgrind: the conformance scenarios over HTTPS (run beside the steps above)"
joined valgrind-conformance-tls-summary
step "valgrind: the C soak (bench/soak: 200 create/get/wait cycles, 3 uploads, one client; ~15 s)"
cc "${cflags[@]}" -Iinclude bench/soak/soak.c -L"$lib" -laether "$rpath" -pthread -o "$out/c_soak"
SOAK_WRITE=0 ONLY=valgrind SOAK_PROFILE=debug SOAK_C_DRIVER="$root/$out/c_soak" \
  python3 bench/soak/soak.py 2>/dev/null | tail -n 1
echo "c: ok"
