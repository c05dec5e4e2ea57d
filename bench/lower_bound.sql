-- The lower bound: one plain aggregate of the eligible partner x branch x region pairs, no writes. What
-- any sync must at least do: read the capacity once. Written out by hand, independent of the functions.
select
    count(*) as combinations,
    sum(agg.partners) as pairs,
    sum(agg.total_leads) as total_leads
from (
    select
        uip.industry_id,
        ulp.location_code,
        count(*) as partners,
        sum(eligible.capacity) as total_leads
    from (
        select
            p.id,
            coalesce(latest.leads_per_month, p.max_open_leads, 0) as capacity
        from public.profiles as p
        cross join public.segment_sync_settings as st
        left join (
            select distinct on (s.user_id)
                s.user_id,
                s.leads_per_month
            from public.subscriptions as s
            where s.status = 'active' and not s.is_paused
            order by s.user_id asc, s.created_at desc, s.id desc
        ) as latest on p.id = latest.user_id
        where
            p.is_active_for_routing
            and not p.is_admin
            and (
                not st.require_active_payment_method
                or p.id in (
                    select pm.user_id from public.payment_methods as pm
                    where pm.status = 'active'
                )
            )
    ) as eligible
    inner join public.user_industry_preferences as uip on eligible.id = uip.user_id and uip.is_enabled
    inner join public.user_location_preferences as ulp on eligible.id = ulp.user_id and ulp.is_enabled
    where eligible.capacity > 0
    group by uip.industry_id, ulp.location_code
) as agg
inner join public.industries as i on agg.industry_id = i.id and i.is_active
inner join public.regions as r on agg.location_code = r.code and r.is_active
