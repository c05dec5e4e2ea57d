-- Row level security and explicit grants. A partner reads its own profile, subscriptions and payment
-- methods and manages its own preferences; everything else is for admins and service_role.
-- Policies call auth.uid() and private.is_admin() through a sub-select so they are evaluated once per query.

alter table public.industries enable row level security;
alter table public.regions enable row level security;
alter table public.profiles enable row level security;
alter table public.subscriptions enable row level security;
alter table public.payment_methods enable row level security;
alter table public.user_industry_preferences enable row level security;
alter table public.user_location_preferences enable row level security;
alter table public.lead_segments enable row level security;
alter table public.lead_segment_plans enable row level security;
alter table public.leads enable row level security;
alter table public.segment_sync_runs enable row level security;
alter table public.segment_sync_settings enable row level security;

-- Supabase granted everything to the API roles when the tables were created; start from nothing.
revoke all on all tables in schema public from anon, authenticated;
revoke all on all sequences in schema public from anon, authenticated;
revoke delete, truncate on public.lead_segments, public.segment_sync_settings from service_role;

-- Reference data: readable by signed-in users, maintained by admins.
grant select, insert, update on public.industries, public.regions to authenticated;
create policy industries_read on public.industries for select to authenticated using (true);
create policy industries_admin_insert on public.industries for insert to authenticated
with check ((select private.is_admin()));
create policy industries_admin_update on public.industries for update to authenticated
using ((select private.is_admin()));
create policy regions_read on public.regions for select to authenticated using (true);
create policy regions_admin_insert on public.regions for insert to authenticated
with check ((select private.is_admin()));
create policy regions_admin_update on public.regions for update to authenticated
using ((select private.is_admin()));

-- Profiles: own row or admin. Who is an admin or routable is guarded by a trigger (guard_profile_privileges).
grant select, update (full_name, company_name, max_open_leads, is_admin, is_active_for_routing)
on public.profiles to authenticated;
create policy profiles_read on public.profiles for select to authenticated
using (id = (select auth.uid()) or (select private.is_admin()));
create policy profiles_update on public.profiles for update to authenticated
using (id = (select auth.uid()) or (select private.is_admin()))
with check (id = (select auth.uid()) or (select private.is_admin()));

-- Subscriptions and payment methods: written by billing (service_role); a partner reads its own.
grant select on public.subscriptions, public.payment_methods to authenticated;
create policy subscriptions_read on public.subscriptions for select to authenticated
using (user_id = (select auth.uid()) or (select private.is_admin()));
create policy payment_methods_read on public.payment_methods for select to authenticated
using (user_id = (select auth.uid()) or (select private.is_admin()));

-- Preferences: a partner manages its own; an admin manages anyone's.
grant select, insert, update, delete on public.user_industry_preferences, public.user_location_preferences
to authenticated;
create policy user_industry_preferences_own on public.user_industry_preferences for all to authenticated
using (user_id = (select auth.uid()) or (select private.is_admin()))
with check (user_id = (select auth.uid()) or (select private.is_admin()));
create policy user_location_preferences_own on public.user_location_preferences for all to authenticated
using (user_id = (select auth.uid()) or (select private.is_admin()))
with check (user_id = (select auth.uid()) or (select private.is_admin()));

-- Segments, plans, leads and runs: admins read them; only the functions write segments, plans and runs.
grant select on public.lead_segments, public.lead_segment_plans, public.leads, public.segment_sync_runs
to authenticated;
create policy lead_segments_admin_read on public.lead_segments for select to authenticated
using ((select private.is_admin()));
create policy lead_segment_plans_admin_read on public.lead_segment_plans for select to authenticated
using ((select private.is_admin()));
create policy leads_admin_read on public.leads for select to authenticated
using ((select private.is_admin()));
create policy segment_sync_runs_admin_read on public.segment_sync_runs for select to authenticated
using ((select private.is_admin()));

-- Settings: admins read and change them (validated by trigger).
grant select, update on public.segment_sync_settings to authenticated;
create policy segment_sync_settings_admin_read on public.segment_sync_settings for select to authenticated
using ((select private.is_admin()));
create policy segment_sync_settings_admin_update on public.segment_sync_settings for update to authenticated
using ((select private.is_admin()))
with check ((select private.is_admin()));
