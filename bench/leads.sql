-- The month's leads so far (issue 17): :leads_per_partner leads per partner between the month's start and the
-- planned day :plan_date (Amsterdam time), so the planner reads a realistic month: 20 per partner by default,
-- 2 million at 100,000 partners. Run by bench/run.py after the sync; deterministic (no random()).
with month as (
    select
        pg_catalog.date_trunc('month', :'plan_date'::date)::timestamp at time zone 'Europe/Amsterdam' as starts,
        :'plan_date'::date::timestamp at time zone 'Europe/Amsterdam' as planned_day
)

insert into public.leads (partner_id, created_at)
select
    p.id,
    m.starts + pg_catalog.make_interval(
        secs => pg_catalog.abs(pg_catalog.hashtext(p.id::text || g))
        % greatest(1, extract(epoch from m.planned_day - m.starts)::integer)
    )
from public.profiles as p
cross join month as m
cross join pg_catalog.generate_series(1, :leads_per_partner) as g
-- in time order, as leads arrive: the indexes that lead with created_at fill at their right edge
order by 2;

analyze public.leads;
