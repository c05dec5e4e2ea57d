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
    -- one pass: the aggregate and the segments joined once (a full join), each row a combination with capacity,
    -- a segment, or both; it differs when capacity has no active or held segment, or an active segment has none
    select
        pg_catalog.count(cc.branch),
        coalesce(
            array_agg(coalesce(cc.branch, s.branch) order by coalesce(cc.branch, s.branch), coalesce(cc.region, s.region))
            filter (where d.differs),
            '{}'
        ),
        coalesce(
            array_agg(coalesce(cc.region, s.region) order by coalesce(cc.branch, s.branch), coalesce(cc.region, s.region))
            filter (where d.differs),
            '{}'
        )
    from private.capacity_combos as cc
    full join public.lead_segments as s on cc.branch = s.branch and cc.region = s.region
    cross join lateral (
        select
            case
                when cc.branch is null then s.is_active
                else not coalesce(s.is_active or s.held_at is not null, false)
            end as differs
    ) as d
$$;

revoke all on function private.capacity_differences() from public;
