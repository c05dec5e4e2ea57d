"""`supabase db lint` (plpgsql_check) finds no warning or error in any function body of the deployed database."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_supabase_db_lint_is_clean(database_url):
    result = subprocess.run(
        [
            "npx",
            "--no-install",
            "supabase",
            "db",
            "lint",
            f"--remote={database_url}?sslmode=disable",
            "--schema",
            "public,private",
            "--level",
            "warning",
            "--fail-on",
            "warning",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No schema errors found" in result.stdout + result.stderr
