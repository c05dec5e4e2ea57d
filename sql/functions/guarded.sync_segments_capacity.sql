-- The sync as the API offers it (public.sync_segments_capacity): admins only, checked first. Logged with
-- trigger 'sql' (or 'cli' from the leadstroom command).
-- security definer: writes segments and reads every partner for the admins it admits.
create or replace function guarded.sync_segments_capacity()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform guarded.assert_admin();
    return private.run_sync(private.request_trigger('sql'), null);
end;
$$;

revoke all on function guarded.sync_segments_capacity() from public, anon, authenticated;
grant execute on function guarded.sync_segments_capacity() to authenticated, service_role;
