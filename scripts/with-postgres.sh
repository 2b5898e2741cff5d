#!/usr/bin/env bash
# Runs COMMAND with a throwaway PostgreSQL server, for tests and measurements:
#   scripts/with-postgres.sh cargo test -p casebook-store
# Installs Debian's `postgresql` package when initdb and pg_ctl are missing, creates a
# cluster in a temporary folder owned by an unprivileged user (PostgreSQL refuses to run as
# root: as root the cluster belongs to the `postgres` user the package creates), starts it
# on a free port of 127.0.0.1 with trust authentication (local test use only: nothing else
# can reach it), exports its administrator URL as CASEBOOK_TEST_POSTGRES, runs COMMAND, and
# stops the server and removes the folder on exit, whether COMMAND passed, failed or was
# interrupted. Speed over durability: fsync is off (the data is thrown away).
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: scripts/with-postgres.sh COMMAND [ARGS...]" >&2
  exit 2
fi

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
  elif command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

bin=$(pg_bin)
if [ -z "$bin" ]; then
  echo "== installing postgresql (needed by the PostgreSQL tests)" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  bin=$(pg_bin)
  [ -n "$bin" ] || { echo "postgresql is installed but initdb/pg_ctl were not found" >&2; exit 1; }
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "no \`postgres\` user to run the server as (install postgresql)" >&2; exit 1; }
  as_owner=(runuser -u postgres --)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/casebook-pg.XXXXXX")
chmod 755 "$dir"
if [ ${#as_owner[@]} -gt 0 ]; then chown postgres: "$dir"; fi

# The server's programs run from inside the cluster's folder: the unprivileged user may not
# be allowed into the current directory (a checkout under /root, say).
as_server() { (cd "$dir" && "${as_owner[@]}" "$@"); }

stop() {
  as_server "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

as_server "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null

# A free port: random candidates, skipping those where something answers; pg_ctl fails if
# the port was taken meanwhile, then the next candidate is tried.
started=""
for _ in $(seq 20); do
  port=$((20000 + RANDOM % 40000))
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
  options="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=400 -c fsync=off"
  options="$options -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB"
  if as_server "$bin/pg_ctl" -D "$dir/data" -w -t 30 -l "$dir/server.log" -o "$options" start >/dev/null; then
    started=yes
    break
  fi
done
if [ -z "$started" ]; then
  echo "could not start PostgreSQL; its log:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
fi

export CASEBOOK_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port for this run (CASEBOOK_TEST_POSTGRES)" >&2
status=0
"$@" || status=$?
exit $status
