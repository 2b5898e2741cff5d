#!/usr/bin/env bash
# Scores the ranking on the bundled judged test collections (crates/casebook-bench/data/ir:
# LISA, TIME, ADI): each document becomes a case file, the release `casebook index` builds
# the index, `casebook search --batch` runs every query (top 100), and one table prints
# nDCG@10, MAP@100 and R@100 beside the best BM25 baseline. Deterministic; about a minute
# once built. Runs (TREC format) are left in target/relevance/NAME/run.trec.
#
# Usage: scripts/relevance.sh [COLLECTION...] [--per-query] [--json FILE]
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -q -p casebook --bin casebook -p casebook-bench --bin casebook-bench
target/release/casebook-bench relevance --casebook target/release/casebook "$@"
