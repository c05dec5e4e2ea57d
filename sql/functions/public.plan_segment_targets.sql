-- The planner (API): a daily lead target per segment for one date (today in the configured time zone when
-- null). Runs as the caller; the work is guarded.plan_segment_targets, which checks the caller first.
create or replace function public.plan_segment_targets(p_date date default null)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.plan_segment_targets(p_date)
$$;

revoke all on function public.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function public.plan_segment_targets(date) to authenticated, service_role;
