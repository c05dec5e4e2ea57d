-- Targets that add up (issue 17): a partner's capacity is shared by the active segments it feeds, and leads it
-- received this month lower what is still open. Plans store the share (capacity_allocated) and the open part
-- (capacity_open); the overview shows both. Leads are indexed for the planner's month read (one range over
-- created_at for all partners, one range per partner for a few segments) and a segment's day.
-- Function and view bodies come from sql/functions/ and sql/views/: edit those files, not this one.

alter table public.lead_segment_plans
add column capacity_allocated numeric(12, 2) not null default 0,
add column capacity_open numeric(12, 2) not null default 0,
add constraint lead_segment_plans_shares_not_negative check (
    capacity_allocated >= 0 and capacity_open >= 0 and capacity_open <= capacity_allocated
);

comment on column public.lead_segment_plans.capacity_allocated is
'The segment''s share of its partners'' capacity (leads a month): capacity / active segments the partner feeds.';
comment on column public.lead_segment_plans.capacity_open is
'What its partners can still take this month through the segment: (capacity - leads received this month) / segments.';

-- the planner's month: every partner's leads from the month's start to the day, read from the index alone
create index leads_created_at_partner_idx on public.leads (created_at, partner_id) where partner_id is not null;
-- a few partners' months (following) and a few segments' days: one range each; they also index the foreign keys
create index leads_partner_created_at_idx on public.leads (partner_id, created_at);
drop index public.leads_partner_idx;
create index leads_segment_created_at_idx on public.leads (segment_id, created_at);
drop index public.leads_segment_idx;

-- the overview gains columns in the middle: drop and recreate the view and its rows function
drop view public.segment_overview;
drop function private.segment_overview_rows();

set check_function_bodies = off;

-- What a segment's plan for date D is computed from (the contract's "The planner (targets)"): its counting
-- partners and their capacity (as in the combos), its share of their capacity (capacity_allocated: each partner's
-- capacity divided by the number k_p of active segments it feeds) and what they can still take this month through
-- it (capacity_open: each partner's capacity less the leads it received in D's month before D, divided by k_p),
-- and its leads of D (configured time zone). Every partner's combinations come from private.partner_combinations.
-- p_segment_ids null: every active segment and every segment with a plan for D (a segment deactivated since is
-- re-planned to 0). Else just those segments, computed from their own partners only (following a change): two
-- separate statements, so a few segments never plan or run the marketplace-wide aggregate.
create or replace function private.segment_shares(p_date date, p_segment_ids bigint[])
returns table (
    segment_id bigint,
    is_active boolean,
    capacity_partners bigint,
    capacity_total_leads bigint,
    capacity_allocated numeric,
    capacity_open numeric,
    actual_leads bigint
)
language plpgsql
stable
set search_path = ''
as $$
declare
    v_timezone text;
    v_month_start timestamptz;
    v_day_start timestamptz;
    v_day_end timestamptz;
