-- Reconciles every combination at once, as a sync would, logged as a 'change' run: for switching following on
-- (or the payment rule while it is on) and for a TRUNCATE of a source of capacity. Holds the switch's lock
-- exclusively until the transaction ends: it waits for the changes in flight that read the settings (they hold
-- it shared) so it sees them, and changes made meanwhile go into the follow-up queue instead of waiting for the
-- marketplace-wide aggregate.
create or replace function private.follow_everything()
returns void
language plpgsql
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_branches text[];
    v_regions text[];
begin
    perform pg_catalog.pg_advisory_xact_lock(private.switch_lock_key());
    select d.branches, d.regions into v_branches, v_regions from private.capacity_differences() as d;
    perform private.follow_keys(
        pg_catalog.array_fill(null::uuid, array[pg_catalog.cardinality(v_branches)]),
        v_branches,
        v_regions,
        null,
        pg_catalog.now()
    );
end;
$$;

revoke all on function private.follow_everything() from public;
