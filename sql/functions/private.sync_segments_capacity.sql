-- The capacity sync: one active segment for every branch x region combination with capacity, none elsewhere.
-- Creates missing segments, reactivates inactive ones, deactivates those without capacity; never deletes.
-- Set-based: the same few statements whatever the number of partners or segments. A failed run rolls back
-- its changes and returns status 'failed'; its run row stays.
-- security definer: writes segments for every caller it admits; the admin check in the body is the gate.
create or replace function private.sync_segments_capacity()
returns jsonb
language plpgsql
security definer
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_run_id bigint;
    v_result jsonb;
    v_sqlstate text;
    v_message text;
begin
    perform private.assert_admin();
    -- a snapshot older than the lock below would not see a concurrent run's segments
    if pg_catalog.current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'the segment sync runs in read committed transactions, not %',
            pg_catalog.current_setting('transaction_isolation')
        using errcode = 'invalid_transaction_state';
    end if;
    -- concurrent runs (cron and admin) queue here; each statement after it sees earlier runs' segments
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('leadstroom.segment_sync'));
    v_run_id := private.start_run('sync', 'capacity');

    begin
        with combos as materialized (
            select cc.branch, cc.region, cc.country from private.capacity_combos as cc
        ),

        missing as (
            select
                c.branch,
                c.region,
                c.country,
                pg_catalog.replace(c.branch || '_' || c.region, '-', '_') as plain_code
            from combos as c
            where not exists (
                select from public.lead_segments as s where s.branch = c.branch and s.region = c.region
            )
        ),

        -- the plain code goes to the first combination (by branch, region) that wants it while it is free;
        -- any other gets a suffix derived from its own branch and region, so it is stable across runs
        coded as (
            select
                m.branch,
                m.region,
                m.country,
                case
                    when
                        pg_catalog.row_number() over (partition by m.plain_code order by m.branch, m.region) = 1
                        and not exists (select from public.lead_segments as s where s.code = m.plain_code)
                        then m.plain_code
                    else m.plain_code || '_' || pg_catalog.left(pg_catalog.md5(m.branch || '/' || m.region), 8)
                end as code
            from missing as m
        ),

        created as (
            insert into public.lead_segments (code, branch, region, country)
            select coded.code, coded.branch, coded.region, coded.country from coded
            returning code
        ),

        activated as (
            update public.lead_segments as s
            set is_active = true
            from combos as c
            where s.branch = c.branch and s.region = c.region and not s.is_active
            returning s.code
        ),

        deactivated as (
            update public.lead_segments as s
            set is_active = false
            where s.is_active and not exists (
                select from combos as c where c.branch = s.branch and c.region = s.region
            )
            returning s.code
        ),

        counts as (
            select
                (select pg_catalog.count(*) from combos) as total_combinations,
                (select pg_catalog.count(*) from created) as created,
                (select pg_catalog.count(*) from activated) as activated,
                (select pg_catalog.count(*) from deactivated) as deactivated
        )

        select pg_catalog.jsonb_build_object(
            'run_id', v_run_id,
            'method', 'capacity',
            'status', 'succeeded',
            'total_combinations', counts.total_combinations,
            'created', counts.created,
            'activated', counts.activated,
            'deactivated', counts.deactivated,
            'unchanged', counts.total_combinations - counts.created - counts.activated,
            'created_codes',
            coalesce((select pg_catalog.jsonb_agg(created.code order by created.code) from created), '[]'),
            'activated_codes',
            coalesce((select pg_catalog.jsonb_agg(activated.code order by activated.code) from activated), '[]'),
            'deactivated_codes',
            coalesce(
                (select pg_catalog.jsonb_agg(deactivated.code order by deactivated.code) from deactivated), '[]'
            )
        )
        into v_result
        from counts;

        return private.finish_run(v_run_id, v_result);
    exception when others then
        get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
        return private.fail_run(v_run_id, v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.sync_segments_capacity() from public, anon, authenticated;
grant execute on function private.sync_segments_capacity() to authenticated, service_role;
