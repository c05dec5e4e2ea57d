-- Writes the plans a partner's request left to the follow-up job (private.segment_plan_queue, see
-- private.plans_fit_a_request), each for the date it was queued for: one run of kind 'plan', trigger 'change',
-- per date (one, unless the queue spans midnight). A run that fails is left as failed and its segments go back
-- into the queue with their age, for the next firing. Rows another firing has taken are skipped. Returns how
-- many plans it took.
create or replace function private.write_queued_plans()
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_date date;
    v_segment_ids bigint[];
    v_queued_at timestamptz[];
    v_run_id bigint;
    v_taken integer := 0;
    v_sqlstate text;
    v_message text;
begin
    -- a date at a time: the planner writes the plans of one date
    for v_date in
        select distinct q.date from private.segment_plan_queue as q order by q.date
    loop
        with taken as (
            delete from private.segment_plan_queue as q
            where q.date = v_date and q.segment_id in (
                select f.segment_id from private.segment_plan_queue as f where f.date = v_date for update skip locked
            )
            returning q.segment_id, q.queued_at
        )

        select array_agg(t.segment_id), array_agg(t.queued_at) into v_segment_ids, v_queued_at from taken as t;
        continue when v_segment_ids is null;
        v_taken := v_taken + pg_catalog.cardinality(v_segment_ids);
        v_run_id := private.start_run('plan', null, 'change', null);
        begin
            perform private.finish_run(
                v_run_id,
                pg_catalog.jsonb_build_object('run_id', v_run_id, 'kind', 'plan', 'status', 'succeeded')
                || private.write_segment_plans(v_date, v_segment_ids)
            );
        exception
            -- a cancel is the job's own and ends it (the queue is rolled back with it)
            when others then
                get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
                perform private.fail_run(v_run_id, v_sqlstate, v_message);
                insert into private.segment_plan_queue (segment_id, date, queued_at)
                select x.segment_id, v_date, x.queued_at
                from unnest(v_segment_ids, v_queued_at) as x (segment_id, queued_at);
        end;
    end loop;
    return v_taken;
end;
$$;

revoke all on function private.write_queued_plans() from public;
