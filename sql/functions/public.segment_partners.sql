-- The partners feeding a segment, with whether they count and their capacity (API; admins). Runs as the
-- caller; guarded.segment_partners checks it.
create or replace function public.segment_partners(p_code text)
returns table (partner_id uuid, email text, company_name text, counts boolean, effective_capacity integer)
language sql
stable
security invoker
set search_path = ''
as $$
    select sp.partner_id, sp.email, sp.company_name, sp.counts, sp.effective_capacity
    from guarded.segment_partners(p_code) as sp
$$;

revoke all on function public.segment_partners(text) from public, anon, authenticated;
grant execute on function public.segment_partners(text) to authenticated, service_role;
