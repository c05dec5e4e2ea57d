#!/usr/bin/env bash
# The PostgreSQL major this project runs on: the newest of the supported ones (15-17) whose server, pg_cron,
# pgTAP and plpgsql_check are all installed (Debian's layout). Prints it, or fails with one line saying so.
#   scripts/pg_major.sh          the major, e.g. 17
#   scripts/pg_major.sh --bin    its server's bin directory, e.g. /usr/lib/postgresql/17/bin
# Sourced by scripts/setup.sh for SUPPORTED_PG_MAJORS and pg_major_complete.
SUPPORTED_PG_MAJORS=(17 16 15)

pg_major_complete() {
  local major=$1
  [ -x "/usr/lib/postgresql/$major/bin/postgres" ] \
    && [ -f "/usr/lib/postgresql/$major/lib/pg_cron.so" ] \
    && [ -f "/usr/lib/postgresql/$major/lib/plpgsql_check.so" ] \
    && [ -f "/usr/share/postgresql/$major/extension/pgtap.control" ]
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  for major in "${SUPPORTED_PG_MAJORS[@]}"; do
    if pg_major_complete "$major"; then
      if [ "${1:-}" = "--bin" ]; then echo "/usr/lib/postgresql/$major/bin"; else echo "$major"; fi
      exit 0
    fi
  done
  majors=${SUPPORTED_PG_MAJORS[*]}
  echo "no PostgreSQL ${majors// /, } with pg_cron, pgTAP and plpgsql_check installed (make setup installs it)" >&2
  exit 1
fi
