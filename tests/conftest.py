"""Fixtures: one real PostgreSQL 15 server, deployed once per session the way users deploy.

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
DEFAULT_URL = "postgresql://postgres@127.0.0.1:54330/postgres"


def _server_url() -> str:
    url = os.environ.get("LEADSTROOM_TEST_DB")
    if url:
        return url
    cluster = [str(ROOT / "scripts/pg_cluster.sh"), "fresh", str(ROOT / ".pg/test"), "54330"]
    subprocess.run(
        cluster,
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PG_EXTRA_CONF": "cron.host = '/nonexistent'"},  # pg_cron never fires mid-test
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


@pytest.fixture
def db(database_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection as the project owner (like the SQL console) on an empty marketplace."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("set client_min_messages = warning")
        Marketplace(conn).reset()
        yield conn


@pytest.fixture
def market(db: psycopg.Connection) -> Marketplace:
    return Marketplace(db)


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
