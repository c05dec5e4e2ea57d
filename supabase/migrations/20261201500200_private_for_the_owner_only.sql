-- Private for the owner only: the functions the API roles may call (each checks its caller, or is a helper of
-- row level security and the public wrappers) move from `private` to `guarded`, and the API roles lose USAGE
-- on `private`. PostgreSQL cannot revoke the default EXECUTE for PUBLIC on one schema's functions, and changing
-- it for every schema would change Supabase's defaults; without USAGE on the schema, a function added to
-- `private` later is executable by nobody but its owner, whatever its own grants say.
-- ALTER FUNCTION ... SET SCHEMA keeps each function's grants and the policies and views that use it; the
-- functions whose bodies name a moved one are redefined below.

create schema guarded;
comment on schema guarded is
'leadstroom functions the API roles may call: each checks its caller first (or helps row level security)';
revoke all on schema guarded from public;
grant usage on schema guarded to authenticated, service_role;

alter function private.admin_sync_segments(p_method text) set schema guarded;
alter function private.assert_admin() set schema guarded;
alter function private.explain_partner_capacity(p_partner_id uuid) set schema guarded;
alter function private.get_branch_region_capacity_combos() set schema guarded;
alter function private.hold_segment(p_code text, p_reason text) set schema guarded;
alter function private.input_excerpt(p_input text) set schema guarded;
alter function private.is_admin() set schema guarded;
alter function private.partner_id_by_email(p_email text) set schema guarded;
alter function private.plan_segment_targets(p_date date) set schema guarded;
alter function private.preview_segment_sync() set schema guarded;
alter function private.release_segment(p_code text) set schema guarded;
alter function private.request_caller() set schema guarded;
alter function private.request_role() set schema guarded;
alter function private.segment_overview_rows() set schema guarded;
alter function private.segment_partners(p_code text) set schema guarded;
alter function private.segment_sync_health() set schema guarded;
alter function private.sync_segments_capacity() set schema guarded;

-- Bodies reference each other; they are checked when called (and by plpgsql_check), not in file order.
set check_function_bodies = off;

