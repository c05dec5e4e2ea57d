-- Covering indexes for the two foreign keys Supabase's performance advisor found without one: a region's or a
-- partner's delete checks these rows without scanning the table.

create index lead_segments_region_idx on public.lead_segments (region);
create index leads_partner_idx on public.leads (partner_id);
