-- Every branch x region combination with capacity (active industries and regions only): how many partners
-- count there and their leads a month. Aggregated on ids first, named after: the same result, a smaller join.
-- Not granted to anyone: read by the private functions.
create or replace view private.capacity_combos as
select
    i.slug as branch,
    r.code as region,
    r.country,
    agg.partners as capacity_partners,
    agg.total_leads as capacity_total_leads
from (
    select
        cp.industry_id,
        cp.region,
        count(*) as partners,
        sum(cp.capacity)::bigint as total_leads
    from private.capacity_pairs as cp
    group by cp.industry_id, cp.region
) as agg
inner join public.industries as i on agg.industry_id = i.id and i.is_active
inner join public.regions as r on agg.region = r.code and r.is_active;

revoke all on private.capacity_combos from public, anon, authenticated, service_role;
