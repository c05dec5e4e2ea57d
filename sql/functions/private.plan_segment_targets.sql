-- The planner: a daily lead target per segment for one date (today in the configured time zone when null).
-- Upserts one plan per active segment, and re-plans an existing plan of a segment deactivated since (its
-- target becomes 0). Older plans are never touched. Leaves a run row (kind 'plan').
-- security definer: reads every partner's capacity and writes plans; the admin check in the body is the gate.
create or replace function private.plan_segment_targets(p_date date default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
-- the capacity aggregate hashes every partner's pairs: 64MB keeps it in memory to ~1M partners (bench/)
set work_mem = '64MB'
as $$
declare
    v_settings public.segment_sync_settings;
    v_date date;
    v_run_id bigint;
    v_result jsonb;
    v_sqlstate text;
    v_message text;
begin
    perform private.assert_admin();
    select * into strict v_settings from public.segment_sync_settings;
    v_date := coalesce(p_date, (pg_catalog.now() at time zone v_settings.timezone)::date);
    v_run_id := private.start_run('plan', null);

    begin
        with capacity as (
            select cc.branch, cc.region, cc.capacity_partners as partners, cc.capacity_total_leads as total_leads
            from private.capacity_combos as cc
        ),

        segments as (
            select
                s.id as segment_id,
                s.is_active,
                coalesce(c.partners, 0) as capacity_partners,
                coalesce(c.total_leads, 0) as capacity_total_leads
            from public.lead_segments as s
            left join capacity as c on c.branch = s.branch and c.region = s.region
            where s.is_active or exists (
                select from public.lead_segment_plans as p where p.segment_id = s.id and p.date = v_date
            )
        ),

        -- a lead belongs to the local day of the configured time zone
        actuals as (
            select l.segment_id, pg_catalog.count(*) as actual_leads
            from public.leads as l
            where
                l.created_at >= (v_date::timestamp at time zone v_settings.timezone)
                and l.created_at < ((v_date + 1)::timestamp at time zone v_settings.timezone)
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
                p.segment_id, v_date, p.capacity_partners, p.capacity_total_leads,
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
            'run_id', v_run_id,
            'kind', 'plan',
            'status', 'succeeded',
            'date', v_date,
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

        return private.finish_run(v_run_id, v_result);
    exception when others then
        get stacked diagnostics v_sqlstate = returned_sqlstate, v_message = message_text;
        return private.fail_run(v_run_id, v_sqlstate, v_message);
    end;
end;
$$;

revoke all on function private.plan_segment_targets(date) from public, anon, authenticated;
grant execute on function private.plan_segment_targets(date) to authenticated, service_role;
