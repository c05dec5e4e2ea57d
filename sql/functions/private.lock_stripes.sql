-- Locks lock stripes until the transaction ends, in stripe order (so two writers never deadlock), and counts a
-- write on each: row locks, not advisory locks, so the number of locks in PostgreSQL's shared lock table stays
-- the same whatever the number of combinations or partners; and a write, so a repeatable read transaction that
-- overlaps another writer of the same stripe fails with 40001 instead of acting on an old snapshot.
-- p_deadline null: waits as long as it takes. Else tries without waiting until that time (a partner's own
-- change never waits long) and returns false when the stripes stay taken.
create or replace function private.lock_stripes(p_stripes integer[], p_deadline timestamptz)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
    if coalesce(pg_catalog.cardinality(p_stripes), 0) = 0 then
        return true;
    end if;
    if p_deadline is null then
        update private.segment_lock_stripes as l
        set writes = l.writes + 1
        from (
            select s.stripe from private.segment_lock_stripes as s
            where s.stripe = any(p_stripes)
            order by s.stripe
            for update
        ) as taken
        -- the stripes again: the updated rows are then read through the index, not the whole table
        where l.stripe = taken.stripe and l.stripe = any(p_stripes);
        return true;
    end if;
    -- attempts, not rows: all stripes at once or none, again after a short pause until the deadline
    loop
        begin
            update private.segment_lock_stripes as l
            set writes = l.writes + 1
            from (
                select s.stripe from private.segment_lock_stripes as s
                where s.stripe = any(p_stripes)
                order by s.stripe
                for update nowait
            ) as taken
            where l.stripe = taken.stripe and l.stripe = any(p_stripes);
            return true;
        exception
            when lock_not_available then
                null;  -- taken: try again, or give up at the deadline
        end;
        exit when pg_catalog.clock_timestamp() >= p_deadline;
        perform pg_catalog.pg_sleep(0.02);
    end loop;
    return false;
end;
$$;

revoke all on function private.lock_stripes(integer[], timestamptz) from public;
