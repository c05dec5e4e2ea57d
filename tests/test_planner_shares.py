"""Targets that add up: a partner's capacity is shared by the active segments it feeds (capacity_allocated),
leads it received this month lower what it can still take (capacity_open), and a full partner is not planned
for again. The contract's "The planner (targets)" is the definition."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import psycopg
import pytest

D = "2026-11-27"  # a Friday in November; the month began on the 1st


def plans(market, date=D) -> dict[str, dict]:
    rows = market.sql(
        "select s.code, p.* from lead_segment_plans p join lead_segments s on s.id = p.segment_id "
        "where p.date = %s order by s.code",
        (date,),
    )
    return {r.pop("code"): r for r in rows}


def shape(plan: dict) -> tuple:
    """What a plan was computed from and what it asks for."""
    return (
        plan["capacity_partners"],
        plan["capacity_total_leads"],
        plan["capacity_allocated"],
        plan["capacity_open"],
        plan["target_leads_per_month"],
        plan["target_leads_per_day"],
    )


def received(market, partner, *moments: str) -> None:
    """Leads sold to a partner at the given moments (timestamptz literals)."""
    market.sql(
        "insert into leads (partner_id, created_at) select %s, t::timestamptz from unnest(%s::text[]) t",
        (partner, list(moments)),
    )


def n(value: str) -> Decimal:
    return Decimal(value)


# --- shares ----------------------------------------------------------------------------------------------------


def test_a_partner_alone_in_one_combination_keeps_the_sops_numbers(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    result = market.plan(D)
    assert shape(plans(market)["loodgieter_zuid_holland"]) == (1, 50, n("50.00"), n("50.00"), n("40.00"), n("1.33"))
    assert (result["total_capacity_allocated"], result["total_capacity_open"]) == (50, 50)
    assert (result["total_target_leads_per_month"], result["total_target_leads_per_day"]) == (40, 1.33)


def test_a_partner_in_two_combinations_gets_half_in_each(market):
    market.partner(["loodgieter"], ["utrecht", "zuid-holland"], leads_per_month=50)
    market.sync()
    result = market.plan(D)
    got = plans(market)
    for code in ("loodgieter_utrecht", "loodgieter_zuid_holland"):
        assert shape(got[code]) == (1, 50, n("25.00"), n("25.00"), n("20.00"), n("0.67")), code
    assert (result["total_capacity_allocated"], result["total_target_leads_per_month"]) == (50, 40)


def test_a_partner_in_three_combinations_gets_a_third_in_each(market):
    market.partner(["loodgieter", "schilder", "dakdekker"], ["utrecht"], leads_per_month=60)
    market.partner(["dakdekker"], ["utrecht"], max_open_leads=50)
    market.sync()
    market.plan(D)
    got = plans(market)
    for code in ("loodgieter_utrecht", "schilder_utrecht"):
        assert shape(got[code]) == (1, 60, n("20.00"), n("20.00"), n("16.00"), n("0.53")), code
    # dakdekker: the 60-partner's third (20) and the other partner's whole 50
    assert shape(got["dakdekker_utrecht"]) == (2, 110, n("70.00"), n("70.00"), n("56.00"), n("1.87"))


def test_uneven_thirds_add_up_to_the_partners_capacity(market):
    market.partner(["loodgieter"], ["utrecht", "zuid-holland", "zeeland"], leads_per_month=50)
    market.sync()
    result = market.plan(D)
    assert {shape(p) for p in plans(market).values()} == {(1, 50, n("16.67"), n("16.67"), n("13.33"), n("0.44"))}
    # the run's totals are of the exact shares: 3 x 16.666... = 50, and 0.8 of it
    assert (result["total_capacity_allocated"], result["total_target_leads_per_month"]) == (50, 40)


def test_two_partners_sharing_a_segment(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.partner(["loodgieter"], ["zuid-holland", "utrecht"], leads_per_month=40)
    market.sync()
    market.plan(D)
    got = plans(market)
    assert shape(got["loodgieter_zuid_holland"]) == (2, 90, n("70.00"), n("70.00"), n("56.00"), n("1.87"))
    assert shape(got["loodgieter_utrecht"]) == (1, 40, n("20.00"), n("20.00"), n("16.00"), n("0.53"))


def test_a_held_segment_takes_no_share(market):
    market.partner(["loodgieter"], ["utrecht", "zuid-holland"], leads_per_month=50)
    market.sync()
    market.plan(D)
    market.sql("select hold_segment('loodgieter_utrecht', 'no ad budget')")
    market.plan(D)
    got = plans(market)
    assert shape(got["loodgieter_zuid_holland"]) == (1, 50, n("50.00"), n("50.00"), n("40.00"), n("1.33"))
    assert got["loodgieter_utrecht"]["target_leads_per_day"] == 0
    assert got["loodgieter_utrecht"]["capacity_allocated"] == 0


def test_a_combination_without_an_active_segment_takes_no_share(market):
    """With following off, a new combination has no segment until the sync: the planner shares over segments."""
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    market.prefer_region(partner, "utrecht")
    market.plan(D)
    assert shape(plans(market)["loodgieter_zuid_holland"])[2:] == (n("50.00"), n("50.00"), n("40.00"), n("1.33"))


# --- leads received this month --------------------------------------------------------------------------------


def test_received_leads_lower_the_open_capacity_and_cap_the_day(market):
    partner = market.partner(["loodgieter"], ["utrecht", "zuid-holland"], leads_per_month=50)
    market.sync()
    received(market, partner, *["2026-11-10 12:00+01"] * 49)
    market.plan(D)
    # 1 lead a month still open, half of it through each segment: the day asks for no more than that
    for plan in plans(market).values():
        assert shape(plan) == (1, 50, n("25.00"), n("0.50"), n("20.00"), n("0.50"))


def test_leads_of_another_month_of_the_day_itself_or_of_another_partner_do_not_count(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    other = market.partner(["schilder"], ["utrecht"], leads_per_month=50)
    market.sync()
    received(market, partner, "2026-10-31 12:00+01", f"{D} 00:30+01", "2026-11-26 23:30+01")
    received(market, other, *["2026-11-05 12:00+01"] * 10)
    market.plan(D)
    assert plans(market)["loodgieter_zuid_holland"]["capacity_open"] == 49


def test_a_full_partner_contributes_nothing_open_and_alone_gets_no_plan(market):
    full = market.partner(["loodgieter"], ["zuid-holland", "utrecht"], leads_per_month=20)
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=10)
    market.sync()
    received(market, full, *["2026-11-03 09:00+01"] * 25)  # more than its capacity: open is 0, not negative
    result = market.plan(D)
    got = plans(market)
    assert shape(got["loodgieter_utrecht"]) == (1, 20, n("10.00"), 0, 0, 0)
    assert got["loodgieter_utrecht"]["lead_gap_percentage"] is None
    # the segment it shares: only the other partner's capacity is open
    assert shape(got["loodgieter_zuid_holland"])[:4] == (2, 30, n("20.00"), n("10.00"))
    assert result["total_capacity_open"] == 10


# --- the month and the day in the configured time zone ----------------------------------------------------------


def test_a_lead_late_on_the_last_day_of_the_month_counts_for_that_month_in_the_configured_zone(market):
    market.sql("update segment_sync_settings set timezone = 'America/New_York'")
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    # 23:30 on 30 November in New York is already 1 December in UTC: November's, not December's
    received(market, partner, "2026-11-30 23:30-05", "2026-12-01 00:30-05")
    market.plan("2026-12-02")
    assert plans(market, "2026-12-02")["loodgieter_zuid_holland"]["capacity_open"] == 49
    market.plan("2026-11-30")  # and for November's last day it was not yet received (it came that day)
    market.plan("2026-12-01")  # December's first day: nothing received in December before it
    assert plans(market, "2026-12-01")["loodgieter_zuid_holland"]["capacity_open"] == 50


def test_the_month_and_the_day_across_a_dst_change(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    received(
        market,
        partner,
        "2026-02-28 22:30+00",  # 23:30 on 28 February in Amsterdam (UTC+1): February's
        "2026-02-28 23:30+00",  # 00:30 on 1 March: March's
        "2026-03-29 21:30+00",  # 23:30 on 29 March, the day summer time began (UTC+2): before the 30th
        "2026-03-29 22:30+00",  # 00:30 on 30 March: the planned day itself, not before it
    )
    market.plan("2026-03-30")
    plan = plans(market, "2026-03-30")["loodgieter_zuid_holland"]
    assert plan["capacity_open"] == 48


# --- date bounds -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("infinity", "a plan needs a finite date"),
        ("-infinity", "a plan needs a finite date"),
        ("today + 366", "more than a year from today"),
        ("today + 3650", "more than a year from today"),
    ],
)
def test_dates_out_of_bounds_are_refused_before_a_run_starts(market, date, message):
    today = market.one("select (now() at time zone 'Europe/Amsterdam')::date")
    value = date if "infinity" in date else str(today + dt.timedelta(days=int(date.split("+")[1])))
    runs = market.one("select count(*) from segment_sync_runs")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match=message):
        market.one("select plan_segment_targets(%s::date)", (value,))
    assert market.one("select count(*) from segment_sync_runs") == runs


def test_a_year_from_today_and_the_past_are_planned(market):
    today = market.one("select (now() at time zone 'Europe/Amsterdam')::date")
    a_year = market.one("select (%s::date + interval '1 year')::date", (today,))
    assert market.plan(str(a_year))["status"] == "succeeded"
    assert market.plan("2020-01-01")["status"] == "succeeded"


# --- a generated marketplace -----------------------------------------------------------------------------------

BRANCHES = ["loodgieter", "schilder", "dakdekker", "elektricien"]
PROVINCES = [
    "noord-holland", "zuid-holland", "noord-brabant", "gelderland", "utrecht", "friesland",
    "overijssel", "groningen", "drenthe", "flevoland", "limburg", "zeeland",
]  # fmt: skip


def generated_marketplace(market, partners: int, seed: int) -> list:
    """Partners in 1-3 branches x 1-6 provinces with 1-100 leads a month; some do not count."""
    rng = random.Random(seed)
    ids = []
    for i in range(partners):
        ids.append(
            market.partner(
                rng.sample(BRANCHES, rng.randint(1, 3)),
                rng.sample(PROVINCES, rng.randint(1, 6)),
                leads_per_month=rng.choice([rng.randint(1, 12), rng.randint(10, 100)]),
                routing=i % 17 != 0,
            )
        )
    return ids


def test_summed_monthly_targets_are_the_ratio_of_the_partners_capacity(market):
    generated_marketplace(market, 120, seed=17)
    market.sync()
    market.sql("select hold_segment(code, 'test') from lead_segments order by code limit 2")
    result = market.plan(D)
    capacity = market.one(
        "select sum(effective_capacity) from private.partner_capacity_lookup where counts "
        "and partner_id in (select partner_id from private.partner_combinations pc join lead_segments s "
        "using (branch, region) where pc.feeds and s.is_active)"
    )
    got = plans(market)
    allocated = sum(p["capacity_allocated"] for p in got.values())
    monthly = sum(p["target_leads_per_month"] for p in got.values())
    # the minimum target raises a small segment to at most min(5, its allocation)
    slack = sum(
        max(Decimal(0), min(Decimal(5), p["capacity_allocated"]) - Decimal("0.8") * p["capacity_allocated"])
        for p in got.values()
    )
    rounding = Decimal("0.005") * len(got)
    assert abs(allocated - capacity) <= rounding
    assert Decimal("0.8") * capacity - rounding <= monthly <= Decimal("0.8") * capacity + slack + rounding
    assert slack < Decimal("0.1") * capacity, "the slack is small next to the capacity"
    assert result["total_capacity_allocated"] == pytest.approx(float(capacity), abs=float(rounding))
    assert result["total_target_leads_per_month"] == pytest.approx(float(monthly), abs=0.01)


def test_a_few_segments_are_planned_as_all_of_them(market):
    """The two statements of private.segment_shares (every segment; a few, from their partners only) agree."""
    partners = generated_marketplace(market, 60, seed=5)
    market.sync()
    market.sql("select hold_segment(code, 'test') from lead_segments order by code desc limit 1")
    rng = random.Random(5)
    for partner in partners[:30]:
        received(market, partner, *[f"2026-11-{rng.randint(1, 26):02d} 10:00+01"] * rng.randint(0, 12))
    columns = "segment_id, is_active, capacity_partners, capacity_total_leads, capacity_allocated, capacity_open"
    every = market.sql(f"select {columns} from private.segment_shares(%s, null) order by 1", (D,))
    ids = [r["segment_id"] for r in every]
    few = market.sql(f"select {columns} from private.segment_shares(%s, %s) order by 1", (D, ids))
    assert every == few
    assert any(r["capacity_open"] < r["capacity_allocated"] for r in every), "received leads lower some segments"


def test_followings_plan_for_a_new_segment_equals_the_planners(market):
    market.follow()
    today = market.one("select (now() at time zone 'Europe/Amsterdam')::date")
    month_start = today.replace(day=1)
    first = market.partner(["loodgieter"], ["zuid-holland", "utrecht"], leads_per_month=60)
    market.partner(["loodgieter"], ["utrecht"], leads_per_month=30)
    if today > month_start:  # leads before today count: none exist on the month's first day
        received(market, first, *[f"{month_start} 12:00 Europe/Amsterdam"] * 12)
    # the first partner adds a third province: following creates loodgieter_zeeland and plans it for today
    market.prefer_region(first, "zeeland")
    following = plans(market, today)["loodgieter_zeeland"]
    market.plan(str(today))
    planner = plans(market, today)["loodgieter_zeeland"]
    assert shape(following) == shape(planner)
    assert shape(planner)[:3] == (1, 60, n("20.00"))
    # the shares of the partner's other segments change at the planner's run
    assert plans(market, today)["loodgieter_zuid_holland"]["capacity_allocated"] == 20


# --- a month ---------------------------------------------------------------------------------------------------


def test_a_month_of_plans_is_sellable(market):
    """Each day: plan, the marketing side delivers exactly the day's targets (fractions carried over), and each
    lead is sold to the partner of its segment with the most capacity left. The plan must ask only for leads
    partners can buy: none goes unsold, no partner is sold more than its capacity, and a segment whose partners
    are full is planned 0."""
    generated_marketplace(market, 80, seed=11)
    market.sync()
    capacity = {
        r["partner_id"]: r["capacity"]
        for r in market.sql("select distinct partner_id, capacity from private.partner_combinations where feeds")
    }
    feeders: dict[int, list] = {}
    for r in market.sql(
        "select s.id, pc.partner_id from private.partner_combinations pc "
        "join lead_segments s using (branch, region) where pc.feeds and s.is_active"
    ):
        feeders.setdefault(r["id"], []).append(r["partner_id"])
    sold = dict.fromkeys(capacity, 0)
    carried: dict[int, Decimal] = {}
    unsold = generated = 0
    for day in range(1, 31):
        date = f"2026-11-{day:02d}"
        market.plan(date)
        for plan in market.sql("select * from lead_segment_plans where date = %s", (date,)):
            partners = feeders.get(plan["segment_id"], [])
            if plan["target_leads_per_day"] > 0:
                assert any(sold[p] < capacity[p] for p in partners), "planned for partners that are full"
            carried[plan["segment_id"]] = carried.get(plan["segment_id"], Decimal(0)) + plan["target_leads_per_day"]
            leads = int(carried[plan["segment_id"]])
            carried[plan["segment_id"]] -= leads
            for _ in range(leads):
                generated += 1
                buyer = max(partners, key=lambda p: capacity[p] - sold[p], default=None)
                if buyer is None or sold[buyer] >= capacity[buyer]:
                    unsold += 1
                    continue
                sold[buyer] += 1
                received(market, buyer, f"{date} 12:00 Europe/Amsterdam")
    assert generated > 0.6 * sum(capacity.values()), (generated, sum(capacity.values()))
    assert unsold == 0, f"{unsold} of {generated} leads found no partner with capacity left"
    assert all(sold[p] <= capacity[p] for p in capacity)


# --- explain ---------------------------------------------------------------------------------------------------


def explain(market, partner) -> dict[str, dict]:
    return {r["rule"]: r for r in market.sql("select * from explain_partner_capacity(%s)", (partner,))}


def test_explain_shows_the_segments_sharing_a_partner_and_its_leads_this_month(market):
    partner = market.partner(["loodgieter"], ["utrecht", "zuid-holland"], leads_per_month=50)
    market.sync()
    market.sql("insert into leads (partner_id, created_at) select %s, now() from generate_series(1, 3)", (partner,))
    rules = explain(market, partner)
    assert rules["capacity shared by segments"]["passed"]
    assert rules["capacity shared by segments"]["reason"] == (
        "50 leads a month shared by 2 active segments: 25.00 each (loodgieter_utrecht, loodgieter_zuid_holland)"
    )
    assert rules["capacity open this month"]["passed"]
    assert rules["capacity open this month"]["reason"] == (
        "3 leads received this month (Europe/Amsterdam), 3 of them today: 47 of 50 still open, 23.50 in each segment"
    )


def test_explain_says_when_a_partner_is_full_and_when_a_held_segment_takes_no_share(market):
    partner = market.partner(["loodgieter"], ["utrecht", "zuid-holland"], leads_per_month=5)
    market.sync()
    market.sql("select hold_segment('loodgieter_utrecht', 'no ad budget')")
    market.sql("insert into leads (partner_id, created_at) select %s, now() from generate_series(1, 5)", (partner,))
    rules = explain(market, partner)
    assert rules["capacity shared by segments"]["reason"].startswith(
        "5 leads a month shared by 1 active segment: 5.00 each (loodgieter_zuid_holland)"
    )
    assert not rules["capacity open this month"]["passed"]
    assert rules["capacity open this month"]["reason"].endswith(
        "0 of 5 still open, 0.00 in each segment; full: the planner plans no leads for it until next month"
    )


def test_explain_adds_no_planner_rows_for_a_partner_that_feeds_nothing(market):
    partner = market.partner(["loodgieter"], ["utrecht"], leads_per_month=50, routing=False)
    assert [r["step"] for r in market.sql("select * from explain_partner_capacity(%s)", (partner,))] == list(
        range(1, 8)
    )


# --- a few segments: from their own partners only ----------------------------------------------------------------

BULK_SQL = """
insert into auth.users (id, email)
select md5(%(p)s || g)::uuid, %(p)s || g || '@example.nl' from generate_series(1, %(n)s) g;
insert into profiles (id, company_name, is_active_for_routing, max_open_leads)
select md5(%(p)s || g)::uuid, 'Bulk ' || g, true, 20 from generate_series(1, %(n)s) g;
insert into industries (name, slug)
select 'Bulk ' || b, %(p)s || '-' || b from generate_series(0, 19) b on conflict (slug) do nothing;
insert into user_industry_preferences (user_id, industry_id, is_enabled)
select md5(%(p)s || g)::uuid, i.id, true
from generate_series(1, %(n)s) g join industries i on i.slug = %(p)s || '-' || (g %% 20);
insert into user_location_preferences (user_id, location_code, is_enabled)
select md5(%(p)s || g)::uuid, r.code, true
from generate_series(1, %(n)s) g cross join (select code from regions order by code limit 3) r;
insert into leads (partner_id, created_at)
select md5(%(p)s || g)::uuid, now() - interval '1 minute' from generate_series(1, %(n)s) g;
"""


def few_segment_plan_statement(market) -> dict:
    """Calls and blocks read of following's plan (the few-segment statement of private.segment_shares) since
    pg_stat_statements was last reset."""
    return market.platform.execute(
        "select coalesce(sum(calls), 0) as calls, coalesce(sum(shared_blks_hit + shared_blks_read), 0) as blocks "
        "from extensions.pg_stat_statements where query like '%%targets as materialized%%'"
    ).fetchone()


def blocks_to_plan_a_new_segment(market, others: int) -> dict:
    """Blocks read by following's plan (the few-segment statement of private.segment_shares) for a new segment,
    in a marketplace with `others` partners in other combinations."""
    market.reset()
    for statement in BULK_SQL.split(";\n")[:-1]:
        market.sql(statement, {"p": "bulk", "n": others})
    market.sync()
    market.sql("analyze")
    market.follow()
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)  # warm-up: plans are cached per session
    market.platform.execute("select extensions.pg_stat_statements_reset()")
    market.partner(["loodgieter"], ["zeeland"], leads_per_month=30)  # following creates loodgieter_zeeland
    assert "loodgieter_zeeland" in market.active_codes()
    return few_segment_plan_statement(market)


def test_followings_plan_reads_the_new_segments_partners_not_the_marketplace(market):
    """Following plans under a generic plan (plan_cache_mode = force_generic_plan): the few-segment statement
    must stay index-driven. A marketplace-wide aggregate would read every partner's rows."""
    small, large = blocks_to_plan_a_new_segment(market, 20), blocks_to_plan_a_new_segment(market, 4000)
    assert small["calls"] == large["calls"] == 1, "pg_stat_statements did not see the few-segment statement"
    # a few more for indexes a level deeper and the rare side's candidates; the aggregate reads thousands
    assert large["blocks"] <= small["blocks"] + 60, f"blocks grew with the marketplace: {small} -> {large}"
