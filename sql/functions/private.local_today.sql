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
