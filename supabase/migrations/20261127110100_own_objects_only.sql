-- A deploy changes only leadstroom's own objects. 20261127100000 changed the default privileges of every
-- future function (and of tables, sequences and functions in public) and 20261127100600 revoked the API
-- roles' grants on every table in public; both reached objects that are not ours. Here both are undone:
-- Supabase's default privileges are back, and the grants noted by 20261127095000 are given back to the
-- tables that are not ours. leadstroom's own objects revoke and grant explicitly, object by object.

alter default privileges for role postgres grant execute on functions to public;
alter default privileges for role postgres in schema public grant all on tables to anon, authenticated;
alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated;
alter default privileges for role postgres in schema public grant all on functions to anon, authenticated;

do $give_back$
declare
    v_grants text;
begin
    if pg_catalog.to_regclass('private.foreign_api_grants') is null then
        return;  -- deployed before the note was kept: nothing to give back
    end if;
    execute $$
        select pg_catalog.string_agg(
            pg_catalog.format(
                'grant %s on %s %s to %I;',
                g.privilege_type, case g.relkind when 'S' then 'sequence' else 'table' end, g.object_name, g.grantee
            ),
            ' '
        )
        from private.foreign_api_grants as g
        where pg_catalog.to_regclass(g.object_name) is not null
    $$
    into v_grants;
    if v_grants is not null then
        execute v_grants;
    end if;
    drop table private.foreign_api_grants;
end
$give_back$;
