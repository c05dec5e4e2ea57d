-- Which combinations a partner asks for: one row per partner and each branch x region pair it has both
-- preferences enabled for, and whether that branch and region are active. The pairing half of the capacity
-- rule, written once; private.partner_combinations and private.partner_combinations_scan add the partner's
-- capacity to it. Not granted to anyone: read by the private views and functions.
create or replace view private.partner_pairs as
select
    uip.user_id as partner_id,
    i.id as industry_id,
    i.slug as branch,
    r.code as region,
    r.country,
    i.is_active and r.is_active as pair_active
from public.user_industry_preferences as uip
inner join public.user_location_preferences as ulp
    on uip.user_id = ulp.user_id and ulp.is_enabled
inner join public.industries as i on uip.industry_id = i.id
inner join public.regions as r on ulp.location_code = r.code
where uip.is_enabled;

revoke all on private.partner_pairs from public, anon, authenticated, service_role;
