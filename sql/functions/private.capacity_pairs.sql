-- One row per counting partner and each enabled branch x region preference it has, with its effective
-- capacity. Whether the industry and region are active is left to the caller (private.capacity_combos),
-- so the big join runs on narrow ids.
create or replace function private.capacity_pairs()
returns table (partner_id uuid, industry_id bigint, region text, capacity integer)
language sql
stable
as $$
    select pc.partner_id, uip.industry_id, ulp.location_code, pc.effective_capacity
    from private.partner_capacity() as pc
    inner join public.user_industry_preferences as uip
        on uip.user_id = pc.partner_id and uip.is_enabled
    inner join public.user_location_preferences as ulp
        on ulp.user_id = pc.partner_id and ulp.is_enabled
    where pc.counts
$$;

revoke all on function private.capacity_pairs() from public;
