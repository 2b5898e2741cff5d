#!/usr/bin/env bash
# Runs the whole test suite, exactly as CI does: formatting, lints, then every unit,
# integration and doc test of the workspace. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked
