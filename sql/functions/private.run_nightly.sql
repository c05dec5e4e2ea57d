-- The nightly job's command: when due (private.nightly_run_is_due), the sync and then the planner for the
-- local date, both logged with trigger 'cron'. p_now is there for tests; pg_cron calls it without.
create or replace function private.run_nightly(p_now timestamptz default pg_catalog.now())
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_settings public.segment_sync_settings;
    v_local_date date;
    v_last_run_on date;
    v_sync jsonb;
    v_plan jsonb;
begin
    -- two firings at once decide one after the other
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('leadstroom.nightly'));
    select * into strict v_settings from public.segment_sync_settings;
    v_local_date := (p_now at time zone v_settings.timezone)::date;
    select max(r.scheduled_for) into v_last_run_on
    from public.segment_sync_runs as r
    where r.trigger = 'cron' and r.kind = 'sync';

    if not private.nightly_run_is_due(p_now, v_settings.timezone, v_settings.run_at_local_time, v_last_run_on) then
        return pg_catalog.jsonb_build_object('ran', false, 'local_date', v_local_date, 'last_run_on', v_last_run_on);
    end if;

    v_sync := private.run_sync('cron', v_local_date);
    v_plan := private.run_plan(v_local_date, 'cron', v_local_date);
    return pg_catalog.jsonb_build_object('ran', true, 'local_date', v_local_date, 'sync', v_sync, 'plan', v_plan);
end;
$$;

revoke all on function private.run_nightly(timestamptz) from public;
