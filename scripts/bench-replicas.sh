#!/usr/bin/env bash
# Figures of docs/performance.md#replicas-and-postgresql (issue 16), on 127.0.0.1 with wrk:
#   1. the request mix of scripts/load.sh over CASES generated cases (seed 42), served from
#      one shared index folder with the store on PostgreSQL: one replica directly, one
#      replica behind nginx, two replicas behind nginx (round robin);
#   2. the showcase API (scripts/load-showcases.lua: public reads, an organiser's list,
#      note edits) with the store on SQLite, then on PostgreSQL, one server each.
# Prints answers/s and p50/p90/p99 per run. Needs wrk and nginx (apt-get install wrk
# nginx-light); runs itself under scripts/with-postgres.sh for a throwaway PostgreSQL (fsync
# off: this measures Casebook and the protocol, not a disk). Not part of CI.
# Usage: scripts/bench-replicas.sh [CASES=100000] [SECONDS=60] [CONNECTIONS=64] [PART=all]
# PART is `replicas` (1), `showcases` (2) or `all`; the showcase runs last 30 s each.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CASEBOOK_TEST_POSTGRES:-}" ]; then
  exec scripts/with-postgres.sh "$0" "$@"
fi
cases=${1:-100000}
seconds=${2:-60}
connections=${3:-64}
part=${4:-all}
case "$part" in all | replicas | showcases) ;; *) echo "PART is all, replicas or showcases" >&2; exit 2 ;; esac
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx is not installed: apt-get install nginx-light" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql is not installed: apt-get install postgresql-client" >&2; exit 1; }
cargo build --release --quiet --bin casebook
cargo build --release --quiet -p casebook-bench --bin casebook-bench
bin=target/release/casebook
bench=target/release/casebook-bench
work=$(mktemp -d)
chmod 755 "$work"
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

admin=$CASEBOOK_TEST_POSTGRES
database() { # NAME: a new database, its URL on standard output
  psql "$admin" -qc "CREATE DATABASE $1" >/dev/null
  echo "${admin%/*}/$1"
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

base=""
start_server() { # NAME DB EXTRA...: sets $base
  local name=$1 db=$2
  shift 2
  CASEBOOK_LOG=warn "$bin" serve --addr 127.0.0.1:0 --corpus "$work/corpus" --index "$work/index" --no-build \
    --db "$db" --rate-limit 0 --max-in-flight 1024 "$@" > "$work/$name.out" &
  servers+=($!)
  for _ in $(seq 600); do grep -q listening "$work/$name.out" && break; sleep 0.05; done
  base=$(sed -n 's/^listening on //p' "$work/$name.out")
}
stop_servers() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  servers=()
  if [ -f "$work/nginx.pid" ]; then kill "$(cat "$work/nginx.pid")"; sleep 0.5; rm -f "$work/nginx.pid"; fi
}
start_nginx() { # BASE...: sets $base to nginx's
  local port
  port=$(free_port)
  {
    echo "worker_processes 1; pid $work/nginx.pid; error_log $work/nginx.log warn;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; upstream casebook {"
    for server in "$@"; do echo "  server ${server#http://};"; done
    echo "  keepalive 128; }"
    echo "  server { listen 127.0.0.1:$port; location / { proxy_pass http://casebook; proxy_http_version 1.1;"
    echo "    proxy_set_header Connection \"\"; proxy_set_header X-Forwarded-For \$remote_addr; } } }"
  } > "$work/nginx.conf"
  nginx -c "$work/nginx.conf" -p "$work" -e "$work/nginx.log"
  base="http://127.0.0.1:$port"
}

