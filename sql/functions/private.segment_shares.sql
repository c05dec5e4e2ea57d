-- What a segment's plan for date D is computed from (the contract's "The planner (targets)"): its counting
-- partners and their capacity (as in the combos), its share of their capacity (capacity_allocated: each partner's
-- capacity divided by the number k_p of active segments it feeds) and what they can still take this month through
-- it (capacity_open: each partner's capacity less the leads it received in D's month before D, divided by k_p),
-- and its leads of D (configured time zone). Every partner's combinations come from private.partner_combinations
-- (private.partner_combinations_scan for every segment).
-- p_segment_ids null: every active segment and every segment with a plan for D (a segment deactivated since is
-- re-planned to 0). Else just those segments: up to 2,000 computed from their own partners only (following a
-- change), in a statement of their own, so a few segments never plan or run the marketplace-wide aggregate;
-- more in the one pass of every segment.
create or replace function private.segment_shares(p_date date, p_segment_ids bigint[])
returns table (
    segment_id bigint,
    is_active boolean,
    capacity_partners bigint,
    capacity_total_leads bigint,
    capacity_allocated numeric,
    capacity_open numeric,
    actual_leads bigint
)
language plpgsql
stable
set search_path = ''
as $$
declare
    v_timezone text;
    v_month_start timestamptz;
    v_day_start timestamptz;
    v_day_end timestamptz;
