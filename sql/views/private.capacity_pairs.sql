-- One row per counting partner and each enabled branch x region preference it has, with its effective
-- capacity. Whether the industry and region are active is left to private.capacity_combos, so the big join
-- runs on narrow ids. Not granted to anyone: read by the private functions.
create or replace view private.capacity_pairs as
select
    pc.partner_id,
    uip.industry_id,
    ulp.location_code as region,
    pc.effective_capacity as capacity
from private.partner_capacity as pc
inner join public.user_industry_preferences as uip
    on pc.partner_id = uip.user_id and uip.is_enabled
inner join public.user_location_preferences as ulp
    on pc.partner_id = ulp.user_id and ulp.is_enabled
where pc.counts;

revoke all on private.capacity_pairs from public, anon, authenticated, service_role;
