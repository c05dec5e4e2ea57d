#!/usr/bin/env bash
# Deploy to a local throwaway cluster (scripts/pg_cluster.sh, which laid the Supabase platform stand-in) the
# way a Supabase project is deployed: `supabase db push` as the non-superuser `postgres`.
#   scripts/deploy_local.sh postgresql://postgres@127.0.0.1:54322/postgres [--include-seed]
set -euo pipefail
url=${1:?database URL missing}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
npx --no-install supabase db push --remote="$url?sslmode=disable" --yes "$@"
