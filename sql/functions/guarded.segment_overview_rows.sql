-- The rows of public.segment_overview: every segment with its current capacity and today's plan (configured
-- time zone): its share of its partners' capacity (allocated) and what they can still take this month through
-- it (open), target, actual leads and gap as the planner wrote them (null before today is planned).
-- security definer: aggregates every partner's capacity for the admins it admits.
create or replace function guarded.segment_overview_rows()
returns table (
    code text,
    branch text,
    region text,
    is_active boolean,
    is_held boolean,
    capacity_partners bigint,
    capacity_total_leads bigint,
    capacity_allocated numeric,
    capacity_open numeric,
    target_leads_per_day numeric,
    actual_leads integer,
    lead_gap numeric
)
language plpgsql
stable
security definer
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
begin
    perform guarded.assert_admin();
    return query
    select
        s.code,
        s.branch,
        s.region,
        s.is_active,
        s.held_at is not null,
        coalesce(cc.capacity_partners, 0),
        coalesce(cc.capacity_total_leads, 0),
        p.capacity_allocated,
        p.capacity_open,
        p.target_leads_per_day,
        p.actual_leads,
        p.lead_gap
    from public.lead_segments as s
    left join private.capacity_combos as cc on s.branch = cc.branch and s.region = cc.region
    left join public.lead_segment_plans as p
        on
            s.id = p.segment_id
            and p.date = private.local_today()
    order by s.code;
end;
$$;

revoke all on function guarded.segment_overview_rows() from public, anon, authenticated;
grant execute on function guarded.segment_overview_rows() to authenticated, service_role;
