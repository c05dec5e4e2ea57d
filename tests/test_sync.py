"""The sync: create, reactivate, deactivate, never delete; stable codes; idempotent, serialized, atomic."""

import hashlib
import threading
import time

import psycopg
import pytest


def test_creates_an_active_segment_per_combination(market):
    market.partner(["loodgieter", "schilder"], ["zuid-holland"], leads_per_month=20)
    result = market.sync()
    assert result["status"] == "succeeded"
    assert result["created_codes"] == ["loodgieter_zuid_holland", "schilder_zuid_holland"]
    assert (result["total_combinations"], result["created"], result["activated"]) == (2, 2, 0)
    assert (result["deactivated"], result["unchanged"]) == (0, 0)
    assert market.active_codes() == ["loodgieter_zuid_holland", "schilder_zuid_holland"]
    segment = market.segments()["loodgieter_zuid_holland"]
    assert (segment["branch"], segment["region"]) == ("loodgieter", "zuid-holland")


def test_deactivates_when_capacity_goes_and_reactivates_when_it_returns(market):
    partner = market.partner(["loodgieter"], ["zuid-holland", "utrecht"], leads_per_month=20)
    market.sync()
    market.prefer_region(partner, "utrecht", enabled=False)
    result = market.sync()
    assert result["deactivated_codes"] == ["loodgieter_utrecht"]
    assert result["unchanged"] == 1
    assert market.active_codes() == ["loodgieter_zuid_holland"]
    assert market.segments()["loodgieter_utrecht"]["is_active"] is False

    market.prefer_region(partner, "utrecht", enabled=True)
    result = market.sync()
    assert result["activated_codes"] == ["loodgieter_utrecht"]
    assert (result["created"], result["activated"], result["unchanged"]) == (0, 1, 1)
    assert market.active_codes() == ["loodgieter_utrecht", "loodgieter_zuid_holland"]
    assert len(market.segments()) == 2, "reactivation reuses the segment, it does not create another"


def test_deactivates_everything_when_no_combination_is_left(market):
    partner = market.partner(["loodgieter", "schilder"], ["zuid-holland", "utrecht"], leads_per_month=20)
    market.sync()
    market.sql("update profiles set is_active_for_routing = false where id = %s", (partner,))
    assert market.combos() == []
    result = market.sync()
    assert result["total_combinations"] == 0
    assert result["deactivated"] == 4
    assert market.active_codes() == []
    assert len(market.segments()) == 4


def test_history_stays_attached_to_deactivated_segments(market):
    partner = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=20)
    market.sync()
    market.plan("2026-11-01")
    market.sql("insert into leads (segment_id) select id from lead_segments")
    market.sql("update profiles set max_open_leads = null where id = %s", (partner,))
    market.sql("update subscriptions set status = 'cancelled' where user_id = %s", (partner,))
    market.sync()
    assert market.one("select count(*) from lead_segment_plans where date = '2026-11-01'") == 1
    assert market.one("select count(*) from leads where segment_id is not null") == 1


def test_a_segment_is_never_deleted(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=20)
    market.sync()
    with pytest.raises(psycopg.errors.RestrictViolation, match="lead_segments rows are never deleted"):
        market.sql("delete from lead_segments")
    with pytest.raises(psycopg.errors.RestrictViolation, match="never deleted"):
        market.sql("truncate lead_segments cascade")
    assert market.active_codes() == ["loodgieter_zuid_holland"]


def test_a_segment_keeps_its_code(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=20)
    market.sync()
    with pytest.raises(psycopg.errors.RestrictViolation, match="keeps its code"):
        market.sql("update lead_segments set code = 'iets_anders'")


def test_colliding_codes_get_distinct_stable_codes(market):
    market.region("c")
    market.region("b-c")
    market.partner(["a-b"], ["c"], leads_per_month=5)
    market.partner(["a"], ["b-c"], leads_per_month=5)
    first = market.sync()
    segments = market.segments()
    codes = {(s["branch"], s["region"]): code for code, s in segments.items()}
    assert len(codes) == 2
    assert codes[("a", "b-c")] == "a_b_c", "the first by branch, region gets the plain code"
    assert codes[("a-b", "c")] == "a_b_c_" + hashlib.md5(b"a-b/c").hexdigest()[:8], "its own, derived suffix"
    assert sorted(first["created_codes"]) == sorted(codes.values())
    assert market.sync()["unchanged"] == 2
    assert market.segments().keys() == segments.keys()


def test_a_taken_code_is_never_reused_for_another_combination(market):
    market.region("c")
    market.region("b-c")
    first = market.partner(["a-b"], ["c"], leads_per_month=5)
    market.sync()
    assert market.active_codes() == ["a_b_c"]
    market.sql("update profiles set is_active_for_routing = false where id = %s", (first,))
    market.partner(["a"], ["b-c"], leads_per_month=5)
    result = market.sync()
    assert result["deactivated_codes"] == ["a_b_c"]
    assert result["created_codes"] == ["a_b_c_" + hashlib.md5(b"a/b-c").hexdigest()[:8]]
    assert market.segments()["a_b_c"]["branch"] == "a-b"


def test_a_second_run_changes_nothing(market):
    market.partner(["loodgieter", "schilder"], ["zuid-holland", "utrecht"], leads_per_month=20)
    market.sync()
    before = market.sql("select code, xmin::text, updated_at from lead_segments order by code")
    result = market.sync()
    after = market.sql("select code, xmin::text, updated_at from lead_segments order by code")
    assert before == after, "a no-op run must not write segment rows"
    assert (result["created"], result["activated"], result["deactivated"], result["unchanged"]) == (
        0,
        0,
        0,
        4,
    )
    assert result["created_codes"] == result["activated_codes"] == result["deactivated_codes"] == []


