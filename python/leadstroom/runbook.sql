-- 1. The partner (a Supabase auth user with a profile, routing on)
insert into auth.users (id, email)
values ({partner}, {email})
on conflict (id) do nothing;

insert into profiles (id, company_name, is_active_for_routing)
values ({partner}, {company}, true)
on conflict (id) do update set is_active_for_routing = true;

-- 2. Capacity: an active subscription of {leads} leads a month
--    (or set profiles.max_open_leads instead)
insert into subscriptions (user_id, status, is_paused, leads_per_month)
select {partner}, 'active', false, {leads}
where not exists (
    select from subscriptions
    where user_id = {partner}
        and status = 'active' and leads_per_month = {leads}
);

-- 3. The branch: industry preference {branch}
insert into industries (name, slug)
values ({branch_name}, {branch})
on conflict (slug) do nothing;

insert into user_industry_preferences (user_id, industry_id, is_enabled)
select {partner}, id, true
from industries where slug = {branch}
on conflict (user_id, industry_id) do update set is_enabled = true;

-- 4. The region: location preference {region}
insert into user_location_preferences (user_id, location_code, is_enabled)
values ({partner}, {region}, true)
on conflict (user_id, location_code) do update set is_enabled = true;
