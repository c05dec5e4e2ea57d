-- Every partner with each capacity rule of the contract evaluated: the one place the rules live.
-- Effective capacity: leads_per_month of the most recent active, unpaused subscription when set (also 0),
-- else profiles.max_open_leads, else 0. Plain SQL without SET options so the planner inlines it.
create or replace function private.partner_capacity()
returns table (
    partner_id uuid,
    is_active_for_routing boolean,
    is_admin boolean,
    subscription_id uuid,
    subscription_leads_per_month integer,
    max_open_leads integer,
    effective_capacity integer,
    capacity_source text,
    payment_method_required boolean,
    has_active_payment_method boolean,
    counts boolean
)
language sql
stable
as $$
    select
        p.id,
        p.is_active_for_routing,
        p.is_admin,
        s.id,
        s.leads_per_month,
        p.max_open_leads,
        coalesce(s.leads_per_month, p.max_open_leads, 0),
        case
            when s.leads_per_month is not null then 'subscription'
            when p.max_open_leads is not null then 'max_open_leads'
            else 'none'
        end,
        st.require_active_payment_method,
        p.id in (select pm.user_id from public.payment_methods as pm where pm.status = 'active'),
        p.is_active_for_routing
        and not p.is_admin
        and coalesce(s.leads_per_month, p.max_open_leads, 0) > 0
        and (
            not st.require_active_payment_method
            or p.id in (select pm.user_id from public.payment_methods as pm where pm.status = 'active')
        )
    from public.profiles as p
    cross join public.segment_sync_settings as st
    -- one ordered pass over the counting subscriptions' index beats a lookup per partner (see bench/)
    left join (
        select distinct on (sub.user_id) sub.user_id, sub.id, sub.leads_per_month
        from public.subscriptions as sub
        where sub.status = 'active' and not sub.is_paused
        order by sub.user_id asc, sub.created_at desc, sub.id desc
    ) as s on s.user_id = p.id
$$;

revoke all on function private.partner_capacity() from public;
