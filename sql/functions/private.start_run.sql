-- Opens a run row (status running) for the log. It is written before the work starts, outside the work's
-- subtransaction, so a failed run still leaves its row. What started the run (p_trigger, and the local date a
-- nightly run is for) comes from the code path that calls it, never from anything a caller can set.
create or replace function private.start_run(p_kind text, p_method text, p_trigger text, p_scheduled_for date)
returns bigint
language sql
set search_path = ''
as $$
    insert into public.segment_sync_runs (kind, method, trigger, caller, caller_user_id, scheduled_for)
    values (p_kind, p_method, p_trigger, guarded.request_caller(), auth.uid(), p_scheduled_for)
    returning id
$$;

revoke all on function private.start_run(text, text, text, date) from public;
