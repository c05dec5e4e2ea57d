"""The runbook's other names work as written: its Node script and its cron file."""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def node(script: str, database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["node", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin:/usr/local/bin"},
        check=False,
        timeout=60,
    )


def test_node_manual_test_script_runs_the_walkthrough(market, database_url):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    result = node("scripts/test-capacity-sync-manual.js", database_url, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["changed"]["new"] == ["loodgieter_zuid_holland"]
    assert report["targets"][0]["target_leads_per_day"] == 1.33


def test_cron_file_shows_the_jobs(market, database_url):
    result = node("cron/partnerMarketingJobs.js", database_url)
    assert result.returncode == 0, result.stderr
    assert "leadstroom-nightly-segment-sync | 0 * * * *" in result.stdout
