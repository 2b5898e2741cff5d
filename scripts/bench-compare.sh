#!/usr/bin/env bash
# Casebook at scale, side by side with SQLite FTS5, in one run. For each corpus size:
# generate the corpus and query mix, build the index (wall time, peak RSS, size), re-index
# unchanged and after changing 1% of the files, measure in-process latency per query class
# (Casebook single pass, the N+1 approach, and SQLite FTS5 on the same mix), suggest latency,
# server start-up, and HTTP throughput with wrk. The same corpus is also indexed and queried
# the plainest way tantivy allows (`casebook-bench raw-index`, `measure --raw`): every
# figure is shown as a ratio to it and to SQLite FTS5. Writes docs/bench/results-<N>.json and
# docs/bench/latency.svg, and prints a summary. The server runs with --no-cache: the figures
# are the search core's (the cache's own effect is scripts/bench-cache.sh).
#
# Usage: scripts/bench-compare.sh [SIZES...]   (default: 10000 100000; add 1000000 for 1M)
# Environment: ROUNDS (timed passes over the query mix, default 3), HTTP_SECONDS (default 20),
# NO_FTS5=1 to skip the SQLite side (at 1M cases it takes longer than everything else).
# Needs: wrk and GNU time (apt-get install wrk time). Data goes to $BENCH_DIR
# (default target/bench-data); a 1M corpus needs about 3 GB of disk there.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
data=${BENCH_DIR:-target/bench-data}
http_seconds=${HTTP_SECONDS:-20}
mkdir -p "$data" docs/bench
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is not installed: apt-get install time" >&2; exit 1; }
cargo build --release --quiet --bin casebook
cargo build --release --quiet -p casebook-bench --bin casebook-bench
bin=target/release/casebook
bench=target/release/casebook-bench
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"

for n in "${sizes[@]}"; do
  corpus="$data/corpus-$n"
  index="$data/index-$n"
  out="docs/bench/results-$n.json"
  echo "== $n cases"
  if [ ! -d "$corpus" ]; then
    "$bench" gen-corpus --n "$n" --seed 42 --out "$corpus"
  fi
  rm -rf "$index"
  /usr/bin/time -f "%e %M" -o "$data/build.time" "$bin" index --corpus "$corpus" --index "$index" --full >/dev/null
  read -r build_s build_kb < "$data/build.time"
  size=$(du -sb "$index"/gen-* | cut -f1)
  # The document store (what a hit is shown from) apart: the plain reference stores nothing.
  export STORE_BYTES=$(find "$index"/gen-* -name '*.store' -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}')
  /usr/bin/time -f "%e %M" -o "$data/unchanged.time" "$bin" index --corpus "$corpus" --index "$index" >/dev/null
  read -r unchanged_s unchanged_kb < "$data/unchanged.time"
  # Change 1% of the files (append a sentence), re-index, then restore them.
  changed=$(find "$corpus/cases" -name '*.md' | sort | awk -v n="$n" 'NR % 100 == 0')
  for f in $changed; do cp "$f" "$f.orig"; echo "Una frase aggiunta per il benchmark." >> "$f"; done
  /usr/bin/time -f "%e %M" -o "$data/changed.time" "$bin" index --corpus "$corpus" --index "$index" >/dev/null
  read -r changed_s changed_kb < "$data/changed.time"
  for f in $changed; do mv "$f.orig" "$f"; done
  "$bin" index --corpus "$corpus" --index "$index" >/dev/null
  raw="$data/raw-$n"
  rm -rf "$raw"
  /usr/bin/time -f "%e %M" -o "$data/raw.time" "$bench" raw-index "$corpus" "$raw" >/dev/null
  read -r raw_s raw_kb < "$data/raw.time"
  raw_size=$(du -sb "$raw" | cut -f1)
  export RAW_STORE_BYTES=$(find "$raw" -name '*.store' -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}')

  fts5=(--fts5 "$data/fts5-$n.db")
  [ -z "${NO_FTS5:-}" ] || fts5=()
  "$bench" measure "$corpus" "$index" "$corpus/queries.jsonl" --rounds "${ROUNDS:-3}" --raw "$raw" "${fts5[@]}" > "$data/measure.json"

  # Server start-up on the existing index, and HTTP throughput over the query mix.
  python3 - "$corpus/queries.jsonl" > "$data/paths.txt" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1]):
    request = json.loads(line)
    pairs = []
    for key, value in request.items():
        for v in (value if isinstance(value, list) else [value]):
            pairs.append((key, str(v)))
    print("/api/search?" + urllib.parse.urlencode(pairs))
