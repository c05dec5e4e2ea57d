"""The client's row types are what `supabase gen types --lang python` makes of the deployed schema today:
a migration that changes a table without regenerating them (make types) fails here."""

from pathlib import Path

from tests.test_hosted_supabase import supabase

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "python" / "leadstroom" / "database_types.py"


def test_committed_types_equal_a_fresh_generation(database_url):
    result = supabase(
        "gen", "types", "--lang", "python", "--schema", "public", f"--remote={database_url}?sslmode=disable"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == COMMITTED.read_text(), (
        "python/leadstroom/database_types.py differs from the schema: run `make types` and commit the result"
    )
