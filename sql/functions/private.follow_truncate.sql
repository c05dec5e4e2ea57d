-- Trigger (after a TRUNCATE statement) on every table the capacity rule reads: a TRUNCATE has no transition
-- table to follow row by row, so while following is on it reconciles every combination at once
-- (private.follow_everything), as switching following on does.
-- security definer: the truncating role may not write segments, plans and runs directly.
create or replace function private.follow_truncate()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if (select st.follow_partner_changes from public.segment_sync_settings as st) then
        perform private.follow_everything();
    end if;
    return null;
end;
$$;

revoke all on function private.follow_truncate() from public;
