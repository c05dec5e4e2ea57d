-- The nightly job runs exactly once per local day, at 03:00 Amsterdam time, on both sides of the
-- daylight-saving changes of 29 March and 25 October 2026. The scheduler does not fire here: each hour the
-- job's pg_cron schedule (read in UTC) matches, the test runs the job's steps with that timestamp.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(9);

select is(
    (
        select schedule from cron.job
        where jobname = 'leadstroom-nightly-segment-sync'
    ),
    '0 * * * *',
    'the job fires every hour on the hour (UTC): 03:00 Amsterdam is one of them in summer and in winter'
);

create temporary table firing (fired_at timestamptz primary key, outcome jsonb);

-- every hour of 28-30 March and 24-26 October (UTC), in order, where the cron schedule matches
do $$
declare
    v_schedule text := (select schedule from cron.job where jobname = 'leadstroom-nightly-segment-sync');
    v_fired_at timestamptz;
    v_run_id bigint;
begin
    for v_fired_at in
        select h + make_interval(mins => split_part(v_schedule, ' ', 1)::integer)
        from (
            select h from generate_series('2026-03-28 00:00+00'::timestamptz, '2026-03-30 23:00+00', '1 hour') as h
            union all
            select h from generate_series('2026-10-24 00:00+00'::timestamptz, '2026-10-26 23:00+00', '1 hour') as h
        ) as hours
        order by 1
    loop
        v_run_id := private.nightly_open_at(v_fired_at);
        insert into firing values (v_fired_at, private.nightly_work(v_run_id));
        perform private.nightly_close(v_run_id);
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

-- the decision alone, asked every hour of both windows
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
          where private.nightly_run_is_due(h, 'Europe/Amsterdam', '03:00', false, 0)
      )
      select min(local_time)::text from due group by local_day order by local_day$$,
    $$values ('03:00:00'), ('03:00:00'), ('03:00:00'), ('03:00:00'), ('03:00:00'), ('03:00:00')$$,
    'the first hour due on each local day is 03:00 local'
);

select ok(
    not private.nightly_run_is_due('2026-10-25 05:00+00', 'Europe/Amsterdam', '03:00', true, 0),
    'not due again on a day that already succeeded'
);

select ok(
    not private.nightly_run_is_due('2026-03-29 00:59+00', 'Europe/Amsterdam', '03:00', false, 0),
    'not due before 03:00 local on the night the clocks go forward'
);

select ok(
    private.nightly_run_is_due('2026-10-25 08:00+00', 'Europe/Amsterdam', '03:00', false, 5)
    and not private.nightly_run_is_due('2026-10-25 09:00+00', 'Europe/Amsterdam', '03:00', false, 6),
    'a failed night is retried, 6 attempts at most'
);

select * from finish();
rollback;
