-- What started a run, for the run log. The nightly job and the admin endpoint set leadstroom.run_trigger
-- for the length of their transaction; the leadstroom command identifies itself through the
-- x-leadstroom-client request header (PostgREST) or its application_name (direct connection).
create or replace function private.request_trigger()
returns text
language sql
stable
set search_path = ''
as $$
    select case
        when pg_catalog.current_setting('leadstroom.run_trigger', true) = 'cron' then 'cron'
        when pg_catalog.current_setting('leadstroom.run_trigger', true) = 'admin' then
            case
                when nullif(pg_catalog.current_setting('request.headers', true), '')::jsonb
                    ? 'x-leadstroom-client' then 'cli'
                when pg_catalog.current_setting('application_name', true) like 'leadstroom%' then 'cli'
                else 'admin'
            end
        else 'sql'
    end
$$;

revoke all on function private.request_trigger() from public;
