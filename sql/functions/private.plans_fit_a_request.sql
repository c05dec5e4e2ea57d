-- Can the plans of these segments be written inside a partner's request (private.follow_keys with a deadline)?
-- Yes when at most 500 (partner, segment) pairs have both of a segment's preferences enabled (a superset of
-- the partners that feed it). The planner reads each feeding partner's own combinations: 500 take some 50 ms,
-- thousands take seconds, and more beside a running sync. Bigger plans go to the follow-up job instead
-- (private.segment_plan_queue), so the partner never waits for them. Read from the enabled-preference indexes
-- only: a segment with a rare side counts that side's partners (private.few_candidate_partners, at most 40);
-- one whose sides are both common counts the branch's partners that have the region, never past the 501st
-- (a lookup of the capacity rule by combination would hash every profile under the generic plan following
-- uses). A segment that became inactive has no partner to plan.
create or replace function private.plans_fit_a_request(p_segment_ids bigint[])
returns boolean
language plpgsql
stable
set search_path = ''
as $$
declare
    v_branches text[];
    v_regions text[];
    v_pairs bigint;
begin
    if pg_catalog.cardinality(p_segment_ids) > 500 then
        return false;
    end if;
    select coalesce(array_agg(s.branch), '{}'), coalesce(array_agg(s.region), '{}') into v_branches, v_regions
    from public.lead_segments as s
    where s.id = any(p_segment_ids) and s.is_active;

    with sides as materialized (
        select c.branch, c.region, rare.candidates
        from unnest(v_branches, v_regions) as c (branch, region)
        left join private.few_candidate_partners(v_branches, v_regions) as rare
            on c.branch = rare.branch and c.region = rare.region
    )

    select coalesce(pg_catalog.sum(x.pairs), 0) into v_pairs
    from (
        select pg_catalog.cardinality(sd.candidates)::bigint as pairs
        from sides as sd
        where sd.candidates is not null
        union all
        select pg_catalog.count(*)
        from (
            select
            from sides as sd
            inner join public.industries as i on sd.branch = i.slug
            cross join lateral (
                select
                from public.user_industry_preferences as uip
                where
                    uip.industry_id = i.id and uip.is_enabled
                    and exists (
                        select from public.user_location_preferences as ulp
                        where ulp.user_id = uip.user_id and ulp.location_code = sd.region and ulp.is_enabled
                    )
                limit 501
            ) as both_enabled
            where sd.candidates is null
            limit 501
        ) as common
    ) as x;
    return v_pairs <= 500;
end;
$$;

revoke all on function private.plans_fit_a_request(bigint[]) from public;
