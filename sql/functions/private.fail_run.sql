-- Closes a run as failed with the error (and warns the session), and returns the result the caller sees.
create or replace function private.fail_run(p_run_id bigint, p_sqlstate text, p_message text)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_result jsonb;
begin
    raise warning 'run % failed: % (SQLSTATE %)', p_run_id, p_message, p_sqlstate;
    update public.segment_sync_runs
    set status = 'failed', finished_at = pg_catalog.clock_timestamp(), error = p_message, error_sqlstate = p_sqlstate,
        result = pg_catalog.jsonb_build_object(
            'run_id', p_run_id, 'kind', kind, 'method', method, 'status', 'failed',
            'error', p_message, 'sqlstate', p_sqlstate
        )
    where id = p_run_id
    returning result into v_result;
    return v_result;
end;
$$;

revoke all on function private.fail_run(bigint, text, text) from public;
