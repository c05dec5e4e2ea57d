-- The capacity sync (API): one active segment for every branch x region combination with capacity, none
-- elsewhere. Runs as the caller; the work, which must write segments and read every partner, is
-- guarded.sync_segments_capacity, which checks the caller first.
create or replace function public.sync_segments_capacity()
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.sync_segments_capacity()
$$;

revoke all on function public.sync_segments_capacity() from public, anon, authenticated;
grant execute on function public.sync_segments_capacity() to authenticated, service_role;
