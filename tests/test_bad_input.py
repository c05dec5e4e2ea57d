"""Bad input is refused with a message that names the problem, and nothing is half applied."""

import psycopg
import pytest


def test_negative_max_open_leads_is_refused(market):
    partner = market.user()
    with pytest.raises(psycopg.errors.CheckViolation, match="profiles_max_open_leads_not_negative"):
        market.sql("update profiles set max_open_leads = -5 where id = %s", (partner,))


def test_negative_leads_per_month_is_refused(market):
    partner = market.user()
    with pytest.raises(psycopg.errors.CheckViolation, match="subscriptions_leads_per_month_not_negative"):
        market.subscription(partner, -1)


def test_unknown_subscription_status_is_refused(market):
    partner = market.user()
    with pytest.raises(psycopg.errors.CheckViolation, match="subscriptions_status_known"):
        market.subscription(partner, 10, status="actief")


def test_unknown_region_code_is_refused_by_name(market):
    partner = market.user()
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match='unknown region code "atlantis"'):
        market.prefer_region(partner, "Atlantis")
    assert market.sql("select * from user_location_preferences") == []


def test_region_code_is_normalised(market):
    partner = market.user()
    market.prefer_region(partner, " Zuid-Holland ")
    row = market.one("select location_code, location_name from user_location_preferences")
    assert row == {"location_code": "zuid-holland", "location_name": "Zuid-Holland"}
    # the normalised code is the key: the same region in another spelling is the same preference
    market.prefer_region(partner, "ZUID-HOLLAND", enabled=False)
    assert market.sql("select location_code, is_enabled from user_location_preferences") == [
        {"location_code": "zuid-holland", "is_enabled": False}
    ]


@pytest.mark.parametrize(
    "slug", ["Loodgieter", "lood gieter", "loodgieter-", "-loodgieter", "lood--gieter", "", "x" * 61]
)
def test_malformed_industry_slug_is_refused(market, slug):
    with pytest.raises(psycopg.errors.CheckViolation, match="industries_slug_format"):
        market.sql("insert into industries (name, slug) values ('Loodgieter', %s)", (slug,))


def test_a_statement_with_one_bad_row_applies_nothing(market):
    partner = market.user()
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match='unknown region code "mars"'):
        market.sql(
            "insert into user_location_preferences (user_id, location_code) values (%s, 'utrecht'), (%s, 'mars')",
            (partner, partner),
        )
    assert market.sql("select * from user_location_preferences") == []


def test_segment_sync_settings_are_one_row(market):
    with pytest.raises(psycopg.errors.CheckViolation, match="segment_sync_settings_single_row"):
        market.sql("insert into segment_sync_settings (id) values (false)")
    with pytest.raises(psycopg.errors.RestrictViolation, match="segment_sync_settings rows are never deleted"):
        market.sql("delete from segment_sync_settings")


def test_capacity_above_100000_leads_a_month_is_refused(market):
    partner = market.user()
    market.sql("update profiles set max_open_leads = 100000 where id = %s", (partner,))
    market.subscription(partner, 100000)
    with pytest.raises(psycopg.errors.CheckViolation, match="profiles_max_open_leads_at_most_100000"):
        market.sql("update profiles set max_open_leads = 100001 where id = %s", (partner,))
    with pytest.raises(psycopg.errors.CheckViolation, match="subscriptions_leads_per_month_at_most_100000"):
        market.subscription(partner, 2147483647)


def test_the_planner_plans_the_extremes_the_constraints_allow(market):
    """A target of 0.03 a day with 301 leads that day (a gap of -1,003,233 %), and six partners at the
    capacity bound, once overflowed the plan columns and failed every plan of the night."""
    market.partner(["loodgieter"], ["zeeland"], leads_per_month=1)
    for _ in range(6):
        market.partner(["loodgieter"], ["drenthe"], max_open_leads=100000)
    market.sync()
    market.sql(
        "insert into leads (segment_id, created_at) select id, '2026-11-27 12:00+01' from lead_segments, "
        "generate_series(1, 301) where code = 'loodgieter_zeeland'"
    )
    result = market.plan("2026-11-27")
    assert result["status"] == "succeeded", result
    plans = {
        r["code"]: r
        for r in market.sql("select s.code, p.* from lead_segment_plans p join lead_segments s on s.id = p.segment_id")
    }
    zeeland, drenthe = plans["loodgieter_zeeland"], plans["loodgieter_drenthe"]
    assert (float(zeeland["target_leads_per_day"]), zeeland["actual_leads"]) == (0.03, 301)
    assert float(zeeland["lead_gap_percentage"]) == -1003233.33
    assert (drenthe["capacity_total_leads"], float(drenthe["target_leads_per_month"])) == (600000, 480000.0)
