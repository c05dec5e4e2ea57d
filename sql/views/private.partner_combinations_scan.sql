-- private.partner_combinations for reading every row (the sync's aggregate, the planner of every segment):
-- the same columns and rows, each partner's capacity from private.partner_capacity, which reads the counting
-- subscriptions in one ordered pass instead of a lookup per partner (2-3x faster at 100,000 partners; bench/).
-- Not granted to anyone.
create or replace view private.partner_combinations_scan as
select
    pp.partner_id,
    pp.industry_id,
    pp.branch,
    pp.region,
    pp.country,
    pc.effective_capacity as capacity,
    pc.counts and pp.pair_active as feeds
from private.partner_pairs as pp
inner join private.partner_capacity as pc on pp.partner_id = pc.partner_id;

revoke all on private.partner_combinations_scan from public, anon, authenticated, service_role;
