#!/usr/bin/env bash
# Deploy to a local throwaway database the way a Supabase project is deployed:
# the Supabase platform stand-in first (never part of the migrations), then `supabase db push`.
#   scripts/deploy_local.sh postgresql://postgres@127.0.0.1:54322/postgres [--include-seed]
set -euo pipefail
url=${1:?database URL missing}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$url" \
  -f "$root/sql/stand_in/supabase_platform.sql"
cd "$root"
npx --no-install supabase db push --db-url "$url?sslmode=disable" --yes "$@"
