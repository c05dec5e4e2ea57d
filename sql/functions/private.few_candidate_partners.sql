-- The partners that may feed each given combination (p_branches[i] + p_regions[i]) when one of its sides is
-- rare: those with the region enabled when at most 40 partners have it, else those with the branch enabled when
-- at most 40 have it. A combination whose sides are both common is not returned. Every partner that feeds a
-- combination is among its candidates (a feeder has both preferences enabled); which of them does is still for
-- private.partner_combinations to say.
--
-- Why: a lookup of a combination's partners runs under one generic plan, which starts from the side that is
-- smaller on average. A combination nobody asks for yet (a new region, a new branch) is small on the other side,
-- and starting from the common side would walk all its partners (tens of milliseconds at 100,000 partners) to
-- find the one or none that feeds it. With its candidates the lookup starts from the rare side instead.
-- One statement for all the combinations, whatever their number.
create or replace function private.few_candidate_partners(p_branches text[], p_regions text[])
returns table (branch text, region text, candidates uuid[])
language plpgsql
stable
set search_path = ''
as $$
begin
    return query
    select c.branch, c.region, c.candidates
    from (
        select
            u.branch,
            u.region,
            case
                when pg_catalog.cardinality(by_region.partners) <= 40 then by_region.partners
                -- the branch's side only when the region's is common
                else (
                    select by_branch.partners
                    from (
                        select array(
                            select uip.user_id
                            from public.user_industry_preferences as uip
                            -- the branch's id first, so the index gives its partners in order (a join would read
                            -- and sort them all)
                            where
                                uip.industry_id = (select i.id from public.industries as i where i.slug = u.branch)
                                and uip.is_enabled
                            order by uip.user_id
                            limit 41
                        ) as partners
                        offset 0
                    ) as by_branch
                    where pg_catalog.cardinality(by_branch.partners) <= 40
                )
            end as candidates
        from (select distinct x.branch, x.region from unnest(p_branches, p_regions) as x (branch, region)) as u
        cross join lateral (
            -- 41 at most, in the order of the enabled-preference index: enough to tell "more than 40" from the
            -- index alone, without reading a common side whole
            select array(
                select ulp.user_id
                from public.user_location_preferences as ulp
                where ulp.location_code = u.region and ulp.is_enabled
                order by ulp.user_id
                limit 41
            ) as partners
            -- read once: a flattened lateral would read the index again for each use of its array
            offset 0
        ) as by_region
        -- the same for the candidates: flattened, the filter below would read the branch's index again
        offset 0
    ) as c
    where c.candidates is not null;
end;
$$;

revoke all on function private.few_candidate_partners(text[], text[]) from public;
