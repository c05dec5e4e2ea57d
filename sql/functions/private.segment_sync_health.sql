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
