#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time on the stable toolchain and prints
# a summary (runs, exec/s, coverage, crash or not). Without a sanitizer (`-s none`):
# AddressSanitizer needs a nightly compiler; the code is safe Rust, so libFuzzer's panic
# detection and coverage are what matter.
#
#   scripts/fuzz.sh                      # 60 s per target
#   FUZZ_SECONDS=600 scripts/fuzz.sh     # longer
#   scripts/fuzz.sh parse_case           # one target
#
# Seeds: copies of a few bundled case files (parse_case), the HTML fixtures of tests/
# (import_html) and a few queries (query_text), in a temporary folder. New inputs found
# go to fuzz/corpus/TARGET, crashes to fuzz/artifacts/TARGET (both ignored by git).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${FUZZ_SECONDS:-60}"
if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    targets=(parse_case import_html query_text)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz not found: installing it (cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Seed corpora (copies, outside git).
mkdir -p "$work/seeds/parse_case" "$work/seeds/import_html" "$work/seeds/query_text"
n=0
while IFS= read -r file; do
    n=$((n + 1))
    cp "$file" "$work/seeds/parse_case/$n-$(basename "$file")"
done < <(find corpus/cases -name '*.md' | sort | head -n 8)
n=0
while IFS= read -r file; do
    n=$((n + 1))
    cp "$file" "$work/seeds/import_html/$n-$(basename "$file")"
done < <(find tests/fixtures -name '*.html' 2>/dev/null | sort)
n=0
for query in 'smart "digital twin" -blockchain -"open data" citt' 'intelligenza artificiale manifattura ' \
    '"unterminated phrase' '-- - "" «telemedicina» “IoT”' 'Emilia-Romagna 2021 sanità'; do
    n=$((n + 1))
    printf '%s' "$query" >"$work/seeds/query_text/$n.txt"
done

declare -A summary
status=0
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    log="$work/$target.log"
    echo "== $target: ${seconds} s"
    if cargo fuzz run -s none "$target" "fuzz/corpus/$target" "$work/seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        result="no crash"
    else
        result="CRASH (see fuzz/artifacts/$target and the log below)"
        status=1
        tail -n 60 "$log"
    fi
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    cov="$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2 || true)"
    summary[$target]="runs=${runs:-?} exec/s=${speed:-?} cov=${cov:-?} ${result}"
    echo "   ${summary[$target]}"
done

echo
echo "Fuzzing summary (${seconds} s per target, cargo fuzz run -s none):"
for target in "${targets[@]}"; do
    printf '  %-12s %s\n' "$target" "${summary[$target]}"
done
exit "$status"
