-- The partner behind an e-mail address (its auth.users account), for finding a partner by what an admin
-- knows. Case-insensitive. 42501 for a caller who is not an admin, PT404 for an unknown address.
-- security definer: reads auth.users, which the API does not expose.
create or replace function guarded.partner_id_by_email(p_email text)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    v_id uuid;
begin
    perform guarded.assert_admin();
    select u.id into v_id
    from auth.users as u
    inner join public.profiles as p on u.id = p.id
    where pg_catalog.lower(u.email) = pg_catalog.lower(pg_catalog.btrim(p_email));
    if v_id is null then
        raise exception 'no partner with e-mail address "%"', guarded.input_excerpt(p_email) using errcode = 'PT404';
    end if;
    return v_id;
end;
$$;

revoke all on function guarded.partner_id_by_email(text) from public, anon, authenticated;
grant execute on function guarded.partner_id_by_email(text) to authenticated, service_role;
