"""Bad input on every table a partner writes, through the API roles: a clear error and nothing half applied."""

import psycopg
import pytest

from tests.callers import Caller, request_as


@pytest.fixture
def partner(market):
    partner_id = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=10)
    market.industry("schilder")
    return Caller("partner", "authenticated", partner_id)


def snapshot(market):
    return market.sql(
        "select (select count(*) from user_industry_preferences) as industries, "
        "(select count(*) from user_location_preferences) as locations, "
        "(select row(p.*)::text from profiles p limit 1) as profile"
    )


CASES = [
    # capacity is not the partner's to set, whatever the value (tests/test_capacity_from_billing.py)
    (
        "update profiles set max_open_leads = -1",
        psycopg.errors.InsufficientPrivilege,
        "only billing \\(service_role\\) or an admin may change max_open_leads",
    ),
    ("update profiles set max_open_leads = 'veel'", psycopg.errors.InvalidTextRepresentation, "integer"),
    ("update profiles set max_open_leads = 99999999999", psycopg.errors.NumericValueOutOfRange, "out of range"),
    ("update profiles set company_name = repeat('x', 201)", psycopg.errors.CheckViolation, "company_name_length"),
    ("update profiles set full_name = repeat('x', 201)", psycopg.errors.CheckViolation, "full_name_length"),
    (
        "insert into user_industry_preferences (user_id, industry_id) values (%(me)s, 987654)",
        psycopg.errors.ForeignKeyViolation,
        "industry_id",
    ),
    (
        "insert into user_industry_preferences (user_id, industry_id) values (%(me)s, 'schilder')",
        psycopg.errors.InvalidTextRepresentation,
        "bigint",
    ),
    (
        "insert into user_industry_preferences (user_id, industry_id, is_enabled) "
        "select %(me)s, id, 'misschien' from industries where slug = 'schilder'",
        psycopg.errors.InvalidTextRepresentation,
        "boolean",
    ),
    (
        "insert into user_location_preferences (user_id, location_code) "
        "values (%(me)s, 'utrecht'), (%(me)s, 'atlantis')",
        psycopg.errors.ForeignKeyViolation,
        'unknown region code "atlantis"',
    ),
    (
        "insert into user_location_preferences (user_id, location_code, location_name) "
        "values (%(me)s, 'utrecht', repeat('u', 101))",
        psycopg.errors.CheckViolation,
        "location_name_length",
    ),
    (
        "insert into user_location_preferences (user_id, location_code) values ('niet-een-uuid', 'utrecht')",
        psycopg.errors.InvalidTextRepresentation,
        "uuid",
    ),
    (
        "update user_location_preferences set location_code = 'nergens'",
        psycopg.errors.ForeignKeyViolation,
        'unknown region code "nergens"',
    ),
]


@pytest.mark.parametrize(("statement", "error", "message"), CASES, ids=[c[2] for c in CASES])
def test_bad_input_is_refused_by_name(market, partner, statement, error, message):
    before = snapshot(market)
    with request_as(market.conn, partner, commit=True) as db, pytest.raises(error, match=message):
        db.execute(statement, {"me": partner.user_id})
    assert snapshot(market) == before
