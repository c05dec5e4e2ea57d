"""Fixtures: one real PostgreSQL server (15 or 17), deployed once per session the way users deploy.

The server is the throwaway cluster that `make test` starts (LEADSTROOM_TEST_DB); run alone, pytest starts
it itself. pytest-postgresql's `postgresql_noproc` describes that server. The session deploys with the
Supabase stand-in and `supabase db push`; every test then starts from an empty marketplace (data tables
truncated, settings reset). pg_cron lives in the one database named by cron.database_name, so tests share
that database instead of cloning a template.
"""

from __future__ import annotations

import atexit
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg.rows import dict_row
from pytest_postgresql import factories

from tests.marketplace import Marketplace

ROOT = Path(__file__).resolve().parent.parent
# every throwaway cluster's port is an offset from one base (the Makefile's too), so two checkouts can test at once
PORT_BASE = int(os.environ.get("LEADSTROOM_PORT_BASE", "25430"))
DEFAULT_URL = f"postgresql://postgres@127.0.0.1:{PORT_BASE}/postgres"
# as the Makefile's TEST_CONF: pg_cron never fires mid-test; statements inside functions are counted
TEST_CONF = "cron.host = '/nonexistent'; pg_stat_statements.track = all"


def _server_url() -> str:
    url = os.environ.get("LEADSTROOM_TEST_DB")
    if url:
        return url
    cluster = [str(ROOT / "scripts/pg_cluster.sh"), "fresh", str(ROOT / ".pg/test"), str(PORT_BASE)]
    subprocess.run(
        cluster,
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PG_EXTRA_CONF": TEST_CONF},
    )
    atexit.register(subprocess.run, [cluster[0], "stop", cluster[2]], check=False)  # started here, stopped here
    return DEFAULT_URL


SERVER_URL = _server_url()
_parts = urlparse(SERVER_URL)
postgresql_noproc = factories.postgresql_noproc(
    host=_parts.hostname, port=_parts.port, user=_parts.username, dbname=_parts.path.lstrip("/")
)


@pytest.fixture(scope="session")
def database_url(postgresql_noproc) -> str:
    """The deployed database: stand-in, then every migration through `supabase db push`."""
    url = (
        f"postgresql://{postgresql_noproc.user}@{postgresql_noproc.host}:{postgresql_noproc.port}"
        f"/{postgresql_noproc.dbname}"
    )
    subprocess.run([str(ROOT / "scripts/deploy_local.sh"), url], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return url


def platform_url(url: str) -> str:
    """The same server as its superuser, `supabase_admin` (the platform): `postgres` is not one, as on Supabase."""
    return url.replace("postgresql://postgres@", "postgresql://supabase_admin@", 1)


@pytest.fixture
def platform(database_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit superuser connection, for what only the platform does (never for the product's work)."""
    with psycopg.connect(platform_url(database_url), autocommit=True, row_factory=dict_row) as conn:
        conn.execute("set client_min_messages = warning")
        yield conn


@pytest.fixture
def db(database_url: str, platform: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """An autocommit connection as the project owner `postgres` (like the SQL console) on an empty marketplace."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("set client_min_messages = warning")
        Marketplace(conn, platform).reset()
        yield conn


@pytest.fixture
def market(db: psycopg.Connection, platform: psycopg.Connection) -> Marketplace:
    return Marketplace(db, platform)


@pytest.fixture
def connect(database_url: str) -> Iterator:
    """Opens extra connections (closed after the test), for concurrency tests."""
    opened: list[psycopg.Connection] = []

    def _connect(**kwargs) -> psycopg.Connection:
        conn = psycopg.connect(database_url, row_factory=dict_row, **kwargs)
        opened.append(conn)
        return conn

    yield _connect
    for conn in opened:
        conn.close()
