"""The database built by pushing the migrations holds exactly the definitions in sql/functions/."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_FILES = sorted((ROOT / "sql" / "functions").glob("*.sql"))

SNAPSHOT = """
select p.oid::regprocedure::text as signature,
       pg_get_functiondef(p.oid) as definition,
       coalesce(p.proacl::text, '') as grants
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
where n.nspname in ('public', 'private')
  and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
order by 1
"""


def test_one_file_per_function_and_no_function_without_a_file(db):
    in_database = {
        r["name"]
        for r in db.execute(
            "select n.nspname || '.' || p.proname as name from pg_proc p "
            "join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('public', 'private') "
            "and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')"
        )
    }
    in_files = {path.stem for path in FUNCTION_FILES}
    assert in_database == in_files


def test_migrated_definitions_and_grants_equal_the_files(db):
    migrated = {r["signature"]: r for r in db.execute(SNAPSHOT)}
    with db.transaction(force_rollback=True):
        db.execute("set local check_function_bodies = off")
        for path in FUNCTION_FILES:
            db.execute(path.read_text())
        from_files = {r["signature"]: r for r in db.execute(SNAPSHOT)}
    assert from_files.keys() == migrated.keys(), "a file defines a function the migrations do not"
    for signature, row in from_files.items():
        assert row["definition"] == migrated[signature]["definition"], (
            f"{signature}: sql/functions differs from the migrations; add a migration "
            "(make migration NAME=... FILES=...)"
        )
        assert row["grants"] == migrated[signature]["grants"], f"{signature}: grants differ"
