-- The partners that enabled a region or a branch, in partner order: private.few_candidate_partners reads at most
-- 41 of them to tell a rare side of a combination from a common one, from the index alone.
create index user_location_preferences_enabled_idx
on public.user_location_preferences (location_code, user_id) where is_enabled;

create index user_industry_preferences_enabled_idx
on public.user_industry_preferences (industry_id, user_id) where is_enabled;
