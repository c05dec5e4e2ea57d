"""Segments follow partner changes at commit (follow_partner_changes on): every source of capacity, bulk
statements, run rows, today's plans, a partner's own change through the API, and following off."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import psycopg
import pytest

from tests.callers import Caller, request_as

LZ = "loodgieter_zuid_holland"


@pytest.fixture
def market(market):
    market.follow()
    return market


def in_line(market) -> None:
    """What following promises: every combination with capacity has exactly one active segment, no active
    segment lacks capacity, and a full sync finds nothing to fix."""
    combos = {f"{b}_{r}".replace("-", "_") for b, r, _, _ in market.combos()}
    assert set(market.active_codes()) == combos
    result = market.sync()
    assert (result["status"], result["fixed"]) == ("succeeded", 0), result


def today() -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo("Europe/Amsterdam")).date()


def change_runs(market) -> list[dict]:
    return market.sql("select * from segment_sync_runs where trigger = 'change' order by id")


# --- every source of capacity: gain and loss -------------------------------------------------------------


def test_a_new_partner_gets_its_segments_when_the_preference_commits(market):
    partner = market.partner(["loodgieter"], [], leads_per_month=50)
    assert market.active_codes() == []
    market.prefer_region(partner, "zuid-holland")
    assert market.active_codes() == [LZ]
    in_line(market)


@pytest.mark.parametrize(
    ("loss", "gain"),
    [
        ("update profiles set is_active_for_routing = false", "update profiles set is_active_for_routing = true"),
        ("update profiles set is_admin = true", "update profiles set is_admin = false"),
        ("update subscriptions set status = 'cancelled'", "update subscriptions set status = 'active'"),
        ("update subscriptions set is_paused = true", "update subscriptions set is_paused = false"),
        ("update subscriptions set leads_per_month = 0", "update subscriptions set leads_per_month = 10"),
        (
            "update user_industry_preferences set is_enabled = false",
            "update user_industry_preferences set is_enabled = true",
        ),
        (
            "update user_location_preferences set is_enabled = false",
            "update user_location_preferences set is_enabled = true",
        ),
        ("update industries set is_active = false", "update industries set is_active = true"),
        ("update regions set is_active = false where code = 'zuid-holland'", "update regions set is_active = true"),
    ],
)
def test_each_column_of_the_capacity_rule_deactivates_and_reactivates_at_once(market, loss, gain):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    assert market.active_codes() == [LZ]
    market.sql(loss)
    assert market.active_codes() == [], f"still active after: {loss}"
    in_line(market)
    market.sql(gain)
    assert market.active_codes() == [LZ], f"not reactivated after: {gain}"
    in_line(market)


def test_max_open_leads_counts_without_a_subscription_value(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], max_open_leads=30)
    assert market.active_codes() == [LZ]
    market.sql("update profiles set max_open_leads = 0 where id = %s", (partner,))
    assert market.active_codes() == []
    market.sql("update profiles set max_open_leads = 30 where id = %s", (partner,))
    assert market.active_codes() == [LZ]
    market.subscription(partner, None)  # newest subscription without a value: max_open_leads still applies
    assert market.active_codes() == [LZ]
    in_line(market)


def test_subscription_insert_delete_and_the_newest_one_decide(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"])  # no capacity yet: no subscription, no max
    assert market.active_codes() == []
    first = market.subscription(partner, 20, created_at="2026-01-01")
    assert market.active_codes() == [LZ]
    market.subscription(partner, 0, created_at="2026-02-01")  # the newest has precedence, also when 0
    assert market.active_codes() == []
    market.sql("update subscriptions set created_at = '2025-01-01' where leads_per_month = 0")
    assert market.active_codes() == [LZ], "the older one is the newest again"
    market.sql("delete from subscriptions where id = %s", (first,))
    assert market.active_codes() == []
    in_line(market)


def test_preference_insert_delete_and_moves(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=10)
    market.sql("update user_location_preferences set location_code = 'utrecht' where user_id = %s", (partner,))
    assert market.active_codes() == ["loodgieter_utrecht"]
    market.industry("schilder")
    market.sql(
        "update user_industry_preferences set industry_id = (select id from industries where slug = 'schilder') "
        "where user_id = %s",
        (partner,),
    )
    assert market.active_codes() == ["schilder_utrecht"]
    market.sql("delete from user_industry_preferences where user_id = %s", (partner,))
    assert market.active_codes() == []
    in_line(market)


def test_deleting_the_partner_or_its_account_takes_its_capacity_away(market):
    keep = market.partner(["schilder"], ["utrecht"], leads_per_month=10)
    gone = market.partner(["loodgieter"], ["zuid-holland", "utrecht"], leads_per_month=10)
    market.sql("delete from profiles where id = %s", (gone,))
    assert market.active_codes() == ["schilder_utrecht"]
    market.sql("delete from auth.users where id = %s", (keep,))
    assert market.active_codes() == []
    in_line(market)


def test_payment_methods_count_only_while_the_payment_rule_is_on(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=10)
    market.sql("update segment_sync_settings set require_active_payment_method = true")
    assert market.active_codes() == [], "switching the rule on reconciles at once"
    market.sql("insert into payment_methods (user_id, status) values (%s, 'active')", (partner,))
    assert market.active_codes() == [LZ]
    market.sql("update payment_methods set status = 'revoked'")
    assert market.active_codes() == []
    market.sql("update payment_methods set status = 'active'")
    market.sql("delete from payment_methods")
    assert market.active_codes() == []
    market.sql("update segment_sync_settings set require_active_payment_method = false")
    assert market.active_codes() == [LZ], "switching the rule off reconciles at once"
    in_line(market)


def test_a_change_the_rule_does_not_read_changes_no_segment_and_leaves_no_run(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=10)
    before = market.segments()
    runs = len(change_runs(market))
    market.sql("update profiles set company_name = 'Nieuw BV', full_name = 'Jan' where id = %s", (partner,))
    market.sql("update subscriptions set leads_per_month = 12 where user_id = %s", (partner,))  # still capacity
    market.prefer_region(partner, "zuid-holland")  # re-enabling what is enabled
    assert market.segments() == before
    assert len(change_runs(market)) == runs


# --- one pass per statement -------------------------------------------------------------------------------


def test_a_bulk_statement_is_one_pass_and_one_run(market):
    for n in range(40):
        market.partner(["loodgieter", f"branche-{n % 4}"], ["zuid-holland", "utrecht"], leads_per_month=n + 1)
    assert len(market.active_codes()) == 10
    runs = len(change_runs(market))
    market.sql("update subscriptions set is_paused = true")
    assert market.active_codes() == []
    new_runs = change_runs(market)[runs:]
    assert len(new_runs) == 1
    assert new_runs[0]["deactivated_count"] == 10
    in_line(market)


def test_the_statements_a_change_executes_do_not_grow_with_the_rows_it_changes(market):
    """pg_stat_statements (track = all) counts the statements inside the triggers: a loop over the changed
    rows would grow with them."""

    def statements_for(rows: int) -> int:
        market.sql("update subscriptions set is_paused = false")
        ids = [r["id"] for r in market.sql("select id from subscriptions order by id limit %s", (rows,))]
        market.platform.execute("select extensions.pg_stat_statements_reset()")
        market.sql("update subscriptions set is_paused = true where id = any(%s)", (ids,))
        return market.platform.execute(
            "select coalesce(sum(calls), 0) as calls from extensions.pg_stat_statements "
            "where userid = 'postgres'::regrole and query not like '%FOR KEY SHARE OF x'"
        ).fetchone()["calls"]

    for n in range(60):  # each partner alone in its branch: every paused one deactivates two segments
        market.partner([f"branche-{n}"], ["zuid-holland", "utrecht"], leads_per_month=5)
    few, many = statements_for(3), statements_for(60)
    assert few > 3, "pg_stat_statements did not count the trigger's statements"
    assert few == many, f"statements grew with the rows changed: {few} -> {many}"


# --- run rows and plans -----------------------------------------------------------------------------------


def test_a_change_leaves_one_change_run_with_the_caller_counts_and_codes(market):
    partner = market.partner(["loodgieter"], [], leads_per_month=10)
    with request_as(market.conn, Caller("partner", "authenticated", partner), commit=True):
        market.conn.execute(
            "insert into user_location_preferences (user_id, location_code) values (%s, 'zuid-holland')", (partner,)
        )
    run = change_runs(market)[-1]
    assert (run["kind"], run["trigger"], run["status"], run["caller"]) == (
        "sync",
        "change",
        "succeeded",
        f"user:{partner}",
    )
    assert (run["created_count"], run["activated_count"], run["deactivated_count"]) == (1, 0, 0)
    assert run["created_codes"] == [LZ]
    assert run["finished_at"] is not None


def test_a_segment_that_becomes_active_gets_todays_plan_and_an_inactive_one_target_zero(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    plan = market.one(
        "select p.date, p.target_leads_per_day, p.capacity_total_leads from lead_segment_plans p "
        "join lead_segments s on s.id = p.segment_id where s.code = %s",
        (LZ,),
    )
    assert (plan["date"], float(plan["target_leads_per_day"]), plan["capacity_total_leads"]) == (today(), 1.33, 50)
    market.sql("update profiles set is_active_for_routing = false where id = %s", (partner,))
    assert market.one("select target_leads_per_day from lead_segment_plans") == 0
    assert market.one("select count(*) from lead_segment_plans") == 1, "re-planned in place"


# --- a partner's own change through the API ---------------------------------------------------------------


def test_a_partners_own_change_through_the_api_maintains_segments_it_may_not_touch(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    caller = Caller("partner", "authenticated", partner)
    with request_as(market.conn, caller, commit=True):
        market.conn.execute("update user_location_preferences set is_enabled = false where user_id = %s", (partner,))
        assert market.conn.execute("select count(*) as n from lead_segments").fetchone()["n"] == 0, "RLS hides them"
    assert market.segments()[LZ]["is_active"] is False
    with request_as(market.conn, caller, commit=True):
        # (not max_open_leads: a partner's capacity is set by billing or an admin, test_records_and_capacity.py)
        market.conn.execute("update profiles set company_name = 'Maas' where id = %s", (partner,))
        market.conn.execute("update user_location_preferences set is_enabled = true where user_id = %s", (partner,))
    assert market.active_codes() == [LZ]
    maintenance = [  # no new privilege for the partner
        "private.follow_keys('{null}', '{loodgieter}', '{zuid-holland}', null, now())",
        "private.apply_segment_capacity('{loodgieter}', '{zuid-holland}', null, null)",
        "private.drain_follow_queue()",
    ]
    for call in maintenance:
        with request_as(market.conn, caller), pytest.raises(psycopg.errors.InsufficientPrivilege):
            market.conn.execute(f"select {call}")


# --- following off, and switching it on -------------------------------------------------------------------


def test_with_following_off_segments_change_only_through_the_sync(market):
    market.follow(False)
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    assert market.active_codes() == []
    assert change_runs(market) == []
    result = market.sync()
    assert (result["created_codes"], result["fixed"], result["following"]) == ([LZ], 1, False)
    assert market.last_run()["fixed_count"] == 1


def test_switching_following_on_reconciles_at_once(market):
    market.follow(False)
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.follow(True)
    assert market.active_codes() == [LZ]
    assert change_runs(market)[-1]["created_codes"] == [LZ]
    in_line(market)


def test_the_nightly_sync_reports_what_it_had_to_fix(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    result = market.sync()
    assert (result["fixed"], result["following"], result["created"]) == (0, True, 0)
    market.follow(False)
    market.sql("update profiles set is_active_for_routing = false")
    market.follow(True)  # reconciles; the sync after it has nothing to fix
    assert market.sync()["fixed"] == 0
    # a segment set by hand behind following's back is what the reconciliation repairs, and says so
    market.platform.execute("update lead_segments set is_active = true")
    result = market.sync()
    assert (result["fixed"], result["deactivated_codes"]) == (1, [LZ])
    assert market.last_run()["fixed_count"] == 1


def test_the_lookup_view_and_the_aggregate_agree_on_every_partner(market):
    """Following reads the rule with a lookup per partner, the sync and the planner in one pass: the same rule."""
    market.sql("update segment_sync_settings set require_active_payment_method = true")
    statuses = ["active", "trialing", "cancelled"]
    for n in range(36):
        partner = market.partner(
            ["loodgieter"],
            ["utrecht"],
            leads_per_month=[None, 0, 7][n % 3],
            max_open_leads=[None, 0, 9, 4][n % 4],
            routing=n % 5 != 0,
            admin=n % 11 == 0,
            subscription_status=statuses[n % 3],
            paused=n % 7 == 0,
        )
        if n % 2:
            market.subscription(partner, [None, 3][n % 4 // 2], created_at=f"2026-0{1 + n % 3}-01")
        if n % 3:
            market.sql(
                "insert into payment_methods (user_id, status) values (%s, %s)", (partner, ["active", "failed"][n % 2])
            )
    differences = market.sql(
        "select a.partner_id from private.partner_capacity a join private.partner_capacity_lookup b "
        "using (partner_id) where (a.effective_capacity, a.counts) is distinct from (b.effective_capacity, b.counts)"
    )
    assert differences == []
    assert market.one("select count(*) from private.partner_capacity where counts") > 3
    # the sync's aggregate and the rule of which partner feeds which combination give the same combinations
    market.partner(["schilder", "dakdekker"], ["utrecht", "limburg"], max_open_leads=5)
    market.sql("update industries set is_active = false where slug = 'schilder'")
    market.sql("insert into payment_methods (user_id, status) select id, 'active' from profiles")
    by_rule = market.sql(
        "select branch, region, count(*) as capacity_partners, sum(capacity) as capacity_total_leads "
        "from private.partner_combinations where feeds group by branch, region order by branch, region"
    )
    assert by_rule == market.sql("select * from get_branch_region_capacity_combos()")
    assert len(by_rule) == 3
    # and the rule read row by row (following, a few segments) equals the rule read in one pass (sync, planner)
    every_row = "select * from private.{} order by partner_id, branch, region"
    looked_up = market.sql(every_row.format("partner_combinations"))
    assert looked_up == market.sql(every_row.format("partner_combinations_scan"))
    assert len({r["feeds"] for r in looked_up}) == 2, "rows that feed and rows that do not"