report() { # NAME FILE
  python3 - "$1" "$2" <<'PY'
import re, sys
name, path = sys.argv[1:3]
text = open(path).read()
statuses = {int(a): int(b) for a, b in re.findall(r"^status (\d+) (\d+)$", text, re.M)}
lat = dict(re.findall(r"(p50_ms|p90_ms|p99_ms|max_ms) ([\d.]+)", text))
tot = dict(re.findall(r"(requests|seconds|connect_errors|read_errors|write_errors|timeouts) ([\d.]+)", text))
seconds = float(tot["seconds"])
answered = sum(statuses.values())
ok = sum(n for s, n in statuses.items() if s < 400)
print(f"== {name}: {answered / seconds:.0f} answers/s ({ok / seconds:.0f}/s successful), "
      f"p50 {float(lat['p50_ms']):.1f} ms, p90 {float(lat['p90_ms']):.1f} ms, p99 {float(lat['p99_ms']):.1f} ms, "
      f"max {float(lat['max_ms']):.1f} ms; statuses " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
      + f"; socket errors {int(tot['connect_errors']) + int(tot['read_errors']) + int(tot['write_errors'])}, timeouts {tot['timeouts']}")
PY
}

run() { # NAME SCRIPT SECONDS: a 5 s warm-up, then the measured run against $base
  local name=$1 script=$2 secs=$3
  wrk -t2 -c"$connections" -d5s --timeout 10s -s "$script" "$base" > /dev/null || true
  wrk -t2 -c"$connections" -d"${secs}s" --timeout 10s -s "$script" "$base" > "$work/$name.txt" || true
  report "$name" "$work/$name.txt"
}

echo "== machine: $(nproc) cores, shared by wrk, nginx, PostgreSQL and the servers"
echo "== corpus: $cases generated cases (seed 42)"
"$bench" gen-corpus --n "$cases" --seed 42 --queries 2000 --out "$work/corpus" >/dev/null
"$bin" index --corpus "$work/corpus" --index "$work/index" | tail -1
python3 scripts/load-paths.py "$work/corpus" > "$work/paths.txt"
export PATHS_FILE="$work/paths.txt"

# 1. One replica against two, the store on PostgreSQL.
if [ "$part" != showcases ]; then
shared=$(database bench_replicas)
start_server one "$shared"
one=$base
run "1 replica, direct" scripts/load.lua "$seconds"
start_nginx "$one"
run "1 replica behind nginx" scripts/load.lua "$seconds"
stop_servers
start_server a "$shared"
a=$base
start_server b "$shared"
b=$base
start_nginx "$a" "$b"
run "2 replicas behind nginx" scripts/load.lua "$seconds"
stop_servers
fi
[ "$part" != replicas ] || exit 0

# 2. The showcase API on SQLite, then on PostgreSQL.
# (awk reads to the end: with `head`, the writer's SIGPIPE would end the script under pipefail)
ids=$(find "$work/corpus/cases" -name '*.md' -printf '%f\n' | sort | awk 'NR <= 20 { sub(/\.md$/, ""); print }')
for store in sqlite postgres; do
  if [ "$store" = sqlite ]; then db="$work/showcases.db"; else db=$(database bench_showcases); fi
  printf 'correct horse battery\n' | "$bin" users add anna --db "$db" >/dev/null
  token=$("$bin" tokens create anna --db "$db" | tail -n 1)
  start_server "showcases-$store" "$db"
  auth="Authorization: Bearer $token"
  slug=$(curl -sf -H "$auth" -H 'Content-Type: application/json' -d '{"title": "Bench stage"}' "$base/api/showcases" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["slug"])')
  for id in $ids; do
    curl -sf -o /dev/null -H "$auth" -H 'Content-Type: application/json' -d "{\"case_id\": \"$id\"}" "$base/api/showcases/$slug/items"
  done
  curl -sf -o /dev/null -X POST -H "$auth" "$base/api/showcases/$slug/publish"
  CASES=$(echo $ids | tr ' ' ',')
  export TOKEN=$token SLUG=$slug CASES
  run "showcase API on $store" scripts/load-showcases.lua 30
  stop_servers
done