PY
  start=$(date +%s.%N)
  CASEBOOK_LOG=warn "$bin" serve --addr 127.0.0.1:0 --rate-limit 0 --max-in-flight 1024 --no-cache --corpus "$corpus" --index "$index" --db "$data/bench.db" > "$data/serve.out" &
  server=$!
  for _ in $(seq 600); do grep -q listening "$data/serve.out" && break; sleep 0.01; done
  ready=$(date +%s.%N)
  base=$(sed -n 's/^listening on //p' "$data/serve.out")
  rss_start=$(ps -o rss= -p $server | tr -d ' ')
  PATHS_FILE="$data/paths.txt" wrk -t2 -c64 -d"${http_seconds}s" --latency -s scripts/load-mix.lua "$base" > "$data/wrk.txt" || true
  rss_end=$(ps -o rss= -p $server | tr -d ' ')
  kill $server; wait $server 2>/dev/null || true
  python3 - "$data" "$out" "$n" "$build_s" "$build_kb" "$size" "$unchanged_s" "$changed_s" "$start" "$ready" "$rss_start" "$rss_end" "$raw_s" "$raw_kb" "$raw_size" <<'PY'
import json, os, re, sys
data, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
build_s, build_kb, size, unchanged_s, changed_s = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
start, ready, rss_start, rss_end = float(sys.argv[9]), float(sys.argv[10]), int(sys.argv[11]), int(sys.argv[12])
raw_s, raw_kb, raw_size = float(sys.argv[13]), int(sys.argv[14]), int(sys.argv[15])
result = json.load(open(f"{data}/measure.json"))
wrk = open(f"{data}/wrk.txt").read()
def ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
latency = dict((p, ms(v)) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)", wrk, re.M))
errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", wrk))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
result.update({
    "index_build_seconds": build_s, "index_build_peak_rss_mb": build_kb / 1024, "index_bytes": size,
    "cases_per_second": n / build_s, "build_mb_per_second": result["markdown_bytes"] / 1e6 / build_s,
    "reindex_unchanged_seconds": unchanged_s, "reindex_1pct_seconds": changed_s,
    "serve_startup_ms": (ready - start) * 1000,
    "index_store_bytes": int(os.environ["STORE_BYTES"]), "raw_tantivy_store_bytes": int(os.environ["RAW_STORE_BYTES"]),
    "raw_tantivy_build_seconds": raw_s, "raw_tantivy_build_peak_rss_mb": raw_kb / 1024, "raw_tantivy_index_bytes": raw_size,
    "http": {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1)),
             "p50_ms": latency.get("50"), "p99_ms": latency.get("99"),
             "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
             "rss_start_mb": rss_start / 1024, "rss_end_mb": rss_end / 1024},
})
json.dump(result, open(out, "w"), indent=2)
c, f, r = result["casebook"], result.get("fts5") or {}, result.get("raw_tantivy") or {}
print(f"  build {build_s:.1f} s ({n / build_s:,.0f} cases/s), peak RSS {build_kb / 1024:.0f} MB, index {size / 1e6:.0f} MB; "
      f"re-index unchanged {unchanged_s:.2f} s, 1% changed {changed_s:.2f} s; open {result['open_ms']:.0f} ms, serve ready {(ready - start) * 1000:.0f} ms")
print(f"  raw tantivy: build {raw_s:.1f} s, peak RSS {raw_kb / 1024:.0f} MB, index {raw_size / 1e6:.0f} MB; "
      f"Casebook / raw: build x{build_s / raw_s:.2f}, size x{size / raw_size:.2f}, "
      f"size without the document stores x{(size - result['index_store_bytes']) / max(1, raw_size - result['raw_tantivy_store_bytes']):.2f}")
print(f"  {'class':18} {'Casebook mean':>14} {'p50':>8} {'p99':>8} {'/ raw (mean)':>13} {'FTS5 / (mean)':>14}")
for k in ["browse", "text", "text+facets", "text+facets+years", "all"]:
    if k in c:
        vs_raw = f"x{c[k]['mean'] / r[k]['mean']:.2f}" if k in r and r[k]["mean"] > 0 else "-"
        vs_fts5 = f"x{f[k]['mean'] / c[k]['mean']:.1f}" if k in f and c[k]["mean"] > 0 else "-"
        print(f"  {k:18} {c[k]['mean']:11.3f} ms {c[k]['p50']:8.3f} {c[k]['p99']:8.3f} {vs_raw:>13} {vs_fts5:>14}")
print(f"  suggest p99 {result['suggest']['p99']:.3f} ms; HTTP {result['http']['requests_per_second']:.0f} req/s p50 {latency.get('50')} p99 {latency.get('99')} ms errors {result['http']['errors']}, RSS {rss_start/1024:.0f} -> {rss_end/1024:.0f} MB")
PY
done
"$bench" chart docs/bench/results-*.json > docs/bench/latency.svg
echo "chart: docs/bench/latency.svg"
