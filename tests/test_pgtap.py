"""Runs the pgTAP files in supabase/tests/ with psql, each in its own rolled-back transaction, on an empty
marketplace, and fails on any `not ok` or a plan that does not add up."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PGTAP_FILES = sorted((ROOT / "supabase" / "tests").rglob("*.sql"))


@pytest.mark.parametrize("path", PGTAP_FILES, ids=[p.stem for p in PGTAP_FILES])
def test_pgtap(db, database_url, path):
    result = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", database_url, "-f", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"PGOPTIONS": "-c client_min_messages=warning"},
    )
    output = result.stdout
    assert result.returncode == 0, output + result.stderr
    plan = re.search(r"^1\.\.(\d+)$", output, re.M)
    assert plan, f"no TAP plan in output:\n{output}"
    failures = [line for line in output.splitlines() if line.startswith("not ok")]
    assert not failures, output
    passed = [line for line in output.splitlines() if line.startswith("ok ")]
    assert len(passed) == int(plan.group(1)), output
