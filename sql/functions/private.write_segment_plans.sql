-- Writes the plans of one date: a daily lead target per segment from its capacity and the settings, the day's
-- leads and the gap. p_segment_ids null: every active segment, and re-plans an existing plan of a segment
-- deactivated since (its target becomes 0); else just those segments (following a change). Older plans are
-- never touched; an unchanged plan is not rewritten. Returns the counts for the run's result.
create or replace function private.write_segment_plans(p_date date, p_segment_ids bigint[])
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_settings public.segment_sync_settings;
    v_result jsonb;
begin
    select * into strict v_settings from public.segment_sync_settings;
    -- every segment's capacity from the marketplace-wide aggregate; for a few segments, only theirs
    with capacity as (
        select cc.branch, cc.region, cc.capacity_partners as partners, cc.capacity_total_leads as total_leads
        from private.capacity_combos as cc
        where p_segment_ids is null
        union all
        select s.branch, s.region, pg_catalog.count(*), pg_catalog.sum(pc.effective_capacity)::bigint
        from public.lead_segments as s
        inner join public.industries as i on s.branch = i.slug and i.is_active
        inner join public.regions as r on s.region = r.code and r.is_active
        inner join public.user_industry_preferences as uip on i.id = uip.industry_id and uip.is_enabled
        inner join public.user_location_preferences as ulp
            on uip.user_id = ulp.user_id and s.region = ulp.location_code and ulp.is_enabled
        inner join private.partner_capacity_lookup as pc on uip.user_id = pc.partner_id and pc.counts
        where p_segment_ids is not null and s.id = any(p_segment_ids)
        group by s.branch, s.region
    ),

    segments as (
        select
            s.id as segment_id,
            s.is_active,
            coalesce(c.partners, 0) as capacity_partners,
            coalesce(c.total_leads, 0) as capacity_total_leads
        from public.lead_segments as s
        left join capacity as c on c.branch = s.branch and c.region = s.region
        where
            (p_segment_ids is null and (s.is_active or exists (
                select from public.lead_segment_plans as p where p.segment_id = s.id and p.date = p_date
            )))
            or s.id = any(p_segment_ids)
    ),

    -- a lead belongs to the local day of the configured time zone
    actuals as (
        select l.segment_id, pg_catalog.count(*) as actual_leads
        from public.leads as l
        where
            l.created_at >= (p_date::timestamp at time zone v_settings.timezone)
            and l.created_at < ((p_date + 1)::timestamp at time zone v_settings.timezone)
        group by l.segment_id
    ),

    monthly as (
        select
            sg.*,
            coalesce(a.actual_leads, 0) as actual_leads,
            case
                when not sg.is_active or sg.capacity_total_leads = 0 then 0
                else least(
                    sg.capacity_total_leads::numeric,
                    greatest(
                        v_settings.min_target_leads_per_month,
                        v_settings.target_ratio * sg.capacity_total_leads
                    )
                )
            end as target_leads_per_month
        from segments as sg
        left join actuals as a on a.segment_id = sg.segment_id
    ),

    daily as (
        select
            m.*,
            pg_catalog.round(m.target_leads_per_month / v_settings.days_per_month, 2) as target_leads_per_day
        from monthly as m
    ),

    planned as (
        select
            d.*,
            d.target_leads_per_day - d.actual_leads as lead_gap,
            case
                when d.target_leads_per_day > 0
                    then pg_catalog.round((d.target_leads_per_day - d.actual_leads) / d.target_leads_per_day * 100, 2)
            end as lead_gap_percentage
        from daily as d
    ),

    written as (
        insert into public.lead_segment_plans as lsp (
            segment_id, date, capacity_partners, capacity_total_leads, target_leads_per_month,
            target_leads_per_day, actual_leads, lead_gap, lead_gap_percentage
        )
        select
            p.segment_id, p_date, p.capacity_partners, p.capacity_total_leads,
            pg_catalog.round(p.target_leads_per_month, 2), p.target_leads_per_day, p.actual_leads,
            p.lead_gap, p.lead_gap_percentage
        from planned as p
        on conflict (segment_id, date) do update
        set
            capacity_partners = excluded.capacity_partners,
            capacity_total_leads = excluded.capacity_total_leads,
            target_leads_per_month = excluded.target_leads_per_month,
            target_leads_per_day = excluded.target_leads_per_day,
            actual_leads = excluded.actual_leads,
            lead_gap = excluded.lead_gap,
            lead_gap_percentage = excluded.lead_gap_percentage,
            updated_at = pg_catalog.now()
        -- an unchanged plan is not rewritten
        where (
            lsp.capacity_partners, lsp.capacity_total_leads, lsp.target_leads_per_month,
            lsp.target_leads_per_day, lsp.actual_leads, lsp.lead_gap, lsp.lead_gap_percentage
        ) is distinct from (
            excluded.capacity_partners, excluded.capacity_total_leads, excluded.target_leads_per_month,
            excluded.target_leads_per_day, excluded.actual_leads, excluded.lead_gap,
            excluded.lead_gap_percentage
        )
        returning lsp.segment_id
    )

    select pg_catalog.jsonb_build_object(
        'date', p_date,
        'timezone', v_settings.timezone,
        'segments_planned', pg_catalog.count(*),
        'active_segments', pg_catalog.count(*) filter (where p.is_active),
        'zero_target_segments', pg_catalog.count(*) filter (where p.target_leads_per_day = 0),
        'total_target_leads_per_day', coalesce(pg_catalog.sum(p.target_leads_per_day), 0),
        'total_actual_leads', coalesce(pg_catalog.sum(p.actual_leads), 0),
        'plans_written', (select pg_catalog.count(*) from written)
    )
    into v_result
    from planned as p;
    return v_result;
end;
$$;

revoke all on function private.write_segment_plans(date, bigint[]) from public;
