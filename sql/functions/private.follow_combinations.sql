-- Segments follow a committed change: the given combinations are brought in line (private.apply_segment_capacity),
-- the segments that changed get today's plan (target 0 when inactive), and the statement leaves one run row
-- (kind 'sync', trigger 'change', the caller) when it changed a segment, none when it did not.
-- A partner's own change never fails because of this: any other error is recorded as a failed 'change' run
-- (the nightly sync repairs what it missed and reports it as fixed). A serialization failure or deadlock
-- is the transaction's own, and propagates so the caller retries it.
create or replace function private.follow_combinations(p_branches text[], p_regions text[])
returns void
language plpgsql
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
as $$
declare
    v_applied jsonb;
    v_changed bigint[];
    v_run_id bigint;
    v_sqlstate text;
    v_message text;
begin
    if coalesce(pg_catalog.cardinality(p_branches), 0) = 0 then
        return;
    end if;
    begin
        v_applied := private.apply_segment_capacity(p_branches, p_regions);
        v_changed := array(select pg_catalog.jsonb_array_elements_text(v_applied -> 'changed_segment_ids')::bigint);
        if pg_catalog.cardinality(v_changed) > 0 then
            v_run_id := private.start_run('sync', 'capacity', 'change', null);
            perform private.finish_run(
                v_run_id,
                pg_catalog.jsonb_build_object(
                    'run_id', v_run_id,
                    'method', 'capacity',
                    'status', 'succeeded',
                    'combinations_checked', pg_catalog.cardinality(p_branches),
                    'created', pg_catalog.jsonb_array_length(v_applied -> 'created_codes'),
                    'activated', pg_catalog.jsonb_array_length(v_applied -> 'activated_codes'),
                    'deactivated', pg_catalog.jsonb_array_length(v_applied -> 'deactivated_codes'),
                    'created_codes', v_applied -> 'created_codes',
                    'activated_codes', v_applied -> 'activated_codes',
                    'deactivated_codes', v_applied -> 'deactivated_codes',
                    'plans', private.write_segment_plans(private.local_today(), v_changed)
                )
            );
        end if;
    exception
        when serialization_failure or deadlock_detected then
            raise;
        when others then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            perform private.fail_run(private.start_run('sync', 'capacity', 'change', null), v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.follow_combinations(text[], text[]) from public;
