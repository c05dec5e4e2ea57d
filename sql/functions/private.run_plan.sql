-- The planner run: the plans of p_date (private.execute_plan) with its run row (kind 'plan'), opened first so
-- a failed run still leaves it. p_trigger and p_scheduled_for come from the code path (the API or the nightly).
create or replace function private.run_plan(p_date date, p_trigger text, p_scheduled_for date)
returns jsonb
language sql
set search_path = ''
as $$
    select private.execute_plan(private.start_run('plan', null, p_trigger, p_scheduled_for), p_date)
$$;

revoke all on function private.run_plan(date, text, date) from public;
