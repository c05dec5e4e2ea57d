-- Partners: profile, subscriptions, payment methods and their branch and region preferences.

create table public.profiles (
    id uuid primary key references auth.users (id) on delete cascade,
    full_name text,
    company_name text,
    is_admin boolean not null default false,
    is_active_for_routing boolean not null default false,
    max_open_leads integer,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint profiles_max_open_leads_not_negative check (max_open_leads >= 0),
    constraint profiles_full_name_length check (char_length(full_name) <= 200),
    constraint profiles_company_name_length check (char_length(company_name) <= 200)
);

comment on column public.profiles.max_open_leads is
'Fallback capacity (leads a month) when no active, unpaused subscription sets leads_per_month.';

create table public.subscriptions (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references public.profiles (id) on delete cascade,
    status text not null,
    is_paused boolean not null default false,
    leads_per_month integer,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint subscriptions_status_known
    check (status in ('active', 'trialing', 'past_due', 'cancelled', 'expired')),
    constraint subscriptions_leads_per_month_not_negative check (leads_per_month >= 0)
);

comment on column public.subscriptions.leads_per_month is
'Capacity in leads a month; null means not set (the profile''s max_open_leads applies).';

-- the capacity rule looks up the most recent active, unpaused subscription of each partner
create index subscriptions_counting_idx on public.subscriptions (user_id, created_at desc, id desc)
include (leads_per_month)
where status = 'active' and not is_paused;

create table public.payment_methods (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references public.profiles (id) on delete cascade,
    status text not null default 'pending',
    created_at timestamptz not null default now(),
    constraint payment_methods_status_known check (status in ('pending', 'active', 'failed', 'revoked'))
);

create index payment_methods_active_idx on public.payment_methods (user_id) where status = 'active';

create table public.user_industry_preferences (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.profiles (id) on delete cascade,
    industry_id bigint not null references public.industries (id),
    is_enabled boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint user_industry_preferences_user_industry_key unique (user_id, industry_id)
);

create index user_industry_preferences_industry_idx on public.user_industry_preferences (industry_id);

create table public.user_location_preferences (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.profiles (id) on delete cascade,
    location_code text not null references public.regions (code) on update cascade,
    location_name text,
    is_enabled boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint user_location_preferences_user_location_key unique (user_id, location_code),
    constraint user_location_preferences_location_name_length check (char_length(location_name) <= 100)
);

create index user_location_preferences_location_idx on public.user_location_preferences (location_code);
