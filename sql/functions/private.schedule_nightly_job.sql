-- (Re)schedules the nightly job from the settings. cron.schedule replaces a job of the same name, so this is
-- idempotent; the settings trigger calls it when the time zone or run time changes.
-- The command is a DO block of three transactions: the run row is committed before the work (so a firing
-- cut off by a killed connection or a crash is found and closed as abandoned by the next one), the work is
-- committed with its outcome, and a failed night then raises so pg_cron records it as failed. A DO block,
-- not a procedure: a procedure with the fixed search_path every function here has cannot COMMIT.
create or replace function private.schedule_nightly_job()
returns bigint
language sql
set search_path = ''
as $$
    select cron.schedule(
        'leadstroom-nightly-segment-sync',
        private.nightly_cron_schedule(st.timezone, st.run_at_local_time),
        'do $nightly$
declare
    v_run_id bigint;
begin
    v_run_id := private.nightly_open();
    commit;
    perform private.nightly_work(v_run_id);
    commit;
    perform private.nightly_close(v_run_id);
end
$nightly$'
    )
    from public.segment_sync_settings as st
$$;

revoke all on function private.schedule_nightly_job() from public;
