#!/usr/bin/env bash
# HTTP latency of /api/search on the sample corpus: starts `casebook serve` (release) on a
# free loopback port and drives it with wrk over a 20-request mix. Needs wrk
# (`apt-get install wrk`). The response cache is off: its 20 requests would all be hits.
# Usage: scripts/bench-http.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-16}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
work=$(mktemp -d)
target/release/casebook index --index "$work/index" >/dev/null
CASEBOOK_LOG=warn target/release/casebook serve --addr 127.0.0.1:0 --rate-limit 0 --max-in-flight 1024 --no-cache --index "$work/index" > "$work/out" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q listening "$work/out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")
echo "== server $base, RSS after start: $(ps -o rss= -p $server | tr -d ' ') KB"
threads=$(( connections < 2 ? 1 : 2 ))
wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s scripts/load-sample.lua "$base"
echo "== RSS after the run: $(ps -o rss= -p $server | tr -d ' ') KB"
