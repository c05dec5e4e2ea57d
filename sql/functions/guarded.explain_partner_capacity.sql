-- Why a partner does or does not count as capacity: one row per rule of the contract, in order, with
-- whether it passed and a reason a person can act on. The SOP's troubleshooting list, answered by the database.
-- For a partner that feeds combinations, two more rows say how the planner uses its capacity: how many active
-- segments share it and its share in each, and the leads it received this month (what is still open).
-- security definer: reads the partner's subscriptions, payment methods and preferences; admins may explain
-- anyone, a partner only itself.
create or replace function guarded.explain_partner_capacity(p_partner_id uuid)
returns table (step integer, rule text, passed boolean, reason text)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    v_partner record;
    v_branches text[];
    v_inactive_branches text[];
    v_regions text[];
    v_inactive_regions text[];
    v_combinations text[];
    v_shared_by text[];
    v_share numeric;
    v_timezone text;
    v_today date;
    v_received bigint;
    v_received_today bigint;
begin
    -- a null id must not slip past the check: `auth.uid() = null` is null, not false
    if not (
        guarded.is_admin()
        or coalesce(guarded.request_role() = 'authenticated' and auth.uid() = p_partner_id, false)
    ) then
        perform guarded.assert_admin();
    end if;

    select * into v_partner from private.partner_capacity as pc where pc.partner_id = p_partner_id;
    if not found then
        raise exception 'no partner with id %', p_partner_id
        -- PT404: PostgREST answers HTTP 404 (other P0 codes become 500)
        using errcode = 'PT404', hint = 'A partner is a row in public.profiles.';
    end if;

    select
        array_agg(i.slug order by i.slug) filter (where i.is_active),
        array_agg(i.slug order by i.slug) filter (where not i.is_active)
    into v_branches, v_inactive_branches
    from public.user_industry_preferences as uip
    inner join public.industries as i on i.id = uip.industry_id
    where uip.user_id = p_partner_id and uip.is_enabled;

    select
        array_agg(r.code order by r.code) filter (where r.is_active),
        array_agg(r.code order by r.code) filter (where not r.is_active)
    into v_regions, v_inactive_regions
    from public.user_location_preferences as ulp
    inner join public.regions as r on r.code = ulp.location_code
    where ulp.user_id = p_partner_id and ulp.is_enabled;

    select
        array_agg(pc.branch || ' + ' || pc.region order by pc.branch, pc.region),
        array_agg(s.code order by s.code) filter (where s.is_active)
    into v_combinations, v_shared_by
    from private.partner_combinations as pc
    left join public.lead_segments as s on pc.branch = s.branch and pc.region = s.region
    where pc.partner_id = p_partner_id and pc.feeds;

    -- the configured zone's calendar month so far (the planner counts those before the day it plans)
    select st.timezone into strict v_timezone from public.segment_sync_settings as st;
    v_today := private.local_today();
    select
        pg_catalog.count(*),
        pg_catalog.count(*) filter (where l.created_at >= v_today::timestamp at time zone v_timezone)
    into v_received, v_received_today
    from public.leads as l
    where
        l.partner_id = p_partner_id
        and l.created_at >= pg_catalog.date_trunc('month', v_today)::timestamp at time zone v_timezone;
    v_share := v_partner.effective_capacity::numeric / nullif(pg_catalog.cardinality(v_shared_by), 0);

    return query values
    (
        1, 'routing active', v_partner.is_active_for_routing,
        case when v_partner.is_active_for_routing
            then 'profiles.is_active_for_routing is true'
            else 'profiles.is_active_for_routing is false: no leads are routed to this partner'
        end
    ),
    (
        2, 'not an admin', not v_partner.is_admin,
        case when v_partner.is_admin
            then 'profiles.is_admin is true: admin accounts never count as capacity'
            else 'profiles.is_admin is false'
        end
    ),
    (
        3, 'capacity above 0', v_partner.effective_capacity > 0,
        case v_partner.capacity_source
            when 'subscription' then pg_catalog.format(
                '%s leads a month from subscription %s (the most recent active, unpaused one%s)',
                v_partner.effective_capacity, v_partner.subscription_id,
                case when v_partner.max_open_leads is not null
                    then pg_catalog.format('; it takes precedence over max_open_leads %s', v_partner.max_open_leads)
                    else ''
                end
            )
            when 'max_open_leads' then pg_catalog.format(
                '%s leads a month from profiles.max_open_leads (no active, unpaused subscription sets leads_per_month)',
                v_partner.effective_capacity
            )
            else 'no capacity: no active, unpaused subscription sets leads_per_month and max_open_leads is not set'
        end
    ),
    (
        4, 'active payment method', not v_partner.payment_method_required or v_partner.has_active_payment_method,
        case
            when not v_partner.payment_method_required
                then 'not required (segment_sync_settings.require_active_payment_method is false)'
            when v_partner.has_active_payment_method then 'required, and an active payment method exists'
            else 'required, but no payment method has status active'
        end
    ),
    (
        5, 'enabled branches', v_branches is not null,
        case when v_branches is not null
            then 'enabled for ' || pg_catalog.array_to_string(v_branches, ', ')
            else 'no enabled preference for an active industry'
        end
        || coalesce('; inactive industries ignored: ' || pg_catalog.array_to_string(v_inactive_branches, ', '), '')
    ),
    (
        6, 'enabled regions', v_regions is not null,
        case when v_regions is not null
            then 'enabled for ' || pg_catalog.array_to_string(v_regions, ', ')
            else 'no enabled preference for an active region'
        end
        || coalesce('; inactive regions ignored: ' || pg_catalog.array_to_string(v_inactive_regions, ', '), '')
    ),
    (
        7, 'contributes to combinations', v_combinations is not null,
        case when v_combinations is not null
            then 'feeds ' || pg_catalog.array_to_string(v_combinations, ', ')
            else 'contributes to no combination: see the rules above that did not pass'
        end
    )
    -- the planner's view of a partner that feeds combinations
    union all
    select
        8, 'capacity shared by segments', v_shared_by is not null,
        case when v_shared_by is not null
            then pg_catalog.format(
                '%s leads a month shared by %s active segment%s: %s each (%s)',
                v_partner.effective_capacity, pg_catalog.cardinality(v_shared_by),
                case when pg_catalog.cardinality(v_shared_by) = 1 then '' else 's' end,
                pg_catalog.round(v_share, 2), pg_catalog.array_to_string(v_shared_by, ', ')
            )
            else 'no active segment for its combinations yet: the sync creates them'
        end
    where v_combinations is not null
    union all
    select
        9, 'capacity open this month', v_received < v_partner.effective_capacity,
        pg_catalog.format(
            '%s lead%s received this month (%s), %s of them today: %s of %s still open%s',
            v_received, case when v_received = 1 then '' else 's' end, v_timezone, v_received_today,
            greatest(0, v_partner.effective_capacity - v_received), v_partner.effective_capacity,
            case when v_shared_by is not null
                then pg_catalog.format(
                    ', %s in each segment',
                    pg_catalog.round(
                        greatest(0, v_partner.effective_capacity - v_received)::numeric
                        / pg_catalog.cardinality(v_shared_by),
                        2
                    )
                )
                else ''
            end
        )
        || case when v_received >= v_partner.effective_capacity
            then '; full: the planner plans no leads for it until next month'
            else ''
        end
    where v_combinations is not null;
end;
$$;

revoke all on function guarded.explain_partner_capacity(uuid) from public, anon, authenticated;
grant execute on function guarded.explain_partner_capacity(uuid) to authenticated, service_role;
