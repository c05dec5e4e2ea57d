"""The nightly pg_cron job: scheduled once by the migrations, rescheduled by the settings, runs sync then plan."""

import subprocess
from pathlib import Path

from tests.callers import Caller, request_as

ROOT = Path(__file__).resolve().parent.parent
SCHEDULE_MIGRATIONS = sorted((ROOT / "supabase" / "migrations").glob("*schedule*.sql"))
NIGHTLY = "leadstroom-nightly-segment-sync"
PURGE = "leadstroom-purge-cron-history"
FOLLOW_UP = "leadstroom-follow-up"


def jobs(market):
    return {
        r["jobname"]: r
        for r in market.sql("select jobname, schedule, command, active from cron.job where jobname like 'leadstroom-%'")
    }


def test_jobs_exist_once_after_applying_the_migrations_twice(market, database_url):
    assert SCHEDULE_MIGRATIONS
    push = subprocess.run(
        ["npx", "--no-install", "supabase", "db", "push", f"--remote={database_url}?sslmode=disable", "--yes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "up to date" in push.stdout + push.stderr
    for migration in SCHEDULE_MIGRATIONS:  # applied again by hand, as a re-run would
        market.sql(migration.read_text())
    found = jobs(market)
    assert sorted(found) == [FOLLOW_UP, NIGHTLY, PURGE]
    assert market.one("select count(*) from cron.job where jobname in (%s, %s, %s)", (NIGHTLY, PURGE, FOLLOW_UP)) == 3
    assert found[NIGHTLY]["schedule"] == "0 * * * *"
    assert (found[FOLLOW_UP]["schedule"], found[FOLLOW_UP]["active"]) == ("* * * * *", True)
    assert found[NIGHTLY]["active"] is True


def test_the_job_command_runs_the_sync_then_the_planner(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sql("update segment_sync_settings set run_at_local_time = '00:00'")  # due whenever the test runs
    command = jobs(market)[NIGHTLY]["command"]
    market.sql(command)
    runs = market.sql(
        "select kind, trigger, caller, status, plan_date, scheduled_for from segment_sync_runs order by id"
    )
    today = market.one("select (now() at time zone 'Europe/Amsterdam')::date")
    assert [(r["kind"], r["trigger"], r["status"]) for r in runs] == [
        ("sync", "cron", "succeeded"),
        ("plan", "cron", "succeeded"),
    ]
    assert runs[0]["scheduled_for"] == runs[1]["plan_date"] == today
    assert market.active_codes() == ["loodgieter_zuid_holland"]
    assert market.one("select count(*) from lead_segment_plans where date = %s", (today,)) == 1
    market.sql(command)
    assert market.one("select count(*) from segment_sync_runs") == 2, "a second firing the same day does nothing"


def test_changing_time_zone_or_run_time_reschedules_without_a_migration(market):
    market.sql("update segment_sync_settings set timezone = 'America/New_York', run_at_local_time = '04:30'")
    assert jobs(market)[NIGHTLY]["schedule"] == "30 * * * *"
    market.sql("update segment_sync_settings set timezone = 'Asia/Kolkata', run_at_local_time = '03:00'")
    assert jobs(market)[NIGHTLY]["schedule"] == "30 * * * *"
    market.sql("update segment_sync_settings set timezone = 'Europe/Amsterdam', run_at_local_time = '04:45'")
    assert jobs(market)[NIGHTLY]["schedule"] == "45 * * * *"
    market.sql("update segment_sync_settings set run_at_local_time = '03:00'")
    assert jobs(market)[NIGHTLY]["schedule"] == "0 * * * *"


def test_the_purge_job_keeps_two_weeks_of_job_history(market):
    assert "interval '14 days'" in jobs(market)[PURGE]["command"]
    market.sql(
        "insert into cron.job_run_details (jobid, runid, command, status, start_time, end_time) values "
        "(1, 900001, 'old', 'succeeded', now() - interval '30 days', now() - interval '30 days'), "
        "(1, 900002, 'new', 'succeeded', now() - interval '1 day', now() - interval '1 day')"
    )
    market.sql(jobs(market)[PURGE]["command"])
    assert [r["runid"] for r in market.sql("select runid from cron.job_run_details where runid > 900000")] == [900002]
    market.sql("delete from cron.job_run_details where runid > 900000")


def test_an_admin_user_reschedules_through_the_api(market):
    admin = Caller("admin user", "authenticated", market.user(admin=True))
    with request_as(market.conn, admin, commit=True) as db:
        db.execute("update segment_sync_settings set run_at_local_time = '05:15'")
    assert jobs(market)[NIGHTLY]["schedule"] == "15 * * * *"
