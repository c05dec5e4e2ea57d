-- Trigger (after an update of segment_sync_settings, with transition tables): switching following on, or
-- switching the payment rule while following is on, reconciles every combination at once (as a sync would,
-- logged as a 'change' run). It first waits for every change in flight to the sources of capacity (a share
-- lock on their tables), so none is missed.
-- security definer: an admin user's change writes segments, plans and runs, which it may not write directly.
create or replace function private.follow_settings_change()
returns trigger
language plpgsql
security definer
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_branches text[];
    v_regions text[];
begin
    if not exists (
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
        return null;
    end if;
    -- a barrier for changes in flight: every transaction that wrote a source of capacity (and may have read
    -- "following off") commits first, and the reconciliation below sees it; new ones wait for this one
    lock table
        public.profiles, public.subscriptions, public.payment_methods, public.user_industry_preferences,
        public.user_location_preferences, public.industries, public.regions
    in share mode;
    select d.branches, d.regions into v_branches, v_regions from private.capacity_differences() as d;
    perform private.follow_combinations(v_branches, v_regions);
    return null;
end;
$$;

revoke all on function private.follow_settings_change() from public;
