-- The partners feeding a segment: everyone with both of its preferences enabled (private.partner_combinations),
-- whether they count as capacity there now and with how many leads a month, counting partners first. 42501 for
-- a caller who is not an admin, PT404 for an unknown code.
-- security definer: reads every partner's preferences, subscriptions and account for the admins it admits.
create or replace function guarded.segment_partners(p_code text)
returns table (partner_id uuid, email text, company_name text, counts boolean, effective_capacity integer)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    v_segment public.lead_segments;
begin
    perform guarded.assert_admin();
    select s.* into v_segment from public.lead_segments as s where s.code = p_code;
    if not found then
        raise exception 'no segment with code "%"', guarded.input_excerpt(p_code) using errcode = 'PT404';
    end if;
    return query
    select pc.partner_id, u.email, p.company_name, pc.feeds, pc.capacity
    from private.partner_combinations as pc
    inner join public.profiles as p on pc.partner_id = p.id
    left join auth.users as u on p.id = u.id
    where pc.branch = v_segment.branch and pc.region = v_segment.region
    order by pc.feeds desc, pc.capacity desc, u.email;
end;
$$;

revoke all on function guarded.segment_partners(text) from public, anon, authenticated;
grant execute on function guarded.segment_partners(text) to authenticated, service_role;
