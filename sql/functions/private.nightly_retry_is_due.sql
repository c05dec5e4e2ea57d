-- The nightly decision for yesterday's night at one firing: a night's retries run within the 24 hours after its
-- run time, also after midnight (a night at 23:30 that failed is retried at 00:30, 01:30, ...). Due when the
-- local time in p_timezone has not yet reached p_run_at (today's night is not due yet, yesterday's 24 hours are
-- not over), yesterday's night has failed at least once (a night never attempted is not caught up the next
-- day) and not succeeded, and fewer than 6 of its attempts failed. Pure, so it is tested with explicit
-- timestamps (see private.nightly_run_is_due for today's night).
create or replace function private.nightly_retry_is_due(
    p_now timestamptz, p_timezone text, p_run_at time, p_succeeded boolean, p_failed_attempts integer
)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select
        (p_now at time zone p_timezone)::time < p_run_at
        and not p_succeeded
        and p_failed_attempts between 1 and 5
$$;

revoke all on function private.nightly_retry_is_due(timestamptz, text, time, boolean, integer) from public;
