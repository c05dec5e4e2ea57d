-- What sync_segments_capacity() would do now, writing nothing: no segment, plan or run row (API).
-- Runs as the caller; guarded.preview_segment_sync checks that the caller is an admin.
create or replace function public.preview_segment_sync()
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.preview_segment_sync()
$$;

revoke all on function public.preview_segment_sync() from public, anon, authenticated;
grant execute on function public.preview_segment_sync() to authenticated, service_role;
