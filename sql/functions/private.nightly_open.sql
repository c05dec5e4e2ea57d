-- The nightly job's first step, at the time it fires (see private.nightly_open_at).
create or replace function private.nightly_open()
returns bigint
language sql
set search_path = ''
as $$
    select private.nightly_open_at(pg_catalog.now())
$$;

revoke all on function private.nightly_open() from public;
