-- The lock stripes (private.segment_lock_stripes, 0-1023) of partners: every writer of a partner's capacity or
-- preferences locks its stripe before reading the partner's pairs, so two transactions changing one partner
-- take turns and the later one reads what the earlier one committed.
create or replace function private.partner_stripes(p_partners uuid[])
returns integer[]
language sql
immutable
set search_path = ''
as $$
    select coalesce(array_agg(distinct pg_catalog.hashtext(p.partner_id::text) & 1023), '{}')
    from unnest(p_partners) as p (partner_id)
    where p.partner_id is not null
$$;

revoke all on function private.partner_stripes(uuid[]) from public;
