"""Who may call, read and write what: every caller of the contract against every function and table,
emulating PostgREST (role from the JWT, claims in request.jwt.claims)."""

from __future__ import annotations

import psycopg
import pytest

from tests.callers import Caller, request_as

DENIED = psycopg.errors.InsufficientPrivilege
RLS = "row-level security"


@pytest.fixture
def world(market):
    """Two partners with capacity and everything around them, an admin user, one synced and planned segment."""
    a = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    b = market.partner(["loodgieter"], ["utrecht"], leads_per_month=20)
    admin = market.user(admin=True)
    for partner in (a, b):
        market.sql("insert into payment_methods (user_id, status) values (%s, 'active')", (partner,))
    market.sync()
    market.plan("2026-11-27")
    market.sql("insert into leads (segment_id, partner_id) select id, %s from lead_segments", (a,))
    callers = {
        "anon": Caller("anon", "anon"),
        "partner": Caller("partner", "authenticated", a),
        "partner claiming admin": Caller(
            "partner claiming admin",
            "authenticated",
            a,
            {"user_metadata": {"is_admin": True, "role": "admin"}, "is_admin": True},
        ),
        "admin user": Caller("admin user", "authenticated", admin),
        "service_role": Caller("service_role", "service_role"),
    }
    a_email = market.one("select email from auth.users where id = %s", (a,))
    return {"a": a, "b": b, "a_email": a_email, "admin": admin, "callers": callers, "market": market}


CALLERS = ["anon", "partner", "partner claiming admin", "admin user", "service_role"]
ADMINS = {"admin user", "service_role"}
PARTNERS = {"partner", "partner claiming admin"}

FUNCTION_CALLS = {
    "get_branch_region_capacity_combos": "select * from get_branch_region_capacity_combos()",
    "sync_segments_capacity": "select sync_segments_capacity()",
    "plan_segment_targets": "select plan_segment_targets('2026-11-27')",
    "admin_sync_segments": "select admin_sync_segments('capacity')",
    "explain_partner_capacity (someone else)": "select * from explain_partner_capacity(%(b)s)",
    "explain_partner_capacity (itself)": "select * from explain_partner_capacity(%(a)s)",
    "segment_sync_health": "select segment_sync_health()",
    "hold_segment": "select hold_segment('loodgieter_zuid_holland', 'no budget')",
    "release_segment": "select release_segment('loodgieter_zuid_holland')",
    "preview_segment_sync": "select preview_segment_sync()",
    "partner_id_by_email": "select partner_id_by_email(%(a_email)s)",
    "segment_partners": "select * from segment_partners('loodgieter_zuid_holland')",
    "segment_overview (view)": "select * from segment_overview",
}


def allowed_to_call(caller: str, function: str) -> bool:
    if caller in ADMINS:
        return True
    return caller in PARTNERS and function == "explain_partner_capacity (itself)"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("function", list(FUNCTION_CALLS))
def test_function_matrix(world, caller, function):
    db = world["market"].conn
    with request_as(db, world["callers"][caller]):
        if allowed_to_call(caller, function):
            rows = db.execute(FUNCTION_CALLS[function], world).fetchall()
            assert rows
            result = next(iter(rows[0].values()))
            if isinstance(result, dict) and "run_id" in result:  # a run: it did its work, not failed and logged it
                assert result["status"] == "succeeded", result
        else:
            with pytest.raises(DENIED) as refused:
                db.execute(FUNCTION_CALLS[function], world)
            assert any(
                reason in str(refused.value)
                for reason in ("permission denied for function", "permission denied for view", "only admins")
            ), refused.value


