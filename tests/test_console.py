"""The admin's console in the database: holds, the sync preview, the segment overview, finding a partner by
e-mail and the partners feeding a segment."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.callers import Caller, request_as

LZ = "loodgieter_zuid_holland"


@pytest.fixture
def held(market):
    """loodgieter_zuid_holland, held by an admin user while its partner still has capacity."""
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    admin = market.user(admin=True)
    with request_as(market.conn, Caller("admin user", "authenticated", admin), commit=True) as db:
        db.execute("select hold_segment(%s, 'geen advertentiebudget')", (LZ,))
    return {"partner": partner, "admin": admin}


def test_a_hold_deactivates_and_records_who_when_and_why(market, held):
    segment = market.one("select is_active, held_at, held_by, hold_reason from lead_segments where code = %s", (LZ,))
    assert (segment["is_active"], segment["held_by"], segment["hold_reason"]) == (
        False,
        f"user:{held['admin']}",
        "geen advertentiebudget",
    )
    assert segment["held_at"] is not None


def test_the_sync_following_and_the_planner_respect_a_hold(market, held):
    result = market.sync()
    assert (result["activated_codes"], result["held_codes"], result["fixed"]) == ([], [LZ], 0)
    market.follow()
    market.sql("update subscriptions set leads_per_month = 60 where user_id = %s", (held["partner"],))
    market.sql("update profiles set is_active_for_routing = false where id = %s", (held["partner"],))
    market.sql("update profiles set is_active_for_routing = true where id = %s", (held["partner"],))
    assert market.active_codes() == [], "following does not reactivate a held segment"
    failed = market.sql("select error from segment_sync_runs where status <> 'succeeded'")
    assert failed == [], "it leaves the hold alone, not trips over it (lead_segments_held_is_inactive)"
    plan = market.plan("2026-11-27")
    assert plan["status"] == "succeeded"
    target = market.sql(
        "select target_leads_per_day from lead_segment_plans p join lead_segments s on s.id = p.segment_id "
        "where s.code = %s and p.date = '2026-11-27'",
        (LZ,),
    )
    assert target in ([], [{"target_leads_per_day": 0}]), "no target for a held segment"


def test_release_reactivates_at_once_when_it_has_capacity(market, held):
    result = market.one("select release_segment(%s) as r", (LZ,))
    assert result["is_active"] is True
    assert market.active_codes() == [LZ]
    assert market.one("select held_at from lead_segments where code = %s", (LZ,)) is None
    assert market.sync()["fixed"] == 0


def test_a_hold_needs_an_admin_a_reason_and_a_known_code(market, held):
    partner = Caller("partner", "authenticated", held["partner"])
    with request_as(market.conn, partner), pytest.raises(psycopg.errors.InsufficientPrivilege, match="only admins"):
        market.conn.execute("select hold_segment(%s, 'x')", (LZ,))
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="needs a reason"):
        market.sql("select hold_segment(%s, '  ')", (LZ,))
    with pytest.raises(psycopg.Error) as unknown:
        market.sql("select release_segment('bestaat_niet')")
    assert unknown.value.sqlstate == "PT404"


def test_the_delete_refusal_points_to_the_hold(market, held):
    with pytest.raises(psycopg.errors.RestrictViolation) as refused:
        market.sql("delete from lead_segments")
    assert "hold_segment" in refused.value.diag.message_hint


def test_the_preview_says_what_the_sync_would_do_and_writes_nothing(market):
    market.partner(["loodgieter", "schilder"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    market.sql("update user_industry_preferences set is_enabled = false where industry_id = "
               "(select id from industries where slug = 'schilder')")  # fmt: skip
    market.partner(["dakdekker"], ["utrecht"], leads_per_month=10)

    def state():
        return market.sql(
            "select (select count(*) from lead_segments) as segments, "
            "(select string_agg(code || is_active::text || xmin::text, ',' order by code) from lead_segments) as rows, "
            "(select count(*) from lead_segment_plans) as plans, (select max(id) from segment_sync_runs) as last_run, "
            "(select count(*) from segment_sync_runs) as runs"
        )

    before = state()
    preview = market.one("select preview_segment_sync() as r")
    assert state() == before
    assert (preview["dry_run"], preview["run_id"]) == (True, None)
    assert (preview["created_codes"], preview["deactivated_codes"]) == (
        ["dakdekker_utrecht"],
        ["schilder_zuid_holland"],
    )
    result = market.sync()
    assert {k: v for k, v in result.items() if k != "run_id"} == {
        k: v for k, v in preview.items() if k not in ("run_id", "dry_run")
    }


def test_the_overview_shows_capacity_and_the_planners_numbers(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.partner(["loodgieter"], ["zuid-holland", "utrecht"], max_open_leads=25)
    market.partner(["schilder"], ["utrecht"], leads_per_month=10)
    market.sync()
    today = market.one("select (now() at time zone 'Europe/Amsterdam')::date")
    market.sql("insert into leads (segment_id, created_at) select id, now() from lead_segments where code = %s", (LZ,))
    market.plan(today.isoformat())
    overview = {r["code"]: r for r in market.sql("select * from segment_overview")}
    plans = {
        r["code"]: r
        for r in market.sql(
            "select s.code, p.* from lead_segment_plans p join lead_segments s on s.id = p.segment_id where date = %s",
            (today,),
        )
    }
    assert overview.keys() == plans.keys() == {LZ, "loodgieter_utrecht", "schilder_utrecht"}
    for code, row in overview.items():
        plan = plans[code]
        assert (row["capacity_partners"], row["capacity_total_leads"]) == (
            plan["capacity_partners"],
            plan["capacity_total_leads"],
        )
        assert (row["capacity_allocated"], row["capacity_open"]) == (plan["capacity_allocated"], plan["capacity_open"])
        assert (row["target_leads_per_day"], row["actual_leads"], row["lead_gap"]) == (
            plan["target_leads_per_day"],
            plan["actual_leads"],
            plan["lead_gap"],
        )
    assert (overview[LZ]["capacity_total_leads"], overview[LZ]["actual_leads"]) == (75, 1)
    # the second partner's 25 a month is shared with loodgieter_utrecht: 50 + 12.5 of the 75 here
    assert (overview[LZ]["capacity_allocated"], overview[LZ]["capacity_open"]) == (Decimal("62.50"), Decimal("62.50"))


def test_the_overview_is_for_admins_only(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    with (
        request_as(market.conn, Caller("partner", "authenticated", partner)),
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="only admins"),
    ):
        market.conn.execute("select * from segment_overview")
    with request_as(market.conn, Caller("anon", "anon")), pytest.raises(psycopg.errors.InsufficientPrivilege):
        market.conn.execute("select * from segment_overview")


def test_find_a_partner_by_email(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    email = market.one("select email from auth.users where id = %s", (partner,))
    assert market.one("select partner_id_by_email(%s)", (f"  {email.upper()} ",)) == partner
    with pytest.raises(psycopg.Error) as unknown:
        market.sql("select partner_id_by_email('niemand@example.nl')")
    assert unknown.value.sqlstate == "PT404"
    with (
        request_as(market.conn, Caller("partner", "authenticated", partner)),
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        market.conn.execute("select partner_id_by_email(%s)", (email,))


def test_the_partners_feeding_a_segment(market):
    a = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    b = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=20, paused=True)
    market.partner(["loodgieter"], ["utrecht"], leads_per_month=5)
    market.sync()
    rows = market.sql("select partner_id, counts, effective_capacity from segment_partners(%s)", (LZ,))
    assert [(r["partner_id"], r["counts"], r["effective_capacity"]) for r in rows] == [(a, True, 50), (b, False, 0)]
