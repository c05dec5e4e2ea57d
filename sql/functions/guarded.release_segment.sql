-- Lifts a hold (public.release_segment): the segment follows its capacity again and is reactivated at once
-- when it has capacity (with today's plan). 42501 for a caller who is not an admin, PT404 for an unknown code.
-- security definer: writes segments and plans for the admins it admits.
create or replace function guarded.release_segment(p_code text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_segment public.lead_segments;
begin
    perform guarded.assert_admin();
    update public.lead_segments as s
    set held_at = null, held_by = null, hold_reason = null
    where s.code = p_code
    returning s.* into v_segment;
    if not found then
        raise exception 'no segment with code "%"', guarded.input_excerpt(p_code) using errcode = 'PT404';
    end if;
    perform private.follow_keys(
        array[null::uuid], array[v_segment.branch], array[v_segment.region], null, pg_catalog.now()
    );
    select s.* into strict v_segment from public.lead_segments as s where s.id = v_segment.id;
    return pg_catalog.jsonb_build_object('code', v_segment.code, 'is_active', v_segment.is_active, 'held_at', null);
end;
$$;

revoke all on function guarded.release_segment(text) from public, anon, authenticated;
grant execute on function guarded.release_segment(text) to authenticated, service_role;
