-- Extensions, the private schema and safe default privileges.
--
-- Supabase grants everything created in `public` to anon, authenticated and service_role by default. This
-- project grants explicitly instead, so nothing new is exposed through the API by accident.

create extension if not exists pg_cron with schema pg_catalog;

-- Helpers that are not part of the API live in `private`, which PostgREST does not expose.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

alter default privileges for role postgres revoke execute on functions from public;
alter default privileges for role postgres in schema public
revoke all on tables from anon, authenticated;
alter default privileges for role postgres in schema public
revoke all on sequences from anon, authenticated;
alter default privileges for role postgres in schema public
revoke all on functions from anon, authenticated;
alter default privileges for role postgres in schema private
revoke all on functions from public;
