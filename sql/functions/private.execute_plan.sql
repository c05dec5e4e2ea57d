-- The planner's work for a run row that is already open (p_run_id): the plans of p_date
-- (private.write_segment_plans). A failed or cancelled run rolls back its plans and closes the row as failed
-- with its SQLSTATE.
create or replace function private.execute_plan(p_run_id bigint, p_date date)
returns jsonb
language plpgsql
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_sqlstate text;
    v_message text;
begin
    return private.finish_run(
        p_run_id,
        pg_catalog.jsonb_build_object('run_id', p_run_id, 'kind', 'plan', 'status', 'succeeded')
        || private.write_segment_plans(p_date, null)
    );
exception
    -- others does not include a cancel (statement_timeout, pg_cancel_backend): name it too
    when others or query_canceled then
        get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
        return private.fail_run(p_run_id, v_sqlstate, v_message);
end;
$$;

revoke all on function private.execute_plan(bigint, date) from public;
