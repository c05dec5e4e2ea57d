-- Raises 42501 unless the caller is an admin (see private.is_admin).
create or replace function private.assert_admin()
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
    if not private.is_admin() then
        raise exception 'only admins may do this (caller: %)', private.request_caller()
        using errcode = 'insufficient_privilege',
        hint = 'Use the service_role key, or sign in as a user whose profile has is_admin = true.';
    end if;
end;
$$;

revoke all on function private.assert_admin() from public;
-- the API functions run as the caller and check it first
grant execute on function private.assert_admin() to authenticated, service_role;
