-- One row per counting partner and each branch x region pair it has (enabled preferences to active
-- industries and regions), with its effective capacity.
create or replace function private.capacity_pairs()
returns table (partner_id uuid, branch text, region text, country text, capacity integer)
language sql
stable
as $$
    select pc.partner_id, i.slug, r.code, r.country, pc.effective_capacity
    from private.partner_capacity() as pc
    inner join public.user_industry_preferences as uip
        on uip.user_id = pc.partner_id and uip.is_enabled
    inner join public.industries as i on i.id = uip.industry_id and i.is_active
    inner join public.user_location_preferences as ulp
        on ulp.user_id = pc.partner_id and ulp.is_enabled
    inner join public.regions as r on r.code = ulp.location_code and r.is_active
    where pc.counts
$$;

revoke all on function private.capacity_pairs() from public;
