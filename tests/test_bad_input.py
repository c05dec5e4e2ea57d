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
