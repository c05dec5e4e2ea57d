-- Segments, their daily plans, leads, the sync settings and the log of every run.

create table public.lead_segments (
    id bigint generated always as identity primary key,
    code text not null,
    branch text not null references public.industries (slug) on update restrict,
    region text not null references public.regions (code) on update restrict,
    country text not null default 'NL',
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint lead_segments_code_key unique (code),
    constraint lead_segments_branch_region_key unique (branch, region),
    constraint lead_segments_code_format check (code ~ '^[a-z0-9]+(_[a-z0-9]+)*$' and char_length(code) <= 140)
);

create index lead_segments_active_idx on public.lead_segments (branch, region) where is_active;

create table public.lead_segment_plans (
    id bigint generated always as identity primary key,
    segment_id bigint not null references public.lead_segments (id),
    date date not null,
    capacity_partners integer not null default 0,
    capacity_total_leads bigint not null default 0,
    target_leads_per_month numeric(12, 2) not null default 0,
    target_leads_per_day numeric(12, 2) not null default 0,
    actual_leads integer not null default 0,
    lead_gap numeric(12, 2) not null default 0,
    lead_gap_percentage numeric(8, 2),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint lead_segment_plans_segment_date_key unique (segment_id, date),
    constraint lead_segment_plans_not_negative check (
        capacity_partners >= 0 and capacity_total_leads >= 0
        and target_leads_per_month >= 0 and target_leads_per_day >= 0 and actual_leads >= 0
    )
);

create index lead_segment_plans_date_idx on public.lead_segment_plans (date);

create table public.leads (
    id bigint generated always as identity primary key,
    segment_id bigint references public.lead_segments (id),
    partner_id uuid references public.profiles (id) on delete set null,
    created_at timestamptz not null default now()
);

-- the planner counts a day's leads per segment: a range over created_at, read from the index alone
create index leads_created_at_segment_idx on public.leads (created_at, segment_id);
create index leads_segment_idx on public.leads (segment_id);

create table public.segment_sync_settings (
    id boolean primary key default true,
    target_ratio numeric(5, 4) not null default 0.8,
    min_target_leads_per_month numeric(10, 2) not null default 5,
    days_per_month integer not null default 30,
    timezone text not null default 'Europe/Amsterdam',
    run_at_local_time time not null default '03:00',
    require_active_payment_method boolean not null default false,
    updated_at timestamptz not null default now(),
    constraint segment_sync_settings_single_row check (id),
    constraint segment_sync_settings_target_ratio_range check (target_ratio > 0 and target_ratio <= 1),
    constraint segment_sync_settings_min_target_not_negative check (min_target_leads_per_month >= 0),
    constraint segment_sync_settings_days_per_month_range check (days_per_month between 1 and 31),
    constraint segment_sync_settings_run_at_whole_minute check (extract(second from run_at_local_time) = 0)
);

insert into public.segment_sync_settings (id) values (true) on conflict (id) do nothing;

create table public.segment_sync_runs (
    id bigint generated always as identity primary key,
    kind text not null,
    method text,
    trigger text not null,
    caller text not null,
    caller_user_id uuid,
    status text not null default 'running',
    started_at timestamptz not null default clock_timestamp(),
    finished_at timestamptz,
    scheduled_for date,
    total_combinations integer,
    created_count integer,
    activated_count integer,
    deactivated_count integer,
    unchanged_count integer,
    created_codes text[] not null default '{}',
    activated_codes text[] not null default '{}',
    deactivated_codes text[] not null default '{}',
    plan_date date,
    result jsonb,
    error text,
    error_sqlstate text,
    constraint segment_sync_runs_kind_known check (kind in ('sync', 'plan')),
    constraint segment_sync_runs_trigger_known check (trigger in ('cron', 'admin', 'cli', 'sql')),
    constraint segment_sync_runs_status_known check (status in ('running', 'succeeded', 'failed'))
);

comment on column public.segment_sync_runs.scheduled_for is
'For nightly (cron) runs: the local date the run was for. One nightly run per local date.';

create index segment_sync_runs_started_idx on public.segment_sync_runs (started_at desc);
create index segment_sync_runs_nightly_idx on public.segment_sync_runs (scheduled_for)
where trigger = 'cron' and kind = 'sync';
