#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: Debian's PostgreSQL 15 binaries, data and unix
# socket in DIR, trust auth on the socket only (no TCP port to collide with anything).
#   scripts/pg-test-server.sh start DIR   # prints the URL (superuser wenming, db postgres)
#   scripts/pg-test-server.sh stop DIR    # stops the server and removes DIR
# initdb refuses to run as root (CI runs as root): then the cluster belongs to `nobody`.
# fsync and synchronous_commit stay on: the durability test kills servers with -9 and
# expects every acknowledged write back.
set -euo pipefail
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}; dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2; exit 2
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # The socket path must fit in sun_path (107 bytes) with /.s.PGSQL.5432 appended.
  if [ ${#dir} -gt 90 ]; then echo "pg-test-server: $dir is too long for a socket path" >&2; exit 1; fi
  [ "$(id -u)" -eq 0 ] && chown nobody: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U wenming --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 32MB
fsync = on
synchronous_commit = on
full_page_writes = on
log_min_messages = warning
log_min_error_statement = panic
CONF
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "postgresql://wenming@/postgres?host=$dir"
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
