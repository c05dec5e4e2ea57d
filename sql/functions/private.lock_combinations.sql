-- Takes the lock that serializes every writer of these combinations' segments (the sync, following a change,
-- holds) until the transaction ends: an advisory lock per plain segment code (leadstroom's namespace in the
-- high half of the key), so two combinations that would share a code queue too. In one fixed order, so
-- single-statement changes never deadlock.
create or replace function private.lock_combinations(p_branches text[], p_regions text[])
returns void
language plpgsql
set search_path = ''
as $$
begin
    -- perform: every key is locked (a SQL function returning void would stop at the first row)
    perform pg_catalog.pg_advisory_xact_lock(k.lock_key)
    from (
        select distinct
            (1818325363::bigint << 32)
            | (pg_catalog.hashtext(pg_catalog.replace(c.branch || '_' || c.region, '-', '_'))::bigint & 4294967295)
            as lock_key
        from unnest(p_branches, p_regions) as c (branch, region)
        order by 1
    ) as k;
end;
$$;

revoke all on function private.lock_combinations(text[], text[]) from public;
