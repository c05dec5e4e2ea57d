-- Follows a changed statement's keys (as private.follow_keys takes them) in the mode private.follow_mode chose:
-- queued, or followed at once. A partner's own change (an API request as `authenticated`) waits for locks until
-- 0.2 s after its statement started and queues what is left (the rest of the half second it may wait is for
-- the work itself); anyone else's waits for them, so it is in line when it commits.
create or replace function private.follow_change(
    p_partners uuid[], p_branches text[], p_regions text[], p_mode text
)
returns void
language plpgsql
set search_path = ''
as $$
begin
    if p_mode = 'queue' then
        perform private.queue_follow_keys(p_partners, p_branches, p_regions, pg_catalog.now());
    elsif p_mode = 'follow' then
        perform private.follow_keys(
            p_partners,
            p_branches,
            p_regions,
            case when guarded.request_role() = 'authenticated' then pg_catalog.statement_timestamp() + interval '0.2 s'
            end,
            pg_catalog.now()
        );
    end if;
end;
$$;

revoke all on function private.follow_change(uuid[], text[], text[], text) from public;
