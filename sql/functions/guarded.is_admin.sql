-- Whether the caller may administer segments: service_role, the database owner's own sessions (SQL console,
-- pg_cron), or a signed-in user whose profile says is_admin. Nothing in the JWT a user can edit counts.
-- security definer: policies on profiles call it, and reading profiles as the caller would recurse.
create or replace function guarded.is_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select case guarded.request_role()
        when 'service_role' then true
        when 'authenticated' then coalesce(
            (select p.is_admin from public.profiles as p where p.id = auth.uid()), false
        )
        when 'anon' then false
        else coalesce(
            (select r.rolsuper or r.rolname = 'postgres' from pg_catalog.pg_roles as r
                where r.rolname = guarded.request_role()),
            false
        )
    end
$$;

revoke all on function guarded.is_admin() from public;
grant execute on function guarded.is_admin() to authenticated, service_role;
