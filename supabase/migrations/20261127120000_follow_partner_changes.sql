-- Segments follow partner changes at commit; the nightly sync becomes the reconciliation.
-- Every statement that can give or take capacity (profiles, subscriptions, payment methods, both preference
-- tables, industries, regions, the settings) brings the combinations it touches in line before it commits,
-- under a lock per combination that the full sync also takes, now only while it applies its differences.
-- Run origins ('cron', 'admin', 'cli', 'sql', 'change') are passed along the code path, no longer in settings.
-- Function and view bodies come from sql/functions/ and sql/views/: edit those files, not this one.

alter table public.segment_sync_settings
add column follow_partner_changes boolean not null default true;

comment on column public.segment_sync_settings.follow_partner_changes is
'Segments follow every committed partner change (true), or change only through the sync (false).';

alter table public.segment_sync_runs drop constraint segment_sync_runs_trigger_known;
alter table public.segment_sync_runs add constraint segment_sync_runs_trigger_known
check (trigger in ('cron', 'admin', 'cli', 'sql', 'change'));
alter table public.segment_sync_runs add column fixed_count integer;

comment on column public.segment_sync_runs.fixed_count is
'For a sync: segments it had to create, reactivate or deactivate. 0 while segments follow partner changes.';

drop function private.start_run(text, text);
drop function private.request_trigger();

set check_function_bodies = off;

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

-- Opens a run row (status running) for the log. It is written before the work starts, outside the work's
-- subtransaction, so a failed run still leaves its row. What started the run (p_trigger, and the local date a
-- nightly run is for) comes from the code path that calls it, never from anything a caller can set.
create or replace function private.start_run(p_kind text, p_method text, p_trigger text, p_scheduled_for date)
returns bigint
language sql
set search_path = ''
as $$
    insert into public.segment_sync_runs (kind, method, trigger, caller, caller_user_id, scheduled_for)
    values (p_kind, p_method, p_trigger, private.request_caller(), auth.uid(), p_scheduled_for)
    returning id
$$;

revoke all on function private.start_run(text, text, text, date) from public;

-- How an API call that starts a run is labelled in the run log: 'cli' for the leadstroom command (its
-- x-leadstroom-client request header through PostgREST, or its application_name on a direct connection),
-- else the code path's own label (p_path: 'admin' for the admin endpoint, 'sql' for a direct call).
-- Informational only: the nightly run ('cron') and the following of changes ('change') are never decided here.
create or replace function private.request_trigger(p_path text)
returns text
language sql
stable
set search_path = ''
as $$
    select case
        when coalesce(nullif(pg_catalog.current_setting('request.headers', true), '')::jsonb ? 'x-leadstroom-client', false)
            or pg_catalog.current_setting('application_name', true) like 'leadstroom%' then 'cli'
        else p_path
    end
$$;

revoke all on function private.request_trigger(text) from public;

-- Closes a run as succeeded, copying the counts and codes of its jsonb result into columns for querying.
create or replace function private.finish_run(p_run_id bigint, p_result jsonb)
returns jsonb
language sql
set search_path = ''
as $$
    update public.segment_sync_runs
    set
        status = 'succeeded',
        finished_at = pg_catalog.clock_timestamp(),
        total_combinations = (p_result ->> 'total_combinations')::integer,
        created_count = (p_result ->> 'created')::integer,
        activated_count = (p_result ->> 'activated')::integer,
        deactivated_count = (p_result ->> 'deactivated')::integer,
        unchanged_count = (p_result ->> 'unchanged')::integer,
        fixed_count = (p_result ->> 'fixed')::integer,
        created_codes = array(select pg_catalog.jsonb_array_elements_text(p_result -> 'created_codes')),
        activated_codes = array(select pg_catalog.jsonb_array_elements_text(p_result -> 'activated_codes')),
        deactivated_codes = array(select pg_catalog.jsonb_array_elements_text(p_result -> 'deactivated_codes')),
        plan_date = (p_result ->> 'date')::date,
        result = p_result
    where id = p_run_id
    returning result
$$;

revoke all on function private.finish_run(bigint, jsonb) from public;

