-- The role the request runs as: what PostgREST (or a test) set with `set role`, else the login role.
-- Read from the `role` setting because current_user is the owner inside security definer functions.
create or replace function guarded.request_role()
returns text
language sql
stable
set search_path = ''
as $$
    select coalesce(nullif(pg_catalog.current_setting('role', true), 'none'), session_user::text)
$$;

revoke all on function guarded.request_role() from public;
grant execute on function guarded.request_role() to authenticated, service_role;
