-- The nightly job (sync, then planner) at the configured local time, and a cleanup of pg_cron's own log.
-- cron.schedule replaces a job of the same name: applying this again leaves one job of each.

select private.schedule_nightly_job();

select cron.schedule(
    'leadstroom-purge-cron-history',
    '17 4 * * *',
    $$delete from cron.job_run_details where end_time < now() - interval '14 days'$$
);
