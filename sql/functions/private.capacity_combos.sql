-- Every branch x region combination with capacity (active industries and regions only): how many partners
-- count there and their leads a month. Aggregated on ids first, named after: the same result, a smaller join.
create or replace function private.capacity_combos()
returns table (branch text, region text, country text, capacity_partners bigint, capacity_total_leads bigint)
language sql
stable
as $$
    select i.slug, r.code, r.country, agg.partners, agg.total_leads
    from (
        select cp.industry_id, cp.region, pg_catalog.count(*) as partners, pg_catalog.sum(cp.capacity)::bigint as total_leads
        from private.capacity_pairs() as cp
        group by cp.industry_id, cp.region
    ) as agg
    inner join public.industries as i on i.id = agg.industry_id and i.is_active
    inner join public.regions as r on r.code = agg.region and r.is_active
$$;

revoke all on function private.capacity_combos() from public;
