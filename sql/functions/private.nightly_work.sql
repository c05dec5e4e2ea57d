-- Second step of a nightly firing: the sync into the run that private.nightly_open opened, then, only when it
-- succeeded, the planner for the same local date. Both leave their run rows (trigger 'cron'); errors are caught
-- into them. Then run retention (private.remove_old_runs). Nothing to do when the firing opened no run
-- (p_run_id null).
create or replace function private.nightly_work(p_run_id bigint)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_local_date date;
    v_sync jsonb;
    v_plan jsonb;
    v_removed integer;
    v_retention_error text;
begin
    if p_run_id is null then
        return pg_catalog.jsonb_build_object('ran', false);
    end if;
    select r.scheduled_for into strict v_local_date from public.segment_sync_runs as r where r.id = p_run_id;
    v_sync := private.execute_sync(p_run_id);
    if v_sync ->> 'status' = 'succeeded' then
        v_plan := private.run_plan(v_local_date, 'cron', v_local_date);
    end if;
    begin
        v_removed := private.remove_old_runs();
    exception when others then  -- retention never costs the night its outcome; the next night tries again
        v_retention_error := sqlerrm;
    end;
    return pg_catalog.jsonb_build_object(
        'ran', true, 'local_date', v_local_date, 'sync', v_sync, 'plan', v_plan,
        'removed_runs', v_removed, 'retention_error', v_retention_error
    );
end;
$$;

revoke all on function private.nightly_work(bigint) from public;
