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
    v_rows text := case tg_op
        when 'INSERT' then 'select pg_catalog.to_jsonb(n) as r from new_rows as n'
        when 'DELETE' then 'select pg_catalog.to_jsonb(o) as r from old_rows as o'
        else
            'select v.r from old_rows as o inner join new_rows as n on o.id = n.id '
            || 'cross join lateral (values (pg_catalog.to_jsonb(o)), (pg_catalog.to_jsonb(n))) as v (r) '
            || 'where pg_catalog.to_jsonb(o) - $1 is distinct from pg_catalog.to_jsonb(n) - $1'
    end;
    v_partners uuid[];
    v_branches text[];
    v_regions text[];
begin
    if v_mode = 'off' then
        return null;
    end if;
    -- the changed keys, not the rows: a statement of any size fits
    execute pg_catalog.format(
        'select array_agg(k.partner_id), array_agg(k.branch), array_agg(k.region) from ('
        || 'select distinct (c.r ->> %L)::uuid as partner_id, i.slug as branch, c.r ->> %L as region '
        || 'from (%s) as c left join public.industries as i on (c.r ->> %L)::bigint = i.id) as k',
        v_partner_key, 'location_code', v_rows, 'industry_id'
    )
    into v_partners, v_branches, v_regions
    using v_ignored;
    perform private.follow_change(v_partners, v_branches, v_regions, v_mode);
    return null;
end;
$$;

revoke all on function private.follow_partner_change() from public;
