-- Why a partner does or does not count as capacity (API): one row per rule of the contract. Runs as the
-- caller; guarded.explain_partner_capacity reads the partner's data after checking that the caller is an
-- admin or the partner itself.
create or replace function public.explain_partner_capacity(p_partner_id uuid)
returns table (step integer, rule text, passed boolean, reason text)
language sql
stable
security invoker
set search_path = ''
as $$
    select e.step, e.rule, e.passed, e.reason
    from guarded.explain_partner_capacity(p_partner_id) as e
$$;

revoke all on function public.explain_partner_capacity(uuid) from public, anon, authenticated;
grant execute on function public.explain_partner_capacity(uuid) to authenticated, service_role;
