#!/usr/bin/env bash
# Installs what `make demo`, `make test` and `make bench` need and is missing: PostgreSQL 15 with pg_cron,
# pgTAP and plpgsql_check (Debian packages; as root, else it says what to install), the pinned Supabase CLI
# (npm) and the Python tools in .venv; with --lowest also .venv-lowest (the client on its lowest allowed
# dependencies). Fast when everything is there already.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

packages=(postgresql-15 postgresql-15-cron postgresql-15-pgtap postgresql-15-plpgsql-check)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages: ${missing[*]} (install them: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

if [ ! -x node_modules/.bin/supabase ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: the CLI's binaries for other platforms are optional packages this registry may
  # not serve, which npm ci would demand; the lock pins the CLI and this platform's binary all the same
  echo "installing the Supabase CLI (npm install, pinned by package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
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
