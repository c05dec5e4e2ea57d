-- Trigger (after each update statement, with transition tables) on industries and regions: switching a branch
-- or region on or off (or renaming a branch's slug) brings every combination of it in line at once: those
-- that partners ask for (private.partner_combinations) and those that have a segment.
-- security definer: an admin user's change writes segments, plans and runs, which it may not write directly.
create or replace function private.follow_reference_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_mode text := private.follow_mode(false);
    v_branches text[];
    v_regions text[];
begin
    if v_mode = 'off' then
        return null;
    end if;

    if tg_table_name = 'industries' then
        with toggled as (
            select n.id, o.slug as old_slug, n.slug
            from old_rows as o
            inner join new_rows as n on o.id = n.id
            where (o.is_active, o.slug) is distinct from (n.is_active, n.slug)
        ),

        pairs as (
            select pc.branch, pc.region
            from toggled as t
            inner join private.partner_combinations as pc on t.id = pc.industry_id
            union
            select s.branch, s.region
            from public.lead_segments as s
            inner join toggled as t on s.branch in (t.slug, t.old_slug)
        )

        select array_agg(p.branch), array_agg(p.region) into v_branches, v_regions from pairs as p;
    else
        with toggled as (
            select n.code
            from old_rows as o
            inner join new_rows as n on o.code = n.code
            where o.is_active is distinct from n.is_active
        ),

        pairs as (
            select pc.branch, pc.region
            from toggled as t
            inner join private.partner_combinations as pc on t.code = pc.region
            union
            select s.branch, s.region
            from public.lead_segments as s
            inner join toggled as t on s.region = t.code
        )

        select array_agg(p.branch), array_agg(p.region) into v_branches, v_regions from pairs as p;
    end if;

    perform private.follow_change(
        pg_catalog.array_fill(null::uuid, array[coalesce(pg_catalog.cardinality(v_branches), 0)]),
        v_branches,
        v_regions,
        v_mode
    );
    return null;
end;
$$;

revoke all on function private.follow_reference_change() from public;
