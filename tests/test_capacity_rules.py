"""Who counts as capacity: each rule of the contract, seen through get_branch_region_capacity_combos()."""

import pytest

LZ = ("loodgieter", "zuid-holland")


def test_subscription_leads_per_month_is_the_capacity(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50, max_open_leads=7)
    assert market.combos() == [(*LZ, 1, 50)]


def test_subscription_of_zero_takes_precedence_over_max_open_leads(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=0, max_open_leads=20)
    assert market.combos() == []


def test_subscription_without_leads_per_month_falls_back_to_max_open_leads(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], max_open_leads=12)
    market.subscription(partner, None)
    assert market.combos() == [(*LZ, 1, 12)]


def test_newest_subscription_without_a_value_falls_back_to_max_open_leads_not_to_an_older_one(market):
    """The newest active subscription decides; its null means "not set", so max_open_leads applies, not the
    value of an older subscription."""
    partner = market.partner(["loodgieter"], ["zuid-holland"], max_open_leads=12)
    market.subscription(partner, 40, created_at="2026-01-01")
    market.subscription(partner, None, created_at="2026-06-01")
    assert market.combos() == [(*LZ, 1, 12)]


@pytest.mark.parametrize("status", ["trialing", "past_due", "cancelled", "expired"])
def test_only_active_subscriptions_count(market, status):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50, subscription_status=status)
    assert market.combos() == []


@pytest.mark.parametrize("status", ["cancelled", "expired"])
def test_inactive_subscription_falls_back_to_max_open_leads(market, status):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50, subscription_status=status, max_open_leads=9)
    assert market.combos() == [(*LZ, 1, 9)]


def test_paused_subscription_does_not_count(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50, paused=True)
    assert market.combos() == []


def test_paused_subscription_falls_back_to_max_open_leads(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50, paused=True, max_open_leads=4)
    assert market.combos() == [(*LZ, 1, 4)]


def test_most_recent_active_subscription_wins(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"])
    market.subscription(partner, 10, created_at="2026-01-01")
    market.subscription(partner, 30, created_at="2026-06-01")
    market.subscription(partner, 20, created_at="2026-03-01")
    market.subscription(partner, 99, created_at="2026-09-01", paused=True)
    market.subscription(partner, 77, created_at="2026-10-01", status="cancelled")
    assert market.combos() == [(*LZ, 1, 30)]


def test_no_subscription_and_no_max_open_leads_is_no_capacity(market):
    market.partner(["loodgieter"], ["zuid-holland"])
    assert market.combos() == []


def test_routing_off_does_not_count(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50, routing=False)
    assert market.combos() == []


def test_admin_partner_does_not_count(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50, admin=True)
    assert market.combos() == []


def test_disabled_industry_preference_does_not_count(market):
    partner = market.partner(["loodgieter", "schilder"], ["zuid-holland"], leads_per_month=50)
    market.prefer_industry(partner, "schilder", enabled=False)
    assert market.combos() == [(*LZ, 1, 50)]


def test_disabled_location_preference_does_not_count(market):
    partner = market.partner(["loodgieter"], ["zuid-holland", "utrecht"], leads_per_month=50)
    market.prefer_region(partner, "utrecht", enabled=False)
    assert market.combos() == [(*LZ, 1, 50)]


def test_inactive_industry_does_not_count(market):
    market.partner(["loodgieter", "schilder"], ["zuid-holland"], leads_per_month=50)
    market.industry("schilder", active=False)
    assert market.combos() == [(*LZ, 1, 50)]


def test_inactive_region_does_not_count(market):
    market.partner(["loodgieter"], ["zuid-holland", "utrecht"], leads_per_month=50)
    market.sql("update regions set is_active = false where code = 'utrecht'")
    assert market.combos() == [(*LZ, 1, 50)]


def test_payment_rule_off_by_default(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    assert market.one("select require_active_payment_method from segment_sync_settings") is False
    assert market.combos() == [(*LZ, 1, 50)]


def test_payment_rule_on_requires_an_active_payment_method(market):
    paying = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    failed = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=30)
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=20)
    market.sql("insert into payment_methods (user_id, status) values (%s, 'active')", (paying,))
    market.sql("insert into payment_methods (user_id, status) values (%s, 'failed')", (failed,))
    market.sql("update segment_sync_settings set require_active_payment_method = true")
    assert market.combos() == [(*LZ, 1, 50)]
    market.sql("update segment_sync_settings set require_active_payment_method = false")
    assert market.combos() == [(*LZ, 3, 100)]


def test_every_branch_times_every_region_and_sums(market):
    market.partner(["loodgieter", "schilder"], ["zuid-holland", "utrecht"], leads_per_month=10)
    market.partner(["loodgieter"], ["utrecht"], max_open_leads=5)
    assert market.combos() == [
        ("loodgieter", "utrecht", 2, 15),
        ("loodgieter", "zuid-holland", 1, 10),
        ("schilder", "utrecht", 1, 10),
        ("schilder", "zuid-holland", 1, 10),
    ]
