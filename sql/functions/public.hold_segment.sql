-- Holds a segment: deactivates it and keeps it off whatever its capacity (API).
-- Runs as the caller; guarded.hold_segment checks that the caller is an admin.
create or replace function public.hold_segment(p_code text, p_reason text)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.hold_segment(p_code, p_reason)
$$;

revoke all on function public.hold_segment(text, text) from public, anon, authenticated;
grant execute on function public.hold_segment(text, text) to authenticated, service_role;