# Rows each caller sees per table: "all", "own" (the partner's own rows only) or "none".
TABLE_READS = {
    "profiles": {"partner": "own", "admin user": "all", "service_role": "all"},
    "subscriptions": {"partner": "own", "admin user": "all", "service_role": "all"},
    "payment_methods": {"partner": "own", "admin user": "all", "service_role": "all"},
    "user_industry_preferences": {"partner": "own", "admin user": "all", "service_role": "all"},
    "user_location_preferences": {"partner": "own", "admin user": "all", "service_role": "all"},
    "industries": {"partner": "all", "admin user": "all", "service_role": "all"},
    "regions": {"partner": "all", "admin user": "all", "service_role": "all"},
    "lead_segments": {"partner": "none", "admin user": "all", "service_role": "all"},
    "lead_segment_plans": {"partner": "none", "admin user": "all", "service_role": "all"},
    "leads": {"partner": "none", "admin user": "all", "service_role": "all"},
    "segment_sync_runs": {"partner": "none", "admin user": "all", "service_role": "all"},
    "segment_sync_settings": {"partner": "none", "admin user": "all", "service_role": "all"},
}
OWNER_COLUMN = {"profiles": "id"}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("table", list(TABLE_READS))
def test_read_matrix(world, caller, table):
    db = world["market"].conn
    total = db.execute(f"select count(*) as n from {table}").fetchone()["n"]
    assert total > 0, f"the scenario has no {table} rows to protect"
    expected = TABLE_READS[table].get("partner" if caller in PARTNERS else caller, "denied")
    owner = OWNER_COLUMN.get(table, "user_id")
    with request_as(db, world["callers"][caller]):
        if expected == "denied":
            with pytest.raises(DENIED, match=f"permission denied for table {table}"):
                db.execute(f"select * from {table}")
            return
        rows = db.execute(f"select * from {table}").fetchall()
    if expected == "all":
        assert len(rows) == total
    elif expected == "none":
        assert rows == []
    else:
        assert rows
        assert {r[owner] for r in rows} == {world["a"]}


def run_as(world, caller, sql, params=None):
    db = world["market"].conn
    with request_as(db, world["callers"][caller]):
        return db.execute(sql, params or world).rowcount


def test_partner_edits_its_own_profile_but_not_its_privileges(world):
    assert run_as(world, "partner", "update profiles set company_name = 'Maas & Zn' where id = %(a)s") == 1
    for column in ("is_admin", "is_active_for_routing"):
        value = "true" if column == "is_admin" else "false"
        with pytest.raises(DENIED, match="only admins may change is_admin or is_active_for_routing"):
            run_as(world, "partner claiming admin", f"update profiles set {column} = {value} where id = %(a)s")
    assert run_as(world, "partner", "update profiles set company_name = 'x' where id = %(b)s") == 0
    # nor its capacity: that is billing's (service_role) or an admin's, up to 100,000 a month
    for caller in ("partner", "partner claiming admin"):
        with pytest.raises(DENIED, match=r"only billing \(service_role\) or an admin may change max_open_leads"):
            run_as(world, caller, "update profiles set max_open_leads = 100000 where id = %(a)s")
    for caller in ("admin user", "service_role"):
        assert run_as(world, caller, "update profiles set max_open_leads = 100000 where id = %(a)s") == 1


def test_admin_user_changes_routing_and_settings(world):
    assert run_as(world, "admin user", "update profiles set is_active_for_routing = false where id = %(b)s") == 1
    assert run_as(world, "admin user", "update segment_sync_settings set target_ratio = 0.7") == 1
    assert run_as(world, "partner", "update segment_sync_settings set target_ratio = 0.7") == 0


def test_partner_manages_only_its_own_preferences(world):
    market = world["market"]
    market.industry("schilder")
    assert (
        run_as(
            world,
            "partner",
            "insert into user_industry_preferences (user_id, industry_id) "
            "select %(a)s, id from industries where slug = 'schilder'",
        )
        == 1
    )
    with pytest.raises(DENIED, match=RLS):
        run_as(
            world,
            "partner",
            "insert into user_location_preferences (user_id, location_code) values (%(b)s, 'limburg')",
        )
    assert (
        run_as(world, "partner", "update user_location_preferences set is_enabled = false where user_id = %(b)s") == 0
    )
    assert run_as(world, "partner", "delete from user_industry_preferences where user_id = %(b)s") == 0
    with pytest.raises(DENIED, match=RLS):  # moving a preference to another partner
        run_as(world, "partner", "update user_location_preferences set user_id = %(b)s where user_id = %(a)s")
    assert run_as(world, "partner", "delete from user_location_preferences where user_id = %(a)s") == 1


