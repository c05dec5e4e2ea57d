-- Before anything else: refuse to deploy onto a project that already has objects by our names, and note the
-- grants the next migrations would otherwise touch on objects that are not ours.
--
-- `create table public.profiles` would fail half way on a project that has its own `profiles` (most Supabase
-- starters do); this stops the push first, with the names, before anything is changed. A project where
-- leadstroom's own migrations already ran (their versions are in supabase_migrations.schema_migrations) passes.

do $preflight$
declare
    v_ours_deployed boolean := false;
    v_conflicts text;
begin
    if pg_catalog.to_regclass('supabase_migrations.schema_migrations') is not null then
        execute 'select exists (select from supabase_migrations.schema_migrations where version = $1)'
        into v_ours_deployed
        using '20261127100100';
    end if;
    if v_ours_deployed then
        return;
    end if;

    select pg_catalog.string_agg(o.kind || ' ' || o.name, ', ' order by o.name)
    into v_conflicts
    from (
        select 'table' as kind, 'public.' || t.name as name
        from unnest(array[
            'profiles', 'subscriptions', 'payment_methods', 'industries', 'regions', 'user_industry_preferences',
            'user_location_preferences', 'lead_segments', 'lead_segment_plans', 'leads', 'segment_sync_runs',
            'segment_sync_settings'
        ]) as t (name)
        where pg_catalog.to_regclass('public.' || pg_catalog.quote_ident(t.name)) is not null
        union all
        select 'function', n.nspname || '.' || p.proname
        from pg_catalog.pg_proc as p
        inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
        where n.nspname in ('public', 'private') and p.proname in (
            'get_branch_region_capacity_combos', 'sync_segments_capacity', 'plan_segment_targets',
            'admin_sync_segments', 'explain_partner_capacity', 'run_nightly', 'is_admin'
        )
    ) as o;

    if v_conflicts is not null then
        raise exception 'leadstroom cannot be deployed onto this project: it already has %', v_conflicts
        using errcode = 'duplicate_object',
        detail = 'Nothing was changed. leadstroom creates these objects itself and does not adopt existing ones.',
        hint = 'Deploy into a project without these objects, or rename yours first; see README, '
        || '"Deploying onto an existing project".';
    end if;

    -- Grants that an earlier migration revokes schema-wide (on every table and sequence in public), kept so
    -- 20261127110100_own_objects_only can give them back to the tables that are not ours.
    create schema if not exists private;
    create table private.foreign_api_grants as
    select c.oid::regclass::text as object_name, c.relkind, acl.privilege_type, grantee.rolname as grantee
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    cross join lateral pg_catalog.aclexplode(c.relacl) as acl
    inner join pg_catalog.pg_roles as grantee on acl.grantee = grantee.oid
    where
        n.nspname = 'public'
        and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
        and grantee.rolname in ('anon', 'authenticated');
end
$preflight$;
