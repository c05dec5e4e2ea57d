-- What started a run, for the run log: 'cron' for the nightly job, 'cli' for the leadstroom command (its
-- x-leadstroom-client request header through PostgREST, or its application_name on a direct connection),
-- 'admin' for the admin endpoint, else 'sql'. The job and the endpoint set leadstroom.run_trigger for the
-- length of their transaction.
create or replace function private.request_trigger()
returns text
language sql
stable
set search_path = ''
as $$
    select case
        when pg_catalog.current_setting('leadstroom.run_trigger', true) = 'cron' then 'cron'
        when coalesce(nullif(pg_catalog.current_setting('request.headers', true), '')::jsonb ? 'x-leadstroom-client', false)
            or pg_catalog.current_setting('application_name', true) like 'leadstroom%' then 'cli'
        when pg_catalog.current_setting('leadstroom.run_trigger', true) = 'admin' then 'admin'
        else 'sql'
    end
$$;

revoke all on function private.request_trigger() from public;
