-- Can the plans of these segments be written inside a partner's request (private.follow_keys with a deadline)?
-- Yes when at most 2,000 (partner, segment) pairs have both of a segment's preferences enabled (a superset of
-- the partners that feed it). The planner reads each feeding partner's own combinations, so a segment that
-- thousands of partners feed (only reachable when following was bypassed, as in the benchmark's cold sync)
-- takes seconds to plan; such plans go to the follow-up job instead (private.segment_plan_queue), so the
-- partner never waits for them. Read from the enabled-preference indexes only: the branch's partners in
-- partner order, each probed for the region, never past the 2,001st pair (a lookup of the capacity rule by
-- combination would hash every profile under the generic plan following uses).
create or replace function private.plans_fit_a_request(p_segment_ids bigint[])
returns boolean
language plpgsql
stable
set search_path = ''
as $$
declare
    v_pairs bigint;
begin
    if pg_catalog.cardinality(p_segment_ids) > 2000 then
        return false;
    end if;
    select pg_catalog.count(*) into v_pairs
    from (
        select
        from public.lead_segments as s
        inner join public.industries as i on s.branch = i.slug
        cross join lateral (
            select
            from public.user_industry_preferences as uip
            where
                uip.industry_id = i.id and uip.is_enabled
                and exists (
                    select from public.user_location_preferences as ulp
                    where ulp.user_id = uip.user_id and ulp.location_code = s.region and ulp.is_enabled
                )
            limit 2001
        ) as both_enabled
        -- a segment that became inactive has no partner to plan
        where s.id = any(p_segment_ids) and s.is_active
        limit 2001
    ) as counted;
    return v_pairs <= 2000;
end;
$$;

revoke all on function private.plans_fit_a_request(bigint[]) from public;
