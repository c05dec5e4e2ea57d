-- First step of a nightly firing (committed on its own): when no other firing is running, records any earlier
-- nightly run that never finished (its connection was killed, the server went down) as abandoned; then, when
-- the night is due (private.nightly_run_is_due), opens today's sync run and returns its id, else null.
-- The session-level lock it takes is held across the firing's transactions until private.nightly_close.
-- p_now: private.nightly_open passes now(); tests pass hours of their own.
create or replace function private.nightly_open_at(p_now timestamptz)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
    v_settings public.segment_sync_settings;
    v_local_date date;
    v_succeeded boolean;
    v_failed integer;
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
    v_local_date := (p_now at time zone v_settings.timezone)::date;
    -- the night has succeeded when its planner has (the planner runs only after a successful sync)
    select
        coalesce(pg_catalog.bool_or(r.kind = 'plan' and r.status = 'succeeded'), false),
        pg_catalog.count(*) filter (where r.status in ('failed', 'abandoned'))
    into v_succeeded, v_failed
    from public.segment_sync_runs as r
    where r.trigger = 'cron' and r.scheduled_for = v_local_date;

    if not private.nightly_run_is_due(
        p_now, v_settings.timezone, v_settings.run_at_local_time, v_succeeded, v_failed::integer
    ) then
        perform pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('leadstroom.nightly'));
        return null;
    end if;
    return private.start_run('sync', 'capacity', 'cron', v_local_date);
end;
$$;

revoke all on function private.nightly_open_at(timestamptz) from public;
