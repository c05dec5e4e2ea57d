-- The nightly job runs exactly once per local day, at 03:00 Amsterdam time, on both sides of the
-- daylight-saving changes of 29 March and 25 October 2026. The scheduler does not fire here: each hour the
-- job's pg_cron schedule (read in UTC) matches, the test calls the job's function with that timestamp.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(8);

select is(
    (
        select schedule from cron.job
        where jobname = 'leadstroom-nightly-segment-sync'
    ),
    '0 1,2 * * *',
    'the job fires at 01:00 and 02:00 UTC: 03:00 in Amsterdam in summer and in winter'
);

create temporary table firing (fired_at timestamptz primary key, outcome jsonb);

-- every hour of 28-30 March and 24-26 October (UTC), in order, where the cron schedule matches
do $$
declare
    v_schedule text := (select schedule from cron.job where jobname = 'leadstroom-nightly-segment-sync');
    v_hour timestamptz;
begin
    for v_hour in
        select h from generate_series('2026-03-28 00:00+00'::timestamptz, '2026-03-30 23:00+00', '1 hour') as h
        union all
        select h from generate_series('2026-10-24 00:00+00'::timestamptz, '2026-10-26 23:00+00', '1 hour') as h
        order by 1
    loop
        if extract(hour from v_hour at time zone 'UTC')::text = any(string_to_array(split_part(v_schedule, ' ', 2), ','))
        then
            insert into firing values (
                v_hour + make_interval(mins => split_part(v_schedule, ' ', 1)::integer),
                private.run_nightly(v_hour + make_interval(mins => split_part(v_schedule, ' ', 1)::integer))
            );
        end if;
    end loop;
end
$$;

select results_eq(
    $$select (fired_at at time zone 'Europe/Amsterdam')::text from firing where (outcome ->> 'ran')::boolean
      order by fired_at$$,
    $$values ('2026-03-28 03:00:00'), ('2026-03-29 03:00:00'), ('2026-03-30 03:00:00'),
             ('2026-10-24 03:00:00'), ('2026-10-25 03:00:00'), ('2026-10-26 03:00:00')$$,
    'with the job''s schedule: one run per local day, each at 03:00 Amsterdam time'
);

select results_eq(
    $$select scheduled_for::text, count(*) from segment_sync_runs where trigger = 'cron' and kind = 'sync'
      group by scheduled_for order by scheduled_for$$,
    $$values ('2026-03-28', 1::bigint), ('2026-03-29', 1), ('2026-03-30', 1),
             ('2026-10-24', 1), ('2026-10-25', 1), ('2026-10-26', 1)$$,
    'each local day has exactly one nightly sync run'
);

select results_eq(
    $$select kind from segment_sync_runs where trigger = 'cron' order by id limit 2$$,
    $$values ('sync'), ('plan')$$,
    'a nightly run is the sync, then the planner'
);

select results_eq(
    $$select count(*) from segment_sync_runs where trigger = 'cron' and kind = 'plan' and plan_date = scheduled_for$$,
    $$values (6::bigint)$$,
    'each nightly planner run plans the local date it ran for'
);

-- the decision alone, asked every hour of both windows as if the job fired hourly
select results_eq(
    $$with hours as (
          select h from generate_series('2026-03-28 00:00+00'::timestamptz, '2026-03-30 23:00+00', '1 hour') h
          union all
          select h from generate_series('2026-10-24 00:00+00'::timestamptz, '2026-10-26 23:00+00', '1 hour') h
      ),
      due as (
          select h, (h at time zone 'Europe/Amsterdam')::date as local_day,
                 (h at time zone 'Europe/Amsterdam')::time as local_time
          from hours
          where private.nightly_run_is_due(h, 'Europe/Amsterdam', '03:00', null)
      )
      select min(local_time)::text from due group by local_day order by local_day$$,
    $$values ('03:00:00'), ('03:00:00'), ('03:00:00'), ('03:00:00'), ('03:00:00'), ('03:00:00')$$,
    'the first hour due on each local day is 03:00 local'
);

select ok(
    not private.nightly_run_is_due('2026-10-25 02:00+00', 'Europe/Amsterdam', '03:00', '2026-10-25'),
    'not due again on a day that already ran'
);

select ok(
    not private.nightly_run_is_due('2026-03-29 00:59+00', 'Europe/Amsterdam', '03:00', '2026-03-28'),
    'not due before 03:00 local on the night the clocks go forward'
);

select * from finish();
rollback;