-- The admin endpoint's work (public.admin_sync_segments): 42501 for a caller who is not an admin, 22023 for a
-- method that is not supported; otherwise the sync, logged with trigger 'admin' (or 'cli' from the
-- leadstroom command) and the caller.
-- security definer: writes segments and reads every partner for the admins it admits.
create or replace function guarded.admin_sync_segments(p_method text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_supported constant text[] := array['capacity'];
begin
    perform guarded.assert_admin();
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

revoke all on function guarded.admin_sync_segments(text) from public, anon, authenticated;
grant execute on function guarded.admin_sync_segments(text) to authenticated, service_role;

-- Raises 42501 unless the caller is an admin (see guarded.is_admin).
create or replace function guarded.assert_admin()
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
    if not guarded.is_admin() then
        raise exception 'only admins may do this (caller: %)', guarded.request_caller()
        using errcode = 'insufficient_privilege',
        hint = 'Use the service_role key, or sign in as a user whose profile has is_admin = true.';
    end if;
end;
$$;

revoke all on function guarded.assert_admin() from public;
-- the API functions run as the caller and check it first
grant execute on function guarded.assert_admin() to authenticated, service_role;

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

-- Every branch x region combination with capacity: how many partners count and their leads a month.
-- security definer: aggregates every partner's data; only admins pass the check in the body.
create or replace function guarded.get_branch_region_capacity_combos()
returns table (branch text, region text, capacity_partners bigint, capacity_total_leads bigint)
language plpgsql
stable
security definer
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
begin
    perform guarded.assert_admin();
    return query
    select cc.branch, cc.region, cc.capacity_partners, cc.capacity_total_leads
    from private.capacity_combos as cc
    order by cc.branch, cc.region;
end;
$$;

revoke all on function guarded.get_branch_region_capacity_combos() from public, anon, authenticated;
grant execute on function guarded.get_branch_region_capacity_combos() to authenticated, service_role;

-- Holds a segment (public.hold_segment): deactivates it and keeps it off whatever its capacity; neither the
-- sync nor following reactivates it, and the planner gives it target 0 (today's plan at once). Records who,
-- when and why. 42501 for a caller who is not an admin, PT404 for an unknown code, 22023 without a reason or for
-- one longer than 500 characters or with control or bidirectional characters.
-- security definer: writes segments and plans for the admins it admits.
create or replace function guarded.hold_segment(p_code text, p_reason text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_segment public.lead_segments;
    v_bad_at integer;
begin
    perform guarded.assert_admin();
    if coalesce(pg_catalog.btrim(p_reason), '') = '' then
        raise exception 'a hold needs a reason: the reason is empty or only spaces'
        using errcode = 'invalid_parameter_value', hint = 'Say why the segment stays off, e.g. "no ad budget".';
    end if;
    if pg_catalog.char_length(pg_catalog.btrim(p_reason)) > 500 then
        raise exception 'a hold''s reason is at most 500 characters, this one has %',
            pg_catalog.char_length(pg_catalog.btrim(p_reason))
        using errcode = 'invalid_parameter_value', hint = 'Say briefly why; details belong elsewhere.';
    end if;
    -- control characters (a newline included) and bidirectional overrides would make the reason display as
    -- something other than what it says
    v_bad_at := pg_catalog.regexp_instr(
        p_reason, '[\u0001-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]'
    );
    if v_bad_at > 0 then
        raise exception 'a hold''s reason may not contain control or bidirectional characters (U+% at character %)',
            pg_catalog.lpad(
                pg_catalog.upper(pg_catalog.to_hex(pg_catalog.ascii(pg_catalog.substr(p_reason, v_bad_at, 1)))), 4, '0'
            ),
            v_bad_at
        using errcode = 'invalid_parameter_value', hint = 'Write the reason as plain text on one line.';
    end if;
    select s.* into v_segment from public.lead_segments as s where s.code = p_code;
    if not found then
        raise exception 'no segment with code "%"', guarded.input_excerpt(p_code) using errcode = 'PT404';
    end if;
    perform private.lock_combinations(array[v_segment.branch], array[v_segment.region]);
    update public.lead_segments as s
    set is_active = false, held_at = pg_catalog.now(), held_by = guarded.request_caller(),
        hold_reason = pg_catalog.btrim(p_reason)
    where s.id = v_segment.id
    returning s.* into v_segment;
    perform private.write_segment_plans(private.local_today(), array[v_segment.id]);
    return pg_catalog.jsonb_build_object(
        'code', v_segment.code, 'is_active', v_segment.is_active, 'held_at', v_segment.held_at,
        'held_by', v_segment.held_by, 'hold_reason', v_segment.hold_reason
    );
end;
$$;

revoke all on function guarded.hold_segment(text, text) from public, anon, authenticated;
grant execute on function guarded.hold_segment(text, text) to authenticated, service_role;

-- What an error message quotes of an input: at most its first 100 characters, cut ones marked with "…". So a
-- 1 MB code or address comes back as a one-line error, not a 1 MB one.
create or replace function guarded.input_excerpt(p_input text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select case
        when pg_catalog.char_length(p_input) <= 100 then p_input
        else pg_catalog.left(p_input, 100) || '…'
    end
$$;

revoke all on function guarded.input_excerpt(text) from public, anon, authenticated;
-- trigger functions that run as the caller (a partner's own preference, an admin's settings) quote with it
grant execute on function guarded.input_excerpt(text) to authenticated, service_role;

-- Whether the caller may administer segments: service_role, the database owner's own sessions (SQL console,
-- pg_cron), or a signed-in user whose profile says is_admin. Nothing in the JWT a user can edit counts.
-- security definer: policies on profiles call it, and reading profiles as the caller would recurse.
create or replace function guarded.is_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select case guarded.request_role()
        when 'service_role' then true
        when 'authenticated' then coalesce(
            (select p.is_admin from public.profiles as p where p.id = auth.uid()), false
        )
        when 'anon' then false
        else coalesce(
            (select r.rolsuper or r.rolname = 'postgres' from pg_catalog.pg_roles as r
                where r.rolname = guarded.request_role()),
            false
        )
    end
$$;

revoke all on function guarded.is_admin() from public;
grant execute on function guarded.is_admin() to authenticated, service_role;

-- The partner behind an e-mail address (its auth.users account), for finding a partner by what an admin
-- knows. Case-insensitive. 42501 for a caller who is not an admin, PT404 for an unknown address.
-- security definer: reads auth.users, which the API does not expose.
create or replace function guarded.partner_id_by_email(p_email text)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    v_id uuid;
begin
    perform guarded.assert_admin();
    select u.id into v_id
    from auth.users as u
    inner join public.profiles as p on u.id = p.id
    where pg_catalog.lower(u.email) = pg_catalog.lower(pg_catalog.btrim(p_email));
    if v_id is null then
        raise exception 'no partner with e-mail address "%"', guarded.input_excerpt(p_email) using errcode = 'PT404';
    end if;
    return v_id;
end;
$$;

revoke all on function guarded.partner_id_by_email(text) from public, anon, authenticated;
grant execute on function guarded.partner_id_by_email(text) to authenticated, service_role;

-- The planner as the API offers it (public.plan_segment_targets): admins only, checked first; the date
-- defaults to today in the configured time zone, and must be finite and at most a year from today (22023, before
-- a run starts: a plan that far ahead has no capacity to go on). Logged with trigger 'sql' (or 'cli').
-- security definer: reads every partner's capacity and writes plans for the admins it admits.
create or replace function guarded.plan_segment_targets(p_date date default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_today date;
begin
    perform guarded.assert_admin();
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

revoke all on function guarded.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function guarded.plan_segment_targets(date) to authenticated, service_role;

-- What the sync would do now (public.preview_segment_sync), and nothing written: the real sync runs inside a
-- subtransaction that is then rolled back, so the preview cannot drift from the sync. The same keys as the
-- sync's result, with "dry_run": true and no run_id (its run row was rolled back too). Admins only.
-- security definer: runs the sync's work for the admins it admits.
create or replace function guarded.preview_segment_sync()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_result jsonb;
begin
    perform guarded.assert_admin();
    begin
        v_result := private.run_sync(private.request_trigger('sql'), null);
        raise exception 'preview: roll back' using errcode = 'LSDRY';
    exception
        when sqlstate 'LSDRY' then
            null;  -- everything the sync wrote is gone; its result is kept
    end;
    return v_result || pg_catalog.jsonb_build_object('run_id', null, 'dry_run', true);
end;
$$;

revoke all on function guarded.preview_segment_sync() from public, anon, authenticated;
grant execute on function guarded.preview_segment_sync() to authenticated, service_role;

-- Lifts a hold (public.release_segment): the segment follows its capacity again and is reactivated at once
-- when it has capacity (with today's plan). 42501 for a caller who is not an admin, PT404 for an unknown code.
-- security definer: writes segments and plans for the admins it admits.
create or replace function guarded.release_segment(p_code text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_segment public.lead_segments;
begin
    perform guarded.assert_admin();
    update public.lead_segments as s
    set held_at = null, held_by = null, hold_reason = null
    where s.code = p_code
    returning s.* into v_segment;
    if not found then
        raise exception 'no segment with code "%"', guarded.input_excerpt(p_code) using errcode = 'PT404';
    end if;
    perform private.follow_keys(
        array[null::uuid], array[v_segment.branch], array[v_segment.region], null, pg_catalog.now()
    );
    select s.* into strict v_segment from public.lead_segments as s where s.id = v_segment.id;
    return pg_catalog.jsonb_build_object('code', v_segment.code, 'is_active', v_segment.is_active, 'held_at', null);
end;
$$;

revoke all on function guarded.release_segment(text) from public, anon, authenticated;
grant execute on function guarded.release_segment(text) to authenticated, service_role;

-- Who is calling, for the run log: 'user:<uuid>' for a signed-in user, else the role name.
create or replace function guarded.request_caller()
returns text
language sql
stable
set search_path = ''
as $$
    select case
        when guarded.request_role() = 'authenticated' and auth.uid() is not null then 'user:' || auth.uid()::text
        else guarded.request_role()
    end
$$;

revoke all on function guarded.request_caller() from public;
grant execute on function guarded.request_caller() to authenticated, service_role;

-- The role the request runs as: what PostgREST (or a test) set with `set role`, else the login role.
-- Read from the `role` setting because current_user is the owner inside security definer functions.
create or replace function guarded.request_role()
returns text
language sql
stable
set search_path = ''
as $$
    select coalesce(nullif(pg_catalog.current_setting('role', true), 'none'), session_user::text)
$$;

revoke all on function guarded.request_role() from public;
grant execute on function guarded.request_role() to authenticated, service_role;

-- The rows of public.segment_overview: every segment with its current capacity and today's plan (configured
-- time zone): its share of its partners' capacity (allocated) and what they can still take this month through
-- it (open), target, actual leads and gap as the planner wrote them (null before today is planned).
-- security definer: aggregates every partner's capacity for the admins it admits.
create or replace function guarded.segment_overview_rows()
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
    perform guarded.assert_admin();
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

revoke all on function guarded.segment_overview_rows() from public, anon, authenticated;
grant execute on function guarded.segment_overview_rows() to authenticated, service_role;

-- The partners feeding a segment: everyone with both of its preferences enabled (private.partner_combinations),
-- whether they count as capacity there now and with how many leads a month, counting partners first. 42501 for
-- a caller who is not an admin, PT404 for an unknown code.
-- security definer: reads every partner's preferences, subscriptions and account for the admins it admits.
create or replace function guarded.segment_partners(p_code text)
returns table (partner_id uuid, email text, company_name text, counts boolean, effective_capacity integer)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    v_segment public.lead_segments;
begin
    perform guarded.assert_admin();
    select s.* into v_segment from public.lead_segments as s where s.code = p_code;
    if not found then
        raise exception 'no segment with code "%"', guarded.input_excerpt(p_code) using errcode = 'PT404';
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

revoke all on function guarded.segment_partners(text) from public, anon, authenticated;
grant execute on function guarded.segment_partners(text) to authenticated, service_role;

-- Is the nightly sync healthy? For monitoring (public.segment_sync_health, `leadstroom health`):
--   failing  the last nightly attempt failed or was cut off, and no later one succeeded;
--   late     today's night has not succeeded and its run time is more than an hour past;
--   degraded following is not keeping up: a 'change' run failed after the last successful full sync, keys have
--            waited in the follow-up queue for more than 5 minutes, or the last reconciliation (the night's
--            sync, or an admin's since) had to fix segments while following was on (`degraded_because` says
--            which; a later sync that finds nothing to fix clears it);
--   ok       otherwise.
-- With the last nightly run, today's attempts and the last failed run of any kind. Admins only.
-- security definer: reads the run log, which only admins may read, for the admins it admits.
create or replace function guarded.segment_sync_health()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    v_settings public.segment_sync_settings;
    v_today date;
    v_due_at timestamptz;
    v_last_nightly public.segment_sync_runs;
    v_last_failed public.segment_sync_runs;
    v_done_today boolean;
    v_attempts integer;
    v_overdue boolean;
    v_failing boolean;
    v_failed_change public.segment_sync_runs;
    v_queued bigint;
    v_oldest_queued timestamptz;
    v_degraded_because text[];
    v_last_sync_fixed integer;
begin
    perform guarded.assert_admin();
    select * into strict v_settings from public.segment_sync_settings;
    v_today := (pg_catalog.now() at time zone v_settings.timezone)::date;
    v_due_at := (v_today + v_settings.run_at_local_time) at time zone v_settings.timezone;

    select r.* into v_last_nightly
    from public.segment_sync_runs as r
    where r.trigger = 'cron' and r.status <> 'running'
    order by r.id desc
    limit 1;
    select r.* into v_last_failed
    from public.segment_sync_runs as r
    where r.status in ('failed', 'abandoned')
    order by r.id desc
    limit 1;
    select
        coalesce(pg_catalog.bool_or(r.kind = 'plan' and r.status = 'succeeded'), false),
        pg_catalog.count(*) filter (where r.kind = 'sync')
    into v_done_today, v_attempts
    from public.segment_sync_runs as r
    where r.trigger = 'cron' and r.scheduled_for = v_today;

    select r.* into v_failed_change
    from public.segment_sync_runs as r
    where r.trigger = 'change' and r.status = 'failed' and r.id > coalesce(
        (
            select max(full_sync.id) from public.segment_sync_runs as full_sync
            where full_sync.kind = 'sync' and full_sync.trigger <> 'change' and full_sync.status = 'succeeded'
        ),
        0
    )
    order by r.id desc
    limit 1;
    -- the last reconciliation (the night's, or an admin's sync since); with following off the sync is what
    -- changes segments, so its fixes are no sign of trouble
    select case when (r.result ->> 'following')::boolean then r.fixed_count end into v_last_sync_fixed
    from public.segment_sync_runs as r
    where r.kind = 'sync' and r.trigger <> 'change' and r.status = 'succeeded'
    order by r.id desc
    limit 1;
    select pg_catalog.count(*), min(q.queued_at) into v_queued, v_oldest_queued from private.segment_follow_queue as q;
    v_degraded_because := array_remove(
        array[
            case when v_failed_change.id is not null then 'a change run failed after the last successful sync' end,
            case
                when v_oldest_queued < pg_catalog.now() - interval '5 minutes'
                    then 'changes have waited in the follow-up queue for more than 5 minutes'
            end,
            case
                when v_last_sync_fixed > 0 then 'the last reconciling sync had to fix ' || v_last_sync_fixed || ' segments'
            end
        ],
        null
    );

    v_overdue := not v_done_today and pg_catalog.now() >= v_due_at + interval '1 hour';
    v_failing := v_last_nightly.status in ('failed', 'abandoned');
    return pg_catalog.jsonb_build_object(
        'status', case
            when v_failing then 'failing'
            when v_overdue then 'late'
            when pg_catalog.cardinality(v_degraded_because) > 0 then 'degraded'
            else 'ok'
        end,
        'degraded_because', pg_catalog.to_jsonb(v_degraded_because),
        'following', pg_catalog.jsonb_build_object(
            'queued', v_queued,
            'oldest_queued_at', v_oldest_queued,
            'last_failed_change', case when v_failed_change.id is not null then pg_catalog.jsonb_build_object(
                'run_id', v_failed_change.id, 'started_at', v_failed_change.started_at,
                'error', v_failed_change.error, 'sqlstate', v_failed_change.error_sqlstate
            ) end,
            'last_sync_fixed', v_last_sync_fixed
        ),
        'checked_at', pg_catalog.now(),
        'timezone', v_settings.timezone,
        'today', v_today,
        'run_at_local_time', v_settings.run_at_local_time,
        'today_succeeded', v_done_today,
        'today_overdue', v_overdue,
        'attempts_today', v_attempts,
        'max_attempts_a_day', 6,
        'last_nightly', case when v_last_nightly.id is not null then pg_catalog.jsonb_build_object(
            'run_id', v_last_nightly.id, 'kind', v_last_nightly.kind, 'for_date', v_last_nightly.scheduled_for,
            'status', v_last_nightly.status, 'started_at', v_last_nightly.started_at,
            'finished_at', v_last_nightly.finished_at, 'error', v_last_nightly.error
        ) end,
        'last_failed', case when v_last_failed.id is not null then pg_catalog.jsonb_build_object(
            'run_id', v_last_failed.id, 'kind', v_last_failed.kind, 'trigger', v_last_failed.trigger,
            'status', v_last_failed.status, 'started_at', v_last_failed.started_at,
            'error', v_last_failed.error, 'sqlstate', v_last_failed.error_sqlstate
        ) end
    );
end;
$$;

revoke all on function guarded.segment_sync_health() from public, anon, authenticated;
grant execute on function guarded.segment_sync_health() to authenticated, service_role;

-- The sync as the API offers it (public.sync_segments_capacity): admins only, checked first. Logged with
-- trigger 'sql' (or 'cli' from the leadstroom command).
-- security definer: writes segments and reads every partner for the admins it admits.
create or replace function guarded.sync_segments_capacity()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform guarded.assert_admin();
    return private.run_sync(private.request_trigger('sql'), null);
end;
$$;

revoke all on function guarded.sync_segments_capacity() from public, anon, authenticated;
grant execute on function guarded.sync_segments_capacity() to authenticated, service_role;

-- Brings the segments of the given combinations (p_branches[i] + p_regions[i]) in line with their capacity
-- as committed right now: creates or reactivates a segment where a partner feeds it (private.partner_combinations),
-- deactivates one where none does. The one place segments change; the full sync and following both call it.
-- Returns the codes it created, activated and deactivated and the ids of those segments; null when the
-- combinations' locks were not free by p_lock_deadline (null: wait for them).
--
-- Concurrency: the combinations are first locked (private.lock_combinations). In read committed, the statement
-- after the lock takes a fresh snapshot and sees every transaction that held the lock before, so two partners
-- leaving one combination in concurrent transactions cannot each keep it alive for the other (write skew).
-- Under repeatable read the snapshot is older than the lock; taking the lock writes its stripe, so a concurrent
-- writer of the same combination ends one transaction with a serialization failure instead of a wrong segment.
create or replace function private.apply_segment_capacity(
    p_branches text[], p_regions text[], p_lock_deadline timestamptz
)
returns jsonb
language plpgsql
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
as $$
declare
    v_result jsonb;
    v_branches text[];
    v_regions text[];
    v_has_capacity boolean[];
    v_unsegmented_branches text[];
    v_unsegmented_regions text[];
    v_new_codes text[];
    v_new_branches text[];
    v_new_regions text[];
    v_new_countries text[];
begin
    if not private.lock_combinations(p_branches, p_regions, p_lock_deadline) then
        return null;
    end if;

    -- which of them has capacity now, read after the locks: a combination has it while one partner feeds it
    -- (private.partner_combinations). A few are looked up one by one until the first partner, from the rare
    -- side's partners when a side of a combination without an active segment is rare
    -- (private.few_candidate_partners: a new region or branch); many (a
    -- sync, following switched on) are checked against the aggregate of the same rule in one hashed pass,
    -- cheaper than a lookup each from a few thousand on (tests/test_follow_changes.py proves the forms agree).
    if pg_catalog.cardinality(p_branches) <= 2000 then
        -- an active segment's partners are common enough to find one at once: candidates for the others
        select array_agg(d.branch), array_agg(d.region)
        into v_unsegmented_branches, v_unsegmented_regions
        from (select distinct u.branch, u.region from unnest(p_branches, p_regions) as u (branch, region)) as d
        where not exists (
            select from public.lead_segments as s where s.branch = d.branch and s.region = d.region and s.is_active
        );

        select
            array_agg(d.branch),
            array_agg(d.region),
            array_agg(
                case
                    when rare.candidates is null then exists (
                        select from private.partner_combinations as pc
                        where pc.branch = d.branch and pc.region = d.region and pc.feeds
                    )
                    else exists (
                        select from private.partner_combinations as pc
                        where
                            pc.partner_id = any(rare.candidates)
                            and pc.branch = d.branch and pc.region = d.region and pc.feeds
                    )
                end
            )
        into v_branches, v_regions, v_has_capacity
        from (select distinct u.branch, u.region from unnest(p_branches, p_regions) as u (branch, region)) as d
        left join private.few_candidate_partners(v_unsegmented_branches, v_unsegmented_regions) as rare
            on d.branch = rare.branch and d.region = rare.region;
    else
        select array_agg(d.branch), array_agg(d.region), array_agg(cc.branch is not null)
        into v_branches, v_regions, v_has_capacity
        from (select distinct u.branch, u.region from unnest(p_branches, p_regions) as u (branch, region)) as d
        left join private.capacity_combos as cc on d.branch = cc.branch and d.region = cc.region;
    end if;

    -- the segments to create and their codes, all read before the first is inserted: a statement that read
    -- lead_segments while inserting into it would scan its new rows again for each one (quadratic in a first sync)
    with missing as (
        select
            c.branch,
            c.region,
            r.country,
            pg_catalog.replace(c.branch || '_' || c.region, '-', '_') as plain_code
        from unnest(v_branches, v_regions, v_has_capacity) as c (branch, region, has_capacity)
        left join public.regions as r on c.region = r.code
        where c.has_capacity and not exists (
            select from public.lead_segments as s
            where s.branch = c.branch and s.region = c.region
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
    )

    select array_agg(cd.code), array_agg(cd.branch), array_agg(cd.region), array_agg(cd.country)
    into v_new_codes, v_new_branches, v_new_regions, v_new_countries
    from coded as cd;

    with wanted as (
        select c.branch, c.region, c.has_capacity
        from unnest(v_branches, v_regions, v_has_capacity) as c (branch, region, has_capacity)
    ),

    created as (
        insert into public.lead_segments (code, branch, region, country)
        select n.code, n.branch, n.region, n.country
        from unnest(v_new_codes, v_new_branches, v_new_regions, v_new_countries) as n (code, branch, region, country)
        returning id, code
    ),

    activated as (
        update public.lead_segments as s
        set is_active = true
        from wanted as w
        -- a held segment stays off whatever its capacity (guarded.hold_segment)
        where s.branch = w.branch and s.region = w.region and w.has_capacity and not s.is_active and s.held_at is null
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

revoke all on function private.apply_segment_capacity(text[], text[], timestamptz) from public;

-- Follows a changed statement's keys (as private.follow_keys takes them) in the mode private.follow_mode chose:
-- queued, or followed at once. A partner's own change (an API request as `authenticated`) waits at most 0.4 s
-- for locks and queues what is left; anyone else's waits for them, so it is in line when it commits.
create or replace function private.follow_change(
    p_partners uuid[], p_branches text[], p_regions text[], p_mode text
)
returns void
language plpgsql
set search_path = ''
as $$
begin
    if p_mode = 'queue' then
        perform private.queue_follow_keys(p_partners, p_branches, p_regions, pg_catalog.now());
    elsif p_mode = 'follow' then
        perform private.follow_keys(
            p_partners,
            p_branches,
            p_regions,
            case when guarded.request_role() = 'authenticated' then pg_catalog.clock_timestamp() + interval '0.4 s' end,
            pg_catalog.now()
        );
    end if;
end;
$$;

revoke all on function private.follow_change(uuid[], text[], text[], text) from public;

-- Trigger: only admins change who is an admin or who gets leads routed, and only billing (service_role) or an
-- admin changes a partner's capacity (max_open_leads): capacity is what a partner pays for. A partner edits the
-- rest of its profile.
create or replace function private.guard_profile_privileges()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if (new.is_admin, new.is_active_for_routing) is distinct from (old.is_admin, old.is_active_for_routing)
        and not guarded.is_admin() then
        raise exception 'only admins may change is_admin or is_active_for_routing'
        using errcode = 'insufficient_privilege';
    end if;
    if new.max_open_leads is distinct from old.max_open_leads and not guarded.is_admin() then
        raise exception 'only billing (service_role) or an admin may change max_open_leads'
        using errcode = 'insufficient_privilege',
        hint = 'Capacity is what a partner pays for: it changes with the subscription, not by the partner.';
    end if;
    return new;
end;
$$;

revoke all on function private.guard_profile_privileges() from public;

-- Trigger: ' Zuid-Holland ' is stored as 'zuid-holland'; an unknown region code is refused by name.
create or replace function private.normalize_location_preference()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    v_region_name text;
begin
    new.location_code := pg_catalog.lower(pg_catalog.btrim(new.location_code));
    select r.name into v_region_name from public.regions as r where r.code = new.location_code;
    if not found then
        raise exception 'unknown region code "%"', guarded.input_excerpt(new.location_code)
        using errcode = 'foreign_key_violation',
        hint = 'Use a code from public.regions, such as zuid-holland.';
    end if;
    new.location_name := coalesce(new.location_name, v_region_name);
    return new;
end;
$$;

revoke all on function private.normalize_location_preference() from public;

-- Opens a run row (status running) for the log. It is written before the work starts, outside the work's
-- subtransaction, so a failed run still leaves its row. What started the run (p_trigger, and the local date a
-- nightly run is for) comes from the code path that calls it, never from anything a caller can set.
create or replace function private.start_run(p_kind text, p_method text, p_trigger text, p_scheduled_for date)
returns bigint
language sql
set search_path = ''
as $$
    insert into public.segment_sync_runs (kind, method, trigger, caller, caller_user_id, scheduled_for)
    values (p_kind, p_method, p_trigger, guarded.request_caller(), auth.uid(), p_scheduled_for)
    returning id
$$;

revoke all on function private.start_run(text, text, text, date) from public;

-- Trigger: the settings the nightly job reads must make sense, each refused with a message naming it: the time
-- zone a real IANA zone, the run time a time of day before 24:00 (the type accepts '24:00', which is never
-- reached: the night would silently never run), runs kept at least 7 days (retention, private.remove_old_runs).
create or replace function private.validate_sync_settings()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if not exists (select from pg_catalog.pg_timezone_names as tz where tz.name = new.timezone) then
        raise exception 'timezone "%" is not a known IANA time zone', guarded.input_excerpt(new.timezone)
        using errcode = 'invalid_parameter_value',
        hint = 'Use a name such as Europe/Amsterdam.';
    end if;
    if new.run_at_local_time >= '24:00' then
        raise exception 'run_at_local_time must be a time of day before 24:00, not %', new.run_at_local_time
        using errcode = 'invalid_parameter_value',
        hint = 'Use 00:00 for midnight.';
    end if;
    if new.keep_runs_days < 7 then
        raise exception 'keep_runs_days must be at least 7, not %', new.keep_runs_days
        using errcode = 'invalid_parameter_value',
        hint = 'Runs are kept that many days (default 90); the last successful nightly run is always kept.';
    end if;
    return new;
end;
$$;

revoke all on function private.validate_sync_settings() from public;

-- The admin endpoint: POST /rest/v1/rpc/admin_sync_segments {"method": "capacity"}. Runs as the caller; the
-- caller and method checks and the sync are guarded.admin_sync_segments.
create or replace function public.admin_sync_segments(method text default 'capacity')
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.admin_sync_segments(method)
$$;

revoke all on function public.admin_sync_segments(text) from public, anon, authenticated;
grant execute on function public.admin_sync_segments(text) to authenticated, service_role;

-- Why a partner does or does not count as capacity (API): one row per rule of the contract. Runs as the
-- caller; guarded.explain_partner_capacity reads the partner's data after checking that the caller is an
-- admin or the partner itself.
create or replace function public.explain_partner_capacity(p_partner_id uuid)
returns table (step integer, rule text, passed boolean, reason text)
language sql
stable
security invoker
set search_path = ''
as $$
    select e.step, e.rule, e.passed, e.reason
    from guarded.explain_partner_capacity(p_partner_id) as e
$$;

revoke all on function public.explain_partner_capacity(uuid) from public, anon, authenticated;
grant execute on function public.explain_partner_capacity(uuid) to authenticated, service_role;

-- Every branch x region combination with capacity (API), ordered by branch, region. Runs as the caller; the
-- aggregate over every partner is guarded.get_branch_region_capacity_combos, which checks the caller first.
create or replace function public.get_branch_region_capacity_combos()
returns table (branch text, region text, capacity_partners bigint, capacity_total_leads bigint)
language sql
stable
security invoker
set search_path = ''
as $$
    select c.branch, c.region, c.capacity_partners, c.capacity_total_leads
    from guarded.get_branch_region_capacity_combos() as c
$$;

revoke all on function public.get_branch_region_capacity_combos() from public, anon, authenticated;
grant execute on function public.get_branch_region_capacity_combos() to authenticated, service_role;

-- Holds a segment: deactivates it and keeps it off whatever its capacity (API).
-- Runs as the caller; guarded.hold_segment checks that the caller is an admin.
create or replace function public.hold_segment(p_code text, p_reason text)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.hold_segment(p_code, p_reason)
$$;

revoke all on function public.hold_segment(text, text) from public, anon, authenticated;
grant execute on function public.hold_segment(text, text) to authenticated, service_role;

-- The partner id behind an e-mail address (API; admins). Runs as the caller; guarded.partner_id_by_email
-- checks it and reads auth.users.
create or replace function public.partner_id_by_email(p_email text)
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
    select guarded.partner_id_by_email(p_email)
$$;

revoke all on function public.partner_id_by_email(text) from public, anon, authenticated;
grant execute on function public.partner_id_by_email(text) to authenticated, service_role;

-- The planner (API): a daily lead target per segment for one date (today in the configured time zone when
-- null). Runs as the caller; the work is guarded.plan_segment_targets, which checks the caller first.
create or replace function public.plan_segment_targets(p_date date default null)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.plan_segment_targets(p_date)
$$;

revoke all on function public.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function public.plan_segment_targets(date) to authenticated, service_role;

-- What sync_segments_capacity() would do now, writing nothing: no segment, plan or run row (API).
-- Runs as the caller; guarded.preview_segment_sync checks that the caller is an admin.
create or replace function public.preview_segment_sync()
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.preview_segment_sync()
$$;

revoke all on function public.preview_segment_sync() from public, anon, authenticated;
grant execute on function public.preview_segment_sync() to authenticated, service_role;

-- Lifts a segment's hold; it is reactivated at once when it has capacity (API).
-- Runs as the caller; guarded.release_segment checks that the caller is an admin.
create or replace function public.release_segment(p_code text)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.release_segment(p_code)
$$;

revoke all on function public.release_segment(text) from public, anon, authenticated;
grant execute on function public.release_segment(text) to authenticated, service_role;

-- The partners feeding a segment, with whether they count and their capacity (API; admins). Runs as the
-- caller; guarded.segment_partners checks it.
create or replace function public.segment_partners(p_code text)
returns table (partner_id uuid, email text, company_name text, counts boolean, effective_capacity integer)
language sql
stable
security invoker
set search_path = ''
as $$
    select sp.partner_id, sp.email, sp.company_name, sp.counts, sp.effective_capacity
    from guarded.segment_partners(p_code) as sp
$$;

revoke all on function public.segment_partners(text) from public, anon, authenticated;
grant execute on function public.segment_partners(text) to authenticated, service_role;

-- Health of the nightly sync for monitoring (API): `status` ok, late or failing, the last nightly run,
-- whether today's is overdue, the last failed run. Runs as the caller; guarded.segment_sync_health checks it.
create or replace function public.segment_sync_health()
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
    select guarded.segment_sync_health()
$$;

revoke all on function public.segment_sync_health() from public, anon, authenticated;
grant execute on function public.segment_sync_health() to authenticated, service_role;

-- The capacity sync (API): one active segment for every branch x region combination with capacity, none
-- elsewhere. Runs as the caller; the work, which must write segments and read every partner, is
-- guarded.sync_segments_capacity, which checks the caller first.
create or replace function public.sync_segments_capacity()
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select guarded.sync_segments_capacity()
$$;

revoke all on function public.sync_segments_capacity() from public, anon, authenticated;
grant execute on function public.sync_segments_capacity() to authenticated, service_role;

-- last: every function above is in place before the API roles lose their way into private
revoke usage on schema private from authenticated, service_role;
comment on schema private is 'leadstroom internals: for the owner (postgres) and the functions it owns only';
