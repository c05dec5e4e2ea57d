"""admin_sync_segments: POST /rest/v1/rpc/admin_sync_segments {"method": "capacity"} (the SOP's admin endpoint)."""

import psycopg
import pytest

from tests.callers import Caller, request_as


@pytest.fixture
def admin(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    return Caller("admin user", "authenticated", market.user(admin=True))


def test_capacity_syncs_and_logs_the_admin_caller(market, admin):
    with request_as(market.conn, admin, commit=True) as db:
        result = db.execute("select admin_sync_segments(method => 'capacity') as r").fetchone()["r"]
    assert (result["status"], result["method"], result["created_codes"]) == (
        "succeeded",
        "capacity",
        ["loodgieter_zuid_holland"],
    )
    run = market.last_run()
    assert (run["id"], run["trigger"], run["caller"], run["caller_user_id"]) == (
        result["run_id"],
        "admin",
        f"user:{admin.user_id}",
        admin.user_id,
    )


def test_default_method_is_capacity_and_service_role_is_logged(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    with request_as(market.conn, Caller("service", "service_role"), commit=True) as db:
        result = db.execute("select admin_sync_segments() as r").fetchone()["r"]
    assert result["created"] == 1
    assert (market.last_run()["trigger"], market.last_run()["caller"]) == ("admin", "service_role")


@pytest.mark.parametrize(
    "method",
    ["Capacity", "", None, "preferences", "capacity; drop table lead_segments", " capacity", "x" * 10_000],
    ids=["Capacity", "empty", "null", "preferences", "injection", "padded", "10kB"],
)
def test_unsupported_method_is_22023_naming_the_supported_ones_and_changes_nothing(market, admin, method):
    with request_as(market.conn, admin, commit=True) as db, pytest.raises(psycopg.errors.InvalidParameterValue) as err:
        db.execute("select admin_sync_segments(%s)", (method,))
    message = err.value.diag.message_primary
    assert "supported methods: capacity" in message
    assert len(message) < 200, "a long method is not echoed in full"
    assert market.one("select count(*) from lead_segments") == 0
    assert market.one("select count(*) from segment_sync_runs") == 0
    assert market.one("select to_regclass('public.lead_segments') is not null")


def test_non_admin_gets_42501_and_nothing_changes(market):
    partner = market.partner(["schilder"], ["utrecht"], leads_per_month=5)
    with (
        request_as(market.conn, Caller("partner", "authenticated", partner), commit=True) as db,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="only admins may do this"),
    ):
        db.execute("select admin_sync_segments('capacity')")
    assert market.one("select count(*) from lead_segments") == 0
    assert market.one("select count(*) from segment_sync_runs") == 0


def test_anon_cannot_execute(market):
    with (
        request_as(market.conn, Caller("anon", "anon")) as db,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function admin_sync_segments"),
    ):
        db.execute("select admin_sync_segments('capacity')")
