#!/usr/bin/env bash
# Runs the whole test suite, exactly as CI does: formatting, lints, then every unit,
# integration, browser and doc test of the workspace. Usage: scripts/test.sh
#
# The browser tests drive Debian's Chromium through chromedriver; when they are missing this
# script installs them (apt-get, as root or through sudo), and axe-core with npm into
# target/npm for the accessibility checks. The store's tests run on SQLite and on
# PostgreSQL: the script runs itself again under scripts/with-postgres.sh, which installs
# Debian's postgresql when initdb is missing and starts a throwaway server for the run,
# stopped at the end whatever happens (set CASEBOOK_TEST_POSTGRES to an administrator URL
# to use a server of your own instead). It never skips a test.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${CASEBOOK_TEST_POSTGRES:-}" ]; then
  exec scripts/with-postgres.sh scripts/test.sh "$@"
fi

if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium and chromium-driver (needed by the browser tests)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# The accessibility checks of the browser tests inject axe-core (the npm package) into each
# page. It is installed here, into a folder this script owns (ignored by git), like Chromium.
AXE_VERSION="4.14.1"
AXE_DIR="target/npm"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] \
  || ! grep -q "\"version\": \"$AXE_VERSION\"" "$AXE_DIR/node_modules/axe-core/package.json"; then
  echo "== installing axe-core $AXE_VERSION (needed by the accessibility tests)"
  if ! command -v npm >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq npm >/dev/null
  fi
  mkdir -p "$AXE_DIR"
  npm install --silent --no-audit --no-fund --prefix "$AXE_DIR" "axe-core@$AXE_VERSION" >/dev/null
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked

echo "== cargo bench --no-run (the benchmarks must keep compiling)"
cargo bench --workspace --locked --no-run
