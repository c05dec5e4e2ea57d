-- Lifts a segment's hold; it is reactivated at once when it has capacity (API).
-- Runs as the caller; guarded.release_segment checks that the caller is an admin.
create or replace function public.release_segment(p_code text)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.release_segment(p_code)
$$;

revoke all on function public.release_segment(text) from public, anon, authenticated;
grant execute on function public.release_segment(text) to authenticated, service_role;
