-- The advisory lock key that orders switching following on (or the payment rule, or a TRUNCATE) against partner
-- changes: the switch holds it exclusively while it reconciles; a change takes it shared without waiting and,
-- when it is taken, leaves its keys in the follow-up queue instead. One key: one lock per transaction at most.
create or replace function private.switch_lock_key()
returns bigint
language sql
immutable
set search_path = ''
as $$
    select (1818325363::bigint << 32) | 1
$$;

revoke all on function private.switch_lock_key() from public;
