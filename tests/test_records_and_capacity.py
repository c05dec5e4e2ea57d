"""The record cannot be forged and capacity comes from billing (issue 16), through the roles that matter: anon, a
partner, an admin user, service_role and the SQL console (`postgres`). Every refused call leaves nothing behind.
(tests/test_write_matrix.py holds the full caller × table × operation matrix.)"""

from __future__ import annotations

import psycopg
import pytest

from tests.callers import Caller, request_as
from tests.test_nightly import nightly, nightly_runs  # noqa: F401  (the fixture)

ANON = Caller("anon", "anon")
SERVICE = Caller("service_role", "service_role")

FORGERIES = {
    "a succeeded nightly run": "insert into segment_sync_runs (kind, trigger, caller, status, scheduled_for) "
    "values ('plan', 'cron', 'cron', 'succeeded', (now() at time zone 'UTC')::date)",
    "a rewritten run": "update segment_sync_runs set status = 'succeeded', error = null",
    "a deleted run": "delete from segment_sync_runs",
    "an active segment without capacity": "insert into lead_segments (code, branch, region, is_active) "
    "values ('loodgieter_utrecht', 'loodgieter', 'utrecht', true)",
    "a deactivated segment": "update lead_segments set is_active = false",
    "a forged plan": "update lead_segment_plans set target_leads_per_day = 1000",
    "a deleted plan": "delete from lead_segment_plans",
}


def record(market) -> dict[str, object]:
    return {
        "runs": market.sql("select * from segment_sync_runs order by id"),
        "segments": market.sql("select * from lead_segments order by id"),
        "plans": market.sql("select * from lead_segment_plans order by id"),
    }


@pytest.fixture
def recorded(market):
    """One synced and planned segment and a failed run: a record worth forging."""
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    admin = market.user(admin=True)
    market.sync()
    market.plan()
    market.sql(
        "insert into segment_sync_runs (kind, trigger, caller, status, error) "
        "values ('sync', 'admin', 'service_role', 'failed', 'a real failure')"
    )  # the console (owner) sets the scene; it is the one who deploys the functions too
    partner = market.one("select id from profiles where not is_admin")
    return {
        "anon": ANON,
        "partner": Caller("partner", "authenticated", partner),
        "admin user": Caller("admin user", "authenticated", admin),
        "service_role": SERVICE,
    }


@pytest.mark.parametrize("forgery", list(FORGERIES))
@pytest.mark.parametrize("caller", ["anon", "partner", "admin user", "service_role"])
def test_nobody_writes_the_record_directly(market, recorded, caller, forgery):
    before = record(market)
    with (
        request_as(market.conn, recorded[caller], commit=True) as db,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table"),
    ):
        db.execute(FORGERIES[forgery])
    assert record(market) == before


@pytest.mark.parametrize("caller", ["admin user", "service_role"])
def test_admins_and_service_role_still_read_the_record_and_the_functions_still_write_it(market, recorded, caller):
    with request_as(market.conn, recorded[caller], commit=True) as db:
        assert db.execute("select count(*) as n from segment_sync_runs").fetchone()["n"] == 3
        assert db.execute("select count(*) as n from lead_segments").fetchone()["n"] == 1
        assert db.execute("select count(*) as n from lead_segment_plans").fetchone()["n"] == 1
        held = db.execute("select hold_segment('loodgieter_zuid_holland', 'no budget') as h").fetchone()["h"]
        assert held["is_active"] is False, "a hold is the way to keep a segment off"
        db.execute("select release_segment('loodgieter_zuid_holland')")
        assert db.execute("select admin_sync_segments('capacity') as r").fetchone()["r"]["status"] == "succeeded"
    assert market.last_run()["status"] == "succeeded"


def test_a_forged_night_cannot_switch_tonight_off(market, nightly):  # noqa: F811
    """The issue's attack: one inserted "succeeded" nightly row made health say ok and the job skip the night."""
    today = market.one("select (now() at time zone timezone)::date from segment_sync_settings")
    with request_as(market.conn, SERVICE, commit=True) as db, pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute(
            "insert into segment_sync_runs (kind, trigger, caller, status, scheduled_for) "
            "values ('plan', 'cron', 'cron', 'succeeded', %s)",
            (today,),
        )
    market.sql(nightly)
    assert nightly_runs(market) == [("sync", "succeeded"), ("plan", "succeeded")]


# capacity: max_open_leads is what a partner pays for


