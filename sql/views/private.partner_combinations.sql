-- The rule of which partner feeds which combination: one row per partner and each branch x region pair it asks
-- for (private.partner_pairs), with its effective capacity; `feeds` says whether it counts there (the partner
-- counts, the industry and the region are active). For reading a few combinations or partners: following, the
-- sync's re-check of a few combinations, the planner's few segments, explain_partner_capacity and
-- segment_partners filter it, and each partner's capacity is looked up through its indexes
-- (private.partner_capacity_lookup). Reading every row, private.partner_combinations_scan is the same rule
-- in one pass (tests/test_follow_changes.py proves both give the same rows). Not granted to anyone.
create or replace view private.partner_combinations as
select
    pp.partner_id,
    pp.industry_id,
    pp.branch,
    pp.region,
    pp.country,
    pc.effective_capacity as capacity,
    pc.counts and pp.pair_active as feeds
from private.partner_pairs as pp
inner join private.partner_capacity_lookup as pc on pp.partner_id = pc.partner_id;

revoke all on private.partner_combinations from public, anon, authenticated, service_role;
