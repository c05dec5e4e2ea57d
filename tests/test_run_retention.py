"""Run retention (issue 16): the nightly job removes runs older than segment_sync_settings.keep_runs_days
(default 90, at least 7) in one statement, and never the last successful nightly run, however old."""

from __future__ import annotations

import contextlib

import psycopg

from tests.test_nightly import failing_sync, nightly  # noqa: F401  (the fixture)

RUN = (
    "insert into segment_sync_runs (kind, trigger, caller, status, scheduled_for, started_at, finished_at) "
    "values (%(kind)s, %(trigger)s, 'test', %(status)s, "
    "case when %(trigger)s = 'cron' then (now() - make_interval(days => %(age)s))::date end, "
    "now() - make_interval(days => %(age)s), now() - make_interval(days => %(age)s)) returning id"
)


def add_run(market, age_days: int, *, kind: str = "sync", trigger: str = "change", status: str = "succeeded") -> int:
    return market.one(RUN, {"kind": kind, "trigger": trigger, "status": status, "age": age_days})


def run_ids(market) -> set[int]:
    return {r["id"] for r in market.sql("select id from segment_sync_runs")}


def test_the_nightly_job_removes_old_runs_but_never_the_last_successful_night(market, nightly):  # noqa: F811
    older_night = [add_run(market, 300, trigger="cron"), add_run(market, 300, kind="plan", trigger="cron")]
    last_night = [add_run(market, 200, trigger="cron"), add_run(market, 200, kind="plan", trigger="cron")]
    old = [
        *older_night,
        add_run(market, 150, trigger="cron", status="failed"),
        add_run(market, 91),  # a partner's change, past the 90 days
        add_run(market, 91, kind="plan", trigger="admin"),
    ]
    recent = [add_run(market, 89), add_run(market, 1, trigger="sql", status="failed")]
    # tonight fails, so the last successful nightly run stays the one of 200 days ago, older than the bound
    with failing_sync(market), contextlib.suppress(psycopg.errors.ExternalRoutineException):
        market.sql(nightly)
    tonight = market.last_run()
    assert (tonight["trigger"], tonight["status"]) == ("cron", "failed")
    assert run_ids(market) == {*last_night, *recent, tonight["id"]}
    assert not run_ids(market) & set(old)


def test_a_successful_night_replaces_the_last_one_kept(market, nightly):  # noqa: F811
    last_night = [add_run(market, 200, trigger="cron"), add_run(market, 200, kind="plan", trigger="cron")]
    market.sql(nightly)
    assert not run_ids(market) & set(last_night), "a newer successful night: the old one goes"
    assert [(r["kind"], r["status"]) for r in market.sql("select kind, status from segment_sync_runs")] == [
        ("sync", "succeeded"),
        ("plan", "succeeded"),
    ]


def test_keep_runs_days_sets_the_bound(market):
    market.sql("update segment_sync_settings set keep_runs_days = 7")
    kept = [add_run(market, 6), add_run(market, 0)]
    add_run(market, 8)
    assert market.one("select private.remove_old_runs()") == 1
    assert run_ids(market) == set(kept)
    assert market.one("select private.remove_old_runs()") == 0


def test_retention_is_the_nightly_jobs_alone(market):
    """Nobody else removes runs: the job's function is not executable through the API."""
    for role in ("anon", "authenticated", "service_role"):
        assert market.one("select has_function_privilege(%s, 'private.remove_old_runs()', 'execute')", (role,)) is False
