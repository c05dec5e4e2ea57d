-- The rule of which partner feeds which combination, in one view (sql/views/private.partner_combinations.sql).

-- The rule of which partner feeds which combination, in one place: one row per partner and each branch x region
-- pair it has both preferences enabled for, with its effective capacity; `feeds` says whether it counts there
-- (the partner counts, the industry and the region are active). The sync's aggregate, following, the planner,
-- explain_partner_capacity and segment_partners all read this view (filtered by combination, by partner or
-- not at all), so a change to the rule is a change here. Not granted to anyone: read by the private functions.
create or replace view private.partner_combinations as
select
    pc.partner_id,
    i.id as industry_id,
    i.slug as branch,
    r.code as region,
    r.country,
    pc.effective_capacity as capacity,
    pc.counts and i.is_active and r.is_active as feeds
from public.user_industry_preferences as uip
inner join public.user_location_preferences as ulp
    on uip.user_id = ulp.user_id and ulp.is_enabled
inner join public.industries as i on uip.industry_id = i.id
inner join public.regions as r on ulp.location_code = r.code
inner join private.partner_capacity_lookup as pc on uip.user_id = pc.partner_id
where uip.is_enabled;

revoke all on private.partner_combinations from public, anon, authenticated, service_role;
