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
