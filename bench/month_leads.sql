-- What the planner reads beyond the capacity (issue 17): each partner's leads of the planned day's month before
-- that day (Amsterdam time; bench/run.py sets bench.plan_date), counted once. Written out by hand; with
-- bench/lower_bound.sql it is the planner's lower bound (bench/run.py: planner_lower_bound). The bounds are
-- scalar subqueries, computed once (as the planner's variables are), not per lead.
select
    count(*) as partners,
    sum(month.leads) as leads
from (
    select
        l.partner_id,
        count(*) as leads
    from public.leads as l
    where
        l.created_at >= (
            select
                date_trunc('month', current_setting('bench.plan_date')::date)::timestamp
                at time zone 'Europe/Amsterdam'
        )
        and l.created_at < (
            select current_setting('bench.plan_date')::date::timestamp at time zone 'Europe/Amsterdam'
        )
        and l.partner_id is not null
    group by l.partner_id
) as month
