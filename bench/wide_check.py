"""Everything that writes segments, over 252,000 combinations (4,200 regions x 60 branches, one partner per branch
in every region) on a server with max_connections = 60 and PostgreSQL's default max_locks_per_transaction = 64:
the preview, a cold and a no-op sync, switching following on, a hold, one statement that changes every
combination, switching on after following was off, and a TRUNCATE. Each step is timed once and its outcome
checked; `make bench-wide` runs it on a fresh cluster. Not a test: it takes minutes (tests/test_follow_scale.py
does the same over 20,200 combinations in `make test`)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import platform_url

BRANCHES = 60

LOAD = """
set session_replication_role = replica;  -- a bulk load: following is not asked to watch it
insert into public.industries (name, slug) select 'Branche ' || b, 'b' || b from generate_series(1, {branches}) as b;
insert into public.regions (code, name) select 'r' || r, 'Regio ' || r from generate_series(1, {regions}) as r;
insert into auth.users (id, email)
select ('00000000-0000-0000-0000-' || lpad(b::text, 12, '0'))::uuid, 'p' || b || '@example.nl'
from generate_series(1, {branches}) as b;
insert into public.profiles (id, company_name, is_active_for_routing, max_open_leads)
select id, email, true, 10 from auth.users;
insert into public.user_industry_preferences (user_id, industry_id)
select ('00000000-0000-0000-0000-' || lpad(b::text, 12, '0'))::uuid, i.id
from generate_series(1, {branches}) as b inner join public.industries as i on i.slug = 'b' || b;
insert into public.user_location_preferences (user_id, location_code)
select u.id, r.code from auth.users as u cross join public.regions as r where r.code like 'r%';
reset session_replication_role;
analyze;
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--regions", type=int, default=4_200, help="x 60 branches: the combinations")
    args = parser.parse_args()
    total = BRANCHES * args.regions
    failures: list[str] = []

    with psycopg.connect(platform_url(args.db), autocommit=True) as platform:
        platform.execute(LOAD.format(branches=BRANCHES, regions=args.regions))
    with psycopg.connect(args.db, autocommit=True) as conn:

        def one(query: str) -> Any:
            row = conn.execute(query).fetchone()
            return row[0] if row else None

        def active() -> int:
            return one("select count(*) from lead_segments where is_active")

        def step(name: str, run: Callable[[], Any], expect: Callable[[], bool]) -> None:
            started = time.perf_counter()
            run()
            took = time.perf_counter() - started
            ok = expect()
            print(f"{name:<62} {took:8.1f} s  {'ok' if ok else 'NOT AS EXPECTED'}", flush=True)
            if not ok:
                failures.append(name)

        print(
            f"{total:,} combinations; max_locks_per_transaction = {one('show max_locks_per_transaction')}, "
            f"max_connections = {one('show max_connections')}"
        )
        preview: dict[str, Any] = {}
        step(
            "preview of the cold sync",
            lambda: preview.update(one("select preview_segment_sync()")),
            lambda: preview["created"] == total and active() == 0,
        )
        cold: dict[str, Any] = {}
        step("cold sync", lambda: cold.update(one("select sync_segments_capacity()")), lambda: cold["created"] == total)
        noop: dict[str, Any] = {}
        step("no-op sync", lambda: noop.update(one("select sync_segments_capacity()")), lambda: noop["fixed"] == 0)
        step(
            "following switched on (reconciles: nothing to change)",
            lambda: conn.execute("update segment_sync_settings set follow_partner_changes = true"),
            lambda: active() == total,
        )
        step(
            "a hold",
            lambda: conn.execute("select hold_segment('b1_r1', 'no budget')"),
            lambda: active() == total - 1,
        )
        step(
            "one statement: every partner stops routing (all combinations)",
            lambda: conn.execute("update profiles set is_active_for_routing = false"),
            lambda: active() == 0,
        )
        conn.execute("update segment_sync_settings set follow_partner_changes = false")
        conn.execute("update profiles set is_active_for_routing = true")
        step(
            "following switched on after changes made while off",
            lambda: conn.execute("update segment_sync_settings set follow_partner_changes = true"),
            lambda: active() == total - 1,
        )
        step(
            "truncate user_location_preferences",
            lambda: conn.execute("truncate user_location_preferences"),
            lambda: active() == 0,
        )
        last: dict[str, Any] = {}
        step(
            "sync after all that",
            lambda: last.update(one("select sync_segments_capacity()")),
            lambda: last["fixed"] == 0,
        )
    if failures:
        print(f"not as expected: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
