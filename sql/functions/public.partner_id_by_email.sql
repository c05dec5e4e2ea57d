-- The partner id behind an e-mail address (API; admins). Runs as the caller; guarded.partner_id_by_email
-- checks it and reads auth.users.
create or replace function public.partner_id_by_email(p_email text)
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
    select guarded.partner_id_by_email(p_email)
$$;

revoke all on function public.partner_id_by_email(text) from public, anon, authenticated;
grant execute on function public.partner_id_by_email(text) to authenticated, service_role;
