-- Brings the segments of the given combinations (p_branches[i] + p_regions[i]) in line with their capacity
-- as committed right now: creates or reactivates a segment where a partner feeds it (private.partner_combinations),
-- deactivates one where none does. The one place segments change; the full sync and following both call it.
-- Returns the codes it created, activated and deactivated and the ids of those segments; null when the
-- combinations' locks were not free by p_lock_deadline (null: wait for them).
--
-- Concurrency: the combinations are first locked (private.lock_combinations). In read committed, the statement
-- after the lock takes a fresh snapshot and sees every transaction that held the lock before, so two partners
-- leaving one combination in concurrent transactions cannot each keep it alive for the other (write skew).
-- Under repeatable read the snapshot is older than the lock; taking the lock writes its stripe, so a concurrent
-- writer of the same combination ends one transaction with a serialization failure instead of a wrong segment.
create or replace function private.apply_segment_capacity(
    p_branches text[], p_regions text[], p_lock_deadline timestamptz
)
returns jsonb
language plpgsql
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
as $$
declare
    v_result jsonb;
begin
    if not private.lock_combinations(p_branches, p_regions, p_lock_deadline) then
        return null;
    end if;

    with candidate as (
        select distinct c.branch, c.region
        from unnest(p_branches, p_regions) as c (branch, region)
    ),

    -- a combination has capacity while one partner feeds it: looked up per combination until the first one
    -- (an EXISTS, so no plan hashes every partner instead)
    wanted as (
        select
            c.branch,
            c.region,
            r.country,
            exists (
                select from private.partner_combinations as pc
                where pc.branch = c.branch and pc.region = c.region and pc.feeds
            ) as has_capacity
        from candidate as c
        -- a combination of a removed region still has its segment deactivated
        left join public.regions as r on c.region = r.code
    ),

    missing as (
        select
            w.branch,
            w.region,
            w.country,
            pg_catalog.replace(w.branch || '_' || w.region, '-', '_') as plain_code
        from wanted as w
        where w.has_capacity and not exists (
            select from public.lead_segments as s
            where s.branch = w.branch and s.region = w.region
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
    ),

    created as (
        insert into public.lead_segments (code, branch, region, country)
        select cd.code, cd.branch, cd.region, cd.country from coded as cd
        returning id, code
    ),

    activated as (
        update public.lead_segments as s
        set is_active = true
        from wanted as w
        -- a held segment stays off whatever its capacity (private.hold_segment)
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

revoke all on function private.apply_segment_capacity(text[], text[], timestamptz) from public;