@pytest.fixture
def unpaid(market):
    """A partner without an active subscription, in a branch another partner feeds: no capacity of its own."""
    market.follow()
    market.partner(["loodgieter"], ["utrecht"], leads_per_month=112)
    partner = market.partner(["loodgieter"], ["zuid-holland", "limburg"], leads_per_month=50, paused=True)
    return Caller("partner", "authenticated", partner)


def capacity_state(market, partner_id) -> dict[str, object]:
    return {
        "max_open_leads": market.one("select max_open_leads from profiles where id = %s", (partner_id,)),
        "segments": market.active_codes(),
        "runs": market.one("select count(*) from segment_sync_runs"),
        "subscriptions": market.sql("select * from subscriptions order by id"),
    }


@pytest.mark.parametrize("claims", [{}, {"user_metadata": {"is_admin": True}, "is_admin": True}])
@pytest.mark.parametrize(
    "statement",
    [
        "update profiles set max_open_leads = 100000 where id = %(me)s",
        "update profiles set max_open_leads = 1 where id = %(me)s",
        "update profiles set max_open_leads = null, company_name = 'x' where id = %(me)s",
    ],
)
def test_a_partner_cannot_give_itself_capacity(market, unpaid, claims, statement):
    market.sql("update profiles set max_open_leads = 5 where id = %s", (unpaid.user_id,))
    before = capacity_state(market, unpaid.user_id)
    partner = Caller("partner", "authenticated", unpaid.user_id, claims)
    with (
        request_as(market.conn, partner, commit=True) as db,
        pytest.raises(
            psycopg.errors.InsufficientPrivilege, match=r"only billing \(service_role\) or an admin may change"
        ),
    ):
        db.execute(statement, {"me": unpaid.user_id})
    assert capacity_state(market, unpaid.user_id) == before


@pytest.mark.parametrize(
    "statement",
    [
        "insert into subscriptions (user_id, status, leads_per_month) values (%(me)s, 'active', 100000)",
        "update subscriptions set is_paused = false, leads_per_month = 100000 where user_id = %(me)s",
        "delete from subscriptions where user_id = %(me)s",
    ],
)
def test_a_partner_cannot_write_its_subscriptions(market, unpaid, statement):
    before = capacity_state(market, unpaid.user_id)
    with (
        request_as(market.conn, unpaid, commit=True) as db,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table subscriptions"),
    ):
        db.execute(statement, {"me": unpaid.user_id})
    assert capacity_state(market, unpaid.user_id) == before


def test_a_partner_still_edits_the_rest_of_its_profile(market, unpaid):
    with request_as(market.conn, unpaid, commit=True) as db:
        changed = db.execute(
            "update profiles set company_name = 'Maas & Zn', max_open_leads = max_open_leads where id = %s",
            (unpaid.user_id,),
        ).rowcount
    assert changed == 1


@pytest.mark.parametrize("caller", ["admin user", "service_role", "console"])
def test_billing_or_an_admin_sets_capacity_up_to_100000(market, unpaid, caller):
    admin = Caller("admin user", "authenticated", market.user(admin=True)) if caller == "admin user" else SERVICE

    def set_capacity(leads: int) -> None:
        if caller == "console":
            market.sql("update profiles set max_open_leads = %s where id = %s", (leads, unpaid.user_id))
            return
        with request_as(market.conn, admin, commit=True) as db:
            db.execute("update profiles set max_open_leads = %s where id = %s", (leads, unpaid.user_id))

    before = capacity_state(market, unpaid.user_id)
    with pytest.raises(psycopg.errors.CheckViolation, match="max_open_leads_at_most_100000"):
        set_capacity(100001)
    assert capacity_state(market, unpaid.user_id) == before
    set_capacity(100000)
    assert market.one("select max_open_leads from profiles where id = %s", (unpaid.user_id,)) == 100000
    assert market.active_codes() == ["loodgieter_limburg", "loodgieter_utrecht", "loodgieter_zuid_holland"]


def test_billing_writes_subscriptions(market, unpaid):
    with request_as(market.conn, SERVICE, commit=True) as db:
        db.execute("update subscriptions set is_paused = false where user_id = %s", (unpaid.user_id,))
    assert market.active_codes() == ["loodgieter_limburg", "loodgieter_utrecht", "loodgieter_zuid_holland"]


def test_anon_writes_no_capacity(market, unpaid):
    before = capacity_state(market, unpaid.user_id)
    for statement in (
        "update profiles set max_open_leads = 100000",
        "insert into subscriptions (user_id, status, leads_per_month) values (%(me)s, 'active', 1)",
    ):
        with (
            request_as(market.conn, ANON, commit=True) as db,
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table"),
        ):
            db.execute(statement, {"me": unpaid.user_id})
    assert capacity_state(market, unpaid.user_id) == before
