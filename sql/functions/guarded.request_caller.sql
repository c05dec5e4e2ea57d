-- Who is calling, for the run log: 'user:<uuid>' for a signed-in user, else the role name.
create or replace function guarded.request_caller()
returns text
language sql
stable
set search_path = ''
as $$
    select case
        when guarded.request_role() = 'authenticated' and auth.uid() is not null then 'user:' || auth.uid()::text
        else guarded.request_role()
    end
$$;

revoke all on function guarded.request_caller() from public;
grant execute on function guarded.request_caller() to authenticated, service_role;
