"""Who may write what: every caller × every table of the contract × insert, update, delete, each cell asserted.
Each request is one rolled-back transaction, as PostgREST would run it with that caller's JWT."""

from __future__ import annotations

import psycopg
import pytest

from tests.callers import request_as
from tests.test_security import CALLERS, world  # noqa: F401  (the fixture)

ALL = "all"  # every row of the table
OWN = "own"  # the partner's own rows only
NONE = "none"  # the statement runs but row level security leaves no row to change
DENIED = "denied"  # permission denied (no grant)
RLS = "rls"  # refused by a row level security policy
FK = "fk"  # refused by a foreign key (rows still referenced)

INSERTS = {
    "profiles": "insert into profiles (id) select id from auth.users where id not in (select id from profiles) limit 1",
    "subscriptions": "insert into subscriptions (user_id, status, leads_per_month) values (%(a)s, 'active', 99)",
    "payment_methods": "insert into payment_methods (user_id, status) values (%(a)s, 'active')",
    "user_industry_preferences": "insert into user_industry_preferences (user_id, industry_id) "
    "select %(a)s, id from industries where slug = 'extra'",
    "user_location_preferences": "insert into user_location_preferences (user_id, location_code) "
    "values (%(a)s, 'limburg')",
    "industries": "insert into industries (name, slug) values ('Nieuw', 'nieuw')",
    "regions": "insert into regions (code, name) values ('waddeneilanden', 'Waddeneilanden')",
    "lead_segments": "insert into lead_segments (code, branch, region) values ('extra_limburg', 'extra', 'limburg')",
    "lead_segment_plans": "insert into lead_segment_plans (segment_id, date) "
    "select id, '2030-01-01' from lead_segments",
    "leads": "insert into leads (segment_id) select id from lead_segments",
    "segment_sync_runs": "insert into segment_sync_runs (kind, trigger, caller) values ('sync', 'sql', 'me')",
    "segment_sync_settings": "insert into segment_sync_settings (id) values (true) on conflict (id) do nothing",
}
UPDATES = {
    "profiles": "update profiles set company_name = company_name",
    "subscriptions": "update subscriptions set leads_per_month = leads_per_month",
    "payment_methods": "update payment_methods set status = status",
    "user_industry_preferences": "update user_industry_preferences set is_enabled = is_enabled",
    "user_location_preferences": "update user_location_preferences set is_enabled = is_enabled",
    "industries": "update industries set name = name",
    "regions": "update regions set name = name",
    "lead_segments": "update lead_segments set is_active = is_active",
    "lead_segment_plans": "update lead_segment_plans set actual_leads = actual_leads",
    "leads": "update leads set created_at = created_at",
    "segment_sync_runs": "update segment_sync_runs set caller = caller",
    "segment_sync_settings": "update segment_sync_settings set target_ratio = target_ratio",
}
DELETES = {table: f"delete from {table}" for table in UPDATES}
OWNER = {"profiles": "id"}

# expected[table][operation] = {caller: outcome}; callers not named are denied
SERVICE_ROLE_ONLY = {"insert": {"service_role": ALL}, "update": {"service_role": ALL}, "delete": {"service_role": ALL}}
PARTNER_OWN = {"partner": OWN, "admin user": ALL, "service_role": ALL}
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "profiles": {
        "insert": {"service_role": ALL},
        "update": PARTNER_OWN,
        "delete": {"service_role": ALL},
    },
    "subscriptions": {
        "insert": {"service_role": ALL},
        "update": {"service_role": ALL},
        "delete": {"service_role": ALL},
    },
    "payment_methods": {
        "insert": {"service_role": ALL},
        "update": {"service_role": ALL},
        "delete": {"service_role": ALL},
    },
    "user_industry_preferences": {
        "insert": {"partner": OWN, "admin user": ALL, "service_role": ALL},
        "update": PARTNER_OWN,
        "delete": PARTNER_OWN,
    },
    "user_location_preferences": {
        "insert": {"partner": OWN, "admin user": ALL, "service_role": ALL},
        "update": PARTNER_OWN,
        "delete": PARTNER_OWN,
    },
    "industries": {
        "insert": {"partner": RLS, "admin user": ALL, "service_role": ALL},
        "update": {"partner": NONE, "admin user": ALL, "service_role": ALL},
        "delete": {"service_role": FK},
    },
    "regions": {
        "insert": {"partner": RLS, "admin user": ALL, "service_role": ALL},
        "update": {"partner": NONE, "admin user": ALL, "service_role": ALL},
        "delete": {"service_role": FK},
    },
    # the record: only the product's functions write segments, plans and runs, nobody directly (a hold keeps a
    # segment off); admins and service_role read them
    "lead_segments": {"insert": {}, "update": {}, "delete": {}},
    "lead_segment_plans": {"insert": {}, "update": {}, "delete": {}},
    "leads": SERVICE_ROLE_ONLY,
    "segment_sync_runs": {"insert": {}, "update": {}, "delete": {}},
    "segment_sync_settings": {
        "insert": {"service_role": NONE},
        "update": {"partner": NONE, "admin user": ALL, "service_role": ALL},
        "delete": {},
    },
}
STATEMENTS = {"insert": INSERTS, "update": UPDATES, "delete": DELETES}


def expected_outcome(table: str, operation: str, caller: str) -> str:
    cell = EXPECTED[table][operation]
    return cell.get("partner" if caller == "partner claiming admin" else caller, DENIED)


@pytest.mark.parametrize("operation", ["insert", "update", "delete"])
@pytest.mark.parametrize("table", list(EXPECTED))
@pytest.mark.parametrize("caller", CALLERS)
def test_write_matrix(world, caller, table, operation):  # noqa: F811
    market = world["market"]
    market.industry("extra")
    market.sql("insert into auth.users (email) values ('zonder-profiel@example.nl')")  # a profile to insert
    db = market.conn
    owner = OWNER.get(table, "user_id")
    total = db.execute(f"select count(*) as n from {table}").fetchone()["n"]
    own = (
        db.execute(f"select count(*) as n from {table} where {owner} = %(a)s", world).fetchone()["n"]
        if OWNER.get(table) or table in ("subscriptions", "payment_methods") or "preferences" in table
        else None
    )
    outcome = expected_outcome(table, operation, caller)
    statement = STATEMENTS[operation][table]
    with request_as(db, world["callers"][caller]):
        if outcome == DENIED:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table"):
                db.execute(statement, world)
            return
        if outcome == RLS:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                db.execute(statement, world)
            return
        if outcome == FK:
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                db.execute(statement, world)
            return
        changed = db.execute(statement, world).rowcount
    if outcome == NONE:
        assert changed == 0
    elif operation == "insert":
        assert changed >= 1
    elif outcome == OWN:
        assert changed == own
        assert 0 < own < total
    else:
        assert changed == total
        assert total > 0
