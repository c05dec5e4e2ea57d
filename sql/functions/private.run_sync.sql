-- The capacity sync: one active segment for every branch x region combination with capacity, none elsewhere
-- (the work is private.execute_sync). Opens its run row first, so a failed run still leaves it. p_trigger and
-- p_scheduled_for come from the code path that calls it: the API ('sql', 'admin', 'cli').
create or replace function private.run_sync(p_trigger text, p_scheduled_for date)
returns jsonb
language plpgsql
set search_path = ''
as $$
begin
    -- under an older snapshot the re-check after each lock could miss a concurrent change
    if pg_catalog.current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'the segment sync runs in read committed transactions, not %',
            pg_catalog.current_setting('transaction_isolation')
        using errcode = 'invalid_transaction_state';
    end if;
    return private.execute_sync(private.start_run('sync', 'capacity', p_trigger, p_scheduled_for));
end;
$$;

revoke all on function private.run_sync(text, date) from public;
