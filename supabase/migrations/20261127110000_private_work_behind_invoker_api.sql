-- Hosted Supabase's advisors: no security definer function in the exposed schema, a fixed search_path on
-- every function. The public API now runs as the caller (security invoker) and calls a private function that
-- checks the caller and does the work that crosses row level security. The capacity rule becomes three views
-- in `private` (views have no search_path and are still inlined into the aggregate).
-- Function and view bodies come from sql/functions/ and sql/views/: edit those files, not this one.
set check_function_bodies = off;

drop function private.capacity_combos();
drop function private.capacity_pairs();
drop function private.partner_capacity();

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

-- Every branch x region combination with capacity (active industries and regions only): how many partners
-- count there and their leads a month. Aggregated on ids first, named after: the same result, a smaller join.
-- Not granted to anyone: read by the private functions.
create or replace view private.capacity_combos as
select
    i.slug as branch,
    r.code as region,
    r.country,
    agg.partners as capacity_partners,
    agg.total_leads as capacity_total_leads
from (
    select
        cp.industry_id,
        cp.region,
        count(*) as partners,
        sum(cp.capacity)::bigint as total_leads
    from private.capacity_pairs as cp
    group by cp.industry_id, cp.region
) as agg
inner join public.industries as i on agg.industry_id = i.id and i.is_active
inner join public.regions as r on agg.region = r.code and r.is_active;

revoke all on private.capacity_combos from public, anon, authenticated, service_role;

-- Raises 42501 unless the caller is an admin (see private.is_admin).
create or replace function private.assert_admin()
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
    if not private.is_admin() then
        raise exception 'only admins may do this (caller: %)', private.request_caller()
        using errcode = 'insufficient_privilege',
        hint = 'Use the service_role key, or sign in as a user whose profile has is_admin = true.';
    end if;
end;
$$;

revoke all on function private.assert_admin() from public;
-- the API functions run as the caller and check it first
grant execute on function private.assert_admin() to authenticated, service_role;

-- Who is calling, for the run log: 'user:<uuid>' for a signed-in user, else the role name.
create or replace function private.request_caller()
returns text
language sql
stable
set search_path = ''
as $$
    select case
        when private.request_role() = 'authenticated' and auth.uid() is not null then 'user:' || auth.uid()::text
        else private.request_role()
    end
$$;

revoke all on function private.request_caller() from public;
grant execute on function private.request_caller() to authenticated, service_role;

-- The capacity sync: one active segment for every branch x region combination with capacity, none elsewhere.
-- Creates missing segments, reactivates inactive ones, deactivates those without capacity; never deletes.
-- Set-based: the same few statements whatever the number of partners or segments. A failed run rolls back
-- its changes and returns status 'failed'; its run row stays.
-- security definer: writes segments for every caller it admits; the admin check in the body is the gate.
create or replace function private.sync_segments_capacity()
returns jsonb
language plpgsql
security definer
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_run_id bigint;
    v_result jsonb;
    v_sqlstate text;
    v_message text;
