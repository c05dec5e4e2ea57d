"""The database built by pushing the migrations holds exactly the definitions in sql/functions/ and sql/views/:
no function or view without its file, no extra overload, the same bodies, settings and grants."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_FILES = sorted((ROOT / "sql" / "functions").glob("*.sql"))
VIEW_FILES = sorted((ROOT / "sql" / "views").glob("*.sql"))

OURS = (
    "n.nspname in ('public', 'private', 'guarded') "
    "and not exists (select from pg_depend d where d.objid = {oid} and d.deptype = 'e')"
)
# grants as a sorted list, so the order in which they were given does not matter
GRANTS = "array(select format('%s:%s', a.grantee::regrole, a.privilege_type) from aclexplode({acl}) a order by 1)::text"

FUNCTIONS = f"""
select p.oid::regprocedure::text as signature, pg_get_functiondef(p.oid) as definition,
       {GRANTS.format(acl="p.proacl")} as grants, p.xmin = pg_current_xact_id()::xid as written_now
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where {OURS.format(oid="p.oid")}
order by 1
"""
VIEWS = f"""
select c.oid::regclass::text as signature, pg_get_viewdef(c.oid) as definition,
       {GRANTS.format(acl="c.relacl")} as grants, c.xmin = pg_current_xact_id()::xid as written_now
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'v' and {OURS.format(oid="c.oid")}
order by 1
"""


def test_one_file_per_function_and_view(db):
    names = {
        r["name"]
        for r in db.execute(
            "select n.nspname || '.' || p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
            f"where {OURS.format(oid='p.oid')} union all "
            "select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            f"where c.relkind = 'v' and {OURS.format(oid='c.oid')}"
        )
    }
    assert names == {path.stem for path in FUNCTION_FILES + VIEW_FILES}


def _compare(db, query: str, files: list[Path]) -> None:
    migrated = {r["signature"]: r for r in db.execute(query)}
    with db.transaction(force_rollback=True):
        db.execute("set local check_function_bodies = off")
        for path in files:
            db.execute(path.read_text())
        from_files = {r["signature"]: r for r in db.execute(query)}
    # every object in the database was (re)written by some file: an extra overload or a stray object is not
    not_in_files = sorted(s for s, r in from_files.items() if not r["written_now"])
    assert not not_in_files, f"in the database but defined by no file: {not_in_files}"
    assert from_files.keys() == migrated.keys(), "a file defines something the migrations do not"
    for signature, row in from_files.items():
        assert row["definition"] == migrated[signature]["definition"], (
            f"{signature}: the file differs from the migrations; add a migration (make migration NAME=... FILES=...)"
        )
        assert row["grants"] == migrated[signature]["grants"], f"{signature}: grants differ"


def test_migrated_functions_equal_the_files(db):
    _compare(db, FUNCTIONS, FUNCTION_FILES)


def test_migrated_views_equal_the_files(db):
    _compare(db, VIEWS, VIEW_FILES)
