-- Trigger: the time zone must be a real IANA zone (the type of run_at_local_time already refuses bad times).
create or replace function private.validate_sync_settings()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if not exists (select from pg_catalog.pg_timezone_names as tz where tz.name = new.timezone) then
        raise exception 'timezone "%" is not a known IANA time zone', new.timezone
        using errcode = 'invalid_parameter_value',
        hint = 'Use a name such as Europe/Amsterdam.';
    end if;
    return new;
end;
$$;

revoke all on function private.validate_sync_settings() from public;
