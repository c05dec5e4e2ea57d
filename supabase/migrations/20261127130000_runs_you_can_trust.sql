-- Runs you can trust: the nightly job fires hourly and retries a failed or missed night the same day (6
-- attempts at most), commits its run row before the work so a cut-off run is found and closed as abandoned,
-- runs the planner only after a successful sync, and makes pg_cron record a failed night as failed. Every run
-- cancelled by a timeout leaves a failed row. Capacity above 100,000 leads a month is refused; plans hold
-- every value the constraints allow. segment_sync_health() for monitoring.
-- Function bodies come from sql/functions/: edit those files, not this one.

alter table public.segment_sync_runs drop constraint segment_sync_runs_status_known;
alter table public.segment_sync_runs add constraint segment_sync_runs_status_known
check (status in ('running', 'succeeded', 'failed', 'abandoned'));

alter table public.profiles add constraint profiles_max_open_leads_at_most_100000
check (max_open_leads <= 100000);
alter table public.subscriptions add constraint subscriptions_leads_per_month_at_most_100000
check (leads_per_month <= 100000);

-- no precision limit: a target can be as large as the capacity of every partner, a gap percentage as large as
-- a day's leads over a tiny target
alter table public.lead_segment_plans
alter column target_leads_per_month type numeric,
alter column target_leads_per_day type numeric,
alter column lead_gap type numeric,
alter column lead_gap_percentage type numeric;

drop function private.run_nightly(timestamptz);
drop function private.nightly_run_is_due(timestamptz, text, time, date);

set check_function_bodies = off;

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
            'following', (select st.follow_partner_changes from public.segment_sync_settings as st)
        );
        return private.finish_run(p_run_id, v_result);
    exception
        when query_canceled then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            return private.fail_run(p_run_id, v_sqlstate, v_message);
        when others then
            get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
            return private.fail_run(p_run_id, v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.execute_sync(bigint) from public;

-- The capacity sync: one active segment for every branch x region combination with capacity, none elsewhere
-- (the work is private.execute_sync). Opens its run row first, so a failed run still leaves it. p_trigger and
-- p_scheduled_for come from the code path that calls it: the API ('sql', 'admin', 'cli').
create or replace function private.run_sync(p_trigger text, p_scheduled_for date)
returns jsonb
language plpgsql
set search_path = ''
as $$
begin
    -- under an older snapshot the re-check after each lock could miss a concurrent change
    if pg_catalog.current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'the segment sync runs in read committed transactions, not %',
            pg_catalog.current_setting('transaction_isolation')
        using errcode = 'invalid_transaction_state';
    end if;
    return private.execute_sync(private.start_run('sync', 'capacity', p_trigger, p_scheduled_for));
end;
$$;

revoke all on function private.run_sync(text, date) from public;

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
    when query_canceled then
        get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
        return private.fail_run(p_run_id, v_sqlstate, v_message);
    when others then
        get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
        return private.fail_run(p_run_id, v_sqlstate, v_message);
end;
$$;

revoke all on function private.execute_plan(bigint, date) from public;

-- The planner run: the plans of p_date (private.execute_plan) with its run row (kind 'plan'), opened first so
-- a failed run still leaves it. p_trigger and p_scheduled_for come from the code path (the API or the nightly).
create or replace function private.run_plan(p_date date, p_trigger text, p_scheduled_for date)
returns jsonb
language sql
set search_path = ''
as $$
    select private.execute_plan(private.start_run('plan', null, p_trigger, p_scheduled_for), p_date)
$$;

revoke all on function private.run_plan(date, text, date) from public;

-- The nightly decision at one firing: due when the local time in p_timezone has reached p_run_at, today's
-- night has not succeeded yet, and fewer than 6 attempts failed today (the job fires hourly: a failed or
-- missed night is retried the same day, 6 times at most). Pure, so it is tested with explicit timestamps.
create or replace function private.nightly_run_is_due(
    p_now timestamptz, p_timezone text, p_run_at time, p_succeeded_today boolean, p_failed_attempts_today integer
)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select
        (p_now at time zone p_timezone)::time >= p_run_at
        and not p_succeeded_today
        and p_failed_attempts_today < 6
$$;

revoke all on function private.nightly_run_is_due(timestamptz, text, time, boolean, integer) from public;

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
        pg_catalog.count(*) filter (where r.kind = 'sync' and r.status in ('failed', 'abandoned'))
        + pg_catalog.count(*) filter (where r.kind = 'plan' and r.status in ('failed', 'abandoned'))
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

-- The nightly job's first step, at the time it fires (see private.nightly_open_at).
create or replace function private.nightly_open()
returns bigint
language sql
set search_path = ''
as $$
    select private.nightly_open_at(pg_catalog.now())
$$;

revoke all on function private.nightly_open() from public;

-- Second step of a nightly firing: the sync into the run that private.nightly_open opened, then, only when it
-- succeeded, the planner for the same local date. Both leave their run rows (trigger 'cron'); errors are caught
-- into them. Nothing to do when the firing opened no run (p_run_id null).
create or replace function private.nightly_work(p_run_id bigint)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_local_date date;
    v_sync jsonb;
    v_plan jsonb;
begin
    if p_run_id is null then
        return pg_catalog.jsonb_build_object('ran', false);
    end if;
    select r.scheduled_for into strict v_local_date from public.segment_sync_runs as r where r.id = p_run_id;
    v_sync := private.execute_sync(p_run_id);
    if v_sync ->> 'status' = 'succeeded' then
        v_plan := private.run_plan(v_local_date, 'cron', v_local_date);
    end if;
    return pg_catalog.jsonb_build_object('ran', true, 'local_date', v_local_date, 'sync', v_sync, 'plan', v_plan);
end;
$$;

revoke all on function private.nightly_work(bigint) from public;

-- Last step of a nightly firing: releases the firing's lock and, when the night it ran failed (the sync, or the
-- planner after it), raises, so pg_cron records the firing as failed in cron.job_run_details too. The failed
-- run rows were committed before, so they stay.
create or replace function private.nightly_close(p_run_id bigint)
returns void
language plpgsql
set search_path = ''
as $$
declare
    v_failed public.segment_sync_runs;
