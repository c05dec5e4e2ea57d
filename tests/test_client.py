"""The leadstroom client and command over both transports: supabase-py against the PostgREST test double
(tests/postgrest_double.py) and psycopg directly, on the same real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from leadstroom import CannotConnect, connect
from leadstroom.cli import main

from tests.postgrest_double import PostgrestDouble

ROOT = Path(__file__).resolve().parent.parent
SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
PARTNER = uuid.UUID("5a1e0000-0000-4000-8000-000000000001")
OTHER = uuid.UUID("5a1e0000-0000-4000-8000-000000000002")


@pytest.fixture
def double(database_url):
    server = PostgrestDouble(database_url, SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def transports(double, database_url):
    """The command-line options of each transport, as an admin would configure them."""
    return {
        "supabase": ["--supabase-url", double.url, "--key", double.token("service_role")],
        "direct": ["--database-url", database_url],
    }


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, *args: str):
    code, out, err = cli(capsys, "--json", *args)
    assert code == 0, err
    return json.loads(out)


def sop_scenario(market):
    """The SOP's partner (loodgieter, zuid-holland, 50 a month) and a second, older combination."""
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50, partner_id=PARTNER)
    market.sql("update auth.users set email = 'info@loodgieter-maas.example' where id = %s", (PARTNER,))
    market.sql("update profiles set company_name = 'Loodgietersbedrijf Maas' where id = %s", (PARTNER,))
    market.partner(["schilder"], ["utrecht", "limburg"], max_open_leads=12, partner_id=OTHER)
    # ids the database would draw at random are fixed, so two builds of the scenario are the same
    market.sql("update subscriptions set id = '5b5c0000-0000-4000-8000-000000000001' where user_id = %s", (PARTNER,))


def without_timestamps(value):
    if isinstance(value, dict):
        return {k: without_timestamps(v) for k, v in value.items() if not k.endswith("_at")}
    if isinstance(value, list):
        return [without_timestamps(v) for v in value]
    return value


def every_command(capsys, transport):
    commands = [
        ["combos"],
        ["segments"],
        ["sync"],
        ["sync", "--method", "capacity"],
        ["segments", "--all"],
        ["plan", "--date", "2026-11-27", "--force"],
        ["plans", "--date", "2026-11-27"],
        ["sync", "--dry-run"],
        ["overview"],
        ["segments", "loodgieter_zuid_holland"],
        ["explain", "info@loodgieter-maas.example"],
        ["hold", "schilder_utrecht", "--reason", "geen budget"],
        ["release", "schilder_utrecht"],
        ["runs", "2"],
        ["explain", str(PARTNER)],
        ["explain", str(OTHER)],
        ["manual-test"],
        ["runs", "--limit", "5"],
    ]
    return {" ".join(c): without_timestamps(cli_json(capsys, *transport, *c)) for c in commands}


def test_both_transports_give_identical_results(market, transports, capsys):
    results = {}
    for name, transport in transports.items():
        market.reset()
        sop_scenario(market)
        results[name] = every_command(capsys, transport)
    assert results["supabase"] == results["direct"]
    direct = results["direct"]
    assert direct["sync"]["created_codes"] == ["loodgieter_zuid_holland", "schilder_limburg", "schilder_utrecht"]
    assert direct["sync --method capacity"]["unchanged"] == 3
    assert [(r["kind"], r["trigger"]) for r in direct["runs --limit 5"]] == [
        ("plan", "cli"),
        ("sync", "cli"),
        ("sync", "change"),  # the release reactivated schilder_utrecht at once
        ("plan", "cli"),
        ("sync", "cli"),
    ]
    assert direct["sync --dry-run"]["dry_run"] is True
    assert direct["explain info@loodgieter-maas.example"] == direct[f"explain {PARTNER}"]
    assert direct["hold schilder_utrecht --reason geen budget"]["hold_reason"] == "geen budget"
    assert direct["release schilder_utrecht"]["is_active"] is True
    assert [p["email"] for p in direct["segments loodgieter_zuid_holland"]] == ["info@loodgieter-maas.example"]
    assert {r["code"] for r in direct["plans --date 2026-11-27"]} == {
        "loodgieter_zuid_holland",
        "schilder_limburg",
        "schilder_utrecht",
    }
    assert {r["caller"] for r in direct["runs --limit 5"]} == {"service_role"}


