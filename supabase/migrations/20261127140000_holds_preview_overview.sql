-- The admin's console: holds that keep a segment off whatever its capacity, a preview of the sync that writes
-- nothing, the segment overview, finding a partner by e-mail and the partners feeding a segment. Following no
-- longer locks the settings row for every partner change: switching it on locks the partner tables instead.
-- Function and view bodies come from sql/functions/ and sql/views/: edit those files, not this one.

alter table public.lead_segments
add column held_at timestamptz,
add column held_by text,
add column hold_reason text,
add constraint lead_segments_hold_complete check ((held_at is null) = (hold_reason is null)),
add constraint lead_segments_held_is_inactive check (held_at is null or not is_active);

comment on column public.lead_segments.held_at is
'When an admin held the segment (hold_segment): it stays inactive whatever its capacity until release_segment.';

set check_function_bodies = off;

-- First step of a nightly firing (committed on its own): when no other firing is running, records any earlier
-- nightly run that never finished (its connection was killed, the server went down) as abandoned; then, when
-- the night is due (private.nightly_run_is_due), opens today's sync run and returns its id, else null.
-- The session-level lock it takes is held across the firing's transactions until private.nightly_close.
-- p_now: private.nightly_open passes now(); tests pass hours of their own.
create or replace function private.nightly_open_at(p_now timestamptz)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
    v_settings public.segment_sync_settings;
    v_local_date date;
    v_succeeded boolean;
    v_failed integer;
begin
    if not pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('leadstroom.nightly')) then
        return null;  -- another firing is still at work
    end if;
    update public.segment_sync_runs
    set
        status = 'abandoned',
        finished_at = pg_catalog.clock_timestamp(),
        error = 'cut off before it finished (a killed connection or a server restart); a later firing retries'
    where trigger = 'cron' and status = 'running';

    select * into strict v_settings from public.segment_sync_settings;
    v_local_date := (p_now at time zone v_settings.timezone)::date;
    -- the night has succeeded when its planner has (the planner runs only after a successful sync)
    select
        coalesce(pg_catalog.bool_or(r.kind = 'plan' and r.status = 'succeeded'), false),
        pg_catalog.count(*) filter (where r.status in ('failed', 'abandoned'))
    into v_succeeded, v_failed
    from public.segment_sync_runs as r
    where r.trigger = 'cron' and r.scheduled_for = v_local_date;

    if not private.nightly_run_is_due(
        p_now, v_settings.timezone, v_settings.run_at_local_time, v_succeeded, v_failed::integer
    ) then
        perform pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('leadstroom.nightly'));
        return null;
    end if;
    return private.start_run('sync', 'capacity', 'cron', v_local_date);
end;
$$;

revoke all on function private.nightly_open_at(timestamptz) from public;

-- Today's date in the marketplace's configured time zone (segment_sync_settings.timezone): the date a plan of
-- "today" is for.
create or replace function private.local_today()
returns date
language sql
stable
set search_path = ''
as $$
    select (pg_catalog.now() at time zone st.timezone)::date from public.segment_sync_settings as st
$$;

revoke all on function private.local_today() from public;

-- Takes the lock that serializes every writer of these combinations' segments (the sync, following a change,
-- holds) until the transaction ends: an advisory lock per plain segment code (leadstroom's namespace in the
-- high half of the key), so two combinations that would share a code queue too. In one fixed order, so
-- single-statement changes never deadlock.
create or replace function private.lock_combinations(p_branches text[], p_regions text[])
returns void
language plpgsql
set search_path = ''
as $$
begin
    -- perform: every key is locked (a SQL function returning void would stop at the first row)
    perform pg_catalog.pg_advisory_xact_lock(k.lock_key)
    from (
        select distinct
            (1818325363::bigint << 32)
            | (pg_catalog.hashtext(pg_catalog.replace(c.branch || '_' || c.region, '-', '_'))::bigint & 4294967295)
            as lock_key
        from unnest(p_branches, p_regions) as c (branch, region)
        order by 1
    ) as k;
end;
$$;

revoke all on function private.lock_combinations(text[], text[]) from public;

-- The planner's work for a run row that is already open (p_run_id): the plans of p_date
-- (private.write_segment_plans). A failed or cancelled run rolls back its plans and closes the row as failed
-- with its SQLSTATE.
create or replace function private.execute_plan(p_run_id bigint, p_date date)
returns jsonb
language plpgsql
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_sqlstate text;
    v_message text;
begin
    return private.finish_run(
        p_run_id,
        pg_catalog.jsonb_build_object('run_id', p_run_id, 'kind', 'plan', 'status', 'succeeded')
        || private.write_segment_plans(p_date, null)
    );
exception
    -- others does not include a cancel (statement_timeout, pg_cancel_backend): name it too
    when others or query_canceled then
        get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
        return private.fail_run(p_run_id, v_sqlstate, v_message);
