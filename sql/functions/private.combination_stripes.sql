-- The lock stripes (private.segment_lock_stripes, 1024-2047) of combinations, by plain segment code: two
-- combinations that would share a code share a stripe, so they are never created side by side.
create or replace function private.combination_stripes(p_branches text[], p_regions text[])
returns integer[]
language sql
immutable
set search_path = ''
as $$
    select
        coalesce(
            array_agg(
                distinct 1024 + (pg_catalog.hashtext(pg_catalog.replace(c.branch || '_' || c.region, '-', '_')) & 1023)
            ),
            '{}'
        )
    from unnest(p_branches, p_regions) as c (branch, region)
$$;

revoke all on function private.combination_stripes(text[], text[]) from public;
