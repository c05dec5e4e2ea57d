"""The planner: daily targets per segment from capacity, actual leads by local day, re-planning in place."""

from decimal import Decimal

import psycopg
import pytest


def plan_of(market, code, date):
    rows = market.sql(
        "select p.* from lead_segment_plans p join lead_segments s on s.id = p.segment_id "
        "where s.code = %s and p.date = %s",
        (code, date),
    )
    return rows[0] if rows else None


def targets(market, code, date):
    plan = plan_of(market, code, date)
    return (plan["target_leads_per_month"], plan["target_leads_per_day"])


def test_sop_worked_example_50_a_month_is_40_a_month_is_1_33_a_day(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    result = market.plan("2026-11-27")
    assert (result["status"], result["segments_planned"], result["date"]) == ("succeeded", 1, "2026-11-27")
    plan = plan_of(market, "loodgieter_zuid_holland", "2026-11-27")
    assert (plan["capacity_partners"], plan["capacity_total_leads"]) == (1, 50)
    assert targets(market, "loodgieter_zuid_holland", "2026-11-27") == (Decimal("40.00"), Decimal("1.33"))
    assert (plan["actual_leads"], plan["lead_gap"], plan["lead_gap_percentage"]) == (0, Decimal("1.33"), 100)


@pytest.mark.parametrize(
    ("capacity", "per_month", "per_day"),
    [
        (5, "5.00", "0.17"),  # 80% is 4, raised to the minimum of 5
        (3, "3.00", "0.10"),  # 80% is 2.4, raised to the minimum but capped at the capacity
        (100, "80.00", "2.67"),
    ],
)
def test_minimum_target_and_capacity_cap(market, capacity, per_month, per_day):
    market.partner(["schilder"], ["utrecht"], leads_per_month=capacity)
    market.sync()
    market.plan("2026-11-27")
    assert targets(market, "schilder_utrecht", "2026-11-27") == (Decimal(per_month), Decimal(per_day))


def test_active_segment_whose_capacity_has_gone_gets_target_zero(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    market.sql("update subscriptions set is_paused = true where user_id = %s", (partner,))
    result = market.plan("2026-11-27")  # no sync in between: the segment is still active
    assert market.active_codes() == ["loodgieter_zuid_holland"]
    plan = plan_of(market, "loodgieter_zuid_holland", "2026-11-27")
    assert (plan["capacity_partners"], plan["target_leads_per_day"], plan["lead_gap_percentage"]) == (0, 0, None)
    assert result["zero_target_segments"] == 1


def test_another_ratio_from_the_settings_changes_the_targets(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    market.sql("update segment_sync_settings set target_ratio = 0.5, days_per_month = 25")
    market.plan("2026-11-27")
    assert targets(market, "loodgieter_zuid_holland", "2026-11-27") == (Decimal("25.00"), Decimal("1.00"))


def test_actual_leads_are_counted_by_amsterdam_day(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    # 23:30 UTC on 28 March is 00:30 on 29 March in Amsterdam; 22:59 UTC is still the 28th there
    market.sql(
        "insert into leads (segment_id, created_at) select id, t::timestamptz from lead_segments, "
        "unnest(array['2026-03-28 23:30+00', '2026-03-28 22:59+00']) t"
    )
    market.plan("2026-03-28")
    market.plan("2026-03-29")
    on_28 = plan_of(market, "loodgieter_zuid_holland", "2026-03-28")
    on_29 = plan_of(market, "loodgieter_zuid_holland", "2026-03-29")
    assert on_28["actual_leads"] == 1
    assert on_29["actual_leads"] == 1
    assert (on_29["lead_gap"], on_29["lead_gap_percentage"]) == (Decimal("0.33"), Decimal("24.81"))
    market.sql("insert into leads (segment_id, created_at) select id, '2026-03-29 12:00+02' from lead_segments")
    market.plan("2026-03-29")
    on_29 = plan_of(market, "loodgieter_zuid_holland", "2026-03-29")
    assert (on_29["actual_leads"], on_29["lead_gap"], on_29["lead_gap_percentage"]) == (
        2,
        Decimal("-0.67"),
        Decimal("-50.38"),
    )


def test_replanning_the_same_date_updates_in_place(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    market.plan("2026-11-27")
    first = plan_of(market, "loodgieter_zuid_holland", "2026-11-27")
    market.subscription(partner, 100)
    market.plan("2026-11-27")
    second = plan_of(market, "loodgieter_zuid_holland", "2026-11-27")
    assert second["id"] == first["id"]
    assert (second["capacity_total_leads"], second["target_leads_per_day"]) == (100, Decimal("2.67"))
    assert market.one("select count(*) from lead_segment_plans") == 1


def test_replanning_unchanged_targets_writes_nothing(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    market.plan("2026-11-27")
    before = market.one("select xmin::text from lead_segment_plans")
    result = market.plan("2026-11-27")
    assert result["plans_written"] == 0
    assert market.one("select xmin::text from lead_segment_plans") == before


def test_a_segment_deactivated_after_planning_gets_target_zero_and_keeps_older_plans(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    market.plan("2026-11-26")
    market.plan("2026-11-27")
    market.sql("update profiles set is_active_for_routing = false where id = %s", (partner,))
    market.sync()
    result = market.plan("2026-11-27")
    assert result["active_segments"] == 0
    assert result["segments_planned"] == 1
    assert targets(market, "loodgieter_zuid_holland", "2026-11-27") == (0, 0)
    assert targets(market, "loodgieter_zuid_holland", "2026-11-26") == (Decimal("40.00"), Decimal("1.33"))
    market.plan("2026-11-28")
    assert plan_of(market, "loodgieter_zuid_holland", "2026-11-28") is None, "inactive segments get no new plans"


def test_plan_defaults_to_today_in_the_configured_time_zone_and_is_logged(market):
    market.sql("update segment_sync_settings set timezone = 'Pacific/Kiritimati'")
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    result = market.one("select plan_segment_targets() as r")
    today = market.one("select (now() at time zone 'Pacific/Kiritimati')::date")
    assert result["date"] == today.isoformat()
    run = market.last_run()
    assert (run["kind"], run["status"], run["plan_date"], run["id"]) == ("plan", "succeeded", today, result["run_id"])


@pytest.mark.parametrize(
    ("assignment", "error", "message"),
    [
        ("target_ratio = 0", psycopg.errors.CheckViolation, "target_ratio_range"),
        ("target_ratio = 1.5", psycopg.errors.CheckViolation, "target_ratio_range"),
        ("days_per_month = 0", psycopg.errors.CheckViolation, "days_per_month_range"),
        ("min_target_leads_per_month = -1", psycopg.errors.CheckViolation, "min_target_not_negative"),
        ("timezone = 'Mars/Olympus_Mons'", psycopg.errors.InvalidParameterValue, "not a known IANA time zone"),
        ("run_at_local_time = '25:00'", psycopg.errors.DatetimeFieldOverflow, "out of range"),
        ("run_at_local_time = '03:00:30'", psycopg.errors.CheckViolation, "run_at_whole_minute"),
    ],
)
def test_bad_settings_are_refused(market, assignment, error, message):
    with pytest.raises(error, match=message):
        market.sql(f"update segment_sync_settings set {assignment}")
    settings = market.sql("select target_ratio, days_per_month, timezone from segment_sync_settings")
    assert settings == [{"target_ratio": Decimal("0.8"), "days_per_month": 30, "timezone": "Europe/Amsterdam"}]


def test_the_plan_date_default_follows_the_time_zone(market):
    """Kiritimati (UTC+14) and Pago Pago (UTC-11) are 25 hours apart: their dates always differ."""
    dates = {}
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        market.sql("update segment_sync_settings set timezone = %s", (zone,))
        dates[zone] = market.one("select plan_segment_targets() as r")["date"]
        assert dates[zone] == market.one("select (now() at time zone %s)::date::text", (zone,))
    assert dates["Pacific/Kiritimati"] != dates["Pacific/Pago_Pago"]
