-- Every branch x region combination with capacity: how many partners count and their leads a month.
-- security definer: aggregates every partner's data; only admins pass the check in the body.
create or replace function guarded.get_branch_region_capacity_combos()
returns table (branch text, region text, capacity_partners bigint, capacity_total_leads bigint)
language plpgsql
stable
security definer
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
begin
    perform guarded.assert_admin();
    return query
    select cc.branch, cc.region, cc.capacity_partners, cc.capacity_total_leads
    from private.capacity_combos as cc
    order by cc.branch, cc.region;
end;
$$;

revoke all on function guarded.get_branch_region_capacity_combos() from public, anon, authenticated;
grant execute on function guarded.get_branch_region_capacity_combos() to authenticated, service_role;
