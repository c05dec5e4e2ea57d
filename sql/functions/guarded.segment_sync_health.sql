-- Is the nightly sync healthy? For monitoring (public.segment_sync_health, `leadstroom health`):
--   failing  the last nightly attempt failed or was cut off, and no later one succeeded;
--   late     today's night has not succeeded and its run time is more than an hour past;
--   degraded following is not keeping up: a 'change' run failed after the last successful full sync, keys or
--            plans have waited in the follow-up queue for more than 5 minutes, or the last reconciliation (the night's
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
    v_plans_queued bigint;
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
    select pg_catalog.count(*), least(v_oldest_queued, min(q.queued_at)) into v_plans_queued, v_oldest_queued
    from private.segment_plan_queue as q;
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
            'plans_queued', v_plans_queued,
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
