-- Who is calling, for the run log: 'user:<uuid>' for a signed-in user, else the role name.
create or replace function private.request_caller()
returns text
language sql
stable
set search_path = ''
as $$
    select case
        when private.request_role() = 'authenticated' and auth.uid() is not null then 'user:' || auth.uid()::text
        else private.request_role()
    end
$$;

revoke all on function private.request_caller() from public;
grant execute on function private.request_caller() to authenticated, service_role;
