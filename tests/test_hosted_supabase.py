"""As a hosted Supabase project runs it: Supabase's own advisors pass, the migrations ran as a `postgres` that is
not a superuser, and a deploy onto an existing project touches nothing that is not ours (or stops first)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PORT_BASE, platform_url

ROOT = Path(__file__).resolve().parent.parent
EXISTING_PROJECT_DIR = ROOT / ".pg" / "existing-project"
EXISTING_PROJECT_PORT = str(PORT_BASE + 2)

# INFO findings the README lists with the reason they stay (see "Supabase's advisors")
ACCEPTED_INFO = {"unused_index"}


def supabase(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["npx", "--no-install", "supabase", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_supabase_advisors_find_nothing_to_warn_about(database_url):
    result = supabase(
        "db", "advisors", f"--remote={database_url}?sslmode=disable", "--type", "all", "--level", "info",
        "--output-format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["results"]
    serious = [f"{f['level']} {f['name']}: {f['detail']}" for f in findings if f["level"] != "INFO"]
    assert not serious
    unexplained = sorted({f["name"] for f in findings} - ACCEPTED_INFO)
    assert not unexplained, f"INFO findings neither fixed nor listed in the README: {unexplained}"


def test_the_migrations_ran_as_a_postgres_that_is_not_a_superuser(db):
    assert db.execute("select rolsuper from pg_roles where rolname = 'postgres'").fetchone()["rolsuper"] is False
    owners = db.execute(
        "select distinct pg_get_userbyid(c.relowner) as owner from pg_class c "
        "where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace, 'guarded'::regnamespace) "
        "union select distinct pg_get_userbyid(p.proowner) from pg_proc p "
        "where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace, 'guarded'::regnamespace)"
    ).fetchall()
    assert [r["owner"] for r in owners] == ["postgres"]
    assert db.execute("select current_user").fetchone()["current_user"] == "postgres"


@pytest.fixture(scope="module")
def existing_project() -> Iterator[str]:
    """A second throwaway cluster: a Supabase project that already has tables and functions of its own."""
    cluster = str(ROOT / "scripts/pg_cluster.sh")
    url = subprocess.run(
        [cluster, "fresh", str(EXISTING_PROJECT_DIR), EXISTING_PROJECT_PORT],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PG_EXTRA_CONF": "cron.host = '/nonexistent'"},
    ).stdout.strip()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create table public.todos (id bigint primary key, task text)")
        conn.execute("create function public.hello() returns text language sql as $$select 'hi'$$")
    try:
        yield url
    finally:
        subprocess.run([cluster, "stop", str(EXISTING_PROJECT_DIR)], check=False)


def snapshot_of_what_is_not_ours(url: str) -> dict[str, object]:
    with psycopg.connect(url) as conn:
        return {
            "todos": conn.execute(
                "select array(select unnest(relacl)::text order by 1)::text from pg_class "
                "where oid = 'public.todos'::regclass"
            ).fetchone(),
            "hello": conn.execute(
                "select array(select unnest(proacl)::text order by 1)::text from pg_proc "
                "where oid = 'public.hello()'::regprocedure"
            ).fetchone(),
            "default privileges": conn.execute(
                "select coalesce(defaclnamespace::regnamespace::text, '(all schemas)'), defaclobjtype, "
                "array(select unnest(defaclacl)::text order by 1)::text "
                "from pg_default_acl order by 1, 2"
            ).fetchall(),
        }


def test_a_push_onto_a_project_with_a_conflicting_table_stops_before_changing_anything(existing_project):
    with psycopg.connect(existing_project, autocommit=True) as conn:
        conn.execute("create table public.profiles (id uuid primary key, username text)")
    try:
        result = supabase("db", "push", f"--remote={existing_project}?sslmode=disable", "--yes")
        assert result.returncode != 0
        output = result.stdout + result.stderr
        assert "leadstroom cannot be deployed onto this project: it already has table public.profiles" in output
        with psycopg.connect(existing_project) as conn:
            ours = conn.execute(
                "select count(*) from pg_namespace where nspname in ('private', 'guarded') "
                "union all select count(*) from pg_class where relname in ('industries', 'lead_segments')"
            ).fetchall()
            assert ours == [(0,), (0,)], "the stopped push left objects behind"
            assert conn.execute("select count(*) from cron.job").fetchone() == (0,)
    finally:
        with psycopg.connect(existing_project, autocommit=True) as conn:
            conn.execute("drop table public.profiles")


def test_a_deploy_changes_no_grant_or_default_privilege_that_is_not_ours(existing_project):
    before = snapshot_of_what_is_not_ours(existing_project)
    assert "anon=" in before["todos"][0], "the stand-in grants a new table to the API roles, as Supabase does"
    result = supabase("db", "push", f"--remote={existing_project}?sslmode=disable", "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot_of_what_is_not_ours(existing_project) == before
    with psycopg.connect(platform_url(existing_project)) as conn:  # our note of foreign grants is gone too
        assert conn.execute("select to_regclass('private.foreign_api_grants')").fetchone() == (None,)