begin
    -- local midnights of the configured zone: the month's and the day's bounds are right across DST changes
    select st.timezone into strict v_timezone from public.segment_sync_settings as st;
    v_month_start := pg_catalog.date_trunc('month', p_date)::timestamp at time zone v_timezone;
    v_day_start := p_date::timestamp at time zone v_timezone;
    v_day_end := (p_date + 1)::timestamp at time zone v_timezone;

    -- many segments (a statement over many partners, following switched on): one pass is cheaper than a lookup
    -- per segment from about as many as apply_segment_capacity checks one by one
    if p_segment_ids is null or pg_catalog.cardinality(p_segment_ids) > 2000 then
        return query
        -- the segments to plan: every active one and every one with a plan for D, or the given ones (joined by
        -- their key: `id = any(array)` would search the whole array for each segment)
        with chosen as (
            select s.id, s.is_active
            from public.lead_segments as s
            where p_segment_ids is null and (s.is_active or exists (
                select from public.lead_segment_plans as p where p.segment_id = s.id and p.date = p_date
            ))
            union all
            select s.id, s.is_active
            from unnest(p_segment_ids) as x (id)
            inner join public.lead_segments as s on x.id = s.id
        ),

        feeding as (
            select pc.partner_id, pc.capacity, s.id as segment_id, s.is_active
            -- every row of the rule, in one pass
            from private.partner_combinations_scan as pc
            inner join public.lead_segments as s on pc.branch = s.branch and pc.region = s.region
            where pc.feeds
        ),

        shared as (
            select
                f.*,
                pg_catalog.count(*) filter (where f.is_active) over (partition by f.partner_id) as k
            from feeding as f
        ),

        -- this month's leads before D: one range read of the (created_at, partner_id) index
        delivered as (
            select l.partner_id, pg_catalog.count(*) as leads
            from public.leads as l
            where l.created_at >= v_month_start and l.created_at < v_day_start and l.partner_id is not null
            group by l.partner_id
        ),

        per_segment as (
            select
                sh.segment_id,
                pg_catalog.count(*) as partners,
                pg_catalog.sum(sh.capacity)::bigint as total_leads,
                pg_catalog.sum(sh.capacity::numeric / sh.k) filter (where sh.is_active) as allocated,
                pg_catalog.sum(greatest(0, sh.capacity - coalesce(d.leads, 0))::numeric / sh.k)
                filter (where sh.is_active) as open
            from shared as sh
            left join delivered as d on sh.partner_id = d.partner_id
            group by sh.segment_id
        ),

        actuals as (
            select l.segment_id, pg_catalog.count(*) as leads
            from public.leads as l
            where l.created_at >= v_day_start and l.created_at < v_day_end
            group by l.segment_id
        )

        select
            c.id,
            c.is_active,
            coalesce(ps.partners, 0),
            coalesce(ps.total_leads, 0),
            coalesce(ps.allocated, 0),
            coalesce(ps.open, 0),
            coalesce(a.leads, 0)
        from chosen as c
        left join per_segment as ps on c.id = ps.segment_id
        left join actuals as a on c.id = a.segment_id;
    else
        return query
        with segments as materialized (
            select s.id, s.branch, s.region, s.is_active
            from public.lead_segments as s
            where s.id = any(p_segment_ids)
        ),

        targets as materialized (
            select s.*, rare.candidates
            from segments as s
            left join private.few_candidate_partners(
                array(select x.branch from segments as x order by x.id),
                array(select x.region from segments as x order by x.id)
            ) as rare on s.branch = rare.branch and s.region = rare.region
        ),

        -- per segment, its own combination's partners, in two steps, each a lateral run per segment: first the
        -- candidates, the partners with both preferences enabled, from the two preference tables alone (the
        -- rare side's few partners when a side is rare: a new region or branch, private.few_candidate_partners);
        -- then the rule, asked for each candidate by its own id. Asked by combination instead, following's
        -- generic plan expects a branch's average number of partners and joins them to their profiles by
        -- hashing every profile (tests/test_follow_cost.py, tests/test_planner_shares.py count the blocks read)
        feeding as (
            select t.id as segment_id, t.is_active, pc.partner_id, pc.capacity
            from targets as t
            cross join lateral (
                select x.partner_id from unnest(t.candidates) as x (partner_id)
                union all
                select pair.partner_id
                from private.partner_pairs as pair
                where t.candidates is null and pair.branch = t.branch and pair.region = t.region
            ) as candidate
            -- not flattened (offset 0): else the planner may join every candidate to every partner's rule
            cross join lateral (
                select own.partner_id, own.capacity
                from private.partner_combinations as own
                where
                    own.partner_id = candidate.partner_id
                    and own.branch = t.branch and own.region = t.region and own.feeds
                offset 0
            ) as pc
        ),

        -- per partner (once, however many of the segments it feeds: materialized, else the planner joins the
        -- partners back to their segments first and counts each partner's shares once per segment), through
        -- its own rows only: how many active segments share it, and its leads this month
        partner_shares as materialized (
            select p.partner_id, k.segments as k, d.leads as delivered
            from (select distinct f.partner_id from feeding as f) as p
            cross join lateral (
                select pg_catalog.count(*) as segments
                from private.partner_combinations as own
                inner join public.lead_segments as s
                    on own.branch = s.branch and own.region = s.region and s.is_active
                where own.partner_id = p.partner_id and own.feeds
            ) as k
            cross join lateral (
                select pg_catalog.count(*) as leads
                from public.leads as l
                where l.partner_id = p.partner_id and l.created_at >= v_month_start and l.created_at < v_day_start
            ) as d
        ),

        shared as (
            select f.*, ps.k, ps.delivered
            from feeding as f
            inner join partner_shares as ps on f.partner_id = ps.partner_id
        ),

        per_segment as (
            select
                sh.segment_id,
                pg_catalog.count(*) as partners,
                pg_catalog.sum(sh.capacity)::bigint as total_leads,
                pg_catalog.sum(sh.capacity::numeric / sh.k) filter (where sh.is_active) as allocated,
                pg_catalog.sum(greatest(0, sh.capacity - sh.delivered)::numeric / sh.k)
                filter (where sh.is_active) as open
            from shared as sh
            group by sh.segment_id
        )

        select
            t.id,
            t.is_active,
            coalesce(ps.partners, 0),
            coalesce(ps.total_leads, 0),
            coalesce(ps.allocated, 0),
            coalesce(ps.open, 0),
            (
                select pg_catalog.count(*) from public.leads as l
                where l.segment_id = t.id and l.created_at >= v_day_start and l.created_at < v_day_end
            )
        from targets as t
        left join per_segment as ps on t.id = ps.segment_id;
    end if;
end;
$$;

revoke all on function private.segment_shares(date, bigint[]) from public;
