-- The capacity rule of private.partner_capacity, written for looking up a few partners: the latest counting
-- subscription is found per partner through its index (a lateral lookup), where private.partner_capacity
-- reads them all in one ordered pass. Following a partner change and planning a few segments join this
-- view on partner_id; tests/test_follow_changes.py proves both views agree on every partner.
create or replace view private.partner_capacity_lookup as
select
    p.id as partner_id,
    coalesce(s.leads_per_month, p.max_open_leads, 0) as effective_capacity,
    p.is_active_for_routing
    and not p.is_admin
    and coalesce(s.leads_per_month, p.max_open_leads, 0) > 0
    and (
        not st.require_active_payment_method
        or exists (
            select from public.payment_methods as pm
            where pm.user_id = p.id and pm.status = 'active'
        )
    ) as counts
from public.profiles as p
cross join public.segment_sync_settings as st
left join lateral (
    select sub.leads_per_month
    from public.subscriptions as sub
    where sub.user_id = p.id and sub.status = 'active' and not sub.is_paused
    order by sub.created_at desc, sub.id desc
    limit 1
) as s on true;

revoke all on private.partner_capacity_lookup from public, anon, authenticated, service_role;
