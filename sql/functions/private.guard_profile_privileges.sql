-- Trigger: only admins change who is an admin or who gets leads routed, and only billing (service_role) or an
-- admin changes a partner's capacity (max_open_leads): capacity is what a partner pays for. A partner edits the
-- rest of its profile.
create or replace function private.guard_profile_privileges()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if (new.is_admin, new.is_active_for_routing) is distinct from (old.is_admin, old.is_active_for_routing)
        and not guarded.is_admin() then
        raise exception 'only admins may change is_admin or is_active_for_routing'
        using errcode = 'insufficient_privilege';
    end if;
    if new.max_open_leads is distinct from old.max_open_leads and not guarded.is_admin() then
        raise exception 'only billing (service_role) or an admin may change max_open_leads'
        using errcode = 'insufficient_privilege',
        hint = 'Capacity is what a partner pays for: it changes with the subscription, not by the partner.';
    end if;
    return new;
end;
$$;

revoke all on function private.guard_profile_privileges() from public;