begin
    -- local midnights of the configured zone: the month's and the day's bounds are right across DST changes
    select st.timezone into strict v_timezone from public.segment_sync_settings as st;
    v_month_start := pg_catalog.date_trunc('month', p_date)::timestamp at time zone v_timezone;
    v_day_start := p_date::timestamp at time zone v_timezone;
    v_day_end := (p_date + 1)::timestamp at time zone v_timezone;

    if p_segment_ids is null then
        return query
        with feeding as (
            select pc.partner_id, pc.capacity, s.id as segment_id, s.is_active
            from private.partner_combinations as pc
            inner join public.lead_segments as s on pc.branch = s.branch and pc.region = s.region
            where pc.feeds
        ),

        shared as (
            select
                f.*,
                pg_catalog.count(*) filter (where f.is_active) over (partition by f.partner_id) as k
            from feeding as f
        ),

        -- this month's leads before D: one range read of the (created_at, partner_id) index
        delivered as (
            select l.partner_id, pg_catalog.count(*) as leads
            from public.leads as l
            where l.created_at >= v_month_start and l.created_at < v_day_start and l.partner_id is not null
            group by l.partner_id
        ),

        per_segment as (
            select
                sh.segment_id,
                pg_catalog.count(*) as partners,
                pg_catalog.sum(sh.capacity)::bigint as total_leads,
                pg_catalog.sum(sh.capacity::numeric / sh.k) filter (where sh.is_active) as allocated,
                pg_catalog.sum(greatest(0, sh.capacity - coalesce(d.leads, 0))::numeric / sh.k)
                filter (where sh.is_active) as open
            from shared as sh
            left join delivered as d on sh.partner_id = d.partner_id
            group by sh.segment_id
        ),

        actuals as (
            select l.segment_id, pg_catalog.count(*) as leads
            from public.leads as l
            where l.created_at >= v_day_start and l.created_at < v_day_end
            group by l.segment_id
        )

        select
            s.id,
            s.is_active,
            coalesce(ps.partners, 0),
            coalesce(ps.total_leads, 0),
            coalesce(ps.allocated, 0),
            coalesce(ps.open, 0),
            coalesce(a.leads, 0)
        from public.lead_segments as s
        left join per_segment as ps on s.id = ps.segment_id
        left join actuals as a on s.id = a.segment_id
        where s.is_active or exists (
            select from public.lead_segment_plans as p where p.segment_id = s.id and p.date = p_date
        );
    else
        return query
        with targets as (
            select s.id, s.branch, s.region, s.is_active
            from public.lead_segments as s
            where s.id = any(p_segment_ids)
        ),

        -- per segment, its own combination's partners: a lateral lookup that is not flattened (offset 0), so
        -- the generic plan following uses probes the indexes per combination instead of hashing every
        -- partner's preferences (tests/test_planner_shares.py counts the blocks it reads)
        feeding as (
            select t.id as segment_id, t.is_active, pc.partner_id, pc.capacity
            from targets as t
            cross join lateral (
                select own.partner_id, own.capacity
                from private.partner_combinations as own
                where own.branch = t.branch and own.region = t.region and own.feeds
                offset 0
            ) as pc
        ),

        -- per partner, through its own rows only: how many active segments share it, and its leads this month
        shared as (
            select f.*, k.segments as k, d.leads as delivered
            from feeding as f
            cross join lateral (
                select pg_catalog.count(*) as segments
                from private.partner_combinations as own
                inner join public.lead_segments as s
                    on own.branch = s.branch and own.region = s.region and s.is_active
                where own.partner_id = f.partner_id and own.feeds
            ) as k
            cross join lateral (
                select pg_catalog.count(*) as leads
                from public.leads as l
                where l.partner_id = f.partner_id and l.created_at >= v_month_start and l.created_at < v_day_start
            ) as d
        ),

        per_segment as (
            select
                sh.segment_id,
                pg_catalog.count(*) as partners,
                pg_catalog.sum(sh.capacity)::bigint as total_leads,
                pg_catalog.sum(sh.capacity::numeric / sh.k) filter (where sh.is_active) as allocated,
                pg_catalog.sum(greatest(0, sh.capacity - sh.delivered)::numeric / sh.k)
                filter (where sh.is_active) as open
            from shared as sh
            group by sh.segment_id
        )

        select
            t.id,
            t.is_active,
            coalesce(ps.partners, 0),
            coalesce(ps.total_leads, 0),
            coalesce(ps.allocated, 0),
            coalesce(ps.open, 0),
            (
                select pg_catalog.count(*) from public.leads as l
                where l.segment_id = t.id and l.created_at >= v_day_start and l.created_at < v_day_end
            )
        from targets as t
        left join per_segment as ps on t.id = ps.segment_id;
    end if;
end;
$$;

revoke all on function private.segment_shares(date, bigint[]) from public;

-- Writes the plans of one date: a daily lead target per segment from its share of its partners' capacity
-- (private.segment_shares) and the settings, the day's leads and the gap. p_segment_ids null: every active
-- segment, and re-plans an existing plan of a segment deactivated since (its target becomes 0); else just those
-- segments (following a change, a hold), from their own partners only. Older plans are never touched; an
-- unchanged plan is not rewritten. Returns the counts and totals for the run's result: summed over all segments
-- the monthly targets are target_ratio x the allocated capacity, plus what the minimum target adds.
create or replace function private.write_segment_plans(p_date date, p_segment_ids bigint[])
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_settings public.segment_sync_settings;
    v_result jsonb;
