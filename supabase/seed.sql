-- Demo marketplace: a dozen partners over several branches and provinces. Some count as capacity, some
-- do not (routing off, a paused or zero subscription, an admin), so the sync has something to decide.
-- The SOP's example combination (loodgieter + zuid-holland, 50 a month) is left for the admin to add with
-- docs/MANUAL_TEST_CAPACITY_SYNC.md: its partner (Loodgietersbedrijf Maas) is here, in utrecht only.
-- Loaded by `make demo` (supabase db push --include-seed); never by the tests.

insert into public.industries (name, slug) values
('Loodgieter', 'loodgieter'),
('Schilder', 'schilder'),
('Dakdekker', 'dakdekker'),
('Elektricien', 'elektricien'),
('Hovenier', 'hovenier'),
('Timmerman', 'timmerman')
on conflict (slug) do nothing;

create temporary table demo_partner (
    n integer primary key,
    email text not null,
    company text not null,
    routing boolean not null,
    admin boolean not null,
    max_open_leads integer,
    subscription_status text,
    subscription_paused boolean,
    leads_per_month integer,
    branches text[] not null,
    regions text[] not null
);

insert into demo_partner values
(
    1, 'info@loodgieter-maas.example', 'Loodgietersbedrijf Maas', true, false, null, 'active', false, 50,
    '{loodgieter}', '{utrecht}'
),
(
    2, 'post@dekwast.example', 'Schildersbedrijf De Kwast', true, false, 20, null, null, null,
    '{schilder}', '{noord-holland,utrecht}'
),
(
    3, 'dak@hoog.example', 'Dakdekkers Hoog', true, false, null, 'active', false, 30,
    '{dakdekker}', '{gelderland,overijssel}'
),
(
    4, 'info@vonk.example', 'Elektro Vonk', true, false, null, 'active', false, 25,
    '{elektricien}', '{noord-brabant}'
),
(
    5, 'service@brabantseloodgieter.example', 'Brabantse Loodgieter', true, false, 8, 'active', false, 40,
    '{loodgieter,dakdekker}', '{noord-brabant,limburg}'
),
(
    6, 'info@noorderverf.example', 'Noorderverf', true, false, 15, null, null, null,
    '{schilder}', '{friesland,groningen,drenthe}'
),
(
    7, 'tuin@groen.example', 'Hoveniersbedrijf Groen (abonnement gepauzeerd)', true, false, null, 'active', true, 30,
    '{hovenier}', '{utrecht}'
),
(
    8, 'hout@timmer.example', 'Timmerwerk Hout (routing uit)', false, false, null, 'active', false, 20,
    '{timmerman}', '{zuid-holland}'
),
(
    9, 'oost@loodgieter.example', 'Loodgieter Oost (abonnement opgezegd)', true, false, 10, 'cancelled', false, 30,
    '{loodgieter}', '{gelderland}'
),
(
    10, 'zee@kwast.example', 'Zeeuwse Kwast (abonnement op 0)', true, false, 20, 'active', false, 0,
    '{schilder}', '{zeeland}'
),
(
    11, 'admin@leadstroom.example', 'Leadstroom beheer', true, true, 100, null, null, null,
    '{loodgieter}', '{noord-holland}'
),
(
    12, 'info@flevostroom.example', 'Flevostroom', true, false, null, 'trialing', false, 12,
    '{elektricien}', '{flevoland,utrecht}'
),
(
    13, 'info@stadsschilders.example', 'Stadsschilders', true, false, null, 'active', false, 18,
    '{schilder,timmerman}', '{zuid-holland,noord-holland}'
);

insert into auth.users (id, email)
select
    ('5a1e0000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
    email
from demo_partner
on conflict (id) do nothing;

insert into public.profiles (id, company_name, is_active_for_routing, is_admin, max_open_leads)
select
    ('5a1e0000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
    company,
    routing,
    admin,
    max_open_leads
from demo_partner
on conflict (id) do nothing;

insert into public.subscriptions (user_id, status, is_paused, leads_per_month)
select
    ('5a1e0000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
    subscription_status,
    subscription_paused,
    leads_per_month
from demo_partner
where subscription_status is not null;

insert into public.user_industry_preferences (user_id, industry_id)
select
    ('5a1e0000-0000-4000-8000-' || lpad(dp.n::text, 12, '0'))::uuid,
    i.id
from demo_partner as dp
cross join lateral unnest(dp.branches) as b (slug)
inner join public.industries as i on b.slug = i.slug
on conflict (user_id, industry_id) do nothing;

insert into public.user_location_preferences (user_id, location_code)
select
    ('5a1e0000-0000-4000-8000-' || lpad(dp.n::text, 12, '0'))::uuid,
    r.code
from demo_partner as dp
cross join lateral unnest(dp.regions) as r (code)
on conflict (user_id, location_code) do nothing;

-- a partner who switched one branch off: it no longer counts there
insert into public.user_industry_preferences (user_id, industry_id, is_enabled)
select
    '5a1e0000-0000-4000-8000-000000000012'::uuid,
    i.id,
    false
from public.industries as i
where i.slug = 'loodgieter'
on conflict (user_id, industry_id) do nothing;

drop table demo_partner;
