-- Trigger (after each statement, with its transition tables new_rows / old_rows) on every partner table that
-- can give or take capacity: profiles, subscriptions, payment_methods (while the payment rule is on) and both
-- preference tables. While segment_sync_settings.follow_partner_changes is on, the combinations the changed
-- rows touch are brought in line before the statement's transaction commits: every branch x region pair of
-- each affected partner (its current preferences and those in the changed rows; when a deleted partner's
-- cascade has emptied both preference tables, the active segments of the changed branch or region). One pass
-- per statement, however many rows it changed. Columns the capacity rule does not read (names, timestamps)
-- change nothing.
-- security definer: a partner's own change writes segments, plans and runs, which the partner may not.
create or replace function private.follow_partner_change()
returns trigger
language plpgsql
security definer
set search_path = ''
-- one plan for every call: re-planning these statements for each partner change would cost more than running them
set plan_cache_mode = force_generic_plan
as $$
declare
    v_follow boolean;
    v_payment_rule boolean;
    v_partner_key text := case tg_table_name when 'profiles' then 'id' else 'user_id' end;
    -- what the capacity rule does not read: a change to only these is no change
    v_ignored text[] := array['created_at', 'updated_at', 'full_name', 'company_name', 'location_name'];
    v_rows jsonb;
    v_branches text[];
    v_regions text[];
begin
    -- switching following on waits for this statement's transaction (private.follow_settings_change locks the
    -- partner tables), so a change that read "off" here is still seen by the reconciliation
    select st.follow_partner_changes, st.require_active_payment_method
    into v_follow, v_payment_rule
    from public.segment_sync_settings as st;
    if not v_follow or (tg_table_name = 'payment_methods' and not v_payment_rule) then
        return null;
    end if;
    if tg_table_name = 'subscriptions' then
        v_ignored := array['updated_at'];  -- created_at decides which subscription is the latest
    end if;

    if tg_op = 'INSERT' then
        select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(n)) into v_rows from new_rows as n;
    elsif tg_op = 'DELETE' then
        select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(o)) into v_rows from old_rows as o;
    else
        select pg_catalog.jsonb_agg(changed.row_value)
        into v_rows
        from (
            select pg_catalog.to_jsonb(o) as old_value, pg_catalog.to_jsonb(n) as new_value
            from old_rows as o
            inner join new_rows as n on o.id = n.id
        ) as pair
        cross join lateral (values (pair.old_value), (pair.new_value)) as changed (row_value)
        where (pair.old_value - v_ignored) is distinct from (pair.new_value - v_ignored);
    end if;
    if v_rows is null then
        return null;
    end if;

    with changed as (
        select
            (r.value ->> v_partner_key)::uuid as partner_id,
            (r.value ->> 'industry_id')::bigint as industry_id,
            r.value ->> 'location_code' as region
        from pg_catalog.jsonb_array_elements(v_rows) as r
    ),

    partners as (
        select distinct c.partner_id from changed as c
    ),

    -- each partner's preferences through their index, whatever the table sizes (offset 0 keeps the lateral
    -- lookups from being planned as a hash join over every partner's preferences)
    industries_of as (
        select p.partner_id, own.industry_id
        from partners as p
        cross join lateral (
            select uip.industry_id from public.user_industry_preferences as uip
            where uip.user_id = p.partner_id
            offset 0
        ) as own
        union
        select c.partner_id, c.industry_id from changed as c where c.industry_id is not null
    ),

    regions_of as (
        select p.partner_id, own.location_code as region
        from partners as p
        cross join lateral (
            select ulp.location_code from public.user_location_preferences as ulp
            where ulp.user_id = p.partner_id
            offset 0
        ) as own
        union
        select c.partner_id, c.region from changed as c where c.region is not null
    ),

    -- a deleted partner's cascade empties both preference tables before their triggers run: a deleted
    -- preference whose partner has none of the other kind left takes every active segment of it along
    orphaned as (
        select i.slug as branch, null::text as region
        from changed as c
        inner join public.industries as i on c.industry_id = i.id
        where tg_op = 'DELETE' and not exists (
            select from public.user_location_preferences as ulp where ulp.user_id = c.partner_id
        )
        union
        select null, c.region
        from changed as c
        where tg_op = 'DELETE' and c.region is not null and not exists (
            select from public.user_industry_preferences as uip where uip.user_id = c.partner_id
        )
    ),

    pairs as (
        select i.slug as branch, ro.region
        from industries_of as io
        inner join regions_of as ro on io.partner_id = ro.partner_id
        inner join public.industries as i on io.industry_id = i.id
        union
        select s.branch, s.region
        from public.lead_segments as s
        inner join orphaned as o on s.branch = o.branch or s.region = o.region
        where s.is_active
    )

    select coalesce(array_agg(p.branch), '{}'), coalesce(array_agg(p.region), '{}')
    into v_branches, v_regions
    from pairs as p;

    perform private.follow_combinations(v_branches, v_regions);
    return null;
end;
$$;

revoke all on function private.follow_partner_change() from public;
