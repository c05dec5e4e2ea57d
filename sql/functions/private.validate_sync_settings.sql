-- Trigger: the settings the nightly job reads must make sense, each refused with a message naming it: the time
-- zone a real IANA zone, the run time a time of day before 24:00 (the type accepts '24:00', which is never
-- reached: the night would silently never run), runs kept at least 7 days (retention, private.remove_old_runs).
create or replace function private.validate_sync_settings()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if not exists (select from pg_catalog.pg_timezone_names as tz where tz.name = new.timezone) then
        raise exception 'timezone "%" is not a known IANA time zone', guarded.input_excerpt(new.timezone)
        using errcode = 'invalid_parameter_value',
        hint = 'Use a name such as Europe/Amsterdam.';
    end if;
    if new.run_at_local_time >= '24:00' then
        raise exception 'run_at_local_time must be a time of day before 24:00, not %', new.run_at_local_time
        using errcode = 'invalid_parameter_value',
        hint = 'Use 00:00 for midnight.';
    end if;
    if new.keep_runs_days < 7 then
        raise exception 'keep_runs_days must be at least 7, not %', new.keep_runs_days
        using errcode = 'invalid_parameter_value',
        hint = 'Runs are kept that many days (default 90); the last successful nightly run is always kept.';
    end if;
    return new;
end;
$$;

revoke all on function private.validate_sync_settings() from public;
