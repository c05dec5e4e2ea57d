-- Health of the nightly sync for monitoring (API): `status` ok, late or failing, the last nightly run,
-- whether today's is overdue, the last failed run. Runs as the caller; guarded.segment_sync_health checks it.
create or replace function public.segment_sync_health()
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
    select guarded.segment_sync_health()
$$;

revoke all on function public.segment_sync_health() from public, anon, authenticated;
grant execute on function public.segment_sync_health() to authenticated, service_role;
