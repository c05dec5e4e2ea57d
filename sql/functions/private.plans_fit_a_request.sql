-- Can the plans of these segments be written inside a partner's request (private.follow_keys with a deadline)?
-- Yes when at most 2,000 (partner, segment) rows feed them: the planner reads each of those partners' own
-- combinations, so a segment that thousands of partners feed (only reachable when following was bypassed, as in
-- the benchmark's cold sync) takes seconds to plan. Such plans go to the follow-up job instead
-- (private.segment_plan_queue), so the partner never waits for them. Counted from the rare side where a side is
-- rare (private.few_candidate_partners), and never past the 2,001st row.
create or replace function private.plans_fit_a_request(p_segment_ids bigint[])
returns boolean
language plpgsql
stable
set search_path = ''
as $$
declare
    v_branches text[];
    v_regions text[];
    v_feeding bigint;
begin
    if pg_catalog.cardinality(p_segment_ids) > 2000 then
        return false;
    end if;
    select array_agg(s.branch), array_agg(s.region) into v_branches, v_regions
    from public.lead_segments as s
    where s.id = any(p_segment_ids);

    with combinations as materialized (
        select c.branch, c.region, rare.candidates
        from unnest(v_branches, v_regions) as c (branch, region)
        left join private.few_candidate_partners(v_branches, v_regions) as rare
            on c.branch = rare.branch and c.region = rare.region
    )

    select pg_catalog.count(*) into v_feeding
    from (
        -- two lookups, each planned for where it starts: the combination's own partners, or the rare side's
        select
        from combinations as c
        cross join lateral (
            select
            from private.partner_combinations as own
            where c.candidates is null and own.branch = c.branch and own.region = c.region and own.feeds
            limit 2001
        ) as feeder
        union all
        select
        from combinations as c
        cross join lateral (
            select
            from private.partner_combinations as own
            where own.partner_id = any(c.candidates) and own.branch = c.branch and own.region = c.region and own.feeds
        ) as feeder
        limit 2001
    ) as counted;
    return v_feeding <= 2000;
end;
$$;

revoke all on function private.plans_fit_a_request(bigint[]) from public;