@pytest.mark.parametrize(
    "command",
    [
        ["combos"],
        ["segments", "--all"],
        ["segments", "loodgieter_zuid_holland"],
        ["overview"],
        ["plans", "--date", "2026-11-27"],
        ["runs"],
        ["runs", "1"],
        ["explain", str(PARTNER)],
        ["health"],
        ["sync", "--dry-run"],
        ["manual-test", "--yes"],
    ],
    ids=lambda c: " ".join(c),
)
def test_every_table_fits_80_columns(market, transports, command):
    """Without --wide, as an 80-column terminal shows it (a pipe gets 80 columns too)."""
    sop_scenario(market)
    market.sql("insert into leads (segment_id, created_at) select null, now()")
    run_command(*transports["direct"], "sync")
    run_command(*transports["direct"], "plan", "--date", "2026-11-27", "--force")
    market.sql("update segment_sync_runs set error = repeat('een lange foutmelding ', 12) where id = 1")
    result = run_command(*transports["direct"], *command)
    assert result.returncode in (0, 1), result.stderr
    lines = result.stdout.splitlines()
    assert lines, result.stderr
    too_long = [line for line in lines if len(line) > 80]
    assert not too_long, "\n".join(too_long)
    wide = run_command(*transports["direct"], *command, "--wide")
    assert wide.returncode == result.returncode


def test_times_are_shown_in_the_configured_time_zone_and_labelled(market, transports):
    sop_scenario(market)
    market.sql("update segment_sync_settings set timezone = 'Asia/Kolkata'")
    run_command(*transports["direct"], "sync")
    started = market.one("select started_at at time zone 'Asia/Kolkata' from segment_sync_runs where id = 1")
    result = run_command(*transports["direct"], "runs", "1")
    assert "started (Asia/Kolkata):" in result.stdout
    assert started.strftime("%Y-%m-%d %H:%M") in result.stdout


def test_one_run_in_full(market, transports):
    sop_scenario(market)
    run_command(*transports["direct"], "sync")
    result = run_command(*transports["direct"], "runs", "1")
    assert result.returncode == 0, result.stderr
    for expected in ("created:", "loodgieter_zuid_holland", "duration:", "SQLSTATE:", "trigger:"):
        assert expected in result.stdout
    missing = run_command(*transports["direct"], "runs", "999")
    assert_one_line_error(missing, 2, "not found", "no run with id 999")


def test_manual_test_shows_the_new_segment_and_its_target(market, transports, capsys):
    sop_scenario(market)
    market.sql("update profiles set is_active_for_routing = false where id = %s", (OTHER,))
    code, out, err = cli(capsys, *transports["supabase"], "manual-test")
    assert code == 0, err
    assert "Stap 5" in out
    assert "insert into user_location_preferences" in out
    target_lines = [line for line in out.splitlines() if "loodgieter_zuid_holland" in line and "1.33" in line]
    assert target_lines, out

    report = cli_json(capsys, *transports["direct"], "manual-test")
    assert report["sync"]["unchanged"] == 1
    assert report["targets"] == [], "nothing new in the second walkthrough"


def test_manual_test_json_lists_targets_of_new_segments(market, transports, capsys):
    sop_scenario(market)
    report = cli_json(capsys, *transports["direct"], "manual-test")
    targets = {t["code"]: t["target_leads_per_day"] for t in report["targets"]}
    # the second partner's 12 a month is shared by its two segments: 6 each, raised to the minimum of 5 a month
    assert targets == {"loodgieter_zuid_holland": 1.33, "schilder_limburg": 0.17, "schilder_utrecht": 0.17}
    assert report["changed"]["new"] == sorted(targets)


@pytest.mark.parametrize("transport", ["supabase", "direct"])
def test_result_check_fails_and_names_the_segment_when_the_database_is_inconsistent(
    market, transports, capsys, transport
):
    sop_scenario(market)
    cli(capsys, *transports[transport], "sync")
    market.sql("update profiles set is_active_for_routing = false where id = %s", (OTHER,))
    # by hand: a stray trigger keeps schilder_utrecht active whatever the sync decides
    market.sql(
        "create function pg_temp.keep_active() returns trigger language plpgsql as "
        "$$ begin new.is_active := true; return new; end $$"
    )
    market.sql(
        "create trigger keep_active before update on lead_segments for each row "
        "when (old.code = 'schilder_utrecht') execute function pg_temp.keep_active()"
    )
    try:
        code, _, err = cli(capsys, *transports[transport], "sync")
    finally:
        market.sql("drop trigger keep_active on lead_segments")
    assert code == 1
    assert err.startswith("leadstroom: check failed:")
    assert "active segment schilder_utrecht has no capacity combination" in err
    assert len(err.strip().splitlines()) == 1


