-- The admin endpoint: POST /rest/v1/rpc/admin_sync_segments {"method": "capacity"}. Runs as the caller; the
-- caller and method checks and the sync are guarded.admin_sync_segments.
create or replace function public.admin_sync_segments(method text default 'capacity')
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.admin_sync_segments(method)
$$;

revoke all on function public.admin_sync_segments(text) from public, anon, authenticated;
grant execute on function public.admin_sync_segments(text) to authenticated, service_role;
