-- The admin endpoint's work (public.admin_sync_segments): 42501 for a caller who is not an admin, 22023 for a
-- method that is not supported; otherwise the sync, logged with trigger 'admin' (or 'cli' from the
-- leadstroom command) and the caller.
-- security definer: writes segments and reads every partner for the admins it admits.
create or replace function guarded.admin_sync_segments(p_method text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_supported constant text[] := array['capacity'];
begin
    perform guarded.assert_admin();
    if p_method is null or not (p_method = any(v_supported)) then
        raise exception 'unsupported sync method %; supported methods: %',
            coalesce(
                '"' || pg_catalog.left(p_method, 40) || case when pg_catalog.length(p_method) > 40 then '…' else '' end
                || '"',
                'null'
            ),
            pg_catalog.array_to_string(v_supported, ', ')
        using errcode = 'invalid_parameter_value',
        hint = 'Send {"method": "capacity"}.';
    end if;
    return private.run_sync(private.request_trigger('admin'), null);
end;
$$;

revoke all on function guarded.admin_sync_segments(text) from public, anon, authenticated;
grant execute on function guarded.admin_sync_segments(text) to authenticated, service_role;