@pytest.mark.parametrize(
    "statement",
    [
        "insert into subscriptions (user_id, status, leads_per_month) values (%(a)s, 'active', 500)",
        "update subscriptions set leads_per_month = 500",
        "insert into payment_methods (user_id, status) values (%(a)s, 'active')",
        "insert into lead_segments (code, branch, region) values ('x_y', 'loodgieter', 'utrecht')",
        "update lead_segments set is_active = false",
        "insert into lead_segment_plans (segment_id, date) select id, '2030-01-01' from lead_segments",
        "insert into segment_sync_runs (kind, trigger, caller) values ('sync', 'sql', 'me')",
        "insert into leads (segment_id) values (null)",
    ],
)
@pytest.mark.parametrize("caller", ["partner", "admin user"])
def test_only_the_functions_and_billing_write_capacity_segments_and_runs(world, caller, statement):
    with pytest.raises(DENIED, match="permission denied for table"):
        run_as(world, caller, statement)


def test_service_role_cannot_delete_segments(world):
    with pytest.raises(DENIED, match="permission denied for table lead_segments"):
        run_as(world, "service_role", "delete from lead_segments")


def test_a_jwt_claiming_admin_in_user_metadata_is_not_an_admin(world):
    db = world["market"].conn
    with request_as(db, world["callers"]["partner claiming admin"]):
        assert db.execute("select guarded.is_admin() as yes").fetchone()["yes"] is False
        with pytest.raises(DENIED, match="only admins"):
            db.execute("select admin_sync_segments('capacity')")


@pytest.mark.parametrize("caller", ["partner", "partner claiming admin"])
def test_a_partner_cannot_explain_a_null_partner(world, caller):
    """`auth.uid() = null` is null, not false: the check must still refuse."""
    db = world["market"].conn
    with request_as(db, world["callers"][caller]), pytest.raises(DENIED, match="only admins"):
        db.execute("select * from explain_partner_capacity(null)")


@pytest.mark.parametrize("partner", ["null", "'00000000-0000-0000-0000-000000000000'"])
def test_explaining_an_unknown_partner_is_pt404(world, partner):
    """PT404: PostgREST answers HTTP 404 (a P0 code would be a 500)."""
    db = world["market"].conn
    with request_as(db, world["callers"]["admin user"]), pytest.raises(psycopg.Error) as raised:
        db.execute(f"select * from explain_partner_capacity({partner})")
    assert raised.value.sqlstate == "PT404"
    assert "no partner with id" in str(raised.value)


# --- private is for its owner ------------------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
def test_a_function_added_to_private_later_is_executable_by_nobody_but_its_owner(world, caller):
    """A migration that forgets to revoke EXECUTE from PUBLIC (PostgreSQL grants it to every new function) still
    exposes nothing: the API roles have no USAGE on `private` (the functions they may call live in `guarded`)."""
    market = world["market"]
    market.sql("create function private.added_later() returns integer language sql as 'select 42'")
    try:
        assert market.one("select private.added_later()") == 42  # the owner, as the SQL console
        with pytest.raises(DENIED, match="permission denied for schema private"):
            run_as(world, caller, "select private.added_later()")
    finally:
        market.sql("drop function private.added_later()")


def test_the_api_roles_reach_only_guarded_and_public(db):
    for role in ("anon", "authenticated", "service_role"):
        usable = db.execute(
            "select array_agg(nspname::text order by nspname) as schemas from pg_namespace "
            "where nspname in ('public', 'private', 'guarded') and has_schema_privilege(%s, oid, 'usage')",
            (role,),
        ).fetchone()["schemas"]
        assert usable == (["public"] if role == "anon" else ["guarded", "public"]), role
