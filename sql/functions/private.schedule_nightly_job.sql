-- (Re)schedules the nightly job from the settings. cron.schedule replaces a job of the same name, so this is
-- idempotent; the settings trigger calls it when the time zone or run time changes.
create or replace function private.schedule_nightly_job()
returns bigint
language sql
set search_path = ''
as $$
    select cron.schedule(
        'leadstroom-nightly-segment-sync',
        private.nightly_cron_schedule(st.timezone, st.run_at_local_time),
        'select private.run_nightly()'
    )
    from public.segment_sync_settings as st
$$;

revoke all on function private.schedule_nightly_job() from public;
