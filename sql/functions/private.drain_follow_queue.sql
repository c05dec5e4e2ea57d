-- The follow-up job (pg_cron, every minute): brings the combinations of queued changes in line, as following
-- would have at their commit, and empties the queue; a 'change' run when segments changed. It waits for the
-- locks (a transaction holding them keeps them until it ends): after 10 s it gives up with 55P03, the queue is
-- left as it was and the job's run shows failed. With following off the queue is dropped: the sync decides.
-- Then it writes today's plans of the segments whose plans a partner's request left to it
-- (private.segment_plan_queue), in a run of kind 'plan', trigger 'change'; a failed one keeps them queued.
-- Returns how many queued keys it took.
create or replace function private.drain_follow_queue()
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_partners uuid[];
    v_branches text[];
    v_regions text[];
    v_since timestamptz;
    v_taken integer;
    v_plan_run_id bigint;
    v_planned bigint[];
    v_sqlstate text;
    v_message text;
begin
    perform pg_catalog.set_config('lock_timeout', '10s', true);
    -- after a switch of following in progress: its outcome decides what the queue is for
    perform pg_catalog.pg_advisory_xact_lock_shared(private.switch_lock_key());
    if exists (select from private.segment_plan_queue) then
        v_plan_run_id := private.start_run('plan', null, 'change', null);
        begin
            with taken as (
                delete from private.segment_plan_queue as q
                where q.segment_id in (select f.segment_id from private.segment_plan_queue as f for update skip locked)
                returning q.segment_id
            )

            select array_agg(t.segment_id) into v_planned from taken as t;
            perform private.finish_run(
                v_plan_run_id,
                pg_catalog.jsonb_build_object('run_id', v_plan_run_id, 'kind', 'plan', 'status', 'succeeded')
                || private.write_segment_plans(private.local_today(), coalesce(v_planned, '{}'))
            );
        exception
            -- the block's delete is undone with it: the plans stay queued for the next firing
            when others or query_canceled then
                get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
                perform private.fail_run(v_plan_run_id, v_sqlstate, v_message);
        end;
    end if;
    if not (select st.follow_partner_changes from public.segment_sync_settings as st) then
        delete from private.segment_follow_queue;
        return 0;
    end if;

    with taken as (
        delete from private.segment_follow_queue as q
        where q.id in (select f.id from private.segment_follow_queue as f for update skip locked)
        returning q.partner_id, q.branch, q.region, q.queued_at
    )

    select
        array_agg(t.partner_id), array_agg(t.branch), array_agg(t.region), min(t.queued_at),
        count(*)::integer
    into v_partners, v_branches, v_regions, v_since, v_taken
    from taken as t;

    perform private.follow_keys(v_partners, v_branches, v_regions, null, v_since);
    return v_taken;
end;
$$;

revoke all on function private.drain_follow_queue() from public;
