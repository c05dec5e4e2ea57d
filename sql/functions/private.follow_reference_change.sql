-- Trigger (after each update statement, with transition tables) on industries and regions: switching a branch
-- or region on or off (or renaming a branch's slug) brings every combination of it in line at once: those
-- that partners ask for and those that have a segment.
-- security definer: an admin user's change writes segments, plans and runs, which it may not write directly.
create or replace function private.follow_reference_change()
returns trigger
language plpgsql
security definer
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
as $$
declare
    v_follow boolean;
    v_branches text[];
    v_regions text[];
begin
    select st.follow_partner_changes into v_follow from public.segment_sync_settings as st;
    if not v_follow then
        return null;
    end if;

    if tg_table_name = 'industries' then
        with toggled as (
            select n.id, n.slug
            from old_rows as o
            inner join new_rows as n on o.id = n.id
            where (o.is_active, o.slug) is distinct from (n.is_active, n.slug)
        ),

        pairs as (
            select t.slug as branch, ulp.location_code as region
            from toggled as t
            inner join public.user_industry_preferences as uip on t.id = uip.industry_id
            inner join public.user_location_preferences as ulp on uip.user_id = ulp.user_id
            union
            select s.branch, s.region
            from public.lead_segments as s
            inner join toggled as t on s.branch = t.slug
        )

        select coalesce(array_agg(p.branch), '{}'), coalesce(array_agg(p.region), '{}')
        into v_branches, v_regions
        from pairs as p;
    else
        with toggled as (
            select n.code
            from old_rows as o
            inner join new_rows as n on o.code = n.code
            where o.is_active is distinct from n.is_active
        ),

        pairs as (
            select i.slug as branch, t.code as region
            from toggled as t
            inner join public.user_location_preferences as ulp on t.code = ulp.location_code
            inner join public.user_industry_preferences as uip on ulp.user_id = uip.user_id
            inner join public.industries as i on uip.industry_id = i.id
            union
            select s.branch, s.region
            from public.lead_segments as s
            inner join toggled as t on s.region = t.code
        )

        select coalesce(array_agg(p.branch), '{}'), coalesce(array_agg(p.region), '{}')
        into v_branches, v_regions
        from pairs as p;
    end if;

    perform private.follow_combinations(v_branches, v_regions);
    return null;
end;
$$;

revoke all on function private.follow_reference_change() from public;
