-- Every branch x region combination with capacity: how many partners count and their leads a month.
-- security definer: aggregates every partner's data; only admins pass the check in the body.
create or replace function public.get_branch_region_capacity_combos()
returns table (branch text, region text, capacity_partners bigint, capacity_total_leads bigint)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    perform private.assert_admin();
    return query
    select cp.branch, cp.region, pg_catalog.count(*), pg_catalog.sum(cp.capacity)::bigint
    from private.capacity_pairs() as cp
    group by cp.branch, cp.region
    order by cp.branch, cp.region;
end;
$$;

revoke all on function public.get_branch_region_capacity_combos() from public, anon, authenticated;
grant execute on function public.get_branch_region_capacity_combos() to authenticated, service_role;
