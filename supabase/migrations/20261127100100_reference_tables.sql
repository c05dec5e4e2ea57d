-- Branches (industries) and regions: the two axes of a segment.

create table public.industries (
    id bigint generated always as identity primary key,
    name text not null,
    slug text not null,
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint industries_slug_key unique (slug),
    constraint industries_name_length check (char_length(btrim(name)) between 1 and 100),
    -- the slug is the branch code in segment codes: lowercase words joined by single dashes
    constraint industries_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 60)
);

comment on column public.industries.slug is
'Branch code (e.g. loodgieter). Stable when the name changes; used in lead_segments.branch.';

create table public.regions (
    code text primary key,
    name text not null,
    country text not null default 'NL',
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    constraint regions_code_format check (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(code) <= 60),
    constraint regions_name_length check (char_length(btrim(name)) between 1 and 100),
    constraint regions_country_iso_code check (country ~ '^[A-Z]{2}$')
);

insert into public.regions (code, name) values
('noord-holland', 'Noord-Holland'),
('zuid-holland', 'Zuid-Holland'),
('noord-brabant', 'Noord-Brabant'),
('gelderland', 'Gelderland'),
('utrecht', 'Utrecht'),
('friesland', 'Friesland'),
('overijssel', 'Overijssel'),
('groningen', 'Groningen'),
('drenthe', 'Drenthe'),
('flevoland', 'Flevoland'),
('limburg', 'Limburg'),
('zeeland', 'Zeeland')
on conflict (code) do nothing;
