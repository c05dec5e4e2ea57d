-- First step of a nightly firing (committed on its own): when no other firing is running, records any earlier
-- nightly run that never finished (its connection was killed, the server went down) as abandoned; then, when
-- today's night is due (private.nightly_run_is_due) or yesterday's is to be retried (private.nightly_retry_is_due),
-- opens that night's sync run and returns its id, else null.
-- The session-level lock it takes is held across the firing's transactions until private.nightly_close.
-- p_now: private.nightly_open passes now(); tests pass hours of their own.
create or replace function private.nightly_open_at(p_now timestamptz)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
    v_settings public.segment_sync_settings;
    v_today date;
    v_night date;
begin
    if not pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('leadstroom.nightly')) then
        return null;  -- another firing is still at work
    end if;
    update public.segment_sync_runs
    set
        status = 'abandoned',
        finished_at = pg_catalog.clock_timestamp(),
        error = 'cut off before it finished (a killed connection or a server restart); a later firing retries'
    where trigger = 'cron' and status = 'running';

    select * into strict v_settings from public.segment_sync_settings;
    v_today := (p_now at time zone v_settings.timezone)::date;
    -- today's night when it is due, else yesterday's when its retries are (until today's run time): a night
    -- has succeeded when its planner has (the planner runs only after a successful sync)
    select n.night into v_night
    from (values (v_today, true), (v_today - 1, false)) as n (night, is_today)
    cross join lateral (
        select
            coalesce(pg_catalog.bool_or(r.kind = 'plan' and r.status = 'succeeded'), false) as succeeded,
            pg_catalog.count(*) filter (where r.status in ('failed', 'abandoned'))::integer as failed
        from public.segment_sync_runs as r
        where r.trigger = 'cron' and r.scheduled_for = n.night
    ) as attempts
    where
        case
            when n.is_today then private.nightly_run_is_due(
                p_now, v_settings.timezone, v_settings.run_at_local_time, attempts.succeeded, attempts.failed
            )
            else private.nightly_retry_is_due(
                p_now, v_settings.timezone, v_settings.run_at_local_time, attempts.succeeded, attempts.failed
            )
        end
    order by n.night desc
    limit 1;

    if v_night is null then
        perform pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('leadstroom.nightly'));
        return null;
    end if;
    return private.start_run('sync', 'capacity', 'cron', v_night);
end;
$$;

revoke all on function private.nightly_open_at(timestamptz) from public;
