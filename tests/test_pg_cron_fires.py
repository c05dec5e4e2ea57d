"""End to end with a pg_cron that really fires: a cluster of its own where pg_cron can run jobs (the shared test
cluster keeps it silent), in both of pg_cron's modes; the nightly job's command scheduled every minute; a firing
that fails and the next one that retries and succeeds, each seen in both segment_sync_runs and pg_cron's
cron.job_run_details. Bounded: each firing is waited for at most 100 seconds."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PORT_BASE
from tests.test_nightly import NIGHTLY, zone_at_local_noon

ROOT = Path(__file__).resolve().parent.parent
EVERY_MINUTE = "leadstroom-nightly-every-minute"
# pg_cron runs a job over a libpq connection (the default) or in a background worker; the nightly command,
# a DO block that commits twice, must work in both
MODES = {
    "libpq": (str(PORT_BASE + 4), "cron.host = '127.0.0.1'"),
    "background-worker": (str(PORT_BASE + 6), "cron.use_background_workers = on; max_worker_processes = 16"),
}


@pytest.fixture(params=list(MODES))
def firing_db(request) -> Iterator[str]:
    port, conf = MODES[request.param]
    cluster, directory = str(ROOT / "scripts/pg_cluster.sh"), str(ROOT / ".pg" / f"cron-{request.param}")
    url = subprocess.run(
        [cluster, "fresh", directory, port],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PG_EXTRA_CONF": conf},
    ).stdout.strip()
    try:
        subprocess.run([str(ROOT / "scripts/deploy_local.sh"), url], check=True, cwd=ROOT, capture_output=True)
        yield url
    finally:
        subprocess.run([cluster, "stop", directory], check=False)


def wait_for_firing(conn: psycopg.Connection, after_runid: int) -> dict:
    for _ in range(200):
        row = conn.execute(
            "select d.runid, d.status, d.return_message from cron.job_run_details d join cron.job j using (jobid) "
            "where j.jobname = %s and d.runid > %s and d.status in ('succeeded', 'failed') order by d.runid limit 1",
            (EVERY_MINUTE, after_runid),
        ).fetchone()
        if row:
            return {"runid": row[0], "status": row[1], "message": row[2]}
        time.sleep(0.5)
    raise AssertionError("pg_cron did not fire within 100 seconds")


def test_pg_cron_fires_the_nightly_command_a_failed_night_shows_everywhere_and_is_retried(firing_db):
    with psycopg.connect(firing_db, autocommit=True) as conn:
        utc_hour = conn.execute("select extract(hour from now() at time zone 'UTC')::integer").fetchone()[0]
        conn.execute(
            "update segment_sync_settings set timezone = %s, run_at_local_time = '03:00'",
            (zone_at_local_noon(utc_hour),),
        )
        conn.execute(
            """
            insert into auth.users (id, email) values ('5a1e0000-0000-4000-8000-0000000000c1', 'cron@example.nl');
            insert into profiles (id, is_active_for_routing, max_open_leads)
            values ('5a1e0000-0000-4000-8000-0000000000c1', true, 30);
            insert into industries (name, slug) values ('Loodgieter', 'loodgieter');
            insert into user_industry_preferences (user_id, industry_id)
            select '5a1e0000-0000-4000-8000-0000000000c1', id from industries;
            update segment_sync_settings set follow_partner_changes = false;
            insert into user_location_preferences (user_id, location_code)
            values ('5a1e0000-0000-4000-8000-0000000000c1', 'zuid-holland');
            create function public.zz_fail() returns trigger language plpgsql set search_path = ''
            as $$ begin raise exception 'injected failure'; end $$;
            create trigger zz_fail before insert on lead_segments for each row execute function public.zz_fail();
            """
        )
        command = conn.execute("select command from cron.job where jobname = %s", (NIGHTLY,)).fetchone()[0]
        conn.execute("select cron.unschedule(%s)", (NIGHTLY,))  # only our every-minute copy fires here
        conn.execute("select cron.schedule(%s, '* * * * *', %s)", (EVERY_MINUTE, command))
        try:
            failed = wait_for_firing(conn, 0)
            assert failed["status"] == "failed", failed
            assert "injected failure" in failed["message"]
            runs = conn.execute("select kind, status, trigger from segment_sync_runs order by id").fetchall()
            assert runs == [("sync", "failed", "cron")], "the failed night is on record, no planner after it"

            conn.execute("drop trigger zz_fail on lead_segments")
            retried = wait_for_firing(conn, failed["runid"])
            assert retried["status"] == "succeeded", retried
            runs = conn.execute("select kind, status from segment_sync_runs where trigger = 'cron' order by id")
            assert runs.fetchall() == [("sync", "failed"), ("sync", "succeeded"), ("plan", "succeeded")]
            assert conn.execute("select code from lead_segments where is_active").fetchall() == [
                ("loodgieter_zuid_holland",)
            ]
        finally:
            conn.execute("select cron.unschedule(%s)", (EVERY_MINUTE,))
