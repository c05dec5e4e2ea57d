-- The sync's work for a run row that is already open (p_run_id): the marketplace-wide aggregate without any
-- lock, then only the combinations that differ, each re-checked and changed under its lock
-- (private.apply_segment_capacity), so a partner's change never waits for the aggregate. While segments follow
-- partner changes it finds nothing to change: `fixed` in its result and run row counts what it had to repair.
-- A failed or cancelled run (statement_timeout, lock_timeout, an admin's cancel) rolls back its changes and
-- closes the row as failed with its SQLSTATE.
create or replace function private.execute_sync(p_run_id bigint)
returns jsonb
language plpgsql
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_total bigint;
    v_branches text[];
    v_regions text[];
    v_applied jsonb;
    v_created integer;
    v_activated integer;
    v_deactivated integer;
    v_result jsonb;
    v_sqlstate text;
    v_message text;
begin
    begin
        select d.total_combinations, d.branches, d.regions
        into v_total, v_branches, v_regions
        from private.capacity_differences() as d;
        v_applied := private.apply_segment_capacity(v_branches, v_regions, null, null);
        v_created := pg_catalog.jsonb_array_length(v_applied -> 'created_codes');
        v_activated := pg_catalog.jsonb_array_length(v_applied -> 'activated_codes');
        v_deactivated := pg_catalog.jsonb_array_length(v_applied -> 'deactivated_codes');
        -- a sync that changed many segments (the first one creates them all) leaves the planner's statistics of
        -- lead_segments behind until autovacuum's next analyze: the plans of whatever follows (the day's plans,
        -- the next sync) would treat a table of 200,000 segments as empty and take minutes instead of a second
        if v_created + v_activated + v_deactivated >= 10000 then
            analyze public.lead_segments;
        end if;
        v_result := pg_catalog.jsonb_build_object(
            'run_id', p_run_id,
            'method', 'capacity',
            'status', 'succeeded',
            'total_combinations', v_total,
            'created', v_created,
            'activated', v_activated,
            'deactivated', v_deactivated,
            'unchanged', v_total - v_created - v_activated,
            'created_codes', v_applied -> 'created_codes',
            'activated_codes', v_applied -> 'activated_codes',
            'deactivated_codes', v_applied -> 'deactivated_codes',
            'fixed', v_created + v_activated + v_deactivated,
            'held_codes', coalesce(
                (
                    select pg_catalog.jsonb_agg(s.code order by s.code)
                    from public.lead_segments as s where s.held_at is not null
                ),
                '[]'
            ),
            'following', (select st.follow_partner_changes from public.segment_sync_settings as st)
        );
        return private.finish_run(p_run_id, v_result);
    exception
        -- others does not include a cancel (statement_timeout, pg_cancel_backend): name it too
        when others or query_canceled then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            return private.fail_run(p_run_id, v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.execute_sync(bigint) from public;