-- What a full sync has to look at: the marketplace-wide capacity aggregate compared with the segments, without
-- any lock (partners' changes never wait for it). Returns the number of combinations with capacity and every
-- combination whose segment disagrees (no active segment, or an active one without capacity), to be
-- re-checked under their locks by private.apply_segment_capacity.
create or replace function private.capacity_differences()
returns table (total_combinations bigint, branches text[], regions text[])
language sql
stable
set search_path = ''
as $$
    with combos as materialized (
        select cc.branch, cc.region from private.capacity_combos as cc
    ),

    differences as (
        select c.branch, c.region
        from combos as c
        where not exists (
            select from public.lead_segments as s
            where s.branch = c.branch and s.region = c.region and s.is_active
        )
        union all
        select s.branch, s.region
        from public.lead_segments as s
        where s.is_active and not exists (
            select from combos as c where c.branch = s.branch and c.region = s.region
        )
    )

    select
        (select pg_catalog.count(*) from combos),
        coalesce(array_agg(d.branch order by d.branch, d.region), '{}'),
        coalesce(array_agg(d.region order by d.branch, d.region), '{}')
    from differences as d
$$;

revoke all on function private.capacity_differences() from public;

-- Brings the segments of the given combinations (p_branches[i] + p_regions[i]) in line with their capacity
-- as committed right now: creates or reactivates a segment where a partner counts, deactivates one where none
-- does. The one place segments change; the full sync and the following of partner changes both call it.
-- Returns the codes it created, activated and deactivated and the ids of those segments.
--
-- Concurrency: each combination is first locked (an advisory lock per plain segment code, taken in one fixed
-- order, so single-statement changes never deadlock and two combinations that would share a code queue too).
-- In read committed, the statement after the lock takes a fresh snapshot and sees every transaction that held
-- the lock before, so two partners leaving one combination in
-- concurrent transactions cannot each keep it alive for the other (write skew). Under repeatable read the
-- snapshot is older than the lock; there the segment rows are written even when unchanged, so a concurrent
-- change to the same combination ends one transaction with a serialization failure instead of a wrong segment.
create or replace function private.apply_segment_capacity(p_branches text[], p_regions text[])
returns jsonb
language plpgsql
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
as $$
declare
    v_result jsonb;
begin
    -- one key per plain code (leadstroom's lock namespace in the high half); keys in ascending order
    perform pg_catalog.pg_advisory_xact_lock(k.lock_key)
    from (
        select distinct
            (1818325363::bigint << 32)
            | (pg_catalog.hashtext(pg_catalog.replace(c.branch || '_' || c.region, '-', '_'))::bigint & 4294967295)
            as lock_key
        from unnest(p_branches, p_regions) as c (branch, region)
        order by 1
    ) as k;

    if pg_catalog.current_setting('transaction_isolation') <> 'read committed' then
        update public.lead_segments as s
        set is_active = s.is_active
        from unnest(p_branches, p_regions) as c (branch, region)
        where s.branch = c.branch and s.region = c.region;
    end if;

    with candidate as (
        select distinct c.branch, c.region
        from unnest(p_branches, p_regions) as c (branch, region)
    ),

    -- a combination has capacity while one counting partner has both preferences enabled
    wanted as (
        select
            c.branch,
            c.region,
            r.country,
            i.is_active and r.is_active and exists (
                select
                from public.user_industry_preferences as uip
                inner join public.user_location_preferences as ulp
                    on uip.user_id = ulp.user_id and ulp.location_code = c.region and ulp.is_enabled
                inner join private.partner_capacity_lookup as pc on uip.user_id = pc.partner_id
                where uip.industry_id = i.id and uip.is_enabled and pc.counts
            ) as has_capacity
        from candidate as c
        inner join public.industries as i on c.branch = i.slug
        inner join public.regions as r on c.region = r.code
    ),

    missing as (
        select
            w.branch,
            w.region,
            w.country,
            pg_catalog.replace(w.branch || '_' || w.region, '-', '_') as plain_code
        from wanted as w
        where w.has_capacity and not exists (
            select from public.lead_segments as s
            where s.branch = w.branch and s.region = w.region
        )
    ),

    -- the plain code goes to the first combination (by branch, region) that wants it while it is free;
    -- any other gets a suffix derived from its own branch and region, so it is the same whenever it is made
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
        select cd.code, cd.branch, cd.region, cd.country from coded as cd
        returning id, code
    ),

    activated as (
        update public.lead_segments as s
        set is_active = true
        from wanted as w
        where s.branch = w.branch and s.region = w.region and w.has_capacity and not s.is_active
        returning s.id, s.code
    ),

    deactivated as (
        update public.lead_segments as s
        set is_active = false
        from wanted as w
        where s.branch = w.branch and s.region = w.region and not w.has_capacity and s.is_active
        returning s.id, s.code
    )

    select pg_catalog.jsonb_build_object(
        'created_codes', coalesce((select pg_catalog.jsonb_agg(x.code order by x.code) from created as x), '[]'),
        'activated_codes', coalesce((select pg_catalog.jsonb_agg(x.code order by x.code) from activated as x), '[]'),
        'deactivated_codes',
        coalesce((select pg_catalog.jsonb_agg(x.code order by x.code) from deactivated as x), '[]'),
        'changed_segment_ids', coalesce(
            (
                select pg_catalog.jsonb_agg(x.id order by x.id)
                from (
                    select y.id from created as y
                    union all select y.id from activated as y
                    union all select y.id from deactivated as y
                ) as x
            ),
            '[]'
        )
    )
    into v_result;
    return v_result;
end;
$$;

revoke all on function private.apply_segment_capacity(text[], text[]) from public;

-- The capacity sync: one active segment for every branch x region combination with capacity, none elsewhere.
-- First the marketplace-wide aggregate, without any lock; then only the combinations that differ, each
-- re-checked and changed under its lock (private.apply_segment_capacity), so a partner's change never waits
-- for the aggregate. While segments follow partner changes, a sync finds nothing to change: `fixed` in its
-- result and run row counts what it had to repair. A failed or cancelled run (statement_timeout, an admin's
-- cancel) rolls back its changes and leaves its run row as failed with the SQLSTATE. p_trigger and
-- p_scheduled_for come from the code path: the API ('sql', 'admin', 'cli') or the nightly job ('cron').
create or replace function private.run_sync(p_trigger text, p_scheduled_for date)
returns jsonb
language plpgsql
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_run_id bigint;
    v_total bigint;
    v_branches text[];
    v_regions text[];
    v_applied jsonb;
    v_created integer;
    v_activated integer;
    v_deactivated integer;
    v_result jsonb;
    v_sqlstate text;
    v_message text;
begin
    -- under an older snapshot the re-check after each lock could miss a concurrent change
    if pg_catalog.current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'the segment sync runs in read committed transactions, not %',
            pg_catalog.current_setting('transaction_isolation')
        using errcode = 'invalid_transaction_state';
    end if;
    v_run_id := private.start_run('sync', 'capacity', p_trigger, p_scheduled_for);

    begin
        select d.total_combinations, d.branches, d.regions
        into v_total, v_branches, v_regions
        from private.capacity_differences() as d;
        v_applied := private.apply_segment_capacity(v_branches, v_regions);
        v_created := pg_catalog.jsonb_array_length(v_applied -> 'created_codes');
        v_activated := pg_catalog.jsonb_array_length(v_applied -> 'activated_codes');
        v_deactivated := pg_catalog.jsonb_array_length(v_applied -> 'deactivated_codes');
        v_result := pg_catalog.jsonb_build_object(
            'run_id', v_run_id,
            'method', 'capacity',
            'status', 'succeeded',
            'total_combinations', v_total,
            'created', v_created,
            'activated', v_activated,
            'deactivated', v_deactivated,
            'unchanged', v_total - v_created - v_activated,
            'created_codes', v_applied -> 'created_codes',
            'activated_codes', v_applied -> 'activated_codes',
            'deactivated_codes', v_applied -> 'deactivated_codes',
            'fixed', v_created + v_activated + v_deactivated,
            'following', (select st.follow_partner_changes from public.segment_sync_settings as st)
        );
        return private.finish_run(v_run_id, v_result);
    exception
        when query_canceled then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            return private.fail_run(v_run_id, v_sqlstate, v_message);
        when others then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            return private.fail_run(v_run_id, v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.run_sync(text, date) from public;

-- Writes the plans of one date: a daily lead target per segment from its capacity and the settings, the day's
-- leads and the gap. p_segment_ids null: every active segment, and re-plans an existing plan of a segment
-- deactivated since (its target becomes 0); else just those segments (following a change). Older plans are
-- never touched; an unchanged plan is not rewritten. Returns the counts for the run's result.
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
    -- every segment's capacity from the marketplace-wide aggregate; for a few segments, only theirs
    with capacity as (
        select cc.branch, cc.region, cc.capacity_partners as partners, cc.capacity_total_leads as total_leads
        from private.capacity_combos as cc
        where p_segment_ids is null
        union all
        select s.branch, s.region, pg_catalog.count(*), pg_catalog.sum(pc.effective_capacity)::bigint
        from public.lead_segments as s
        inner join public.industries as i on s.branch = i.slug and i.is_active
        inner join public.regions as r on s.region = r.code and r.is_active
        inner join public.user_industry_preferences as uip on i.id = uip.industry_id and uip.is_enabled
        inner join public.user_location_preferences as ulp
            on uip.user_id = ulp.user_id and s.region = ulp.location_code and ulp.is_enabled
        inner join private.partner_capacity_lookup as pc on uip.user_id = pc.partner_id and pc.counts
        where p_segment_ids is not null and s.id = any(p_segment_ids)
        group by s.branch, s.region
    ),

    segments as (
        select
            s.id as segment_id,
            s.is_active,
            coalesce(c.partners, 0) as capacity_partners,
            coalesce(c.total_leads, 0) as capacity_total_leads
        from public.lead_segments as s
        left join capacity as c on c.branch = s.branch and c.region = s.region
        where
            (p_segment_ids is null and (s.is_active or exists (
                select from public.lead_segment_plans as p where p.segment_id = s.id and p.date = p_date
            )))
            or s.id = any(p_segment_ids)
    ),

    -- a lead belongs to the local day of the configured time zone
    actuals as (
        select l.segment_id, pg_catalog.count(*) as actual_leads
        from public.leads as l
        where
            l.created_at >= (p_date::timestamp at time zone v_settings.timezone)
            and l.created_at < ((p_date + 1)::timestamp at time zone v_settings.timezone)
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
            p.segment_id, p_date, p.capacity_partners, p.capacity_total_leads,
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
        'date', p_date,
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
    return v_result;
end;
$$;

revoke all on function private.write_segment_plans(date, bigint[]) from public;

-- The planner run: the plans of p_date (private.write_segment_plans) with its run row (kind 'plan'). A failed
-- or cancelled run rolls back its plans and leaves its row as failed with the SQLSTATE. p_trigger and
-- p_scheduled_for come from the code path (the API or the nightly job).
create or replace function private.run_plan(p_date date, p_trigger text, p_scheduled_for date)
returns jsonb
language plpgsql
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_run_id bigint;
    v_sqlstate text;
    v_message text;
begin
    v_run_id := private.start_run('plan', null, p_trigger, p_scheduled_for);
    begin
        return private.finish_run(
            v_run_id,
            pg_catalog.jsonb_build_object('run_id', v_run_id, 'kind', 'plan', 'status', 'succeeded')
            || private.write_segment_plans(p_date, null)
        );
    exception
        when query_canceled then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            return private.fail_run(v_run_id, v_sqlstate, v_message);
        when others then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            return private.fail_run(v_run_id, v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.run_plan(date, text, date) from public;

-- The sync as the API offers it (public.sync_segments_capacity): admins only, checked first. Logged with
-- trigger 'sql' (or 'cli' from the leadstroom command).
-- security definer: writes segments and reads every partner for the admins it admits.
create or replace function private.sync_segments_capacity()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.assert_admin();
    return private.run_sync(private.request_trigger('sql'), null);
end;
$$;

revoke all on function private.sync_segments_capacity() from public, anon, authenticated;
grant execute on function private.sync_segments_capacity() to authenticated, service_role;

-- The admin endpoint's work (public.admin_sync_segments): 42501 for a caller who is not an admin, 22023 for a
-- method that is not supported; otherwise the sync, logged with trigger 'admin' (or 'cli' from the
-- leadstroom command) and the caller.
-- security definer: writes segments and reads every partner for the admins it admits.
create or replace function private.admin_sync_segments(p_method text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_supported constant text[] := array['capacity'];
begin
    perform private.assert_admin();
    if p_method is null or not (p_method = any(v_supported)) then
        raise exception 'unsupported sync method %; supported methods: %',
            coalesce(
                '"' || pg_catalog.left(p_method, 40) || case when pg_catalog.length(p_method) > 40 then '…' else '' end
                || '"',
                'null'
            ),
            pg_catalog.array_to_string(v_supported, ', ')
        using errcode = 'invalid_parameter_value',
        hint = 'Send {"method": "capacity"}.';
    end if;
    return private.run_sync(private.request_trigger('admin'), null);
end;
$$;

revoke all on function private.admin_sync_segments(text) from public, anon, authenticated;
grant execute on function private.admin_sync_segments(text) to authenticated, service_role;

-- The planner as the API offers it (public.plan_segment_targets): admins only, checked first; the date
-- defaults to today in the configured time zone. Logged with trigger 'sql' (or 'cli').
-- security definer: reads every partner's capacity and writes plans for the admins it admits.
create or replace function private.plan_segment_targets(p_date date default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.assert_admin();
    return private.run_plan(
        coalesce(
            p_date,
            (select (pg_catalog.now() at time zone st.timezone)::date from public.segment_sync_settings as st)
        ),
        private.request_trigger('sql'),
        null
    );
end;
$$;

revoke all on function private.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function private.plan_segment_targets(date) to authenticated, service_role;

-- The admin endpoint: POST /rest/v1/rpc/admin_sync_segments {"method": "capacity"}. Runs as the caller; the
-- caller and method checks and the sync are private.admin_sync_segments.
create or replace function public.admin_sync_segments(method text default 'capacity')
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select private.admin_sync_segments(method)
$$;

revoke all on function public.admin_sync_segments(text) from public, anon, authenticated;
grant execute on function public.admin_sync_segments(text) to authenticated, service_role;

-- The nightly job's command: when due (private.nightly_run_is_due), the sync and then the planner for the
-- local date, both logged with trigger 'cron'. p_now is there for tests; pg_cron calls it without.
create or replace function private.run_nightly(p_now timestamptz default pg_catalog.now())
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_settings public.segment_sync_settings;
    v_local_date date;
    v_last_run_on date;
    v_sync jsonb;
    v_plan jsonb;
begin
    -- two firings at once decide one after the other
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('leadstroom.nightly'));
    select * into strict v_settings from public.segment_sync_settings;
    v_local_date := (p_now at time zone v_settings.timezone)::date;
    select max(r.scheduled_for) into v_last_run_on
    from public.segment_sync_runs as r
    where r.trigger = 'cron' and r.kind = 'sync';

    if not private.nightly_run_is_due(p_now, v_settings.timezone, v_settings.run_at_local_time, v_last_run_on) then
        return pg_catalog.jsonb_build_object('ran', false, 'local_date', v_local_date, 'last_run_on', v_last_run_on);
    end if;

    v_sync := private.run_sync('cron', v_local_date);
    v_plan := private.run_plan(v_local_date, 'cron', v_local_date);
    return pg_catalog.jsonb_build_object('ran', true, 'local_date', v_local_date, 'sync', v_sync, 'plan', v_plan);
end;
$$;

revoke all on function private.run_nightly(timestamptz) from public;

-- Segments follow a committed change: the given combinations are brought in line (private.apply_segment_capacity),
-- the segments that changed get today's plan (target 0 when inactive), and the statement leaves one run row
-- (kind 'sync', trigger 'change', the caller) when it changed a segment, none when it did not.
-- A partner's own change never fails because of this: any other error is recorded as a failed 'change' run
-- (the nightly sync repairs what it missed and reports it as fixed). A serialization failure or deadlock
-- is the transaction's own, and propagates so the caller retries it.
create or replace function private.follow_combinations(p_branches text[], p_regions text[])
returns void
language plpgsql
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
as $$
declare
    v_applied jsonb;
    v_changed bigint[];
    v_run_id bigint;
    v_sqlstate text;
    v_message text;
begin
    if coalesce(pg_catalog.cardinality(p_branches), 0) = 0 then
        return;
    end if;
    begin
        v_applied := private.apply_segment_capacity(p_branches, p_regions);
        v_changed := array(select pg_catalog.jsonb_array_elements_text(v_applied -> 'changed_segment_ids')::bigint);
        if pg_catalog.cardinality(v_changed) > 0 then
            v_run_id := private.start_run('sync', 'capacity', 'change', null);
            perform private.finish_run(
                v_run_id,
                pg_catalog.jsonb_build_object(
                    'run_id', v_run_id,
                    'method', 'capacity',
                    'status', 'succeeded',
                    'combinations_checked', pg_catalog.cardinality(p_branches),
                    'created', pg_catalog.jsonb_array_length(v_applied -> 'created_codes'),
                    'activated', pg_catalog.jsonb_array_length(v_applied -> 'activated_codes'),
                    'deactivated', pg_catalog.jsonb_array_length(v_applied -> 'deactivated_codes'),
                    'created_codes', v_applied -> 'created_codes',
                    'activated_codes', v_applied -> 'activated_codes',
                    'deactivated_codes', v_applied -> 'deactivated_codes',
                    'plans', private.write_segment_plans(
                        (select (pg_catalog.now() at time zone st.timezone)::date from public.segment_sync_settings as st),
                        v_changed
                    )
                )
            );
        end if;
    exception
        when serialization_failure or deadlock_detected then
            raise;
        when others then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            perform private.fail_run(private.start_run('sync', 'capacity', 'change', null), v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.follow_combinations(text[], text[]) from public;

-- Trigger (after each statement, with its transition tables new_rows / old_rows) on every partner table that
-- can give or take capacity: profiles, subscriptions, payment_methods (while the payment rule is on) and both
-- preference tables. While segment_sync_settings.follow_partner_changes is on, the combinations the changed
-- rows touch are brought in line before the statement's transaction commits: every branch x region pair of
-- each affected partner (its current preferences and those in the changed rows; when a deleted partner's
-- cascade has emptied both preference tables, the active segments of the changed branch or region). One pass
-- per statement, however many rows it changed. Columns the capacity rule does not read (names, timestamps)
-- change nothing.
-- security definer: a partner's own change writes segments, plans and runs, which the partner may not.
create or replace function private.follow_partner_change()
returns trigger
language plpgsql
security definer
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
as $$
declare
    v_follow boolean;
    v_payment_rule boolean;
    v_partner_key text := case tg_table_name when 'profiles' then 'id' else 'user_id' end;
    -- what the capacity rule does not read: a change to only these is no change
    v_ignored text[] := array['created_at', 'updated_at', 'full_name', 'company_name', 'location_name'];
    v_rows jsonb;
    v_branches text[];
    v_regions text[];
begin
    -- FOR SHARE: switching following on waits for this transaction, so no change in flight is missed
    select st.follow_partner_changes, st.require_active_payment_method
    into v_follow, v_payment_rule
    from public.segment_sync_settings as st
    for share;
    if not v_follow or (tg_table_name = 'payment_methods' and not v_payment_rule) then
        return null;
    end if;
    if tg_table_name = 'subscriptions' then
        v_ignored := array['updated_at'];  -- created_at decides which subscription is the latest
    end if;

    if tg_op = 'INSERT' then
        select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(n)) into v_rows from new_rows as n;
    elsif tg_op = 'DELETE' then
        select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(o)) into v_rows from old_rows as o;
    else
        select pg_catalog.jsonb_agg(changed.row_value)
        into v_rows
        from (
            select pg_catalog.to_jsonb(o) as old_value, pg_catalog.to_jsonb(n) as new_value
            from old_rows as o
            inner join new_rows as n on o.id = n.id
        ) as pair
        cross join lateral (values (pair.old_value), (pair.new_value)) as changed (row_value)
        where (pair.old_value - v_ignored) is distinct from (pair.new_value - v_ignored);
    end if;
    if v_rows is null then
        return null;
    end if;

    with changed as (
        select
            (r.value ->> v_partner_key)::uuid as partner_id,
            (r.value ->> 'industry_id')::bigint as industry_id,
            r.value ->> 'location_code' as region
        from pg_catalog.jsonb_array_elements(v_rows) as r
    ),

    partners as (
        select distinct c.partner_id from changed as c
    ),

    industries_of as (
        select uip.user_id as partner_id, uip.industry_id
        from public.user_industry_preferences as uip
        where uip.user_id in (select p.partner_id from partners as p)
        union
        select c.partner_id, c.industry_id from changed as c where c.industry_id is not null
    ),

    regions_of as (
        select ulp.user_id as partner_id, ulp.location_code as region
        from public.user_location_preferences as ulp
        where ulp.user_id in (select p.partner_id from partners as p)
        union
        select c.partner_id, c.region from changed as c where c.region is not null
    ),

    -- a deleted partner's cascade empties both preference tables before their triggers run: a deleted
    -- preference whose partner has none of the other kind left takes every active segment of it along
    orphaned as (
        select i.slug as branch, null::text as region
        from changed as c
        inner join public.industries as i on c.industry_id = i.id
        where tg_op = 'DELETE' and not exists (
            select from public.user_location_preferences as ulp where ulp.user_id = c.partner_id
        )
        union
        select null, c.region
        from changed as c
        where tg_op = 'DELETE' and c.region is not null and not exists (
            select from public.user_industry_preferences as uip where uip.user_id = c.partner_id
        )
    ),

    pairs as (
        select i.slug as branch, ro.region
        from industries_of as io
        inner join regions_of as ro on io.partner_id = ro.partner_id
        inner join public.industries as i on io.industry_id = i.id
        union
        select s.branch, s.region
        from public.lead_segments as s
        inner join orphaned as o on s.branch = o.branch or s.region = o.region
        where s.is_active
    )

    select coalesce(array_agg(p.branch), '{}'), coalesce(array_agg(p.region), '{}')
    into v_branches, v_regions
    from pairs as p;

    perform private.follow_combinations(v_branches, v_regions);
    return null;
end;
$$;

revoke all on function private.follow_partner_change() from public;

-- Trigger (after each update statement, with transition tables) on industries and regions: switching a branch
-- or region on or off (or renaming a branch's slug) brings every combination of it in line at once: those
-- that partners ask for and those that have a segment.
-- security definer: an admin user's change writes segments, plans and runs, which it may not write directly.
create or replace function private.follow_reference_change()
returns trigger
language plpgsql
security definer
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
as $$
declare
    v_follow boolean;
    v_branches text[];
    v_regions text[];
begin
    select st.follow_partner_changes into v_follow from public.segment_sync_settings as st for share;
    if not v_follow then
        return null;
    end if;

    if tg_table_name = 'industries' then
        with toggled as (
            select n.id, n.slug
            from old_rows as o
            inner join new_rows as n on o.id = n.id
            where (o.is_active, o.slug) is distinct from (n.is_active, n.slug)
        ),

        pairs as (
            select t.slug as branch, ulp.location_code as region
            from toggled as t
            inner join public.user_industry_preferences as uip on t.id = uip.industry_id
            inner join public.user_location_preferences as ulp on uip.user_id = ulp.user_id
            union
            select s.branch, s.region
            from public.lead_segments as s
            inner join toggled as t on s.branch = t.slug
        )

        select coalesce(array_agg(p.branch), '{}'), coalesce(array_agg(p.region), '{}')
        into v_branches, v_regions
        from pairs as p;
    else
        with toggled as (
            select n.code
            from old_rows as o
            inner join new_rows as n on o.code = n.code
            where o.is_active is distinct from n.is_active
        ),

        pairs as (
            select i.slug as branch, t.code as region
            from toggled as t
            inner join public.user_location_preferences as ulp on t.code = ulp.location_code
            inner join public.user_industry_preferences as uip on ulp.user_id = uip.user_id
            inner join public.industries as i on uip.industry_id = i.id
            union
            select s.branch, s.region
            from public.lead_segments as s
            inner join toggled as t on s.region = t.code
        )

        select coalesce(array_agg(p.branch), '{}'), coalesce(array_agg(p.region), '{}')
        into v_branches, v_regions
        from pairs as p;
    end if;

    perform private.follow_combinations(v_branches, v_regions);
    return null;
end;
$$;

revoke all on function private.follow_reference_change() from public;

-- Trigger (after an update of segment_sync_settings, with transition tables): switching following on, or
-- switching the payment rule while following is on, reconciles every combination at once (as a sync would,
-- logged as a 'change' run). The row lock of this update waits for partner changes in flight (they read the
-- settings FOR SHARE), so none is missed.
-- security definer: an admin user's change writes segments, plans and runs, which it may not write directly.
create or replace function private.follow_settings_change()
returns trigger
language plpgsql
security definer
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_branches text[];
    v_regions text[];
begin
    if not exists (
        select
        from old_rows as o
        cross join new_rows as n
        where
            n.follow_partner_changes
            and (
                not o.follow_partner_changes
                or o.require_active_payment_method is distinct from n.require_active_payment_method
            )
    ) then
        return null;
    end if;
    select d.branches, d.regions into v_branches, v_regions from private.capacity_differences() as d;
    perform private.follow_combinations(v_branches, v_regions);
    return null;
end;
$$;

revoke all on function private.follow_settings_change() from public;

-- Segments follow every change that can give or take capacity: one statement-level trigger per event.
create trigger follow_insert after insert on public.profiles
referencing new table as new_rows
for each statement execute function private.follow_partner_change();
create trigger follow_update after update on public.profiles
referencing old table as old_rows new table as new_rows
for each statement execute function private.follow_partner_change();
create trigger follow_delete after delete on public.profiles
referencing old table as old_rows
for each statement execute function private.follow_partner_change();

create trigger follow_insert after insert on public.subscriptions
referencing new table as new_rows
for each statement execute function private.follow_partner_change();
create trigger follow_update after update on public.subscriptions
referencing old table as old_rows new table as new_rows
for each statement execute function private.follow_partner_change();
create trigger follow_delete after delete on public.subscriptions
referencing old table as old_rows
for each statement execute function private.follow_partner_change();

create trigger follow_insert after insert on public.payment_methods
referencing new table as new_rows
for each statement execute function private.follow_partner_change();
create trigger follow_update after update on public.payment_methods
referencing old table as old_rows new table as new_rows
for each statement execute function private.follow_partner_change();
create trigger follow_delete after delete on public.payment_methods
referencing old table as old_rows
for each statement execute function private.follow_partner_change();

create trigger follow_insert after insert on public.user_industry_preferences
referencing new table as new_rows
for each statement execute function private.follow_partner_change();
create trigger follow_update after update on public.user_industry_preferences
referencing old table as old_rows new table as new_rows
for each statement execute function private.follow_partner_change();
create trigger follow_delete after delete on public.user_industry_preferences
referencing old table as old_rows
for each statement execute function private.follow_partner_change();

create trigger follow_insert after insert on public.user_location_preferences
referencing new table as new_rows
for each statement execute function private.follow_partner_change();
create trigger follow_update after update on public.user_location_preferences
referencing old table as old_rows new table as new_rows
for each statement execute function private.follow_partner_change();
create trigger follow_delete after delete on public.user_location_preferences
referencing old table as old_rows
for each statement execute function private.follow_partner_change();

create trigger follow_update after update on public.industries
referencing old table as old_rows new table as new_rows
for each statement execute function private.follow_reference_change();

create trigger follow_update after update on public.regions
referencing old table as old_rows new table as new_rows
for each statement execute function private.follow_reference_change();

create trigger follow_update after update on public.segment_sync_settings
referencing old table as old_rows new table as new_rows
for each statement execute function private.follow_settings_change();
