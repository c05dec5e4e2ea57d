-- Triggers: normalisation, guards and bookkeeping that hold whoever writes.

create trigger touch_updated_at before update on public.industries
for each row execute function private.touch_updated_at();
create trigger touch_updated_at before update on public.profiles
for each row execute function private.touch_updated_at();
create trigger touch_updated_at before update on public.subscriptions
for each row execute function private.touch_updated_at();
create trigger touch_updated_at before update on public.user_industry_preferences
for each row execute function private.touch_updated_at();
create trigger touch_updated_at before update on public.user_location_preferences
for each row execute function private.touch_updated_at();
create trigger touch_updated_at before update on public.lead_segments
for each row execute function private.touch_updated_at();
create trigger touch_updated_at before update on public.segment_sync_settings
for each row execute function private.touch_updated_at();

create trigger normalize_location_preference before insert or update of location_code
on public.user_location_preferences
for each row execute function private.normalize_location_preference();

create trigger guard_profile_privileges before update of is_admin, is_active_for_routing on public.profiles
for each row execute function private.guard_profile_privileges();

-- segments are never deleted, by anyone; they keep their code, branch and region
create trigger refuse_delete before delete on public.lead_segments
for each row execute function private.refuse_delete();
create trigger refuse_truncate before truncate on public.lead_segments
for each statement execute function private.refuse_delete();
create trigger freeze_segment_identity before update of code, branch, region on public.lead_segments
for each row execute function private.freeze_segment_identity();

-- the settings are one row that always exists
create trigger refuse_delete before delete on public.segment_sync_settings
for each row execute function private.refuse_delete();
create trigger refuse_truncate before truncate on public.segment_sync_settings
for each statement execute function private.refuse_delete();
create trigger validate_sync_settings before insert or update on public.segment_sync_settings
for each row execute function private.validate_sync_settings();
create trigger reschedule_nightly_job after update of timezone, run_at_local_time on public.segment_sync_settings
for each row execute function private.reschedule_nightly_job();