begin
    select * into strict v_settings from public.segment_sync_settings;
    with monthly as (
        select
            sh.*,
            case
                when not sh.is_active or sh.capacity_open = 0 then 0
                else least(
                    sh.capacity_allocated,
                    greatest(v_settings.min_target_leads_per_month, v_settings.target_ratio * sh.capacity_allocated)
                )
            end as target_leads_per_month
        from private.segment_shares(p_date, p_segment_ids) as sh
    ),

    daily as (
        select
            m.*,
            -- never more a day than the partners can still take this month
            pg_catalog.round(least(m.target_leads_per_month / v_settings.days_per_month, m.capacity_open), 2)
            as target_leads_per_day
        from monthly as m
    ),

    planned as (
        select
            d.*,
            d.target_leads_per_day - d.actual_leads as lead_gap,
            case
                when d.target_leads_per_day > 0
                    then pg_catalog.round((d.target_leads_per_day - d.actual_leads) / d.target_leads_per_day * 100, 2)
            end as lead_gap_percentage
        from daily as d
    ),

    written as (
        insert into public.lead_segment_plans as lsp (
            segment_id, date, capacity_partners, capacity_total_leads, capacity_allocated, capacity_open,
            target_leads_per_month, target_leads_per_day, actual_leads, lead_gap, lead_gap_percentage
        )
        select
            p.segment_id, p_date, p.capacity_partners, p.capacity_total_leads,
            pg_catalog.round(p.capacity_allocated, 2), pg_catalog.round(p.capacity_open, 2),
            pg_catalog.round(p.target_leads_per_month, 2), p.target_leads_per_day, p.actual_leads,
            p.lead_gap, p.lead_gap_percentage
        from planned as p
        on conflict (segment_id, date) do update
        set
            capacity_partners = excluded.capacity_partners,
            capacity_total_leads = excluded.capacity_total_leads,
            capacity_allocated = excluded.capacity_allocated,
            capacity_open = excluded.capacity_open,
            target_leads_per_month = excluded.target_leads_per_month,
            target_leads_per_day = excluded.target_leads_per_day,
            actual_leads = excluded.actual_leads,
            lead_gap = excluded.lead_gap,
            lead_gap_percentage = excluded.lead_gap_percentage,
            updated_at = pg_catalog.now()
        -- an unchanged plan is not rewritten
        where (
            lsp.capacity_partners, lsp.capacity_total_leads, lsp.capacity_allocated, lsp.capacity_open,
            lsp.target_leads_per_month,
            lsp.target_leads_per_day, lsp.actual_leads, lsp.lead_gap, lsp.lead_gap_percentage
        ) is distinct from (
            excluded.capacity_partners, excluded.capacity_total_leads, excluded.capacity_allocated,
            excluded.capacity_open, excluded.target_leads_per_month,
            excluded.target_leads_per_day, excluded.actual_leads, excluded.lead_gap,
            excluded.lead_gap_percentage
        )
        returning lsp.segment_id
    )

    select pg_catalog.jsonb_build_object(
        'date', p_date,
        'timezone', v_settings.timezone,
        'segments_planned', pg_catalog.count(*),
        'active_segments', pg_catalog.count(*) filter (where p.is_active),
        'zero_target_segments', pg_catalog.count(*) filter (where p.target_leads_per_day = 0),
        'total_capacity_allocated', pg_catalog.round(coalesce(pg_catalog.sum(p.capacity_allocated), 0), 2),
        'total_capacity_open', pg_catalog.round(coalesce(pg_catalog.sum(p.capacity_open), 0), 2),
        'total_target_leads_per_month', pg_catalog.round(coalesce(pg_catalog.sum(p.target_leads_per_month), 0), 2),
        'total_target_leads_per_day', coalesce(pg_catalog.sum(p.target_leads_per_day), 0),
        'total_actual_leads', coalesce(pg_catalog.sum(p.actual_leads), 0),
        'plans_written', (select pg_catalog.count(*) from written)
    )
    into v_result
    from planned as p;
    return v_result;
end;
$$;

revoke all on function private.write_segment_plans(date, bigint[]) from public;

