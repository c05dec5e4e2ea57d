-- The nightly decision at one firing: due when the local time in p_timezone has reached p_run_at, today's
-- night has not succeeded yet, and fewer than 6 attempts failed today (the job fires hourly: a failed or
-- missed night is retried the same day, 6 times at most). Pure, so it is tested with explicit timestamps.
create or replace function private.nightly_run_is_due(
    p_now timestamptz, p_timezone text, p_run_at time, p_succeeded_today boolean, p_failed_attempts_today integer
)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select
        (p_now at time zone p_timezone)::time >= p_run_at
        and not p_succeeded_today
        and p_failed_attempts_today < 6
$$;

revoke all on function private.nightly_run_is_due(timestamptz, text, time, boolean, integer) from public;
