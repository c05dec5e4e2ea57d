-- Every branch x region combination with capacity: how many partners feed it and their leads a month
-- (private.partner_combinations_scan, every row in one pass). Not granted to anyone: read by the private
-- functions.
create or replace view private.capacity_combos as
select
    pcs.branch,
    pcs.region,
    pcs.country,
    count(*) as capacity_partners,
    sum(pcs.capacity)::bigint as capacity_total_leads
from private.partner_combinations_scan as pcs
where pcs.feeds
group by pcs.branch, pcs.region, pcs.country;

revoke all on private.capacity_combos from public, anon, authenticated, service_role;
