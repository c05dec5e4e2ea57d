-- The planner as the API offers it (public.plan_segment_targets): admins only, checked first; the date
-- defaults to today in the configured time zone, and must be finite and at most a year from today (22023, before
-- a run starts: a plan that far ahead has no capacity to go on). Logged with trigger 'sql' (or 'cli').
-- security definer: reads every partner's capacity and writes plans for the admins it admits.
create or replace function guarded.plan_segment_targets(p_date date default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_today date;
begin
    perform guarded.assert_admin();
    v_today := private.local_today();
    if not pg_catalog.isfinite(p_date) then
        raise exception 'cannot plan for date %: a plan needs a finite date', p_date
        using errcode = 'invalid_parameter_value', hint = 'Give a date such as 2026-12-01, or none for today.';
    end if;
    if p_date > (v_today + interval '1 year')::date then
        raise exception 'cannot plan for date %: more than a year from today (%)', p_date, v_today
        using errcode = 'invalid_parameter_value',
        hint = 'Plan today or a date up to a year ahead; capacity that far ahead is not known.';
    end if;
    return private.run_plan(coalesce(p_date, v_today), private.request_trigger('sql'), null);
end;
$$;

revoke all on function guarded.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function guarded.plan_segment_targets(date) to authenticated, service_role;
