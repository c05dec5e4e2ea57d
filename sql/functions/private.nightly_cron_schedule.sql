-- The pg_cron schedule (read in UTC) for a local run time: every hour, at each UTC minute that p_run_at in
-- p_timezone falls on in the coming year ('0 * * * *' for 03:00 Europe/Amsterdam; '30 * * * *' for 03:00
-- Asia/Kolkata). Firing hourly lets a failed or missed night be retried the same day; private.nightly_run_is_due
-- lets exactly one succeed per local day, at the run time when nothing fails.
create or replace function private.nightly_cron_schedule(p_timezone text, p_run_at time)
returns text
language sql
stable
set search_path = ''
as $$
    with utc_times as (
        select ((day::date + p_run_at) at time zone p_timezone) at time zone 'UTC' as utc
        from pg_catalog.generate_series(
            pg_catalog.now()::date - 1, pg_catalog.now()::date + 366, interval '1 day'
        ) as day
    )
    select pg_catalog.string_agg(distinct extract(minute from utc)::integer::text, ',') || ' * * * *'
    from utc_times
$$;

revoke all on function private.nightly_cron_schedule(text, time) from public;