-- The planner as the API offers it (public.plan_segment_targets): admins only, checked first; the date
-- defaults to today in the configured time zone, and must be finite and at most a year from today (22023, before
-- a run starts: a plan that far ahead has no capacity to go on). Logged with trigger 'sql' (or 'cli').
-- security definer: reads every partner's capacity and writes plans for the admins it admits.
create or replace function private.plan_segment_targets(p_date date default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_today date;
begin
    perform private.assert_admin();
    v_today := private.local_today();
    if not pg_catalog.isfinite(p_date) then
        raise exception 'cannot plan for date %: a plan needs a finite date', p_date
        using errcode = 'invalid_parameter_value', hint = 'Give a date such as 2026-12-01, or none for today.';
    end if;
    if p_date > (v_today + interval '1 year')::date then
        raise exception 'cannot plan for date %: more than a year from today (%)', p_date, v_today
        using errcode = 'invalid_parameter_value',
        hint = 'Plan today or a date up to a year ahead; capacity that far ahead is not known.';
    end if;
    return private.run_plan(coalesce(p_date, v_today), private.request_trigger('sql'), null);
end;
$$;

revoke all on function private.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function private.plan_segment_targets(date) to authenticated, service_role;

-- The rows of public.segment_overview: every segment with its current capacity and today's plan (configured
-- time zone): its share of its partners' capacity (allocated) and what they can still take this month through
-- it (open), target, actual leads and gap as the planner wrote them (null before today is planned).
-- security definer: aggregates every partner's capacity for the admins it admits.
create or replace function private.segment_overview_rows()
returns table (
    code text,
    branch text,
    region text,
    is_active boolean,
    is_held boolean,
    capacity_partners bigint,
    capacity_total_leads bigint,
    capacity_allocated numeric,
    capacity_open numeric,
    target_leads_per_day numeric,
    actual_leads integer,
    lead_gap numeric
)
language plpgsql
stable
security definer
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
begin
    perform private.assert_admin();
    return query
    select
        s.code,
        s.branch,
        s.region,
        s.is_active,
        s.held_at is not null,
        coalesce(cc.capacity_partners, 0),
        coalesce(cc.capacity_total_leads, 0),
        p.capacity_allocated,
        p.capacity_open,
        p.target_leads_per_day,
        p.actual_leads,
        p.lead_gap
    from public.lead_segments as s
    left join private.capacity_combos as cc on s.branch = cc.branch and s.region = cc.region
    left join public.lead_segment_plans as p
        on
            s.id = p.segment_id
            and p.date = private.local_today()
    order by s.code;
end;
$$;

revoke all on function private.segment_overview_rows() from public, anon, authenticated;
grant execute on function private.segment_overview_rows() to authenticated, service_role;

-- Why a partner does or does not count as capacity: one row per rule of the contract, in order, with
-- whether it passed and a reason a person can act on. The SOP's troubleshooting list, answered by the database.
-- For a partner that feeds combinations, two more rows say how the planner uses its capacity: how many active
-- segments share it and its share in each, and the leads it received this month (what is still open).
-- security definer: reads the partner's subscriptions, payment methods and preferences; admins may explain
-- anyone, a partner only itself.
create or replace function private.explain_partner_capacity(p_partner_id uuid)
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
        private.is_admin()
        or coalesce(private.request_role() = 'authenticated' and auth.uid() = p_partner_id, false)
    ) then
        perform private.assert_admin();
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

revoke all on function private.explain_partner_capacity(uuid) from public, anon, authenticated;
grant execute on function private.explain_partner_capacity(uuid) to authenticated, service_role;

-- The partners feeding a segment: everyone with both of its preferences enabled (private.partner_combinations),
-- whether they count as capacity there now and with how many leads a month, counting partners first. 42501 for
-- a caller who is not an admin, PT404 for an unknown code.
-- security definer: reads every partner's preferences, subscriptions and account for the admins it admits.
create or replace function private.segment_partners(p_code text)
returns table (partner_id uuid, email text, company_name text, counts boolean, effective_capacity integer)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    v_segment public.lead_segments;
begin
    perform private.assert_admin();
    select s.* into v_segment from public.lead_segments as s where s.code = p_code;
    if not found then
        raise exception 'no segment with code "%"', p_code using errcode = 'PT404';
    end if;
    return query
    select pc.partner_id, u.email, p.company_name, pc.feeds, pc.capacity
    from private.partner_combinations as pc
    inner join public.profiles as p on pc.partner_id = p.id
    left join auth.users as u on p.id = u.id
    where pc.branch = v_segment.branch and pc.region = v_segment.region
    order by pc.feeds desc, pc.capacity desc, u.email;
end;
$$;

revoke all on function private.segment_partners(text) from public, anon, authenticated;
grant execute on function private.segment_partners(text) to authenticated, service_role;

-- One row per segment for admins: code, branch, region, whether it is active or held, its current capacity,
-- and today's allocated and open capacity, target, actual leads and gap (configured time zone; null before
-- today is planned).
-- security_invoker: it runs as the reader; private.segment_overview_rows admits only admins.
create or replace view public.segment_overview
with (security_invoker = true)
as
select
    o.code,
    o.branch,
    o.region,
    o.is_active,
    o.is_held,
    o.capacity_partners,
    o.capacity_total_leads,
    o.capacity_allocated,
    o.capacity_open,
    o.target_leads_per_day,
    o.actual_leads,
    o.lead_gap
from private.segment_overview_rows() as o;

revoke all on public.segment_overview from public, anon, authenticated;
grant select on public.segment_overview to authenticated, service_role;
