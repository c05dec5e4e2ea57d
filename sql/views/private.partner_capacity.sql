-- Every partner with each capacity rule of the contract evaluated: the one place the rules live.
-- Effective capacity: leads_per_month of the most recent active, unpaused subscription when set (also 0),
-- else profiles.max_open_leads, else 0. A view (not a function) so it has no search_path to fix and the
-- planner inlines it into every query that uses it. Not granted to anyone: read by the private functions.
create or replace view private.partner_capacity as
select
    p.id as partner_id,
    p.is_active_for_routing,
    p.is_admin,
    s.id as subscription_id,
    s.leads_per_month as subscription_leads_per_month,
    p.max_open_leads,
    coalesce(s.leads_per_month, p.max_open_leads, 0) as effective_capacity,
    case
        when s.leads_per_month is not null then 'subscription'
        when p.max_open_leads is not null then 'max_open_leads'
        else 'none'
    end as capacity_source,
    st.require_active_payment_method as payment_method_required,
    -- a hashed subplan: one pass over the active payment methods, not a probe per partner
    p.id in (
        select pm.user_id from public.payment_methods as pm
        where pm.status = 'active'
    ) as has_active_payment_method,
    p.is_active_for_routing
    and not p.is_admin
    and coalesce(s.leads_per_month, p.max_open_leads, 0) > 0
    and (
        not st.require_active_payment_method
        or p.id in (
            select pm.user_id from public.payment_methods as pm
            where pm.status = 'active'
        )
    ) as counts
from public.profiles as p
cross join public.segment_sync_settings as st
-- one ordered pass over the counting subscriptions' index beats a lookup per partner (see bench/)
left join (  -- noqa: ST05
    select distinct on (sub.user_id)
        sub.user_id,
        sub.id,
        sub.leads_per_month
    from public.subscriptions as sub
    where sub.status = 'active' and not sub.is_paused
    order by sub.user_id asc, sub.created_at desc, sub.id desc
) as s on p.id = s.user_id;

revoke all on private.partner_capacity from public, anon, authenticated, service_role;
