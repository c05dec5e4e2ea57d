"""The nightly job (issue 16): a night's retries run within the 24 hours after its run time, also across
midnight (a night at 23:30 gets its retries after midnight), and no firing logs "WARNING: you don't own a lock".
The job's steps run at hours the test chooses (as supabase/tests/database/nightly_run_across_dst.sql does)."""

from __future__ import annotations

import contextlib
import datetime as dt

import psycopg
import pytest

from tests.test_nightly import failing_sync, nightly, nightly_runs  # noqa: F401  (the fixture)


@pytest.fixture
def late_night(market):
    """Run time 23:30 UTC; one segment waits. Returns the firing: (UTC day offset from today, "HH:MM")."""
    market.sql("update segment_sync_settings set timezone = 'Etc/UTC', run_at_local_time = '23:30'")
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    today = market.one("select (now() at time zone 'UTC')::date")

    def fire(day: int, time: str) -> bool:
        """One firing of the job's three steps at that hour; whether it ran a night."""
        at = dt.datetime.combine(today + dt.timedelta(days=day), dt.time.fromisoformat(time), dt.UTC)
        run_id = market.one("select private.nightly_open_at(%s)", (at,))
        market.sql("select private.nightly_work(%s)", (run_id,))
        with contextlib.suppress(psycopg.errors.ExternalRoutineException):  # a failed night raises, as in pg_cron
            market.sql("select private.nightly_close(%s)", (run_id,))
        return run_id is not None

    fire.today = today  # type: ignore[attr-defined]
    return fire


def nights(market) -> list[tuple[str, str, str]]:
    return [
        (str(r["scheduled_for"]), r["kind"], r["status"])
        for r in market.sql(
            "select scheduled_for, kind, status from segment_sync_runs where trigger = 'cron' order by id"
        )
    ]


def test_a_late_night_is_retried_after_midnight(market, late_night):
    today, tomorrow = str(late_night.today), str(late_night.today + dt.timedelta(days=1))
    with failing_sync(market):
        assert late_night(0, "23:30")
    assert late_night(1, "00:30"), "the retry of the night of 23:30 comes after midnight"
    assert nights(market) == [(today, "sync", "failed"), (today, "sync", "succeeded"), (today, "plan", "succeeded")]
    assert market.active_codes() == ["loodgieter_zuid_holland"]
    assert not late_night(1, "01:30"), "after a success the night does not run again"
    assert not late_night(1, "22:30")
    assert late_night(1, "23:30"), "the next night runs at its own run time"
    assert nights(market)[-2:] == [(tomorrow, "sync", "succeeded"), (tomorrow, "plan", "succeeded")]


def test_retries_stop_at_six_attempts_and_within_24_hours(market, late_night):
    with failing_sync(market):
        firings = [late_night(0, "23:30")] + [late_night(1, f"{hour:02}:30") for hour in range(8)]
    assert firings == [True] * 6 + [False] * 3, "6 attempts at most: 23:30, then 00:30 to 04:30"
    assert {night for night, _, _ in nights(market)} == {str(late_night.today)}
    assert late_night(1, "23:30"), "the next night is due at its run time, whatever the last one did"
    assert nights(market)[-1][0] == str(late_night.today + dt.timedelta(days=1))


def test_a_failed_night_is_not_retried_once_the_next_night_is_due(market, late_night):
    with failing_sync(market):
        assert late_night(0, "23:30")
        assert late_night(1, "00:30")
    assert late_night(1, "23:30")
    assert not late_night(2, "00:30"), "yesterday's retries ended at today's run time; today's night succeeded"
    assert [night for night, kind, status in nights(market) if status == "succeeded" and kind == "sync"] == [
        str(late_night.today + dt.timedelta(days=1))
    ]


def test_a_night_never_attempted_is_not_caught_up_the_next_day(market, late_night):
    assert not late_night(1, "00:30")
    assert nights(market) == []


@pytest.mark.parametrize(
    "decision",
    [
        ("2026-03-28 23:30+00", "23:30", False, 0, False),  # today's night, not yesterday's
        ("2026-03-29 00:30+00", "23:30", False, 1, True),
        ("2026-03-29 00:30+00", "23:30", True, 1, False),  # succeeded
        ("2026-03-29 00:30+00", "23:30", False, 6, False),  # 6 attempts
        ("2026-03-29 00:30+00", "23:30", False, 0, False),  # never attempted
        ("2026-03-29 23:30+00", "23:30", False, 1, False),  # 24 hours later: the next night's turn
        ("2026-03-29 00:30+00", "03:00", False, 2, True),  # Amsterdam, the night the clocks go forward: 01:30
        ("2026-03-29 02:30+00", "03:00", False, 2, False),  # 04:30 local: today's night's turn
    ],
)
def test_the_retry_decision(market, decision):
    now, run_at, succeeded, failed, due = decision
    zone = "Etc/UTC" if run_at == "23:30" else "Europe/Amsterdam"
    assert (
        market.one("select private.nightly_retry_is_due(%s, %s, %s, %s, %s)", (now, zone, run_at, succeeded, failed))
        is due
    )


def test_no_firing_warns_about_a_lock_it_does_not_own(market, nightly, connect):  # noqa: F811
    """The job's command in its own session, as pg_cron runs it: not due, due, done, and while another runs."""
    cron = connect(autocommit=True)
    notices: list[str] = []
    cron.add_notice_handler(lambda diag: notices.append(f"{diag.severity}: {diag.message_primary}"))
    market.sql("update segment_sync_settings set run_at_local_time = '23:59'")
    cron.execute(nightly)  # not due
    market.sql("update segment_sync_settings set run_at_local_time = '03:00'")
    cron.execute(nightly)  # due: runs
    cron.execute(nightly)  # done for today
    other = connect(autocommit=True)
    other.execute("select pg_advisory_lock(hashtext('leadstroom.nightly'))")  # another firing at work
    cron.execute(nightly)
    other.execute("select pg_advisory_unlock(hashtext('leadstroom.nightly'))")
    assert nightly_runs(market) == [("sync", "succeeded"), ("plan", "succeeded")]
    assert [n for n in notices if n.startswith("WARNING")] == []
