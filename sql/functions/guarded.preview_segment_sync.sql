-- What the sync would do now (public.preview_segment_sync), and nothing written: the real sync runs inside a
-- subtransaction that is then rolled back, so the preview cannot drift from the sync. The same keys as the
-- sync's result, with "dry_run": true and no run_id (its run row was rolled back too). Admins only.
-- security definer: runs the sync's work for the admins it admits.
create or replace function guarded.preview_segment_sync()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_result jsonb;
begin
    perform guarded.assert_admin();
    begin
        v_result := private.run_sync(private.request_trigger('sql'), null);
        raise exception 'preview: roll back' using errcode = 'LSDRY';
    exception
        when sqlstate 'LSDRY' then
            null;  -- everything the sync wrote is gone; its result is kept
    end;
    return v_result || pg_catalog.jsonb_build_object('run_id', null, 'dry_run', true);
end;
$$;

revoke all on function guarded.preview_segment_sync() from public, anon, authenticated;
grant execute on function guarded.preview_segment_sync() to authenticated, service_role;
