-- Trigger (after update): a new time zone or run time takes effect without a migration.
-- security definer: rescheduling writes to the cron schema, which admin users may not.
create or replace function private.reschedule_nightly_job()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.schedule_nightly_job();
    return null;
end;
$$;

revoke all on function private.reschedule_nightly_job() from public;
