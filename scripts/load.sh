#!/usr/bin/env bash
# Load and overload of `casebook serve` on 127.0.0.1 with wrk (a real HTTP load generator),
# over a realistic mix of website and API requests on a generated corpus:
#   1. soak:     SECONDS at CONNECTIONS connections, default limits except the per-client
#                rate limit (all load comes from one address);
#   2. overload: 30 s at 256 connections against --max-in-flight 32: excess requests must
#                get fast 503s with Retry-After, the rest keep being answered;
#   3. rate:     10 s at 8 connections with the default per-client limit: 429s.
# Reports throughput, p50/p90/p99 latency, answers per status, socket errors, and the
# server's RSS at start, end and peak. Not part of CI (too long); needs wrk.
# Usage: scripts/load.sh [CASES=10000] [SECONDS=120] [CONNECTIONS=64]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-10000}
seconds=${2:-120}
connections=${3:-64}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet --bin casebook
cargo build --release --quiet -p casebook-bench --bin casebook-bench
bin=target/release/casebook
bench=target/release/casebook-bench
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

echo "== corpus: $cases generated cases"
"$bench" gen-corpus --n "$cases" --queries 2000 --out "$work/corpus" >/dev/null
"$bin" index --corpus "$work/corpus" --index "$work/index" | tail -1

# The mix: 55% API searches (the generated query mix), 15% search pages, 10% suggestions,
# 12% case pages, 4% similar cases, 2% home, 2% facets.
python3 scripts/load-paths.py "$work/corpus" > "$work/paths.txt"

start_server() {
  # --no-cache: the mix repeats its requests, and these figures are the search core's.
  CASEBOOK_LOG=warn "$bin" serve --addr 127.0.0.1:0 --no-cache --corpus "$work/corpus" --index "$work/index" \
    --db "$work/load.db" "$@" > "$work/serve.out" &
  server=$!
  for _ in $(seq 300); do grep -q listening "$work/serve.out" && break; sleep 0.02; done
  base=$(sed -n 's/^listening on //p' "$work/serve.out")
}
stop_server() {
  kill $server; wait $server 2>/dev/null || true; server=
}
rss() { ps -o rss= -p "$server" | tr -d ' '; }
peak() { awk '/VmHWM/ {print $2}' "/proc/$server/status"; }

run() { # NAME SECONDS CONNECTIONS
  local name=$1 secs=$2 conns=$3 rss_start
  rss_start=$(rss)
  PATHS_FILE="$work/paths.txt" wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s -s scripts/load.lua "$base" \
    > "$work/$name.txt" || true
  python3 - "$work/$name.txt" "$name" "$conns" "$rss_start" "$(rss)" "$(peak)" <<'PY'
import re, sys
path, name, conns, rss_start, rss_end, rss_peak = sys.argv[1:7]
text = open(path).read()
statuses = {int(a): int(b) for a, b in re.findall(r"^status (\d+) (\d+)$", text, re.M)}
lat = dict(re.findall(r"(p50_ms|p90_ms|p99_ms|max_ms) ([\d.]+)", text))
tot = dict(re.findall(r"(requests|seconds|connect_errors|read_errors|write_errors|timeouts) ([\d.]+)", text))
seconds = float(tot["seconds"])
answered = sum(statuses.values())
ok = sum(n for s, n in statuses.items() if s < 400)
errors = sum(n for s, n in statuses.items() if s >= 500 and s != 503)
print(f"== {name}: {conns} connections, {seconds:.0f} s")
print(f"   throughput {answered / seconds:.0f} answers/s, of which {ok / seconds:.0f}/s successful (2xx/3xx)")
print(f"   latency p50 {float(lat['p50_ms']):.1f} ms, p90 {float(lat['p90_ms']):.1f} ms, p99 {float(lat['p99_ms']):.1f} ms, max {float(lat['max_ms']):.1f} ms")
print("   answers by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
print(f"   server errors (5xx other than 503): {errors}; socket errors: connect {tot['connect_errors']}, read {tot['read_errors']}, write {tot['write_errors']}, timeouts {tot['timeouts']}")
print(f"   server RSS: {int(rss_start) // 1024} MB at start, {int(rss_end) // 1024} MB at end, peak {int(rss_peak) // 1024} MB")
PY
}

echo "== mix: $(wc -l < "$work/paths.txt") request paths; machine: $(nproc) cores; wrk shares them with the server"
start_server --rate-limit 0
run soak "$seconds" "$connections"
stop_server
start_server --rate-limit 0 --max-in-flight 32
run overload 30 256
stop_server
start_server
run rate-limited 10 8
stop_server
