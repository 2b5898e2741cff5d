#!/usr/bin/env bash
# The response cache's own effect over HTTP, on a realistic request log: the same server and
# index with the cache on (the default 64 MiB) and with --no-cache, each driven by wrk at 64
# connections replaying the same log. Reports req/s, p50, p99, errors, and the hit rate the
# server counted (`/healthz`). Writes docs/bench/cache-<N>.json.
#
# The log: a query universe drawn like the corpus's own query mix (`casebook-bench gen-corpus
# --seed 42 --queries U`: the same generator and seed, so its first 1,000 requests are the
# corpus's `queries.jsonl`), each request of the universe given a popularity rank at random,
# and LOG requests drawn from it with P(rank k) ~ 1/k^ZIPF. Every request is `/api/search`.
#
# Usage: scripts/bench-cache.sh [CASES=100000] [SECONDS=40]   (SECONDS per run, two runs)
# Environment: CORPUS (default target/bench-data/corpus-CASES, generated if missing), INDEX
# (an index of it built by this version; default: built into a temporary folder), UNIVERSE
# (distinct requests drawn, default 20000), LOG (requests in the log, default 200000), ZIPF
# (exponent, default 1.0), CONNECTIONS (default 64). Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-100000}
seconds=${2:-40}
universe=${UNIVERSE:-20000}
log_size=${LOG:-200000}
zipf=${ZIPF:-1.0}
connections=${CONNECTIONS:-64}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet --bin casebook
cargo build --release --quiet -p casebook-bench --bin casebook-bench
bin=target/release/casebook
bench=target/release/casebook-bench
corpus=${CORPUS:-target/bench-data/corpus-$cases}
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

if [ ! -d "$corpus" ]; then
  mkdir -p "$(dirname "$corpus")"
  "$bench" gen-corpus --n "$cases" --seed 42 --out "$corpus"
fi
index=${INDEX:-}
if [ -z "$index" ]; then
  index="$work/index"
  echo "== indexing $corpus"
  "$bin" index --corpus "$corpus" --index "$index" --full >/dev/null
fi

echo "== the request log: $log_size requests, Zipf $zipf over $universe drawn requests"
"$bench" gen-corpus --n 10 --seed 42 --queries "$universe" --out "$work/mix" >/dev/null
python3 - "$work/mix/queries.jsonl" "$corpus/queries.jsonl" "$log_size" "$zipf" "$work/paths.txt" <<'PY'
import bisect, itertools, json, os, random, sys, urllib.parse
mix, own, size, s, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
lines = open(mix).read().splitlines()
if os.path.exists(own):
    head = open(own).read().splitlines()
    same = lines[:len(head)] == head
    print(f"  the universe starts with the corpus's own {len(head)} requests: {'yes' if same else 'NO'}")
def path(line):
    pairs = []
    for key, value in json.loads(line).items():
        for v in (value if isinstance(value, list) else [value]):
            pairs.append((key, str(v)))
    return "/api/search?" + urllib.parse.urlencode(pairs)
paths = [path(line) for line in lines]
rng = random.Random(42)
rng.shuffle(paths)
weights = list(itertools.accumulate(1.0 / (k ** s) for k in range(1, len(paths) + 1)))
log = [paths[bisect.bisect(weights, rng.random() * weights[-1])] for _ in range(size)]
with open(out, "w") as f:
    f.write("\n".join(log) + "\n")
distinct = len(set(log))
print(f"  {distinct} distinct requests in the log; an unbounded cache that never forgets would hit {1 - distinct / size:.1%}")
PY

run() {
  local name=$1; shift
  CASEBOOK_LOG=warn "$bin" serve --addr 127.0.0.1:0 --rate-limit 0 --max-in-flight 1024 \
    --corpus "$corpus" --index "$index" --db "$work/bench.db" "$@" > "$work/serve.out" &
  server=$!
  for _ in $(seq 600); do grep -q listening "$work/serve.out" && break; sleep 0.05; done
  local base
  base=$(sed -n 's/^listening on //p' "$work/serve.out")
  echo "== $name: wrk -t2 -c$connections -d${seconds}s"
  WRK_THREADS=2 PATHS_FILE="$work/paths.txt" wrk -t2 -c"$connections" -d"${seconds}s" --latency \
    -s scripts/load-log.lua "$base" > "$work/wrk-$name.txt" || true
  curl -s "$base/healthz" > "$work/health-$name.json"
  curl -s "$base/metrics" | grep '^casebook_cache_' > "$work/metrics-$name.txt" || true
  echo "  RSS at the end: $(( $(ps -o rss= -p $server | tr -d ' ') / 1024 )) MB" | tee "$work/rss-$name.txt"
  kill $server; wait $server 2>/dev/null || true
  server=
}
run off --no-cache
run on

mkdir -p docs/bench
python3 - "$work" "docs/bench/cache-$cases.json" "$cases" "$seconds" "$connections" "$log_size" "$universe" "$zipf" <<'PY'
import json, re, sys
work, out = sys.argv[1], sys.argv[2]
cases, seconds, connections, log_size, universe, zipf = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8])
def ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
result = {"cases": cases, "seconds_per_run": seconds, "connections": connections, "log_requests": log_size,
          "universe": universe, "zipf": zipf}
for name in ["off", "on"]:
    wrk = open(f"{work}/wrk-{name}.txt").read()
    latency = dict((p, ms(v)) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)", wrk, re.M))
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", wrk))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
    health = json.load(open(f"{work}/health-{name}.json"))
    metrics = dict(line.split() for line in open(f"{work}/metrics-{name}.txt") if line.strip())
    result[name] = {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1)),
                    "requests": int(re.search(r"(\d+) requests in", wrk).group(1)),
                    "p50_ms": latency.get("50"), "p99_ms": latency.get("99"),
                    "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
                    "hit_rate": health["cache"]["hit_rate"], "cache": {k: int(v) for k, v in metrics.items()}}
json.dump(result, open(out, "w"), indent=2)
off, on = result["off"], result["on"]
print(f"{'':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'hit rate':>9}")
for name, r in [("--no-cache", off), ("cache on", on)]:
    print(f"{name:10} {r['requests_per_second']:8.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['errors']:7d} {r['hit_rate']:9.1%}")
print(f"cache on / off: x{on['requests_per_second'] / off['requests_per_second']:.2f} req/s; "
      f"entries {on['cache'].get('casebook_cache_entries')}, {on['cache'].get('casebook_cache_bytes', 0) / 2**20:.1f} MiB, "
      f"evictions {on['cache'].get('casebook_cache_evictions_total')}; written to {out}")
PY
