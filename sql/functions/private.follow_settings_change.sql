-- Trigger (after an update of segment_sync_settings, with transition tables): switching following on, or
-- switching the payment rule while following is on, reconciles every combination at once
-- (private.follow_everything), without holding partner writes for the length of its aggregate.
-- security definer: an admin user's change writes segments, plans and runs, which it may not write directly.
create or replace function private.follow_settings_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if exists (
        select
        from old_rows as o
        cross join new_rows as n
        where
            n.follow_partner_changes
            and (
                not o.follow_partner_changes
                or o.require_active_payment_method is distinct from n.require_active_payment_method
            )
    ) then
        perform private.follow_everything();
    end if;
    return null;
end;
$$;

revoke all on function private.follow_settings_change() from public;
