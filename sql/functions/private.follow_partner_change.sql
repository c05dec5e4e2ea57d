-- Trigger (after each statement, with its transition tables new_rows / old_rows) on every partner table that
-- can give or take capacity: profiles, subscriptions, payment_methods and both preference tables. While
-- segments follow partner changes, the keys of the changed rows (the partner, and the branch or region of a
-- changed preference) are read straight from the transition tables, one pass per statement whatever its size,
-- and followed (private.follow_change). Columns the capacity rule does not read (names, timestamps) change
-- nothing.
-- security definer: a partner's own change writes segments, plans and runs, which the partner may not.
create or replace function private.follow_partner_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_mode text := private.follow_mode(tg_table_name = 'payment_methods');
    v_partner_key text := case tg_table_name when 'profiles' then 'id' else 'user_id' end;
    -- what the capacity rule does not read: a change to only these is no change
    v_ignored text[] := case tg_table_name
        when 'subscriptions' then array['updated_at']  -- created_at decides which subscription is the latest
        else array['created_at', 'updated_at', 'full_name', 'company_name', 'location_name']
    end;
    v_partners uuid[];
    v_industry_ids bigint[];
    v_branches text[];
    v_regions text[];
begin
    if v_mode = 'off' then
        return null;
    end if;
    -- the changed keys, not the rows: a statement of any size fits. Static statements, one per kind of trigger,
    -- so each trigger plans them once per session instead of at every change.
    if tg_op = 'INSERT' then
        select array_agg(k.partner_id), array_agg(k.industry_id), array_agg(k.region)
        into v_partners, v_industry_ids, v_regions
        from (
            select distinct (c.r ->> v_partner_key)::uuid as partner_id, (c.r ->> 'industry_id')::bigint as industry_id,
                c.r ->> 'location_code' as region
            from (select pg_catalog.to_jsonb(n) as r from new_rows as n) as c
        ) as k;
    elsif tg_op = 'DELETE' then
        select array_agg(k.partner_id), array_agg(k.industry_id), array_agg(k.region)
        into v_partners, v_industry_ids, v_regions
        from (
            select distinct (c.r ->> v_partner_key)::uuid as partner_id, (c.r ->> 'industry_id')::bigint as industry_id,
                c.r ->> 'location_code' as region
            from (select pg_catalog.to_jsonb(o) as r from old_rows as o) as c
        ) as k;
    else
        -- both sides of each row that changed in a column the rule reads
        select array_agg(k.partner_id), array_agg(k.industry_id), array_agg(k.region)
        into v_partners, v_industry_ids, v_regions
        from (
            select distinct (c.r ->> v_partner_key)::uuid as partner_id, (c.r ->> 'industry_id')::bigint as industry_id,
                c.r ->> 'location_code' as region
            from old_rows as o
            inner join new_rows as n on o.id = n.id
            cross join lateral (values (pg_catalog.to_jsonb(o)), (pg_catalog.to_jsonb(n))) as c (r)
            where pg_catalog.to_jsonb(o) - v_ignored is distinct from pg_catalog.to_jsonb(n) - v_ignored
        ) as k;
    end if;
    -- a preference's industry as its branch
    v_branches := array(
        select i.slug
        from unnest(v_industry_ids) with ordinality as k (industry_id, position)
        left join public.industries as i on k.industry_id = i.id
        order by k.position
    );
    perform private.follow_change(v_partners, v_branches, v_regions, v_mode);
    return null;
end;
$$;

revoke all on function private.follow_partner_change() from public;
