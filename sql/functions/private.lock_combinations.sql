-- Takes the locks that serialize every writer of these combinations' segments (the sync, following a change,
-- holds) until the transaction ends: their lock stripes (private.lock_stripes). p_deadline as there: null
-- waits, else false when the locks are not free by then.
create or replace function private.lock_combinations(
    p_branches text[], p_regions text[], p_deadline timestamptz default null
)
returns boolean
language sql
set search_path = ''
as $$
    select private.lock_stripes(private.combination_stripes(p_branches, p_regions), p_deadline)
$$;

revoke all on function private.lock_combinations(text[], text[], timestamptz) from public;
