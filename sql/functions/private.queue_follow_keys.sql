-- Leaves keys of a change (as private.follow_keys takes them) in the follow-up queue, in the change's own
-- transaction: committed with it, gone with its rollback. private.drain_follow_queue brings them in line.
-- p_since: when the change was first queued (a key put back keeps its age, which health reports).
create or replace function private.queue_follow_keys(
    p_partners uuid[], p_branches text[], p_regions text[], p_since timestamptz
)
returns void
language sql
set search_path = ''
as $$
    insert into private.segment_follow_queue (partner_id, branch, region, queued_at)
    select distinct k.partner_id, k.branch, k.region, p_since
    from unnest(p_partners, p_branches, p_regions) as k (partner_id, branch, region)
$$;

revoke all on function private.queue_follow_keys(uuid[], text[], text[], timestamptz) from public;
