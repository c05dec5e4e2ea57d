-- The admin endpoint: POST /rest/v1/rpc/admin_sync_segments {"method": "capacity"}.
-- 42501 for a caller who is not an admin, 22023 for a method that is not supported; otherwise the sync's
-- result, its run logged with trigger 'admin' (or 'cli' from the leadstroom command) and the caller.
-- Runs as the caller: the sync it calls checks the caller again and does the privileged work.
create or replace function public.admin_sync_segments(method text default 'capacity')
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
    v_supported constant text[] := array['capacity'];
    v_result jsonb;
begin
    perform private.assert_admin();
    if method is null or not (method = any(v_supported)) then
        raise exception 'unsupported sync method %; supported methods: %',
            coalesce('"' || pg_catalog.left(method, 40) || case when pg_catalog.length(method) > 40 then '…' else '' end || '"', 'null'),
            pg_catalog.array_to_string(v_supported, ', ')
        using errcode = 'invalid_parameter_value',
        hint = 'Send {"method": "capacity"}.';
    end if;

    perform pg_catalog.set_config('leadstroom.run_trigger', 'admin', true);
    v_result := public.sync_segments_capacity();
    perform pg_catalog.set_config('leadstroom.run_trigger', '', true);
    return v_result;
end;
$$;

revoke all on function public.admin_sync_segments(text) from public, anon, authenticated;
grant execute on function public.admin_sync_segments(text) to authenticated, service_role;
