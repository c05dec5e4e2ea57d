-- Last step of a nightly firing: releases the firing's lock (held when it opened a run) and, when the night
-- it ran failed (the sync, or the planner after it), raises, so pg_cron records the firing as failed in
-- cron.job_run_details too. The failed run rows were committed before, so they stay.
create or replace function private.nightly_close(p_run_id bigint)
returns void
language plpgsql
set search_path = ''
as $$
declare
    v_failed public.segment_sync_runs;
begin
    -- the firing holds the lock only when it opened a run: unlocking otherwise would warn "you don't own a lock"
    if p_run_id is null then
        return;
    end if;
    perform pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('leadstroom.nightly'));
    select r.* into v_failed
    from public.segment_sync_runs as r
    where
        r.trigger = 'cron' and r.id >= p_run_id and r.status <> 'succeeded'
        and r.scheduled_for = (select s.scheduled_for from public.segment_sync_runs as s where s.id = p_run_id)
    order by r.id
    limit 1;
    if found then
        raise exception 'the nightly % run % for % %: % (SQLSTATE %)',
            v_failed.kind, v_failed.id, v_failed.scheduled_for, v_failed.status, v_failed.error, v_failed.error_sqlstate
        using errcode = 'external_routine_exception',
        hint = 'segment_sync_runs has the run; the job retries at its next firing today.';
    end if;
end;
$$;

revoke all on function private.nightly_close(bigint) from public;
