#!/usr/bin/env bash
# HTTP bench: dedupe-hit submits of the qc_v1 example against covsignerd
# versus a bare cpp-httplib server receiving the same body, both driven by
# the same wrk script over keep-alive. Talks only to 127.0.0.1; every run is
# bounded by DURATION.
#
#   bench/http/run.sh [build-dir]        (default: build)
#   DURATION=10s CONNECTIONS=64 THREADS=2 WORKERS=64 bench/http/run.sh build
#
# Prints one RESULT line per server and the ratio; writes them to
# bench/results/http-<date>.txt as well.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-build}"
[[ "$build" = /* ]] || build="$root/$build"
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
workers="${WORKERS:-64}"
covsignerd="$build/bin/covsignerd"
body="$here/qc_v1_submit.json"

command -v wrk >/dev/null || { echo "wrk is not installed (make deps)"; exit 1; }
[[ -x "$covsignerd" ]] || { echo "build covsignerd first: $covsignerd"; exit 1; }

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_healthy() {
  for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server on port $1 did not come up"; return 1
}

run_wrk() { # port path
  BODY_FILE="$body" BENCH_TOKEN="${BENCH_TOKEN:-}" \
    wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s -s "$here/submit.lua" \
    "http://127.0.0.1:$1$2" | grep '^RESULT'
}

# The bare server, compiled with the same pkg-config flags as the project.
g++ -std=c++20 -O2 -Wall -Wextra -Werror $(pkg-config --cflags cpp-httplib) "$here/bare_server.cpp" \
  -o "$work/bare_server" $(pkg-config --libs cpp-httplib) -pthread

# covsignerd: loopback, no tokens (so no budgets), one job created first;
# every benched submit is then a dedupe hit of it.
port="$(free_port)"
"$covsignerd" --port="$port" --data-dir="$work/data" \
  --eip712-salt=0x0000000000000000000000000000000000000000000000000000000000000000 \
  --http.workers="$workers" >"$work/covsignerd.log" 2>&1 &
pids+=($!)
wait_healthy "$port"
curl -fsS -X POST -H 'Content-Type: application/json' --data-binary @"$body" \
  "http://127.0.0.1:$port/v1/qc_v1/signer/requests" >/dev/null
node_result="$(run_wrk "$port" /v1/qc_v1/signer/requests)"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

bare_port="$(free_port)"
"$work/bare_server" "$bare_port" "$workers" &
pids+=($!)
wait_healthy "$bare_port"
bare_result="$(run_wrk "$bare_port" /v1/qc_v1/signer/requests)"

rps() { sed -E 's/.*requests_per_sec=([0-9.]+).*/\1/' <<<"$1"; }
ratio="$(python3 -c "print(f'{100*$(rps "$node_result")/$(rps "$bare_result"):.1f}')")"
report="covsignerd (dedupe hits) $node_result
bare cpp-httplib          $bare_result
ratio                     ${ratio}% (wrk -t$threads -c$connections -d$duration, workers $workers)"
echo "$report"
mkdir -p "$root/bench/results"
echo "$report" >"$root/bench/results/http-$(date -u +%Y%m%dT%H%M%SZ).txt"
