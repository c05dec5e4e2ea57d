"""Runs you can trust: the nightly job's command run as pg_cron runs it (its own session, its DO block of three
transactions) at the hours the test chooses by time zone; retry, catch-up, no second run, the planner only
after a successful sync, failures pg_cron sees, abandoned and timed-out runs, forged origins, health."""

from __future__ import annotations

import contextlib
import threading
import time

import psycopg
import pytest

from tests.callers import Caller, request_as
from tests.test_client import run_command

NIGHTLY = "leadstroom-nightly-segment-sync"


def zone_at_local_noon(utc_hour: int) -> str:
    """A fixed-offset zone where it is now between 12:00 and 13:00 (given the UTC hour): 03:00 has passed, 23:00
    has not."""
    offset = (12 - utc_hour) % 24
    offset = offset - 24 if offset > 14 else offset
    return "Etc/UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # Etc/GMT-5 is UTC+5


@pytest.fixture
def nightly(market):
    """The job's command, in a marketplace where today's 03:00 has passed (local noon) and one segment waits."""
    market.sql(
        "update segment_sync_settings set timezone = %s, run_at_local_time = '03:00'",
        (zone_at_local_noon(market.one("select extract(hour from now() at time zone 'UTC')::integer")),),
    )
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    return market.one("select command from cron.job where jobname = %s", (NIGHTLY,))


def nightly_runs(market) -> list[tuple[str, str]]:
    return [
        (r["kind"], r["status"])
        for r in market.sql("select kind, status from segment_sync_runs where trigger = 'cron' order by id")
    ]


@contextlib.contextmanager
def segment_write_trigger(market, body: str):
    """A real trigger on every new or changed segment while this is on (so other sessions meet it too)."""
    market.sql(
        "create function public.zz_segment_write() returns trigger language plpgsql set search_path = '' "
        f"as $$ begin {body}; return new; end $$"
    )
    market.sql(
        "create trigger zz_segment_write before insert or update on lead_segments "
        "for each row execute function public.zz_segment_write()"
    )
    try:
        yield
    finally:
        market.sql("drop trigger zz_segment_write on lead_segments")
        market.sql("drop function public.zz_segment_write()")


def failing_sync(market):
    """Every write of a segment fails while this is on."""
    return segment_write_trigger(market, "raise exception 'injected failure'")


def slow_sync(market, seconds: float):
    """Every write of a segment takes `seconds` while this is on."""
    return segment_write_trigger(market, f"perform pg_catalog.pg_sleep({seconds})")


def test_catch_up_a_missed_firing_and_no_second_run_after_success(market, nightly):
    """Nothing ran at 03:00 (the server was down): the first firing after it, at noon, runs the night."""
    market.sql(nightly)
    assert nightly_runs(market) == [("sync", "succeeded"), ("plan", "succeeded")]
    assert market.active_codes() == ["loodgieter_zuid_holland"]
    market.sql(nightly)
    market.sql(nightly)
    assert len(nightly_runs(market)) == 2, "after a success the day's later firings do nothing"


def test_not_before_the_run_time(market, nightly):
    market.sql("update segment_sync_settings set run_at_local_time = '23:00'")
    market.sql(nightly)
    assert nightly_runs(market) == []


def test_a_failed_night_is_recorded_fails_the_firing_skips_the_planner_and_is_retried(market, nightly):
    with failing_sync(market), pytest.raises(psycopg.errors.ExternalRoutineException, match="injected failure"):
        market.sql(nightly)  # pg_cron sees this error: the firing is recorded as failed
    failed = market.last_run()
    assert (failed["kind"], failed["status"], failed["error_sqlstate"]) == ("sync", "failed", "P0001")
    assert "injected failure" in failed["error"]
    assert nightly_runs(market) == [("sync", "failed")], "no planner after a failed sync"
    market.sql(nightly)  # the next hourly firing, the cause gone
    assert nightly_runs(market) == [("sync", "failed"), ("sync", "succeeded"), ("plan", "succeeded")]


def test_retries_stop_after_six_failed_attempts_a_day(market, nightly):
    with failing_sync(market):
        for _ in range(8):
            with contextlib.suppress(psycopg.errors.ExternalRoutineException):
                market.sql(nightly)
    assert nightly_runs(market) == [("sync", "failed")] * 6