RULE_FAILURES = {
    "routing active": "update profiles set is_active_for_routing = false where id = %(p)s",
    "not an admin": "update profiles set is_admin = true where id = %(p)s",
    "capacity above 0": "update subscriptions set is_paused = true where user_id = %(p)s",
    "active payment method": "update segment_sync_settings set require_active_payment_method = true",
    "enabled branches": "update user_industry_preferences set is_enabled = false where user_id = %(p)s",
    "enabled regions": "update user_location_preferences set is_enabled = false where user_id = %(p)s",
}


@pytest.mark.parametrize("rule", list(RULE_FAILURES))
@pytest.mark.parametrize("transport", ["supabase", "direct"])
def test_explain_names_the_rule_that_failed(market, transports, capsys, rule, transport):
    sop_scenario(market)
    market.sql(RULE_FAILURES[rule], {"p": PARTNER})
    rows = cli_json(capsys, *transports[transport], "explain", str(PARTNER))
    failed = [r["rule"] for r in rows if not r["passed"]]
    assert failed[0] == rule
    assert failed[-1] == "contributes to combinations"
    code, out, _ = cli(capsys, *transports[transport], "explain", str(PARTNER))
    assert code == 0
    assert any(rule in line and " no " in f" {line} " for line in out.splitlines()), out


def test_explain_for_a_partner_that_counts(market, transports, capsys):
    sop_scenario(market)
    market.sync()
    rows = cli_json(capsys, *transports["supabase"], "explain", str(PARTNER))
    assert all(r["passed"] for r in rows)
    assert rows[2]["reason"].startswith("50 leads a month from subscription")
    assert rows[6]["reason"] == "feeds loodgieter + zuid-holland"
    assert rows[7]["reason"] == "50 leads a month shared by 1 active segment: 50.00 each (loodgieter_zuid_holland)"


def run_command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed console script, as an admin runs it."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SUPABASE_URL")}
    return subprocess.run(
        [str(Path(sys.executable).with_name("leadstroom")), *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=60,
        check=False,
    )


def assert_one_line_error(result, exit_code, *fragments):
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_wrong_url_is_one_line(double):
    result = run_command("--supabase-url", "http://127.0.0.1:9", "--key", double.token("service_role"), "combos")
    assert_one_line_error(result, 2, "leadstroom: cannot connect", "127.0.0.1:9")
    result = run_command("--supabase-url", "supabase.example", "--key", double.token("service_role"), "combos")
    assert_one_line_error(result, 2, "leadstroom: invalid input", "is not an http(s) URL")


def test_wrong_database_url_is_one_line():
    result = run_command("combos", env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:9/postgres"})
    assert_one_line_error(result, 2, "leadstroom: cannot connect")


def test_wrong_key_is_one_line(double):
    forged = PostgrestDouble.token(double, "service_role").rsplit(".", 1)[0] + ".c2lnbmF0dXJl"
    result = run_command("combos", env={"SUPABASE_URL": double.url, "SUPABASE_SERVICE_ROLE_KEY": forged})
    assert_one_line_error(result, 2, "leadstroom: credentials refused")
    result = run_command("combos", env={"SUPABASE_URL": double.url, "SUPABASE_SERVICE_ROLE_KEY": "not a key"})
    assert_one_line_error(result, 2, "leadstroom: credentials refused", "SUPABASE_SERVICE_ROLE_KEY")


def test_non_admin_token_is_one_line(market, double):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=5)
    env = {
        "SUPABASE_URL": double.url,
        "SUPABASE_ANON_KEY": double.token("anon"),
        "LEADSTROOM_ACCESS_TOKEN": double.token(
            "authenticated", str(partner), user_metadata={"is_admin": True}, app_metadata={"role": "admin"}
        ),
    }
    result = run_command("sync", env=env)
    assert_one_line_error(result, 2, "leadstroom: not an admin", "only admins may do this")
    assert market.one("select count(*) from lead_segments") == 0


def test_admin_user_token_works(market, double, capsys):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=5)
    admin = market.user(admin=True)
    token = double.token("authenticated", str(admin))
    result = cli_json(
        capsys, "--supabase-url", double.url, "--key", double.token("anon"), "--access-token", token, "sync"
    )
    assert result["created_codes"] == ["loodgieter_zuid_holland"]
    assert market.last_run()["caller"] == f"user:{admin}"


