-- Holds a segment (public.hold_segment): deactivates it and keeps it off whatever its capacity; neither the
-- sync nor following reactivates it, and the planner gives it target 0 (today's plan at once). Records who,
-- when and why. 42501 for a caller who is not an admin, PT404 for an unknown code, 22023 without a reason or for
-- one longer than 500 characters or with control or bidirectional characters.
-- security definer: writes segments and plans for the admins it admits.
create or replace function guarded.hold_segment(p_code text, p_reason text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_segment public.lead_segments;
    v_bad_at integer;
begin
    perform guarded.assert_admin();
    if coalesce(pg_catalog.btrim(p_reason), '') = '' then
        raise exception 'a hold needs a reason: the reason is empty or only spaces'
        using errcode = 'invalid_parameter_value', hint = 'Say why the segment stays off, e.g. "no ad budget".';
    end if;
    if pg_catalog.char_length(pg_catalog.btrim(p_reason)) > 500 then
        raise exception 'a hold''s reason is at most 500 characters, this one has %',
            pg_catalog.char_length(pg_catalog.btrim(p_reason))
        using errcode = 'invalid_parameter_value', hint = 'Say briefly why; details belong elsewhere.';
    end if;
    -- control characters (a newline included) and bidirectional overrides would make the reason display as
    -- something other than what it says
    v_bad_at := pg_catalog.regexp_instr(
        p_reason, '[\u0001-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]'
    );
    if v_bad_at > 0 then
        raise exception 'a hold''s reason may not contain control or bidirectional characters (U+% at character %)',
            pg_catalog.lpad(
                pg_catalog.upper(pg_catalog.to_hex(pg_catalog.ascii(pg_catalog.substr(p_reason, v_bad_at, 1)))), 4, '0'
            ),
            v_bad_at
        using errcode = 'invalid_parameter_value', hint = 'Write the reason as plain text on one line.';
    end if;
    select s.* into v_segment from public.lead_segments as s where s.code = p_code;
    if not found then
        raise exception 'no segment with code "%"', guarded.input_excerpt(p_code) using errcode = 'PT404';
    end if;
    perform private.lock_combinations(array[v_segment.branch], array[v_segment.region]);
    update public.lead_segments as s
    set is_active = false, held_at = pg_catalog.now(), held_by = guarded.request_caller(),
        hold_reason = pg_catalog.btrim(p_reason)
    where s.id = v_segment.id
    returning s.* into v_segment;
    perform private.write_segment_plans(private.local_today(), array[v_segment.id]);
    return pg_catalog.jsonb_build_object(
        'code', v_segment.code, 'is_active', v_segment.is_active, 'held_at', v_segment.held_at,
        'held_by', v_segment.held_by, 'hold_reason', v_segment.hold_reason
    );
end;
$$;

revoke all on function guarded.hold_segment(text, text) from public, anon, authenticated;
grant execute on function guarded.hold_segment(text, text) to authenticated, service_role;
