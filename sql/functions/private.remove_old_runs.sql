-- Run retention (the nightly job, private.nightly_work): removes, in one statement, the runs that started more
-- than segment_sync_settings.keep_runs_days ago, except the last successful nightly sync and the last
-- successful nightly planner run, which health and the nightly decision read however old they are. Returns how
-- many runs it removed.
create or replace function private.remove_old_runs()
returns integer
language sql
set search_path = ''
as $$
    with removed as (
        delete from public.segment_sync_runs as r
        using public.segment_sync_settings as st
        where
            r.started_at < pg_catalog.now() - pg_catalog.make_interval(days => st.keep_runs_days)
            and r.id not in (
                select pg_catalog.max(k.id) from public.segment_sync_runs as k
                where k.trigger = 'cron' and k.status = 'succeeded'
                group by k.kind
            )
        returning r.id
    )
    select pg_catalog.count(*)::integer from removed
$$;

revoke all on function private.remove_old_runs() from public;
