-- Raises 42501 unless the caller is an admin (see guarded.is_admin).
create or replace function guarded.assert_admin()
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
    if not guarded.is_admin() then
        raise exception 'only admins may do this (caller: %)', guarded.request_caller()
        using errcode = 'insufficient_privilege',
        hint = 'Use the service_role key, or sign in as a user whose profile has is_admin = true.';
    end if;
end;
$$;

revoke all on function guarded.assert_admin() from public;
-- the API functions run as the caller and check it first
grant execute on function guarded.assert_admin() to authenticated, service_role;
