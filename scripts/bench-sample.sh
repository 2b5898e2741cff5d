#!/usr/bin/env bash
# Measures the bundled sample corpus: index build time, peak memory and size, re-index of an
# unchanged corpus, and in-process search latency over a 1,000-request mix (batch mode,
# `took_ms` of each response). Needs python3 for the query mix and the percentiles.
# Usage: scripts/bench-sample.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/casebook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== full build (3 runs)"
for run in 1 2 3; do
  rm -rf "$work/index"
  /usr/bin/time -f "   wall %e s, peak RSS %M KB" "$bin" index --index "$work/index" 2>&1 | sed 's/^/   /'
done
echo "   size on disk: $(du -sb "$work"/index/gen-* | cut -f1) bytes"
echo "== re-index, unchanged corpus"
/usr/bin/time -f "   wall %e s" "$bin" index --index "$work/index" 2>&1 | sed 's/^/   /'

python3 - "$work/queries.jsonl" <<'PY'
import json, sys
queries = ["telemedicina", "AI manufacturing", "smart city Torino", "energia rinnovabile", "blockchain",
           "realtà virtuale musei", "cybersecurity bank", "telemedicna", "parc", "digital twin", "pmi credito",
           "", "hospital", "logistica porto", "formazione docenti", "open data", "robot",
           "innovazione sostenibile", "intelligenza artificiale ospedale", "-blockchain energia"]
filters = [{}, {"sector": ["health"]}, {"region": ["Lombardia"]},
           {"sector": ["energy", "ict"], "region": ["IT"]}, {"year_from": 2018, "year_to": 2022}]
with open(sys.argv[1], "w") as out:
    for _ in range(10):
        for q in queries:
            for f in filters:
                out.write(json.dumps(dict(f, q=q)) + "\n")
PY
echo "== search latency, in-process, one thread (1,000 requests)"
"$bin" search --index "$work/index" --batch "$work/queries.jsonl" > "$work/out.jsonl"
python3 - "$work/out.jsonl" <<'PY'
import json, sys
t = sorted(json.loads(line)["took_ms"] for line in open(sys.argv[1]))
n = len(t)
print(f"   p50 {t[n // 2]:.3f} ms, p95 {t[int(n * .95)]:.3f} ms, p99 {t[int(n * .99)]:.3f} ms, max {t[-1]:.3f} ms")
PY