@pytest.mark.parametrize("transport", ["supabase", "direct"])
def test_unknown_method_is_one_line(market, transports, transport):
    result = run_command(*transports[transport], "sync", "--method", "preferences")
    assert_one_line_error(result, 2, "leadstroom: invalid method", "supported methods: capacity")
    assert market.one("select count(*) from segment_sync_runs") == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["explain", "not-a-uuid"], "not a partner id"),
        (["plan", "--date", "27-11-2026"], "not a date"),
        (["runs", "--limit", "0"], "not a positive whole number"),
        (["frobnicate"], "invalid choice"),
        (["hold", "loodgieter_zuid_holland"], "--reason"),
    ],
)
def test_bad_usage_exits_2_with_one_line(args, fragment):
    result = run_command("--database-url", "postgresql://unused", *args)
    assert_one_line_error(result, 2, "leadstroom: usage:", fragment)


def test_version():
    result = run_command("--version")
    assert (result.returncode, result.stdout.strip()) == (0, "leadstroom 0.1.0")


def test_plan_refuses_a_date_far_from_today_unless_forced(market, transports, capsys):
    sop_scenario(market)
    code, _, err = cli(capsys, *transports["direct"], "plan", "--date", "1900-01-01")
    assert code == 2
    assert "plans are for today ± 7 days: add --force" in err
    assert market.one("select count(*) from lead_segment_plans") == 0
    assert cli(capsys, *transports["direct"], "plan", "--date", "1900-01-01", "--force")[0] == 0


def test_unknown_partner_and_missing_configuration(transports, market):
    result = run_command(*transports["direct"], "explain", str(uuid.uuid4()))
    assert_one_line_error(result, 2, "leadstroom: not found", "no partner with id")
    result = run_command("combos")
    assert_one_line_error(result, 2, "not configured", "DATABASE_URL")


def test_the_double_maps_errors_as_postgrest_documents(market, double):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=5)

    def post(token, body):
        return httpx.post(
            f"{double.url}/rest/v1/rpc/admin_sync_segments",
            json=body,
            headers={"apikey": double.token("anon"), "Authorization": f"Bearer {token}"},
        )

    anon = post(double.token("anon"), {"method": "capacity"})
    assert (anon.status_code, anon.json()["code"]) == (401, "42501")
    partner_call = post(double.token("authenticated", str(partner)), {"method": "capacity"})
    assert (partner_call.status_code, partner_call.json()["code"]) == (403, "42501")
    bad_method = post(double.token("service_role"), {"method": "Capacity"})
    assert (bad_method.status_code, bad_method.json()["code"]) == (400, "22023")
    assert "supported methods: capacity" in bad_method.json()["message"]
    unknown_argument = post(double.token("service_role"), {"methode": "capacity"})
    assert (unknown_argument.status_code, unknown_argument.json()["code"]) == (404, "PGRST202")
    ok = post(double.token("service_role"), {"method": "capacity"})
    assert (ok.status_code, ok.json()["created"]) == (200, 1)


def test_a_lost_connection_is_cannot_connect(market, database_url):
    with connect(database_url=database_url) as client:
        client.combos()
        market.sql("select pg_terminate_backend(%s)", (client.transport.conn.info.backend_pid,))
        with pytest.raises(CannotConnect):
            client.combos()


def test_a_refusal_that_is_not_the_admin_check_is_not_called_not_an_admin(market, database_url):
    """A login that may not switch to the API role gets 42501 "permission denied to set role": a refused
    permission, named as such, not "not an admin"."""
    market.sql("drop role if exists leadstroom_outsider")
    market.sql("create role leadstroom_outsider login")
    try:
        outsider = database_url.replace("postgresql://postgres@", "postgresql://leadstroom_outsider@", 1)
        result = run_command("combos", env={"DATABASE_URL": outsider})
        assert_one_line_error(result, 2, "leadstroom: permission denied", "set role")
        assert "not an admin" not in result.stderr
    finally:
        market.sql("drop role leadstroom_outsider")
