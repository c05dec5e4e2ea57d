-- One row per segment for admins: code, branch, region, whether it is active or held, its current capacity,
-- and today's allocated and open capacity, target, actual leads and gap (configured time zone; null before
-- today is planned).
-- security_invoker: it runs as the reader; guarded.segment_overview_rows admits only admins.
create or replace view public.segment_overview
with (security_invoker = true)
as
select
    o.code,
    o.branch,
    o.region,
    o.is_active,
    o.is_held,
    o.capacity_partners,
    o.capacity_total_leads,
    o.capacity_allocated,
    o.capacity_open,
    o.target_leads_per_day,
    o.actual_leads,
    o.lead_gap
from guarded.segment_overview_rows() as o;

revoke all on public.segment_overview from public, anon, authenticated;
grant select on public.segment_overview to authenticated, service_role;
