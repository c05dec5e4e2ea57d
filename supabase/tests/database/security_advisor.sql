-- The catalog checks of Supabase's security advisor, on the database the migrations built.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(11);

select is_empty(
    $$select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity$$,
    'every table in public has row level security on'
);

select is_empty(
    $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('public', 'private', 'guarded') and p.prosecdef
        and not coalesce(p.proconfig, '{}') @> array['search_path=""']$$,
    'every security definer function has search_path set to empty'
);

select is_empty(
    $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('public', 'private', 'guarded') and has_function_privilege('anon', p.oid, 'execute')$$,
    'anon can execute no function of ours'
);

select is_empty(
    $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('public', 'private', 'guarded')
        and exists (select from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                    where a.grantee = 0 and a.privilege_type = 'EXECUTE')$$,
    'no function of ours is executable by PUBLIC'
);

select is_empty(
    $$select tablename || '.' || policyname from pg_policies
      where schemaname = 'public'
        and (coalesce(qual, '') || coalesce(with_check, '')) ~* '(user_metadata|raw_user_meta_data|jwt)'$$,
    'no policy reads user_metadata or other JWT claims'
);

select is_empty(
    $$select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'v', 'm', 'p')
        and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('anon', c.oid, 'insert')
          or has_table_privilege('anon', c.oid, 'update') or has_table_privilege('anon', c.oid, 'delete'))$$,
    'anon has no privilege on any table'
);

select is_empty(
    $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and has_function_privilege('authenticated', p.oid, 'execute')
        and p.proname not in ('get_branch_region_capacity_combos', 'sync_segments_capacity', 'plan_segment_targets',
                              'admin_sync_segments', 'explain_partner_capacity', 'segment_sync_health',
                              'hold_segment', 'release_segment', 'preview_segment_sync', 'partner_id_by_email',
                              'segment_partners')$$,
    'authenticated executes only the contract''s functions'
);

-- Security Advisor lints 0028 and 0029 (newer than the CLI's bundled set): a security definer function in the
-- exposed schema is a privileged endpoint for whoever may execute it.
select is_empty(
    $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prosecdef and has_function_privilege('anon', p.oid, 'execute')$$,
    'lint 0028: no security definer function in public is executable by anon'
);

select is_empty(
    $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prosecdef and has_function_privilege('authenticated', p.oid, 'execute')$$,
    'lint 0029: no security definer function in public is executable by authenticated'
);

-- lint 0011 for every function of ours, security definer or not
select is_empty(
    $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('public', 'private', 'guarded')
        and not exists (select from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')$$,
    'lint 0011: every function has a fixed search_path'
);

-- the privileged work behind the API checks the caller before anything else
select is_empty(
    $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'guarded' and p.prosecdef and has_function_privilege('authenticated', p.oid, 'execute')
        and p.proname not in ('is_admin', 'assert_admin')
        and pg_get_functiondef(p.oid) !~ 'begin\s+(perform guarded\.assert_admin\(\);|-- [^\n]*\n\s+if not \(\s+guarded\.is_admin\(\))'$$,
    'every security definer function that signed-in users may execute checks its caller first'
);

select * from finish();
rollback;
