-- The follow-up job (pg_cron, every minute): brings the combinations of queued changes in line, as following
-- would have at their commit, and empties the queue; a 'change' run when segments changed. It waits for the
-- locks (a transaction holding them keeps them until it ends): after 10 s it gives up with 55P03, the queue is
-- left as it was and the job's run shows failed. With following off the queue is dropped: the sync decides.
-- First it writes the plans a partner's request left to it (private.write_queued_plans): they are written
-- whatever following's setting, and wait with the keys while the job cannot get its locks (the job's work is
-- one transaction). Returns how many queued keys it took.
create or replace function private.drain_follow_queue()
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_partners uuid[];
    v_branches text[];
    v_regions text[];
    v_since timestamptz;
    v_taken integer;
begin
    perform pg_catalog.set_config('lock_timeout', '10s', true);
    -- after a switch of following in progress: its outcome decides what the queue is for
    perform pg_catalog.pg_advisory_xact_lock_shared(private.switch_lock_key());
    perform private.write_queued_plans();
    if not (select st.follow_partner_changes from public.segment_sync_settings as st) then
        delete from private.segment_follow_queue;
        return 0;
    end if;

    with taken as (
        delete from private.segment_follow_queue as q
        where q.id in (select f.id from private.segment_follow_queue as f for update skip locked)
        returning q.partner_id, q.branch, q.region, q.queued_at
    )

    select
        array_agg(t.partner_id), array_agg(t.branch), array_agg(t.region), min(t.queued_at),
        count(*)::integer
    into v_partners, v_branches, v_regions, v_since, v_taken
    from taken as t;

    perform private.follow_keys(v_partners, v_branches, v_regions, null, v_since);
    return v_taken;
end;
$$;

revoke all on function private.drain_follow_queue() from public;
