#!/usr/bin/env bash
# Throwaway PostgreSQL cluster inside the project folder (the major scripts/pg_major.sh finds installed, 15-17),
# with pg_cron and pg_stat_statements preloaded, shaped like a hosted Supabase project: the superuser is `supabase_admin` (the platform), and `postgres`, which deploys and owns
# the project, is not a superuser. A new cluster gets the platform stand-in (sql/stand_in/) at its first start.
#
#   scripts/pg_cluster.sh start DIR PORT   initdb when DIR is empty, then start on 127.0.0.1:PORT
#   scripts/pg_cluster.sh fresh DIR PORT   stop, wipe DIR, start anew
#   scripts/pg_cluster.sh stop  DIR
#
# PG_EXTRA_CONF: more postgresql.conf settings at initdb, separated by ';' (the test cluster's, for one).
#
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user.
set -euo pipefail

action=${1:?usage: pg_cluster.sh start|fresh|stop DIR [PORT]}
dir=$(realpath -m "${2:?cluster directory missing}")
port=${3:-54322}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$("$root/scripts/pg_major.sh" --bin)

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_running() { [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

stop() {
  if is_running; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; fi
}

start() {
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    # the server user must be able to reach its data directory through the project path
    p=$dir; while [ "$p" != / ]; do p=$(dirname "$p"); chmod o+x "$p" 2>/dev/null || true; done
  fi
  local new=false
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    new=true
    extra_conf=${PG_EXTRA_CONF:-}
    extra_conf=${extra_conf//;/$'\n'}
    as_owner "$bin/initdb" -D "$dir/data" -U supabase_admin --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = 'pg_cron,pg_stat_statements'
cron.database_name = 'postgres'
cron.timezone = 'UTC'
timezone = 'UTC'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
$extra_conf
EOF
  fi
  if ! is_running; then
    # a port still held by a closing connection (TIME_WAIT) frees itself within a minute: try a few times
    local attempt
    for attempt in 1 2 3 4; do
      as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null && break
      if [ "$attempt" -eq 4 ] || ! grep -q "Address already in use" "$dir/server.log"; then
        echo "PostgreSQL did not start (is port $port taken?); its log ends:" >&2
        tail -n 5 "$dir/server.log" >&2
        exit 1
      fi
      sleep 20
    done
  fi
  if $new; then
    PGOPTIONS='-c client_min_messages=warning' "$bin/psql" -X -q -v ON_ERROR_STOP=1 \
      "postgresql://supabase_admin@127.0.0.1:$port/postgres" -f "$root/sql/stand_in/supabase_platform.sql"
  fi
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  fresh) stop; rm -rf "$dir"; start ;;
  *) echo "unknown action: $action" >&2; exit 2 ;;
esac
