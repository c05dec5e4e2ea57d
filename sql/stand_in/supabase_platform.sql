-- Stand-in for what a hosted Supabase project is before any migration of ours runs, applied by the platform's
-- superuser (`supabase_admin`) to the local throwaway cluster only (tests, demo, bench), never deployed.
--
-- As on Supabase, `postgres` is NOT a superuser: it logs in, creates roles and databases, bypasses row level
-- security and owns what the migrations create, and it is a member of the API roles (the SQL editor's role
-- switch). A privilege our migrations need but would not have on a hosted project fails here first.
-- Definitions follow Supabase's own (supabase/postgres: init-scripts, demote-postgres, the pg_cron grants).
-- Idempotent.

do $roles$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        create role postgres;
    end if;
    alter role postgres nosuperuser login createdb createrole replication bypassrls;
    if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
        create role anon nologin noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
        create role authenticated nologin noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
        create role service_role nologin noinherit bypassrls;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
        create role authenticator login noinherit;
    end if;
    grant anon, authenticated, service_role to authenticator;
    grant anon, authenticated, service_role to postgres;
    alter role postgres set search_path = "$user", public, extensions;
    -- what the API roles run with on Supabase (PostgREST applies them per request)
    alter role anon set statement_timeout = '3s';
    alter role authenticated set statement_timeout = '8s';
end
$roles$;

grant all on database postgres to postgres;
grant usage, create on schema public to postgres;

-- Extensions live in `extensions`; the platform installs the ones a project enables from the dashboard.
create schema if not exists extensions;
grant all on schema extensions to postgres;
grant usage on schema extensions to anon, authenticated, service_role;
create extension if not exists pgtap with schema extensions;
create extension if not exists plpgsql_check with schema extensions;
create extension if not exists pg_stat_statements with schema extensions;
grant pg_read_all_stats to postgres;
grant all on all routines in schema extensions to postgres;
grant all on all tables in schema extensions to postgres;

-- pg_cron, enabled for the project: `postgres` schedules jobs through cron.schedule, reads cron.job and
-- may clean up cron.job_run_details (Supabase revoked its direct writes to cron.job).
create extension if not exists pg_cron with schema pg_catalog;
grant usage on schema cron to postgres with grant option;
grant select on cron.job to postgres with grant option;
grant all on cron.job_run_details to postgres with grant option;
grant usage on all sequences in schema cron to postgres;

-- Supabase Auth: the users table and the helpers policies call.
create schema if not exists auth;
create table if not exists auth.users (
    id uuid primary key default gen_random_uuid(),
    email text unique,
    raw_app_meta_data jsonb not null default '{}',
    raw_user_meta_data jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create or replace function auth.uid() returns uuid
language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

grant usage on schema auth to postgres, anon, authenticated, service_role;
grant all on all tables in schema auth to postgres;
grant all on all routines in schema auth to postgres;
grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;
grant all on auth.users to service_role;

-- Supabase's defaults: the API roles may use `public`, and whatever `postgres` creates there is granted to them.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;
