-- Trigger: a segment's code, branch and region never change, so a code is never reused for another combination.
create or replace function private.freeze_segment_identity()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if (new.code, new.branch, new.region) is distinct from (old.code, old.branch, old.region) then
        raise exception 'segment % keeps its code, branch and region', old.code
        using errcode = 'restrict_violation',
        hint = 'Segments follow capacity: the sync creates a new segment for a new combination.';
    end if;
    return new;
end;
$$;

revoke all on function private.freeze_segment_identity() from public;
