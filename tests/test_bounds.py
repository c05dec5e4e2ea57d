"""Bounds with clear errors (issue 16): a run time before 24:00, runs kept at least 7 days, a hold's reason of at
most 500 characters without control or bidirectional characters, and error messages that quote at most 100
characters of their input. Through an admin user and the SQL console; a refused change leaves nothing behind."""

from __future__ import annotations

import psycopg
import pytest

from tests.callers import Caller, request_as

HUGE = "x" * 1_000_000  # the 1 MB input


@pytest.fixture
def admin(market):
    return Caller("admin user", "authenticated", market.user(admin=True))


def settings(market):
    return market.sql("select * from segment_sync_settings")[0]


def job_schedule(market):
    return market.one("select schedule from cron.job where jobname = 'leadstroom-nightly-segment-sync'")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("run_at_local_time = '24:00'", "run_at_local_time must be a time of day before 24:00, not 24:00:00"),
        ("keep_runs_days = 6", "keep_runs_days must be at least 7, not 6"),
        ("keep_runs_days = -1", "keep_runs_days must be at least 7, not -1"),
    ],
)
@pytest.mark.parametrize("caller", ["admin user", "console"])
def test_settings_out_of_bounds_are_refused_by_name(market, admin, caller, change, message):
    before, schedule = settings(market), job_schedule(market)
    statement = f"update segment_sync_settings set {change}"
    if caller == "console":
        with pytest.raises(psycopg.errors.InvalidParameterValue, match=message):
            market.sql(statement)
    else:
        with (
            request_as(market.conn, admin, commit=True) as db,
            pytest.raises(psycopg.errors.InvalidParameterValue, match=message),
        ):
            db.execute(statement)
    assert settings(market) == before
    assert job_schedule(market) == schedule


def test_settings_at_the_bounds_are_accepted(market, admin):
    with request_as(market.conn, admin, commit=True) as db:
        db.execute("update segment_sync_settings set run_at_local_time = '23:59', keep_runs_days = 7")
    assert (str(settings(market)["run_at_local_time"]), settings(market)["keep_runs_days"]) == ("23:59:00", 7)
    market.sql("update segment_sync_settings set run_at_local_time = '00:00'")


def test_keep_runs_days_defaults_to_90_and_the_table_refuses_less_than_7(market):
    assert (
        market.one(
            "select column_default from information_schema.columns "
            "where table_name = 'segment_sync_settings' and column_name = 'keep_runs_days'"
        )
        == "90"
    )
    market.sql("alter table segment_sync_settings disable trigger validate_sync_settings")
    try:
        with pytest.raises(psycopg.errors.CheckViolation, match="keep_runs_days_at_least_7"):
            market.sql("update segment_sync_settings set keep_runs_days = 6")
    finally:
        market.sql("alter table segment_sync_settings enable trigger validate_sync_settings")


@pytest.fixture
def segment(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    return "loodgieter_zuid_holland"


def held(market, code):
    return market.sql("select is_active, held_at, held_by, hold_reason from lead_segments where code = %s", (code,))


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("  ", "a hold needs a reason: the reason is empty or only spaces"),
        ("x" * 501, "a hold's reason is at most 500 characters, this one has 501"),
        (HUGE, "a hold's reason is at most 500 characters, this one has 1000000"),
        ("no budget\u202e", r"control or bidirectional characters \(U\+202E at character 10\)"),
        ("\u2066budget", r"\(U\+2066 at character 1\)"),
        ("no\nbudget", r"\(U\+000A at character 3\)"),
        ("no\tbudget", r"\(U\+0009 at character 3\)"),
        ("no budget\x1b[31m", r"\(U\+001B at character 10\)"),
        ("no\u200fbudget", r"\(U\+200F at character 3\)"),
    ],
    ids=["spaces", "501", "1MB", "RLO", "LRI", "newline", "tab", "escape", "RLM"],
)
@pytest.mark.parametrize("caller", ["admin user", "service_role"])
def test_a_hold_reason_is_short_plain_text(market, admin, segment, caller, reason, message):
    who = admin if caller == "admin user" else Caller("service_role", "service_role")
    before = held(market, segment)
    with request_as(market.conn, who, commit=True) as db, pytest.raises(psycopg.errors.InvalidParameterValue) as err:
        db.execute("select hold_segment(%s, %s)", (segment, reason))
    assert err.match(message)
    assert len(str(err.value)) < 300
    assert held(market, segment) == before


def test_a_hold_reason_of_500_characters_with_accents_is_kept(market, admin, segment):
    reason = ("geen budget tot één juni; " * 20)[:500]
    with request_as(market.conn, admin, commit=True) as db:
        db.execute("select hold_segment(%s, %s)", (segment, reason))
    assert held(market, segment)[0]["hold_reason"] == reason.strip()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("select hold_segment(%(huge)s, 'no budget')", 'no segment with code "' + "x" * 100 + '…"'),
        ("select release_segment(%(huge)s)", 'no segment with code "' + "x" * 100 + '…"'),
        ("select partner_id_by_email(%(huge)s)", 'no partner with e-mail address "' + "x" * 100 + '…"'),
        ("update segment_sync_settings set timezone = %(huge)s", 'timezone "' + "x" * 100 + '…" is not a known'),
    ],
    ids=["hold", "release", "partner_id_by_email", "timezone"],
)
def test_errors_quote_at_most_100_characters_of_their_input(market, admin, segment, call, message):
    with request_as(market.conn, admin, commit=True) as db, pytest.raises(psycopg.Error) as err:
        db.execute(call, {"huge": HUGE})
    assert err.value.diag.message_primary.startswith(message)
    assert len(err.value.diag.message_primary) < 200


def test_an_unknown_region_is_quoted_in_at_most_100_characters(market, segment):
    partner = Caller("partner", "authenticated", market.one("select id from profiles"))
    before = market.one("select count(*) from user_location_preferences")
    with request_as(market.conn, partner, commit=True) as db, pytest.raises(psycopg.errors.ForeignKeyViolation) as err:
        db.execute(
            "insert into user_location_preferences (user_id, location_code) values (%s, %s)",
            (partner.user_id, HUGE),
        )
    assert err.value.diag.message_primary == 'unknown region code "' + "x" * 100 + '…"'
    assert market.one("select count(*) from user_location_preferences") == before


def test_a_short_input_is_quoted_whole(market, admin):
    with request_as(market.conn, admin) as db, pytest.raises(psycopg.Error) as err:
        db.execute("select release_segment('a_b')")
    assert err.value.diag.message_primary == 'no segment with code "a_b"'
    assert market.one("select guarded.input_excerpt(repeat('é', 100))") == "é" * 100
    assert market.one("select guarded.input_excerpt(repeat('é', 101))") == "é" * 100 + "…"
    assert market.one("select guarded.input_excerpt(null)") is None
