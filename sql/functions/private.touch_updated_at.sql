-- Trigger: keeps updated_at honest whoever writes the row.
create or replace function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := pg_catalog.now();
    return new;
end;
$$;

revoke all on function private.touch_updated_at() from public;
