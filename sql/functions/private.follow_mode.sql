-- How the trigger of a changed statement follows it: 'off' (following is off, or a payment method changed while
-- the payment rule is off), 'queue' (following is being switched on right now: the change goes into the
-- follow-up queue instead of waiting for the switch's reconciliation) or 'follow'. The settings are read after
-- the switch's lock is taken (shared, until the transaction ends), so a change that sees following off is
-- committed before any switch reconciles, and the switch sees it.
create or replace function private.follow_mode(p_payment_method boolean)
returns text
language plpgsql
set search_path = ''
as $$
begin
    if not pg_catalog.pg_try_advisory_xact_lock_shared(private.switch_lock_key()) then
        return 'queue';
    end if;
    if exists (
        select from public.segment_sync_settings as st
        where st.follow_partner_changes and (st.require_active_payment_method or not p_payment_method)
    ) then
        return 'follow';
    end if;
    return 'off';
end;
$$;

revoke all on function private.follow_mode(boolean) from public;
