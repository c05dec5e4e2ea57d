-- Every branch x region combination with capacity (API), ordered by branch, region. Runs as the caller; the
-- aggregate over every partner is guarded.get_branch_region_capacity_combos, which checks the caller first.
create or replace function public.get_branch_region_capacity_combos()
returns table (branch text, region text, capacity_partners bigint, capacity_total_leads bigint)
language sql
stable
security invoker
set search_path = ''
as $$
    select c.branch, c.region, c.capacity_partners, c.capacity_total_leads
    from guarded.get_branch_region_capacity_combos() as c
$$;

revoke all on function public.get_branch_region_capacity_combos() from public, anon, authenticated;
grant execute on function public.get_branch_region_capacity_combos() to authenticated, service_role;