begin
    perform pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('leadstroom.nightly'));
    if p_run_id is null then
        return;
    end if;
    select r.* into v_failed
    from public.segment_sync_runs as r
    where
        r.trigger = 'cron' and r.id >= p_run_id and r.status <> 'succeeded'
        and r.scheduled_for = (select s.scheduled_for from public.segment_sync_runs as s where s.id = p_run_id)
    order by r.id
    limit 1;
    if found then
        raise exception 'the nightly % run % for % %: % (SQLSTATE %)',
            v_failed.kind, v_failed.id, v_failed.scheduled_for, v_failed.status, v_failed.error, v_failed.error_sqlstate
        using errcode = 'external_routine_exception',
        hint = 'segment_sync_runs has the run; the job retries at its next firing today.';
    end if;
end;
$$;

revoke all on function private.nightly_close(bigint) from public;

-- The pg_cron schedule (read in UTC) for a local run time: every hour, at each UTC minute that p_run_at in
-- p_timezone falls on in the coming year ('0 * * * *' for 03:00 Europe/Amsterdam; '30 * * * *' for 03:00
-- Asia/Kolkata). Firing hourly lets a failed or missed night be retried the same day; private.nightly_run_is_due
-- lets exactly one succeed per local day, at the run time when nothing fails.
create or replace function private.nightly_cron_schedule(p_timezone text, p_run_at time)
returns text
language sql
stable
set search_path = ''
as $$
    with utc_times as (
        select ((day::date + p_run_at) at time zone p_timezone) at time zone 'UTC' as utc
        from pg_catalog.generate_series(
            pg_catalog.now()::date - 1, pg_catalog.now()::date + 366, interval '1 day'
        ) as day
    )
    select pg_catalog.string_agg(distinct extract(minute from utc)::integer::text, ',') || ' * * * *'
    from utc_times
$$;

revoke all on function private.nightly_cron_schedule(text, time) from public;

-- (Re)schedules the nightly job from the settings. cron.schedule replaces a job of the same name, so this is
-- idempotent; the settings trigger calls it when the time zone or run time changes.
-- The command is a DO block of three transactions: the run row is committed before the work (so a firing
-- cut off by a killed connection or a crash is found and closed as abandoned by the next one), the work is
-- committed with its outcome, and a failed night then raises so pg_cron records it as failed. A DO block,
-- not a procedure: a procedure with the fixed search_path every function here has cannot COMMIT.
create or replace function private.schedule_nightly_job()
returns bigint
language sql
set search_path = ''
as $$
    select cron.schedule(
        'leadstroom-nightly-segment-sync',
        private.nightly_cron_schedule(st.timezone, st.run_at_local_time),
        'do $nightly$
declare
    v_run_id bigint;
begin
    v_run_id := private.nightly_open();
    commit;
    perform private.nightly_work(v_run_id);
    commit;
    perform private.nightly_close(v_run_id);
end
$nightly$'
    )
    from public.segment_sync_settings as st
$$;

revoke all on function private.schedule_nightly_job() from public;

-- Is the nightly sync healthy? For monitoring (public.segment_sync_health, `leadstroom health`):
--   failing  the last nightly attempt failed or was cut off, and no later one succeeded;
--   late     today's night has not succeeded and its run time is more than an hour past;
--   ok       otherwise.
-- With the last nightly run, today's attempts and the last failed run of any kind. Admins only.
-- security definer: reads the run log, which only admins may read, for the admins it admits.
create or replace function private.segment_sync_health()
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
begin
    perform private.assert_admin();
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

    v_overdue := not v_done_today and pg_catalog.now() >= v_due_at + interval '1 hour';
    v_failing := v_last_nightly.status in ('failed', 'abandoned');
    return pg_catalog.jsonb_build_object(
        'status', case when v_failing then 'failing' when v_overdue then 'late' else 'ok' end,
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

revoke all on function private.segment_sync_health() from public, anon, authenticated;
grant execute on function private.segment_sync_health() to authenticated, service_role;

-- Health of the nightly sync for monitoring (API): `status` ok, late or failing, the last nightly run,
-- whether today's is overdue, the last failed run. Runs as the caller; private.segment_sync_health checks it.
create or replace function public.segment_sync_health()
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
    select private.segment_sync_health()
$$;

revoke all on function public.segment_sync_health() from public, anon, authenticated;
grant execute on function public.segment_sync_health() to authenticated, service_role;

-- the job with its new schedule (hourly) and command
select private.schedule_nightly_job();
