-- What a full sync has to look at: the marketplace-wide capacity aggregate compared with the segments, without
-- any lock (partners' changes never wait for it). Returns the number of combinations with capacity and every
-- combination whose segment disagrees (no active segment and no hold, or an active one without capacity), to be
-- re-checked under their locks by private.apply_segment_capacity.
create or replace function private.capacity_differences()
returns table (total_combinations bigint, branches text[], regions text[])
language sql
stable
set search_path = ''
as $$
    with combos as materialized (
        select cc.branch, cc.region from private.capacity_combos as cc
    ),

    differences as (
        select c.branch, c.region
        from combos as c
        where not exists (
            select from public.lead_segments as s
            where s.branch = c.branch and s.region = c.region and (s.is_active or s.held_at is not null)
        )
        union all
        select s.branch, s.region
        from public.lead_segments as s
        where s.is_active and not exists (
            select from combos as c where c.branch = s.branch and c.region = s.region
        )
    )

    select
        (select pg_catalog.count(*) from combos),
        coalesce(array_agg(d.branch order by d.branch, d.region), '{}'),
        coalesce(array_agg(d.region order by d.branch, d.region), '{}')
    from differences as d
$$;

revoke all on function private.capacity_differences() from public;