def test_a_nightly_run_cut_off_by_a_killed_connection_is_abandoned_and_retried(market, nightly, connect):
    cron = connect(autocommit=True)
    pid = cron.info.backend_pid
    errors: list[BaseException] = []

    def fire() -> None:
        try:
            cron.execute(nightly)
        except psycopg.Error as exc:
            errors.append(exc)

    with slow_sync(market, 30):
        thread = threading.Thread(target=fire, daemon=True)
        thread.start()
        for _ in range(200):  # until the firing's run row is committed and its work under way
            if market.sql("select 1 from segment_sync_runs where status = 'running'"):
                break
            time.sleep(0.05)
        market.sql("select pg_terminate_backend(%s)", (pid,))
        thread.join(10)
    assert errors, "the killed firing ended in an error"
    assert nightly_runs(market) == [("sync", "running")], "cut off: only the committed run row is left"
    market.sql(nightly)  # the next firing closes it and retries
    assert nightly_runs(market) == [("sync", "abandoned"), ("sync", "succeeded"), ("plan", "succeeded")]
    assert "cut off" in market.sql("select error from segment_sync_runs order by id limit 1")[0]["error"]


def test_a_run_cancelled_by_statement_timeout_leaves_a_failed_row(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    with slow_sync(market, 5):
        admin = Caller("service_role", "service_role")
        with request_as(market.conn, admin, commit=True) as db:
            db.execute("set local statement_timeout = '300ms'")
            result = db.execute("select admin_sync_segments('capacity') as r").fetchone()["r"]
    assert (result["status"], result["sqlstate"]) == ("failed", "57014")
    run = market.last_run()
    assert (run["status"], run["error_sqlstate"], run["trigger"]) == ("failed", "57014", "admin")
    assert "statement timeout" in run["error"]
    assert market.active_codes() == [], "nothing of the cancelled run is applied"


def test_nothing_a_caller_sets_makes_a_run_the_nightly_one(market, nightly):
    service = Caller("service_role", "service_role")
    with request_as(market.conn, service, commit=True) as db:
        db.execute("select set_config('leadstroom.run_trigger', 'cron', true)")
        db.execute("select set_config('leadstroom.scheduled_for', '2099-01-01', true)")
        db.execute("select set_config('request.headers', '{\"x-leadstroom-run-trigger\": \"cron\"}', true)")
        db.execute("select sync_segments_capacity()")
    run = market.last_run()
    assert (run["trigger"], run["scheduled_for"]) == ("sql", None)
    # a night forged far ahead (the old run_nightly(p_now => ...)) does not switch tonight off
    market.sql(
        "select private.nightly_work(r), private.nightly_close(r) "
        "from private.nightly_open_at(now() + interval '30 days') as r"
    )
    market.sql(nightly)
    today = market.one("select (now() at time zone timezone)::date from segment_sync_settings")
    assert (
        market.one(
            "select count(*) from segment_sync_runs where trigger = 'cron' and kind = 'plan' and scheduled_for = %s",
            (today,),
        )
        == 1
    )


def test_health_in_each_state_with_its_exit_code(market, nightly, database_url):
    def health() -> tuple[str, int]:
        result = run_command("health", env={"DATABASE_URL": database_url})
        assert "Traceback" not in result.stderr
        return result.stdout.splitlines()[0], result.returncode

    line, code = health()
    assert (line.startswith("nightly sync: late"), code) == (True, 1), "03:00 has passed, nothing ran"
    with failing_sync(market), contextlib.suppress(psycopg.errors.ExternalRoutineException):
        market.sql(nightly)
    line, code = health()
    assert (line.startswith("nightly sync: failing"), code) == (True, 1)
    json_result = run_command("health", "--json", env={"DATABASE_URL": database_url})
    assert '"sqlstate": "P0001"' in json_result.stdout
    market.sql(nightly)
    line, code = health()
    assert (line.startswith("nightly sync: ok"), code) == (True, 0)
    market.sql("update segment_sync_settings set run_at_local_time = '23:00'")
    market.sql("delete from segment_sync_runs")
    line, code = health()
    assert (line.startswith("nightly sync: ok"), code) == (True, 0), "not yet due today"


def test_health_is_for_admins(market):
    partner = market.partner(["loodgieter"], ["utrecht"], leads_per_month=5)
    with (
        request_as(market.conn, Caller("partner", "authenticated", partner)),
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="only admins"),
    ):
        market.conn.execute("select segment_sync_health()")
