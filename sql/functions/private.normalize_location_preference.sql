-- Trigger: ' Zuid-Holland ' is stored as 'zuid-holland'; an unknown region code is refused by name.
create or replace function private.normalize_location_preference()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    v_region_name text;
begin
    new.location_code := pg_catalog.lower(pg_catalog.btrim(new.location_code));
    select r.name into v_region_name from public.regions as r where r.code = new.location_code;
    if not found then
        raise exception 'unknown region code "%"', guarded.input_excerpt(new.location_code)
        using errcode = 'foreign_key_violation',
        hint = 'Use a code from public.regions, such as zuid-holland.';
    end if;
    new.location_name := coalesce(new.location_name, v_region_name);
    return new;
end;
$$;

revoke all on function private.normalize_location_preference() from public;
