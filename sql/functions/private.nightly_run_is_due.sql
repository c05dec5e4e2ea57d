-- The nightly decision: run when the local time in p_timezone has reached p_run_at and no nightly run has
-- happened yet for today's local date. Pure, so it is tested with explicit timestamps.
create or replace function private.nightly_run_is_due(
    p_now timestamptz, p_timezone text, p_run_at time, p_last_run_on date
)
returns boolean
language sql
stable
set search_path = ''
as $$
    select
        (p_now at time zone p_timezone)::time >= p_run_at
        and (p_last_run_on is null or p_last_run_on < (p_now at time zone p_timezone)::date)
$$;

revoke all on function private.nightly_run_is_due(timestamptz, text, time, date) from public;
