-- Brings the segments of the given combinations (p_branches[i] + p_regions[i]) in line with their capacity
-- as committed right now: creates or reactivates a segment where a partner feeds it (private.partner_combinations),
-- deactivates one where none does. The one place segments change; the full sync and following both call it.
-- Returns the codes it created, activated and deactivated and the ids of those segments; null when the
-- combinations' locks were not free by p_lock_deadline (null: wait for them). p_partners (following: the
-- partners of the change when they are few; the sync: null) are asked first whether they feed a combination,
-- through their own rows, before any other partner is looked for.
--
-- Concurrency: the combinations are first locked (private.lock_combinations). In read committed, the statement
-- after the lock takes a fresh snapshot and sees every transaction that held the lock before, so two partners
-- leaving one combination in concurrent transactions cannot each keep it alive for the other (write skew).
-- Under repeatable read the snapshot is older than the lock; taking the lock writes its stripe, so a concurrent
-- writer of the same combination ends one transaction with a serialization failure instead of a wrong segment.
create or replace function private.apply_segment_capacity(
    p_branches text[], p_regions text[], p_lock_deadline timestamptz, p_partners uuid[]
)
returns jsonb
language plpgsql
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
as $$
declare
    v_result jsonb;
    v_branches text[];
    v_regions text[];
    v_has_capacity boolean[];
    v_fed boolean[];
    v_unsegmented_branches text[];
    v_unsegmented_regions text[];
    v_new_codes text[];
    v_new_branches text[];
    v_new_regions text[];
    v_new_countries text[];
begin
    if not private.lock_combinations(p_branches, p_regions, p_lock_deadline) then
        return null;
    end if;
    -- many combinations (a sync, following switched on): planned for their number, with the arrays' real
    -- lengths (a generic plan takes each array for 10 rows and joins 200,000 of them row by row); the
    -- function's own setting comes back when it returns
    if pg_catalog.cardinality(p_branches) > 2000 then
        perform pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', true);
    end if;

    -- which of them has capacity now, read after the locks: a combination has it while one partner feeds it
    -- (private.partner_combinations). A few are looked up one by one until the first partner: in the change's
    -- own partners' rows first, then from the rare side's partners when a side of a combination without an
    -- active segment is rare (private.few_candidate_partners: a new region or branch). Many (a sync, following
    -- switched on) are checked against the aggregate of the same rule in one hashed pass, cheaper than a
    -- lookup each from a few thousand on (tests/test_follow_changes.py proves the forms agree).
    if pg_catalog.cardinality(p_branches) <= 2000 then
        -- each combination once, and whether the change's own partners feed it (their own rows, read after the
        -- locks: then it has capacity without looking further); the others without an active segment get
        -- their rare side's partners below (an active segment's partners are common enough to find one at once)
        with combinations as (
            select distinct u.branch, u.region from unnest(p_branches, p_regions) as u (branch, region)
        ),

        fed as (
            select distinct pc.branch, pc.region
            from private.partner_combinations as pc
            where pc.partner_id = any(p_partners) and pc.feeds
        )

        select
            array_agg(c.branch),
            array_agg(c.region),
            array_agg(f.branch is not null),
            array_agg(c.branch) filter (where unfed.without_active_segment),
            array_agg(c.region) filter (where unfed.without_active_segment)
        into v_branches, v_regions, v_fed, v_unsegmented_branches, v_unsegmented_regions
        from combinations as c
        left join fed as f on c.branch = f.branch and c.region = f.region
        cross join lateral (
            select f.branch is null and not exists (
                select from public.lead_segments as s where s.branch = c.branch and s.region = c.region and s.is_active
            ) as without_active_segment
            -- once for both arrays: flattened, each filter would look the segment up again
            offset 0
        ) as unfed;

        select
            array_agg(c.branch),
            array_agg(c.region),
            array_agg(
                case
                    when c.fed then true
                    when rare.candidates is null then exists (
                        select from private.partner_combinations as pc
                        where pc.branch = c.branch and pc.region = c.region and pc.feeds
                    )
                    else exists (
                        select from private.partner_combinations as pc
                        where
                            pc.partner_id = any(rare.candidates)
                            and pc.branch = c.branch and pc.region = c.region and pc.feeds
                    )
                end
            )
        into v_branches, v_regions, v_has_capacity
        from unnest(v_branches, v_regions, v_fed) as c (branch, region, fed)
        left join private.few_candidate_partners(v_unsegmented_branches, v_unsegmented_regions) as rare
            on c.branch = rare.branch and c.region = rare.region;
    else
        select array_agg(d.branch), array_agg(d.region), array_agg(cc.branch is not null)
        into v_branches, v_regions, v_has_capacity
        from (select distinct u.branch, u.region from unnest(p_branches, p_regions) as u (branch, region)) as d
        left join private.capacity_combos as cc on d.branch = cc.branch and d.region = cc.region;
    end if;

    -- the segments to create and their codes, all read before the first is inserted: a statement that read
    -- lead_segments while inserting into it would scan its new rows again for each one (quadratic in a first sync)
    with missing as (
        select
            c.branch,
            c.region,
            r.country,
            pg_catalog.replace(c.branch || '_' || c.region, '-', '_') as plain_code
        from unnest(v_branches, v_regions, v_has_capacity) as c (branch, region, has_capacity)
        left join public.regions as r on c.region = r.code
        where c.has_capacity and not exists (
            select from public.lead_segments as s
            where s.branch = c.branch and s.region = c.region
        )
    ),

    -- the plain code goes to the first combination (by branch, region) that wants it while it is free;
    -- any other gets a suffix derived from its own branch and region, so it is the same whenever it is made
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
    )

    select array_agg(cd.code), array_agg(cd.branch), array_agg(cd.region), array_agg(cd.country)
    into v_new_codes, v_new_branches, v_new_regions, v_new_countries
    from coded as cd;

    with wanted as (
        select c.branch, c.region, c.has_capacity
        from unnest(v_branches, v_regions, v_has_capacity) as c (branch, region, has_capacity)
    ),

    created as (
        insert into public.lead_segments (code, branch, region, country)
        select n.code, n.branch, n.region, n.country
        from unnest(v_new_codes, v_new_branches, v_new_regions, v_new_countries) as n (code, branch, region, country)
        returning id, code
    ),

    activated as (
        update public.lead_segments as s
        set is_active = true
        from wanted as w
        -- a held segment stays off whatever its capacity (guarded.hold_segment)
        where s.branch = w.branch and s.region = w.region and w.has_capacity and not s.is_active and s.held_at is null
        returning s.id, s.code
    ),

    deactivated as (
        update public.lead_segments as s
        set is_active = false
        from wanted as w
        where s.branch = w.branch and s.region = w.region and not w.has_capacity and s.is_active
        returning s.id, s.code
    )

    select pg_catalog.jsonb_build_object(
        'created_codes', coalesce((select pg_catalog.jsonb_agg(x.code order by x.code) from created as x), '[]'),
        'activated_codes', coalesce((select pg_catalog.jsonb_agg(x.code order by x.code) from activated as x), '[]'),
        'deactivated_codes',
        coalesce((select pg_catalog.jsonb_agg(x.code order by x.code) from deactivated as x), '[]'),
        'changed_segment_ids', coalesce(
            (
                select pg_catalog.jsonb_agg(x.id order by x.id)
                from (
                    select y.id from created as y
                    union all select y.id from activated as y
                    union all select y.id from deactivated as y
                ) as x
            ),
            '[]'
        )
    )
    into v_result;
    return v_result;
end;
$$;

revoke all on function private.apply_segment_capacity(text[], text[], timestamptz, uuid[]) from public;
