-- The planner run: the plans of p_date (private.write_segment_plans) with its run row (kind 'plan'). A failed
-- or cancelled run rolls back its plans and leaves its row as failed with the SQLSTATE. p_trigger and
-- p_scheduled_for come from the code path (the API or the nightly job).
create or replace function private.run_plan(p_date date, p_trigger text, p_scheduled_for date)
returns jsonb
language plpgsql
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_run_id bigint;
    v_sqlstate text;
    v_message text;
begin
    v_run_id := private.start_run('plan', null, p_trigger, p_scheduled_for);
    begin
        return private.finish_run(
            v_run_id,
            pg_catalog.jsonb_build_object('run_id', v_run_id, 'kind', 'plan', 'status', 'succeeded')
            || private.write_segment_plans(p_date, null)
        );
    exception
        when query_canceled then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            return private.fail_run(v_run_id, v_sqlstate, v_message);
        when others then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            return private.fail_run(v_run_id, v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.run_plan(date, text, date) from public;
