-- The planner as the API offers it (public.plan_segment_targets): admins only, checked first; the date
-- defaults to today in the configured time zone. Logged with trigger 'sql' (or 'cli').
-- security definer: reads every partner's capacity and writes plans for the admins it admits.
create or replace function private.plan_segment_targets(p_date date default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.assert_admin();
    return private.run_plan(coalesce(p_date, private.local_today()), private.request_trigger('sql'), null);
end;
$$;

revoke all on function private.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function private.plan_segment_targets(date) to authenticated, service_role;