end;
$$;

revoke all on function private.execute_plan(bigint, date) from public;

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
                    'plans', private.write_segment_plans(private.local_today(), v_changed)
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
    return private.run_plan(coalesce(p_date, private.local_today()), private.request_trigger('sql'), null);
end;
$$;

revoke all on function private.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function private.plan_segment_targets(date) to authenticated, service_role;

-- Brings the segments of the given combinations (p_branches[i] + p_regions[i]) in line with their capacity
-- as committed right now: creates or reactivates a segment where a partner counts, deactivates one where none
-- does. The one place segments change; the full sync and the following of partner changes both call it.
-- Returns the codes it created, activated and deactivated and the ids of those segments.
--
-- Concurrency: each combination is first locked (private.lock_combinations). In read committed, the statement
-- after the lock takes a fresh snapshot and sees every transaction that held the lock before, so two partners
-- leaving one combination in concurrent transactions cannot each keep it alive for the other (write skew).
-- Under repeatable read the snapshot is older than the lock; there the segment rows are written even when
-- unchanged, so a concurrent change to the same combination ends one transaction with a serialization failure
-- instead of a wrong segment.
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
    perform private.lock_combinations(p_branches, p_regions);

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

    -- a combination has capacity while one counting partner has both preferences enabled; looked up per
    -- combination until the first one (a lateral LIMIT 1, so no plan hashes every partner instead)
    wanted as (
        select
            c.branch,
            c.region,
            r.country,
            i.is_active and r.is_active and counting.found is not null as has_capacity
        from candidate as c
        inner join public.industries as i on c.branch = i.slug
        inner join public.regions as r on c.region = r.code
        left join lateral (
            select true as found
            from public.user_industry_preferences as uip
            inner join public.user_location_preferences as ulp
                on uip.user_id = ulp.user_id and ulp.location_code = c.region and ulp.is_enabled
            inner join private.partner_capacity_lookup as pc on uip.user_id = pc.partner_id
            where uip.industry_id = i.id and uip.is_enabled and pc.counts
            limit 1
        ) as counting on true
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
        -- a held segment stays off whatever its capacity (private.hold_segment)
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

revoke all on function private.apply_segment_capacity(text[], text[]) from public;

-- What a full sync has to look at: the marketplace-wide capacity aggregate compared with the segments, without
-- any lock (partners' changes never wait for it). Returns the number of combinations with capacity and every
-- combination whose segment disagrees (no active segment and no hold, or an active one without capacity), to be
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
            where s.branch = c.branch and s.region = c.region and (s.is_active or s.held_at is not null)
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

-- The sync's work for a run row that is already open (p_run_id): the marketplace-wide aggregate without any
-- lock, then only the combinations that differ, each re-checked and changed under its lock
-- (private.apply_segment_capacity), so a partner's change never waits for the aggregate. While segments follow
-- partner changes it finds nothing to change: `fixed` in its result and run row counts what it had to repair.
-- A failed or cancelled run (statement_timeout, lock_timeout, an admin's cancel) rolls back its changes and
-- closes the row as failed with its SQLSTATE.
create or replace function private.execute_sync(p_run_id bigint)
returns jsonb
language plpgsql
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
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
    begin
        select d.total_combinations, d.branches, d.regions
        into v_total, v_branches, v_regions
        from private.capacity_differences() as d;
        v_applied := private.apply_segment_capacity(v_branches, v_regions);
        v_created := pg_catalog.jsonb_array_length(v_applied -> 'created_codes');
        v_activated := pg_catalog.jsonb_array_length(v_applied -> 'activated_codes');
        v_deactivated := pg_catalog.jsonb_array_length(v_applied -> 'deactivated_codes');
        v_result := pg_catalog.jsonb_build_object(
            'run_id', p_run_id,
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
            'held_codes', coalesce(
                (
                    select pg_catalog.jsonb_agg(s.code order by s.code)
                    from public.lead_segments as s where s.held_at is not null
                ),
                '[]'
            ),
            'following', (select st.follow_partner_changes from public.segment_sync_settings as st)
        );
        return private.finish_run(p_run_id, v_result);
    exception
        -- others does not include a cancel (statement_timeout, pg_cancel_backend): name it too
        when others or query_canceled then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            return private.fail_run(p_run_id, v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.execute_sync(bigint) from public;

-- Trigger: rows of this table are never deleted (segments keep their history; settings are one row).
create or replace function private.refuse_delete()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    raise exception '% rows are never deleted', tg_table_name
    using errcode = 'restrict_violation',
    hint = case tg_table_name
        when 'lead_segments'
            then 'To keep a segment off whatever its capacity, hold it: select hold_segment(''<code>'', ''<reason>'').'
        else 'Update the row instead.'
    end;
end;
$$;

revoke all on function private.refuse_delete() from public;

-- Holds a segment (public.hold_segment): deactivates it and keeps it off whatever its capacity; neither the
-- sync nor following reactivates it, and the planner gives it target 0 (today's plan at once). Records who,
-- when and why. 42501 for a caller who is not an admin, PT404 for an unknown code, 22023 without a reason.
-- security definer: writes segments and plans for the admins it admits.
create or replace function private.hold_segment(p_code text, p_reason text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_segment public.lead_segments;
begin
    perform private.assert_admin();
    if coalesce(pg_catalog.btrim(p_reason), '') = '' then
        raise exception 'a hold needs a reason'
        using errcode = 'invalid_parameter_value', hint = 'Say why the segment stays off, e.g. "no ad budget".';
    end if;
    select s.* into v_segment from public.lead_segments as s where s.code = p_code;
    if not found then
        raise exception 'no segment with code "%"', p_code using errcode = 'PT404';
    end if;
    perform private.lock_combinations(array[v_segment.branch], array[v_segment.region]);
    update public.lead_segments as s
    set is_active = false, held_at = pg_catalog.now(), held_by = private.request_caller(),
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

revoke all on function private.hold_segment(text, text) from public, anon, authenticated;
grant execute on function private.hold_segment(text, text) to authenticated, service_role;

-- Lifts a hold (public.release_segment): the segment follows its capacity again and is reactivated at once
-- when it has capacity (with today's plan). 42501 for a caller who is not an admin, PT404 for an unknown code.
-- security definer: writes segments and plans for the admins it admits.
create or replace function private.release_segment(p_code text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_segment public.lead_segments;
begin
    perform private.assert_admin();
    update public.lead_segments as s
    set held_at = null, held_by = null, hold_reason = null
    where s.code = p_code
    returning s.* into v_segment;
    if not found then
        raise exception 'no segment with code "%"', p_code using errcode = 'PT404';
    end if;
    perform private.follow_combinations(array[v_segment.branch], array[v_segment.region]);
    select s.* into strict v_segment from public.lead_segments as s where s.id = v_segment.id;
    return pg_catalog.jsonb_build_object('code', v_segment.code, 'is_active', v_segment.is_active, 'held_at', null);
end;
$$;

revoke all on function private.release_segment(text) from public, anon, authenticated;
grant execute on function private.release_segment(text) to authenticated, service_role;

-- Holds a segment: deactivates it and keeps it off whatever its capacity (API).
-- Runs as the caller; private.hold_segment checks that the caller is an admin.
create or replace function public.hold_segment(p_code text, p_reason text)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select private.hold_segment(p_code, p_reason)
$$;

revoke all on function public.hold_segment(text, text) from public, anon, authenticated;
grant execute on function public.hold_segment(text, text) to authenticated, service_role;

-- Lifts a segment's hold; it is reactivated at once when it has capacity (API).
-- Runs as the caller; private.release_segment checks that the caller is an admin.
create or replace function public.release_segment(p_code text)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select private.release_segment(p_code)
$$;

revoke all on function public.release_segment(text) from public, anon, authenticated;
grant execute on function public.release_segment(text) to authenticated, service_role;

-- What the sync would do now (public.preview_segment_sync), and nothing written: the real sync runs inside a
-- subtransaction that is then rolled back, so the preview cannot drift from the sync. The same keys as the
-- sync's result, with "dry_run": true and no run_id (its run row was rolled back too). Admins only.
-- security definer: runs the sync's work for the admins it admits.
create or replace function private.preview_segment_sync()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_result jsonb;
begin
    perform private.assert_admin();
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

revoke all on function private.preview_segment_sync() from public, anon, authenticated;
grant execute on function private.preview_segment_sync() to authenticated, service_role;

-- What sync_segments_capacity() would do now, writing nothing: no segment, plan or run row (API).
-- Runs as the caller; private.preview_segment_sync checks that the caller is an admin.
create or replace function public.preview_segment_sync()
returns jsonb
language sql
security invoker
set search_path = ''
as $$
    select private.preview_segment_sync()
$$;

revoke all on function public.preview_segment_sync() from public, anon, authenticated;
grant execute on function public.preview_segment_sync() to authenticated, service_role;

-- The rows of public.segment_overview: every segment with its current capacity and today's plan (configured
-- time zone): target, actual leads and gap as the planner wrote them (null before today is planned).
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

-- The partner behind an e-mail address (its auth.users account), for finding a partner by what an admin
-- knows. Case-insensitive. 42501 for a caller who is not an admin, PT404 for an unknown address.
-- security definer: reads auth.users, which the API does not expose.
create or replace function private.partner_id_by_email(p_email text)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    v_id uuid;
begin
    perform private.assert_admin();
    select u.id into v_id
    from auth.users as u
    inner join public.profiles as p on u.id = p.id
    where pg_catalog.lower(u.email) = pg_catalog.lower(pg_catalog.btrim(p_email));
    if v_id is null then
        raise exception 'no partner with e-mail address "%"', p_email using errcode = 'PT404';
    end if;
    return v_id;
end;
$$;

revoke all on function private.partner_id_by_email(text) from public, anon, authenticated;
grant execute on function private.partner_id_by_email(text) to authenticated, service_role;

-- The partner id behind an e-mail address (API; admins). Runs as the caller; private.partner_id_by_email
-- checks it and reads auth.users.
create or replace function public.partner_id_by_email(p_email text)
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
    select private.partner_id_by_email(p_email)
$$;

revoke all on function public.partner_id_by_email(text) from public, anon, authenticated;
grant execute on function public.partner_id_by_email(text) to authenticated, service_role;

-- The partners feeding a segment: everyone with both of its preferences enabled, whether they count as capacity
-- now and with how many leads a month, counting partners first. 42501 for a caller who is not an admin, PT404 for
-- an unknown code.
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
    select pc.partner_id, u.email, p.company_name, pc.counts, pc.effective_capacity
    from public.user_industry_preferences as uip
    inner join public.industries as i on uip.industry_id = i.id and i.slug = v_segment.branch
    inner join public.user_location_preferences as ulp
        on uip.user_id = ulp.user_id and ulp.location_code = v_segment.region and ulp.is_enabled
    inner join private.partner_capacity_lookup as pc on uip.user_id = pc.partner_id
    inner join public.profiles as p on pc.partner_id = p.id
    left join auth.users as u on p.id = u.id
    where uip.is_enabled
    order by pc.counts desc, pc.effective_capacity desc, u.email;
end;
$$;

revoke all on function private.segment_partners(text) from public, anon, authenticated;
grant execute on function private.segment_partners(text) to authenticated, service_role;

-- The partners feeding a segment, with whether they count and their capacity (API; admins). Runs as the
-- caller; private.segment_partners checks it.
create or replace function public.segment_partners(p_code text)
returns table (partner_id uuid, email text, company_name text, counts boolean, effective_capacity integer)
language sql
stable
security invoker
set search_path = ''
as $$
    select sp.partner_id, sp.email, sp.company_name, sp.counts, sp.effective_capacity
    from private.segment_partners(p_code) as sp
$$;

revoke all on function public.segment_partners(text) from public, anon, authenticated;
grant execute on function public.segment_partners(text) to authenticated, service_role;

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
    -- switching following on waits for this statement's transaction (private.follow_settings_change locks the
    -- partner tables), so a change that read "off" here is still seen by the reconciliation
    select st.follow_partner_changes, st.require_active_payment_method
    into v_follow, v_payment_rule
    from public.segment_sync_settings as st;
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

    -- each partner's preferences through their index, whatever the table sizes (offset 0 keeps the lateral
    -- lookups from being planned as a hash join over every partner's preferences)
    industries_of as (
        select p.partner_id, own.industry_id
        from partners as p
        cross join lateral (
            select uip.industry_id from public.user_industry_preferences as uip
            where uip.user_id = p.partner_id
            offset 0
        ) as own
        union
        select c.partner_id, c.industry_id from changed as c where c.industry_id is not null
    ),

    regions_of as (
        select p.partner_id, own.location_code as region
        from partners as p
        cross join lateral (
            select ulp.location_code from public.user_location_preferences as ulp
            where ulp.user_id = p.partner_id
            offset 0
        ) as own
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
    select st.follow_partner_changes into v_follow from public.segment_sync_settings as st;
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
-- logged as a 'change' run). It first waits for every change in flight to the sources of capacity (a share
-- lock on their tables), so none is missed.
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
    -- a barrier for changes in flight: every transaction that wrote a source of capacity (and may have read
    -- "following off") commits first, and the reconciliation below sees it; new ones wait for this one
    lock table
        public.profiles, public.subscriptions, public.payment_methods, public.user_industry_preferences,
        public.user_location_preferences, public.industries, public.regions
    in share mode;
    select d.branches, d.regions into v_branches, v_regions from private.capacity_differences() as d;
    perform private.follow_combinations(v_branches, v_regions);
    return null;
end;
$$;

revoke all on function private.follow_settings_change() from public;

-- One row per segment for admins: code, branch, region, whether it is active or held, its current capacity,
-- and today's target, actual leads and gap (configured time zone; null before today is planned).
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
    o.target_leads_per_day,
    o.actual_leads,
    o.lead_gap
from private.segment_overview_rows() as o;

revoke all on public.segment_overview from public, anon, authenticated;
grant select on public.segment_overview to authenticated, service_role;
