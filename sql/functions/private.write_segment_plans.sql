-- Writes the plans of one date: a daily lead target per segment from its share of its partners' capacity
-- (private.segment_shares) and the settings, the day's leads and the gap. p_segment_ids null: every active
-- segment, and re-plans an existing plan of a segment deactivated since (its target becomes 0); else just those
-- segments (following a change, a hold), from their own partners only. Older plans are never touched; an
-- unchanged plan is not rewritten. Returns the counts and totals for the run's result: summed over all segments
-- the monthly targets are target_ratio x the allocated capacity, plus what the minimum target adds.
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
    with monthly as (
        select
            sh.*,
            case
                when not sh.is_active or sh.capacity_open = 0 then 0
                else least(
                    sh.capacity_allocated,
                    greatest(v_settings.min_target_leads_per_month, v_settings.target_ratio * sh.capacity_allocated)
                )
            end as target_leads_per_month
        from private.segment_shares(p_date, p_segment_ids) as sh
    ),

    daily as (
        select
            m.*,
            -- never more a day than the partners can still take this month
            pg_catalog.round(least(m.target_leads_per_month / v_settings.days_per_month, m.capacity_open), 2)
            as target_leads_per_day
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
            segment_id, date, capacity_partners, capacity_total_leads, capacity_allocated, capacity_open,
            target_leads_per_month, target_leads_per_day, actual_leads, lead_gap, lead_gap_percentage
        )
        select
            p.segment_id, p_date, p.capacity_partners, p.capacity_total_leads,
            pg_catalog.round(p.capacity_allocated, 2), pg_catalog.round(p.capacity_open, 2),
            pg_catalog.round(p.target_leads_per_month, 2), p.target_leads_per_day, p.actual_leads,
            p.lead_gap, p.lead_gap_percentage
        from planned as p
        on conflict (segment_id, date) do update
        set
            capacity_partners = excluded.capacity_partners,
            capacity_total_leads = excluded.capacity_total_leads,
            capacity_allocated = excluded.capacity_allocated,
            capacity_open = excluded.capacity_open,
            target_leads_per_month = excluded.target_leads_per_month,
            target_leads_per_day = excluded.target_leads_per_day,
            actual_leads = excluded.actual_leads,
            lead_gap = excluded.lead_gap,
            lead_gap_percentage = excluded.lead_gap_percentage,
            updated_at = pg_catalog.now()
        -- an unchanged plan is not rewritten
        where (
            lsp.capacity_partners, lsp.capacity_total_leads, lsp.capacity_allocated, lsp.capacity_open,
            lsp.target_leads_per_month,
            lsp.target_leads_per_day, lsp.actual_leads, lsp.lead_gap, lsp.lead_gap_percentage
        ) is distinct from (
            excluded.capacity_partners, excluded.capacity_total_leads, excluded.capacity_allocated,
            excluded.capacity_open, excluded.target_leads_per_month,
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
        'total_capacity_allocated', pg_catalog.round(coalesce(pg_catalog.sum(p.capacity_allocated), 0), 2),
        'total_capacity_open', pg_catalog.round(coalesce(pg_catalog.sum(p.capacity_open), 0), 2),
        'total_target_leads_per_month', pg_catalog.round(coalesce(pg_catalog.sum(p.target_leads_per_month), 0), 2),
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
