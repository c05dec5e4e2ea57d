-- What an error message quotes of an input: at most its first 100 characters, cut ones marked with "…". So a
-- 1 MB code or address comes back as a one-line error, not a 1 MB one.
create or replace function guarded.input_excerpt(p_input text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select case
        when pg_catalog.char_length(p_input) <= 100 then p_input
        else pg_catalog.left(p_input, 100) || '…'
    end
$$;

revoke all on function guarded.input_excerpt(text) from public, anon, authenticated;
-- trigger functions that run as the caller (a partner's own preference, an admin's settings) quote with it
grant execute on function guarded.input_excerpt(text) to authenticated, service_role;
