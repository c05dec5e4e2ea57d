#!/usr/bin/env bash
# Installs what `make demo`, `make test` and `make bench` need and is missing: PostgreSQL (15-17, the newest
# apt offers) with pg_cron, pgTAP and plpgsql_check (Debian packages; as root, else it says what to install),
# the pinned Supabase CLI (npm) and the Python tools in .venv; with --lowest also .venv-lowest (the client on
# its lowest allowed dependencies). Fast when everything is there already.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# PostgreSQL: the newest supported major (15-17) installed with pg_cron, pgTAP and plpgsql_check; else the newest
# apt offers all four packages of (15 on Debian 12, 17 on Debian 13), installed as root or named when not root.
source scripts/pg_major.sh
pg_packages() { echo "postgresql-$1 postgresql-$1-cron postgresql-$1-pgtap postgresql-$1-plpgsql-check"; }
offered_major() {
  local major p
  for major in "${SUPPORTED_PG_MAJORS[@]}"; do
    for p in $(pg_packages "$major"); do
      [[ $(apt-cache policy "$p" 2>/dev/null) == *"Candidate: "[0-9]* ]] || continue 2
    done
    echo "$major"
    return 0
  done
  return 1
}
if ! scripts/pg_major.sh >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; fi
  major=$(offered_major) || {
    majors=${SUPPORTED_PG_MAJORS[*]}
    echo "setup: apt offers no PostgreSQL ${majors// /, } with its pg_cron, pgTAP and plpgsql_check packages" \
      "(postgresql-N, postgresql-N-cron, -pgtap, -plpgsql-check; Debian 12 and 13 have them)" >&2
    exit 1
  }
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing PostgreSQL $major: $(pg_packages "$major")"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(pg_packages "$major") >/dev/null
  else
    echo "setup: PostgreSQL is missing; install it: sudo apt-get install $(pg_packages "$major")" >&2
    exit 1
  fi
fi

if [ ! -x node_modules/.bin/supabase ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: the CLI's binaries for other platforms are optional packages this registry may
  # not serve, which npm ci would demand; the lock pins the CLI and this platform's binary all the same.
  # --no-save: npm 9 and 11 write the lock in different shapes; installing must not modify the checkout
  echo "installing the Supabase CLI (npm install, pinned by package-lock.json)"
  npm install --no-save --no-audit --no-fund --loglevel=error
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ requirements-dev.txt -nt "$stamp" ] || [ python/pyproject.toml -nt "$stamp" ]; then
  echo "installing Python tools into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  .venv/bin/python -m pip install -q --disable-pip-version-check -e python/
  touch "$stamp"
fi

# The client on the lowest dependency versions python/pyproject.toml allows (for `make test`): those pins in the
# same resolve as the test tools (so nothing lifts them), the package itself without resolving its dependencies.
lowest=.venv-lowest
lowest_stamp=$lowest/.installed
if [ "${1:-}" = "--lowest" ]; then
  if [ ! -f "$lowest_stamp" ] || [ python/lowest-requirements.txt -nt "$lowest_stamp" ] \
    || [ requirements-dev.txt -nt "$lowest_stamp" ]; then
    echo "installing the lowest allowed client dependencies into $lowest"
    rm -rf "$lowest"
    python3 -m venv "$lowest"
    grep -E '^(pytest|pytest-postgresql|PyJWT)==' requirements-dev.txt >"$lowest/test-tools.txt"
    "$lowest/bin/python" -m pip install -q --disable-pip-version-check \
      -r python/lowest-requirements.txt -r "$lowest/test-tools.txt"
    "$lowest/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e python/
    touch "$lowest_stamp"
  fi
fi