begin
    perform private.assert_admin();
    -- a snapshot older than the lock below would not see a concurrent run's segments
    if pg_catalog.current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'the segment sync runs in read committed transactions, not %',
            pg_catalog.current_setting('transaction_isolation')
        using errcode = 'invalid_transaction_state';
    end if;
    -- concurrent runs (cron and admin) queue here; each statement after it sees earlier runs' segments
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('leadstroom.segment_sync'));
    v_run_id := private.start_run('sync', 'capacity');

    begin
        with combos as materialized (
            select cc.branch, cc.region, cc.country from private.capacity_combos as cc
        ),

        missing as (
            select
                c.branch,
                c.region,
                c.country,
                pg_catalog.replace(c.branch || '_' || c.region, '-', '_') as plain_code
            from combos as c
            where not exists (
                select from public.lead_segments as s where s.branch = c.branch and s.region = c.region
            )
        ),

        -- the plain code goes to the first combination (by branch, region) that wants it while it is free;
        -- any other gets a suffix derived from its own branch and region, so it is stable across runs
        coded as (
            select
                m.branch,
                m.region,
                m.country,
                case
                    when
                        pg_catalog.row_number() over (partition by m.plain_code order by m.branch, m.region) = 1
                        and not exists (select from public.lead_segments as s where s.code = m.plain_code)
                        then m.plain_code
                    else m.plain_code || '_' || pg_catalog.left(pg_catalog.md5(m.branch || '/' || m.region), 8)
                end as code
            from missing as m
        ),

        created as (
            insert into public.lead_segments (code, branch, region, country)
            select coded.code, coded.branch, coded.region, coded.country from coded
            returning code
        ),

        activated as (
            update public.lead_segments as s
            set is_active = true
            from combos as c
            where s.branch = c.branch and s.region = c.region and not s.is_active
            returning s.code
        ),

        deactivated as (
            update public.lead_segments as s
            set is_active = false
            where s.is_active and not exists (
                select from combos as c where c.branch = s.branch and c.region = s.region
            )
            returning s.code
        ),

        counts as (
            select
                (select pg_catalog.count(*) from combos) as total_combinations,
                (select pg_catalog.count(*) from created) as created,
                (select pg_catalog.count(*) from activated) as activated,
                (select pg_catalog.count(*) from deactivated) as deactivated
        )

        select pg_catalog.jsonb_build_object(
            'run_id', v_run_id,
            'method', 'capacity',
            'status', 'succeeded',
            'total_combinations', counts.total_combinations,
            'created', counts.created,
            'activated', counts.activated,
            'deactivated', counts.deactivated,
            'unchanged', counts.total_combinations - counts.created - counts.activated,
            'created_codes',
            coalesce((select pg_catalog.jsonb_agg(created.code order by created.code) from created), '[]'),
            'activated_codes',
            coalesce((select pg_catalog.jsonb_agg(activated.code order by activated.code) from activated), '[]'),
            'deactivated_codes',
            coalesce(
                (select pg_catalog.jsonb_agg(deactivated.code order by deactivated.code) from deactivated), '[]'
            )
        )
        into v_result
        from counts;

        return private.finish_run(v_run_id, v_result);
    exception when others then
        get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
        return private.fail_run(v_run_id, v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.sync_segments_capacity() from public, anon, authenticated;
grant execute on function private.sync_segments_capacity() to authenticated, service_role;

-- The planner: a daily lead target per segment for one date (today in the configured time zone when null).
-- Upserts one plan per active segment, and re-plans an existing plan of a segment deactivated since (its
-- target becomes 0). Older plans are never touched. Leaves a run row (kind 'plan').
-- security definer: reads every partner's capacity and writes plans; the admin check in the body is the gate.
create or replace function private.plan_segment_targets(p_date date default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_settings public.segment_sync_settings;
    v_date date;
    v_run_id bigint;
    v_result jsonb;
    v_sqlstate text;
    v_message text;
begin
    perform private.assert_admin();
    select * into strict v_settings from public.segment_sync_settings;
    v_date := coalesce(p_date, (pg_catalog.now() at time zone v_settings.timezone)::date);
    v_run_id := private.start_run('plan', null);

    begin
        with capacity as (
            select cc.branch, cc.region, cc.capacity_partners as partners, cc.capacity_total_leads as total_leads
            from private.capacity_combos as cc
        ),

        segments as (
            select
                s.id as segment_id,
                s.is_active,
                coalesce(c.partners, 0) as capacity_partners,
                coalesce(c.total_leads, 0) as capacity_total_leads
            from public.lead_segments as s
            left join capacity as c on c.branch = s.branch and c.region = s.region
            where s.is_active or exists (
                select from public.lead_segment_plans as p where p.segment_id = s.id and p.date = v_date
            )
        ),

        -- a lead belongs to the local day of the configured time zone
        actuals as (
            select l.segment_id, pg_catalog.count(*) as actual_leads
            from public.leads as l
            where
                l.created_at >= (v_date::timestamp at time zone v_settings.timezone)
                and l.created_at < ((v_date + 1)::timestamp at time zone v_settings.timezone)
            group by l.segment_id
        ),

        monthly as (
            select
                sg.*,
                coalesce(a.actual_leads, 0) as actual_leads,
                case
                    when not sg.is_active or sg.capacity_total_leads = 0 then 0
                    else least(
                        sg.capacity_total_leads::numeric,
                        greatest(
                            v_settings.min_target_leads_per_month,
                            v_settings.target_ratio * sg.capacity_total_leads
                        )
                    )
                end as target_leads_per_month
            from segments as sg
            left join actuals as a on a.segment_id = sg.segment_id
        ),

        daily as (
            select
                m.*,
                pg_catalog.round(m.target_leads_per_month / v_settings.days_per_month, 2) as target_leads_per_day
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
                segment_id, date, capacity_partners, capacity_total_leads, target_leads_per_month,
                target_leads_per_day, actual_leads, lead_gap, lead_gap_percentage
            )
            select
                p.segment_id, v_date, p.capacity_partners, p.capacity_total_leads,
                pg_catalog.round(p.target_leads_per_month, 2), p.target_leads_per_day, p.actual_leads,
                p.lead_gap, p.lead_gap_percentage
            from planned as p
            on conflict (segment_id, date) do update
            set
                capacity_partners = excluded.capacity_partners,
                capacity_total_leads = excluded.capacity_total_leads,
                target_leads_per_month = excluded.target_leads_per_month,
                target_leads_per_day = excluded.target_leads_per_day,
                actual_leads = excluded.actual_leads,
                lead_gap = excluded.lead_gap,
                lead_gap_percentage = excluded.lead_gap_percentage,
                updated_at = pg_catalog.now()
            -- an unchanged plan is not rewritten
            where (
                lsp.capacity_partners, lsp.capacity_total_leads, lsp.target_leads_per_month,
                lsp.target_leads_per_day, lsp.actual_leads, lsp.lead_gap, lsp.lead_gap_percentage
            ) is distinct from (
                excluded.capacity_partners, excluded.capacity_total_leads, excluded.target_leads_per_month,
                excluded.target_leads_per_day, excluded.actual_leads, excluded.lead_gap,
                excluded.lead_gap_percentage
            )
            returning lsp.segment_id
        )

        select pg_catalog.jsonb_build_object(
            'run_id', v_run_id,
            'kind', 'plan',
            'status', 'succeeded',
            'date', v_date,
            'timezone', v_settings.timezone,
            'segments_planned', pg_catalog.count(*),
            'active_segments', pg_catalog.count(*) filter (where p.is_active),
            'zero_target_segments', pg_catalog.count(*) filter (where p.target_leads_per_day = 0),
            'total_target_leads_per_day', coalesce(pg_catalog.sum(p.target_leads_per_day), 0),
            'total_actual_leads', coalesce(pg_catalog.sum(p.actual_leads), 0),
            'plans_written', (select pg_catalog.count(*) from written)
        )
        into v_result
        from planned as p;

        return private.finish_run(v_run_id, v_result);
    exception when others then
        get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
        return private.fail_run(v_run_id, v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function private.plan_segment_targets(date) to authenticated, service_role;

-- Every branch x region combination with capacity: how many partners count and their leads a month.
-- security definer: aggregates every partner's data; only admins pass the check in the body.
create or replace function private.get_branch_region_capacity_combos()
returns table (branch text, region text, capacity_partners bigint, capacity_total_leads bigint)
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
    select cc.branch, cc.region, cc.capacity_partners, cc.capacity_total_leads
    from private.capacity_combos as cc
    order by cc.branch, cc.region;
end;
$$;

revoke all on function private.get_branch_region_capacity_combos() from public, anon, authenticated;
grant execute on function private.get_branch_region_capacity_combos() to authenticated, service_role;

-- Why a partner does or does not count as capacity: one row per rule of the contract, in order, with
-- whether it passed and a reason a person can act on. The SOP's troubleshooting list, answered by the database.
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

    select array_agg(i.slug || ' + ' || r.code order by i.slug, r.code)
    into v_combinations
    from private.capacity_pairs as cp
    inner join public.industries as i on i.id = cp.industry_id and i.is_active
    inner join public.regions as r on r.code = cp.region and r.is_active
    where cp.partner_id = p_partner_id;

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
            then pg_catalog.format(
                '%s leads a month to each of: %s',
                v_partner.effective_capacity, pg_catalog.array_to_string(v_combinations, ', ')
            )
            else 'contributes to no combination: see the rules above that did not pass'
        end
    );
end;
$$;

revoke all on function private.explain_partner_capacity(uuid) from public, anon, authenticated;
grant execute on function private.explain_partner_capacity(uuid) to authenticated, service_role;

-- The capacity sync (API): one active segment for every branch x region combination with capacity, none
-- elsewhere. Runs as the caller; the work, which must write segments and read every partner, is
-- private.sync_segments_capacity, which checks the caller first.
create or replace function public.sync_segments_capacity()
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select private.sync_segments_capacity()
$$;

revoke all on function public.sync_segments_capacity() from public, anon, authenticated;
grant execute on function public.sync_segments_capacity() to authenticated, service_role;

-- The planner (API): a daily lead target per segment for one date (today in the configured time zone when
-- null). Runs as the caller; the work is private.plan_segment_targets, which checks the caller first.
create or replace function public.plan_segment_targets(p_date date default null)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select private.plan_segment_targets(p_date)
$$;

revoke all on function public.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function public.plan_segment_targets(date) to authenticated, service_role;

-- Every branch x region combination with capacity (API), ordered by branch, region. Runs as the caller; the
-- aggregate over every partner is private.get_branch_region_capacity_combos, which checks the caller first.
create or replace function public.get_branch_region_capacity_combos()
returns table (branch text, region text, capacity_partners bigint, capacity_total_leads bigint)
language sql
stable
security invoker
set search_path = ''
as $$
    select c.branch, c.region, c.capacity_partners, c.capacity_total_leads
    from private.get_branch_region_capacity_combos() as c
$$;

revoke all on function public.get_branch_region_capacity_combos() from public, anon, authenticated;
grant execute on function public.get_branch_region_capacity_combos() to authenticated, service_role;

-- Why a partner does or does not count as capacity (API): one row per rule of the contract. Runs as the
-- caller; private.explain_partner_capacity reads the partner's data after checking that the caller is an
-- admin or the partner itself.
create or replace function public.explain_partner_capacity(p_partner_id uuid)
returns table (step integer, rule text, passed boolean, reason text)
language sql
stable
security invoker
set search_path = ''
as $$
    select e.step, e.rule, e.passed, e.reason
    from private.explain_partner_capacity(p_partner_id) as e
$$;

revoke all on function public.explain_partner_capacity(uuid) from public, anon, authenticated;
grant execute on function public.explain_partner_capacity(uuid) to authenticated, service_role;

-- The admin endpoint: POST /rest/v1/rpc/admin_sync_segments {"method": "capacity"}.
-- 42501 for a caller who is not an admin, 22023 for a method that is not supported; otherwise the sync's
-- result, its run logged with trigger 'admin' (or 'cli' from the leadstroom command) and the caller.
-- Runs as the caller: the sync it calls checks the caller again and does the privileged work.
create or replace function public.admin_sync_segments(method text default 'capacity')
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
    v_supported constant text[] := array['capacity'];
    v_result jsonb;
begin
    perform private.assert_admin();
    if method is null or not (method = any(v_supported)) then
        raise exception 'unsupported sync method %; supported methods: %',
            coalesce('"' || pg_catalog.left(method, 40) || case when pg_catalog.length(method) > 40 then '…' else '' end || '"', 'null'),
            pg_catalog.array_to_string(v_supported, ', ')
        using errcode = 'invalid_parameter_value',
        hint = 'Send {"method": "capacity"}.';
    end if;

    perform pg_catalog.set_config('leadstroom.run_trigger', 'admin', true);
    v_result := public.sync_segments_capacity();
    perform pg_catalog.set_config('leadstroom.run_trigger', '', true);
    return v_result;
end;
$$;

revoke all on function public.admin_sync_segments(text) from public, anon, authenticated;
grant execute on function public.admin_sync_segments(text) to authenticated, service_role;
