-- Segments follow a committed change, given as keys: (partner, branch, region) where a null branch or region
-- stands for every branch or region of that partner, and a null partner for just that combination. The
-- partners are locked first (private.lock_stripes), so their pairs are read after every other transaction
-- changing them has committed; then the combinations those keys touch are brought in line under their locks
-- (private.apply_segment_capacity), the segments that changed get today's plan, and one run row (kind 'sync',
-- trigger 'change', the caller) is left when a segment changed, none when nothing did. Inside a partner's
-- request (p_deadline set), plans too big to write at once (private.plans_fit_a_request) are queued for the
-- follow-up job (private.segment_plan_queue); the run's "plans" says how many.
-- p_deadline: null waits for the locks; else what is not locked by then goes into the follow-up queue
-- (private.queue_follow_keys, committed with the change) for private.drain_follow_queue, as do the keys of
-- maintenance that failed (a failed 'change' run). A serialization failure, deadlock, lock timeout or cancel
-- is the transaction's own and propagates, so the caller retries it.
create or replace function private.follow_keys(
    p_partners uuid[], p_branches text[], p_regions text[], p_deadline timestamptz, p_since timestamptz
)
returns void
language plpgsql
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
-- the generic plans' estimates are marketplace-sized; compiling them costs more than running them for a change
set jit = off
as $$
declare
    v_branches text[];
    v_regions text[];
    v_own_partners uuid[];
    v_applied jsonb;
    v_changed bigint[];
    v_plans jsonb;
    v_run_id bigint;
    v_sqlstate text;
    v_message text;
begin
    if coalesce(pg_catalog.cardinality(p_partners), 0) = 0 then
        return;
    end if;
    begin
        if not private.lock_stripes(private.partner_stripes(p_partners), p_deadline) then
            perform private.queue_follow_keys(p_partners, p_branches, p_regions, p_since);
            return;
        end if;

        -- read after the partners' locks: a fresh snapshot in read committed
        with keys as (
            select distinct k.partner_id, k.branch, k.region
            from unnest(p_partners, p_branches, p_regions) as k (partner_id, branch, region)
        ),

        partners as (
            select distinct k.partner_id from keys as k where k.partner_id is not null
        ),

        -- keys of partners whose profile is gone (materialized: checked before any segment is read)
        departed as materialized (
            select k.branch, k.region
            from keys as k
            where k.partner_id is not null and not exists (select from public.profiles as p where p.id = k.partner_id)
        ),

        -- every preference a partner has, enabled or not: a superset of the pairs it feeds or fed; through the
        -- preference indexes (offset 0 keeps a lookup per partner instead of a join over every partner)
        branches_of as (
            select p.partner_id, own.slug as branch
            from partners as p
            cross join lateral (
                select i.slug
                from public.user_industry_preferences as uip
                inner join public.industries as i on uip.industry_id = i.id
                where uip.user_id = p.partner_id
                offset 0
            ) as own
        ),

        regions_of as (
            select p.partner_id, own.location_code as region
            from partners as p
            cross join lateral (
                select ulp.location_code from public.user_location_preferences as ulp
                where ulp.user_id = p.partner_id
                offset 0
            ) as own
        ),

        pairs as (
            select k.branch, k.region
            from keys as k
            where k.partner_id is null
            union
            select coalesce(k.branch, b.branch), coalesce(k.region, r.region)
            from keys as k
            left join branches_of as b on k.branch is null and b.partner_id = k.partner_id
            left join regions_of as r on k.region is null and r.partner_id = k.partner_id
            where k.partner_id is not null
            -- a deleted partner's cascade empties both preference tables before their triggers run (they
            -- reference profiles): its deleted preferences take every active segment of their branch or region
            -- along. Only then: a partner that is still there pairs what it has, one without regions feeds nothing.
            union
            select s.branch, s.region
            from departed as d
            inner join public.lead_segments as s on d.branch = s.branch and s.is_active
            union
            select s.branch, s.region
            from departed as d
            inner join public.lead_segments as s on d.region = s.region and s.is_active
        )

        select coalesce(array_agg(p.branch), '{}'), coalesce(array_agg(p.region), '{}')
        into v_branches, v_regions
        from pairs as p
        where p.branch is not null and p.region is not null;

        if pg_catalog.cardinality(v_branches) = 0 then
            return;
        end if;
        -- the change's partners, when they are few, are asked first whether they feed a combination
        v_own_partners := array(select distinct x.id from unnest(p_partners) as x (id) where x.id is not null limit 41);
        v_applied := private.apply_segment_capacity(
            v_branches, v_regions, p_deadline,
            case when pg_catalog.cardinality(v_own_partners) <= 40 then v_own_partners end
        );
        if v_applied is null then
            -- the partners are read: what is left to do is these combinations
            perform private.queue_follow_keys(
                pg_catalog.array_fill(null::uuid, array[pg_catalog.cardinality(v_branches)]), v_branches, v_regions,
                p_since
            );
            return;
        end if;
        v_changed := array(select pg_catalog.jsonb_array_elements_text(v_applied -> 'changed_segment_ids')::bigint);
        if pg_catalog.cardinality(v_changed) > 0 then
            if p_deadline is null or private.plans_fit_a_request(v_changed) then
                v_plans := private.write_segment_plans(private.local_today(), v_changed);
            else
                insert into private.segment_plan_queue (segment_id, date)
                select x.id, private.local_today() from unnest(v_changed) as x (id)
                on conflict (segment_id, date) do nothing;
                v_plans := pg_catalog.jsonb_build_object('queued_for_follow_up', pg_catalog.cardinality(v_changed));
            end if;
            v_run_id := private.start_run('sync', 'capacity', 'change', null);
            perform private.finish_run(
                v_run_id,
                pg_catalog.jsonb_build_object(
                    'run_id', v_run_id,
                    'method', 'capacity',
                    'status', 'succeeded',
                    'combinations_checked', pg_catalog.cardinality(v_branches),
                    'created', pg_catalog.jsonb_array_length(v_applied -> 'created_codes'),
                    'activated', pg_catalog.jsonb_array_length(v_applied -> 'activated_codes'),
                    'deactivated', pg_catalog.jsonb_array_length(v_applied -> 'deactivated_codes'),
                    'created_codes', v_applied -> 'created_codes',
                    'activated_codes', v_applied -> 'activated_codes',
                    'deactivated_codes', v_applied -> 'deactivated_codes',
                    'plans', v_plans
                )
            );
        end if;
    exception
        when serialization_failure or deadlock_detected or lock_not_available or query_canceled then
            raise;
        when others then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            perform private.fail_run(private.start_run('sync', 'capacity', 'change', null), v_sqlstate, v_message);
            perform private.queue_follow_keys(p_partners, p_branches, p_regions, p_since);
    end;
end;
$$;

revoke all on function private.follow_keys(uuid[], text[], text[], timestamptz, timestamptz) from public;