def test_every_run_is_logged(market):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=20)
    result = market.sync()
    run = market.last_run()
    assert run["id"] == result["run_id"]
    assert (run["kind"], run["method"], run["trigger"], run["caller"], run["status"]) == (
        "sync",
        "capacity",
        "sql",
        "postgres",
        "succeeded",
    )
    assert run["started_at"] <= run["finished_at"]
    assert (run["total_combinations"], run["created_count"], run["unchanged_count"]) == (1, 1, 0)
    assert run["created_codes"] == ["loodgieter_zuid_holland"]
    assert run["error"] is None


def _wait_until_blocked(conn, pid, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = conn.execute("select wait_event_type from pg_stat_activity where pid = %s", (pid,)).fetchone()
        if waiting and waiting["wait_event_type"] == "Lock":
            return
        time.sleep(0.02)
    raise AssertionError("the second run never waited for the first")


def test_concurrent_runs_serialize(market, connect):
    market.partner(["loodgieter", "schilder"], ["zuid-holland", "utrecht"], leads_per_month=20)
    first, second = connect(), connect()
    second_pid = second.info.backend_pid
    first_result = first.execute("select sync_segments_capacity() as r").fetchone()["r"]  # holds the lock
    results = {}
    thread = threading.Thread(
        target=lambda: results.update(second=second.execute("select sync_segments_capacity() as r").fetchone()["r"])
    )
    thread.start()
    _wait_until_blocked(market.conn, second_pid)
    first.commit()
    thread.join(timeout=30)
    second.commit()
    assert first_result["status"] == results["second"]["status"] == "succeeded"
    assert first_result["created"] == 4
    assert results["second"]["created"] == 0
    assert results["second"]["unchanged"] == 4
    assert market.one("select count(*) from lead_segments") == 4


def test_runs_started_at_the_same_moment_both_succeed(market, connect):
    for n in range(5):
        market.partner(["loodgieter", "schilder"], ["zuid-holland", "utrecht", "limburg"], leads_per_month=n + 1)
    conns = [connect(autocommit=True) for _ in range(2)]
    barrier = threading.Barrier(2)
    results = []

    def run(conn):
        barrier.wait()
        results.append(conn.execute("select sync_segments_capacity() as r").fetchone()["r"])

    threads = [threading.Thread(target=run, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert [r["status"] for r in results] == ["succeeded", "succeeded"]
    assert sorted(r["created"] for r in results) == [0, 6]
    assert market.one("select count(*) from lead_segments") == 6
    assert market.one("select count(distinct (branch, region)) from lead_segments") == 6


def test_a_run_that_fails_half_way_leaves_only_its_failed_run_row(market):
    market.partner(["loodgieter"], ["utrecht"], leads_per_month=20)
    market.sync()
    market.sql("update profiles set is_active_for_routing = false")  # loodgieter_utrecht must be deactivated
    market.partner(["loodgieter", "schilder", "zzz-boom"], ["zuid-holland"], leads_per_month=20)
    before = market.sql("select code, is_active, xmin::text from lead_segments order by code")
    market.sql(
        """create function pg_temp.boom() returns trigger language plpgsql as $$
           begin raise exception 'disk on fire while inserting %', new.code; end $$"""
    )
    market.sql(
        "create trigger boom after insert on lead_segments for each row when (new.branch = 'zzz-boom') "
        "execute function pg_temp.boom()"
    )
    try:
        result = market.sync()
    finally:
        market.sql("drop trigger boom on lead_segments")
    assert result["status"] == "failed"
    assert "disk on fire while inserting zzz_boom_zuid_holland" in result["error"]
    assert market.sql("select code, is_active, xmin::text from lead_segments order by code") == before
    run = market.last_run()
    assert (run["id"], run["status"], run["error_sqlstate"]) == (result["run_id"], "failed", "P0001")
    assert "disk on fire" in run["error"]
    assert run["created_codes"] == []
    assert run["finished_at"] is not None
    assert market.sync()["created"] == 3, "the next run applies what the failed one could not"


def test_the_sync_executes_a_constant_number_of_statements(market):
    """Set-based: the statements a sync executes, counted by pg_stat_statements (track = all, so the ones
    inside functions and triggers count too), do not grow with partners or segments, as a loop's would.
    PostgreSQL's own foreign key checks (one per inserted segment, `FOR KEY SHARE OF x`) are not ours."""

    def statements_for_sync() -> int:
        market.platform.execute("select extensions.pg_stat_statements_reset()")
        market.sync()
        return market.platform.execute(
            "select coalesce(sum(calls), 0) as calls from extensions.pg_stat_statements "
            "where userid = 'postgres'::regrole and query not like '%FOR KEY SHARE OF x'"
        ).fetchone()["calls"]

    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=5)
    small = statements_for_sync()
    for n in range(30):
        market.partner(["loodgieter", f"branche-{n}"], ["utrecht", "limburg", "zeeland"], leads_per_month=n + 1)
    large = statements_for_sync()
    assert small > 3, "pg_stat_statements did not count the statements inside the sync"
    assert small == large, f"statements per sync grew with the data ({small} -> {large}): something loops over rows"


def test_a_run_in_a_repeatable_read_transaction_is_refused(market, connect):
    """Its snapshot would predate the serializing lock, so it could miss a concurrent run's segments."""
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=20)
    conn = connect()
    conn.execute("begin isolation level repeatable read")
    with pytest.raises(psycopg.errors.InvalidTransactionState, match="read committed"):
        conn.execute("select sync_segments_capacity()")
    conn.rollback()
    assert market.one("select count(*) from lead_segments") == 0
