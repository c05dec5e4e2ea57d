-- Opens a run row (status running) for the log. It is written before the work starts, outside the work's
-- subtransaction, so a failed run still leaves its row.
create or replace function private.start_run(p_kind text, p_method text)
returns bigint
language sql
set search_path = ''
as $$
    insert into public.segment_sync_runs (kind, method, trigger, caller, caller_user_id, scheduled_for)
    values (
        p_kind,
        p_method,
        private.request_trigger(),
        private.request_caller(),
        auth.uid(),
        nullif(pg_catalog.current_setting('leadstroom.scheduled_for', true), '')::date
    )
    returning id
$$;

revoke all on function private.start_run(text, text) from public;
