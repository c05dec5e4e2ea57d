"""Following at marketplace scale on a server with PostgreSQL's default lock settings: the sync, one statement that
changes every combination, switching following on, a hold, the preview and a TRUNCATE over 20,000+ combinations
(an advisory lock per combination ran out of the shared lock table here), and a statement changing many rows in
one pass without building an array of its rows."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.conftest import platform_url

BRANCHES, REGIONS = 101, 200  # 20,200 combinations

LOAD = """
set session_replication_role = replica;  -- a bulk load, as bench/ does: following is not asked to watch it
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
"""


def load(market, regions: int = REGIONS) -> None:
    market.platform.execute(LOAD.format(branches=BRANCHES, regions=regions))
    assert market.one("select count(*) from get_branch_region_capacity_combos()") == BRANCHES * regions


@pytest.fixture
def wide(market):
    load(market)
    return market


def todays_plans(market) -> list[dict]:
    return market.sql(
        "select segment_id, capacity_partners, capacity_total_leads, capacity_allocated, capacity_open, "
        "target_leads_per_month, target_leads_per_day from lead_segment_plans "
        "where date = (now() at time zone 'Europe/Amsterdam')::date order by segment_id"
    )


def active(market) -> int:
    return market.one("select count(*) from lead_segments where is_active")


def test_everything_that_writes_segments_works_over_20000_combinations(wide):
    market = wide
    assert market.one("show max_locks_per_transaction") == "64"
    total = BRANCHES * REGIONS
    assert market.one("select preview_segment_sync() ->> 'created'") == str(total)
    assert market.sync()["created"] == total
    market.follow()
    market.sql("update profiles set is_active_for_routing = false")  # one statement, every combination
    assert active(market) == 0
    market.follow(False)
    market.sql("update profiles set is_active_for_routing = true")
    assert active(market) == 0, "following off: the sync decides"
    market.follow()  # switching on reconciles everything at once
    assert active(market) == total
    followed = todays_plans(market)  # the 20,200 segments it activated, planned in one pass
    assert len(followed) == total
    market.plan()
    assert todays_plans(market) == followed, "following planned them otherwise than the planner"
    market.sql("select hold_segment('b1_r1', 'no budget')")
    assert active(market) == total - 1
    market.sql("truncate user_location_preferences")
    assert active(market) == 0
    assert market.sync()["fixed"] == 0


def blocks_per_segment_of_a_first_sync(market, regions: int) -> float:
    """Blocks read by a first sync (above 2,000 combinations: the many-combination path) per segment created."""
    market.reset()
    load(market, regions)
    market.platform.execute("analyze public.lead_segments")  # empty: what the planner knows before the first sync
    market.platform.execute("select extensions.pg_stat_statements_reset()")
    assert market.sync()["created"] == BRANCHES * regions
    blocks = market.platform.execute(
        "select sum(shared_blks_hit + shared_blks_read)::int as blocks from extensions.pg_stat_statements "
        "where toplevel and query like '%%sync_segments_capacity%%'"
    ).fetchone()["blocks"]
    return blocks / (BRANCHES * regions)


def test_a_first_sync_of_20000_segments_is_linear_and_leaves_the_planner_their_number(market):
    """The segments to create are read before the first is inserted: a statement that looked up codes in
    lead_segments while inserting into it scanned its new rows again for each one (per segment, 3x more blocks
    at 20,200 than at 3,030: quadratic, hours at 200,000). And until autovacuum analyzes it, the planner takes a
    table that was empty for empty: the sync's comparison and the day's plans after a first sync would join
    200,000 segments as if there were none."""
    few = blocks_per_segment_of_a_first_sync(market, 30)  # 3,030 combinations
    many = blocks_per_segment_of_a_first_sync(market, REGIONS)  # 20,200
    assert many <= 2 * few, f"blocks per segment created grew with the sync: {few:.0f} -> {many:.0f}"
    planned = market.one("select reltuples from pg_class where oid = 'public.lead_segments'::regclass")
    assert planned >= 0.9 * BRANCHES * REGIONS, f"the planner thinks lead_segments has {planned} rows"


def test_a_statement_changing_many_rows_is_followed_in_one_pass_without_an_array_of_its_rows(market, database_url):
    """The same function calls for 100 changed rows as for 20,000 (counted for this transaction alone), and no
    statement packs the transition table's rows into an array."""
    market.follow()
    partners = [market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=1) for _ in range(4)]

    def calls_following(rows: int) -> dict[str, int]:
        market.platform.execute(
            "insert into public.subscriptions (user_id, status, leads_per_month, created_at) "
            "select %s, 'cancelled', 1, now() - interval '1 day' from generate_series(1, %s)",
            (partners[0], rows),
        )
        market.platform.execute("select extensions.pg_stat_statements_reset()")
        # a backend of its own: PostgreSQL counts a backend's earlier transactions too until it reports them
        with psycopg.connect(platform_url(database_url), autocommit=True) as own, own.transaction():
            own.execute("set local track_functions = 'all'")  # the platform's setting to make
            own.execute(
                "update public.subscriptions set leads_per_month = leads_per_month + 1 where status = 'cancelled'"
            )
            # the row triggers' bookkeeping (updated_at) runs per row by design: following is what is counted
            calls = {
                r["funcname"]: r["calls"]
                for r in own.cursor(row_factory=dict_row).execute(
                    "select funcname, calls from pg_stat_xact_user_functions where funcid not in ("
                    "select tgfoid from pg_trigger where tgrelid = 'public.subscriptions'::regclass and tgtype & 1 = 1)"
                )
            }
        market.platform.execute("delete from public.subscriptions where status = 'cancelled'")
        return calls

    few, many = calls_following(100), calls_following(20_000)
    assert few == many, "calls per changed row, or a different path for big statements"
    assert "follow_keys" in many
    packed = [
        r["query"]
        for r in market.platform.execute(
            "select query from extensions.pg_stat_statements where query like '%%jsonb_agg%%' "
            "and (query like '%%new_rows%%' or query like '%%old_rows%%')"
        )
    ]
    assert not packed, "the transition table's rows were packed into one array"
    assert market.sync()["fixed"] == 0
