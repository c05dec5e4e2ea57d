"""`make bench`: the sync and the planner at marketplace scale, on one database in one run.

Loads a deterministic marketplace (bench/generate.sql), then measures, each figure the median of
--repetitions runs: the lower bound (bench/lower_bound.sql), a cold sync, a no-op sync, a sync after 1% of
partners changed, the planner, and the reference algorithm of the runbook's former Node system
(bench/reference.py). Runs that must start from the same state (cold sync, churn, planner, reference) run in
a transaction that is rolled back. Prints a table and writes bench/results/<stamp>-<N>-<regions>.json with
the machine, the PostgreSQL version, the times, their ratios to the lower bound and the query plans.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from following import change_during_sync, measure_following
from reference import reference_sync
from targets import checks

BENCH = Path(__file__).resolve().parent
PLAN_DATE = "2026-11-27"
FUNCTION_WORK_MEM = "64MB"


def peak_memory_kib(conn: psycopg.Connection) -> int | None:
    """Peak resident memory of this connection's server backend (VmHWM), where /proc can be read."""
    try:
        status = Path(f"/proc/{conn.info.backend_pid}/status").read_text()
    except OSError:
        return None
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), None)


class Bench:
    def __init__(self, url: str, repetitions: int) -> None:
        self.url = url
        self.repetitions = repetitions
        self.figures: dict[str, dict[str, Any]] = {}
        self.extra: dict[str, dict[str, Any]] = {}  # figures that are not one timed call (throughput, waits)

    def connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self.url, autocommit=True)
        conn.execute("set client_min_messages = warning")
        return conn

    def measure(
        self,
        name: str,
        run: Callable[[psycopg.Connection], Any],
        *,
        prepare: Callable[[psycopg.Connection, int], None] | None = None,
        rollback: bool = True,
    ) -> dict[str, Any]:
        """Median wall time of `run` over the repetitions, each on a fresh connection that has run it once
        untimed (and rolled back), as a pooled API connection would have; `prepare` runs first, untimed, in
        the same transaction. With rollback, every repetition starts from the same state."""
        times, memory, result = [], [], None
        for repetition in range(self.repetitions):
            with self.connect() as conn:
                with conn.transaction(force_rollback=True):
                    run(conn)  # warm-up: catalog caches and plans, not timed
                conn.autocommit = not rollback
                if prepare:
                    prepare(conn, repetition)
                started = time.perf_counter()
                result = run(conn)
                times.append(time.perf_counter() - started)
                if rollback:
                    conn.rollback()
                memory.append(peak_memory_kib(conn))
        known = [m for m in memory if m is not None]
        figure = {
            "median_s": statistics.median(times),
            "times_s": times,
            "peak_backend_memory_kib": max(known) if known else None,
            "result": result,
        }
        self.figures[name] = figure
        return figure


def scalar(conn: psycopg.Connection, query: str, params: Any = None) -> Any:
    row = conn.execute(query, params).fetchone()
    return row[0] if row else None


def platform_url(url: str) -> str:
    """The cluster's superuser (`supabase_admin`): loading with triggers off and auto_explain are the platform's
    to do; everything measured runs as `postgres`, which is not a superuser, as on Supabase."""
    return url.replace("postgresql://postgres@", "postgresql://supabase_admin@", 1)


def load(url: str, partners: int, regions: str, seed: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", platform_url(url),
            "-v", f"partners={partners}", "-v", f"regions={regions}", "-v", f"seed={seed}",
            "-f", str(BENCH / "generate.sql"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
    )  # fmt: skip
    return time.perf_counter() - started


def explain_plans(url: str, lower_bound_sql: str) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the lower bound, and of every statement inside a cold sync and the
    planner (auto_explain, nested statements), each in a rolled-back transaction."""
    plans: dict[str, str] = {}
    with psycopg.connect(platform_url(url)) as conn:
        conn.execute(f"set work_mem = '{FUNCTION_WORK_MEM}'")
        rows = conn.execute("explain (analyze, buffers) " + lower_bound_sql).fetchall()
        plans["lower_bound"] = "\n".join(r[0] for r in rows)
        conn.rollback()
        notices: list[str] = []
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        conn.execute("load 'auto_explain'")
        for name, call in (
            ("sync_cold", "select sync_segments_capacity()"),
            ("planner", f"select plan_segment_targets('{PLAN_DATE}')"),
        ):
            # in each transaction: the rollback of the one before undoes its settings
            for setting in (
                "auto_explain.log_min_duration = 0",
                "auto_explain.log_analyze = on",
                "auto_explain.log_buffers = on",
                "auto_explain.log_nested_statements = on",
                "auto_explain.log_level = notice",
                "client_min_messages = notice",
            ):
                conn.execute(f"set {setting}")
            notices.clear()
            conn.execute(call)
            conn.rollback()
            plans[name] = "\n\n".join(n for n in notices if "lead_segments" in n or "lead_segment_plans" in n)
    return plans


def load_month_of_leads(url: str, per_partner: int = 20) -> None:
    """The leads partners received this month before PLAN_DATE (bench/leads.sql), for the planner's month read."""
    subprocess.run(
        [
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", platform_url(url),
            "-v", f"plan_date={PLAN_DATE}", "-v", f"leads_per_partner={per_partner}",
            "-f", str(BENCH / "leads.sql"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--regions", choices=["provinces", "municipalities", "postcodes"], default="provinces")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--seed", default="leadstroom")
    args = parser.parse_args()
    if args.repetitions < 5:
        parser.error("--repetitions: at least 5, the figures are medians")
    console = Console(width=140)

    console.print(f"loading {args.partners:,} partners over the {args.regions} (seed {args.seed!r}) ...")
    load_s = load(args.db, args.partners, args.regions, args.seed)
    bench = Bench(args.db, args.repetitions)
    lower_bound_sql = (BENCH / "lower_bound.sql").read_text()

    with bench.connect() as conn:
        pairs = scalar(conn, "select count(*) from private.partner_combinations_scan where feeds")
        version = scalar(conn, "select version()")

    def lower_bound(conn: psycopg.Connection) -> Any:
        # with the memory the sync and planner give themselves (set work_mem in their definitions)
        conn.execute(f"set work_mem = '{FUNCTION_WORK_MEM}'")
        return conn.execute(lower_bound_sql).fetchone()

    # the full sync's figures with segments that change only through it; following is measured after
    with bench.connect() as conn:
        conn.execute("update segment_sync_settings set follow_partner_changes = false")
    bench.measure("lower_bound", lower_bound, rollback=False)
    bench.measure("sync_cold", lambda c: scalar(c, "select sync_segments_capacity()"))
    # the reference makes a round trip per missing combination: over 200,000 postcode combinations that is an
    # hour of round trips for a comparison the provinces and municipalities already make
    if args.regions != "postcodes":
        bench.measure("reference_cold", reference_sync)
    # a partner's change during the cold sync: following switched on without its reconciliation (the platform
    # bypasses the settings trigger), so the segments stay cold for the measurement
    with psycopg.connect(platform_url(args.db), autocommit=True) as conn:
        conn.execute("set session_replication_role = replica")
        conn.execute("update segment_sync_settings set follow_partner_changes = true")
        change_during_sync(bench, "change_during_cold_sync")
        conn.execute("update segment_sync_settings set follow_partner_changes = false")

    # from here on the segments exist: one committed sync, and a week of leads to count
    with bench.connect() as conn:
        conn.execute("select sync_segments_capacity()")
        conn.execute(
            "insert into leads (segment_id, created_at) "
            "select s.id, %s::timestamptz - make_interval(mins => (g * 7919) %% 10080) "
            "from (select id, row_number() over (order by id) as n from lead_segments) s, "
            "generate_series(1, greatest(1, %s / (select count(*) from lead_segments)::integer)) g",
            (f"{PLAN_DATE} 23:00+01", args.partners // 2),
        )
        conn.execute("analyze")
    load_month_of_leads(args.db)

    def noop_sync(conn: psycopg.Connection) -> dict[str, Any]:
        with conn.transaction():
            result = scalar(conn, "select sync_segments_capacity()")
            written = conn.execute(
                "select n_tup_ins + n_tup_upd + n_tup_del from pg_stat_xact_user_tables where relname = 'lead_segments'"
            ).fetchone()
        return {**result, "segment_rows_written": written[0] if written else 0}

    bench.measure("sync_noop", noop_sync, rollback=False)

    def churn(conn: psycopg.Connection, repetition: int) -> None:
        # 1% of partners change: half switch routing, half switch their regions' preferences
        conn.execute(
            "update profiles set is_active_for_routing = not is_active_for_routing "
            "where id in (select id from profiles order by md5(id::text || %s) limit %s)",
            (f"r{repetition}", args.partners // 200),
        )
        conn.execute(
            "update user_location_preferences set is_enabled = not is_enabled "
            "where user_id in (select id from profiles order by md5(id::text || %s) limit %s)",
            (f"l{repetition}", args.partners // 200),
        )

    bench.measure("sync_churn_1pct", lambda c: scalar(c, "select sync_segments_capacity()"), prepare=churn)
    bench.measure("planner", lambda c: scalar(c, "select plan_segment_targets(%s)", (PLAN_DATE,)))
    month_leads_sql = (BENCH / "month_leads.sql").read_text()

    def planner_lower_bound(conn: psycopg.Connection) -> Any:
        # the capacity read once and the month's leads read once: what a planner by the shares rule must do
        conn.execute("select set_config('bench.plan_date', %s, false)", (PLAN_DATE,))
        lower_bound(conn)
        return conn.execute(month_leads_sql).fetchone()

    bench.measure("planner_lower_bound", planner_lower_bound, rollback=False)

    console.print("following partner changes ...")
    measure_following(bench, args.partners)

    console.print("explaining ...")
    plans = explain_plans(args.db, lower_bound_sql)

    lower = bench.figures["lower_bound"]["median_s"]
    rows = []
    for name, figure in bench.figures.items():
        figure["ratio_to_lower_bound"] = figure["median_s"] / lower
        rows.append((name, figure))
    noop_written = bench.figures["sync_noop"]["result"]["segment_rows_written"]
    reference_speedup = (
        bench.figures["reference_cold"]["median_s"] / bench.figures["sync_cold"]["median_s"]
        if "reference_cold" in bench.figures
        else None
    )

    table = Table(title=f"leadstroom bench: {args.partners:,} partners, {args.regions}, {pairs:,} pairs")
    for column in ("measurement", "median ms", "× lower bound", "peak backend MiB", "runs (ms)"):
        table.add_column(column, justify="left" if column == "measurement" else "right")
    for name, figure in rows:
        memory = figure["peak_backend_memory_kib"]
        table.add_row(
            name,
            f"{figure['median_s'] * 1000:,.1f}",
            f"{figure['ratio_to_lower_bound']:.2f}",
            f"{memory / 1024:,.1f}" if memory else "-",
            " ".join(f"{t * 1000:.0f}" for t in figure["times_s"]),
        )
    console.print(table)
    for name, extra in bench.extra.items():
        if "changes_per_s" in extra:
            console.print(
                f"{name}: {extra['changes_per_s']:,.0f} changes/s ({extra['changes']} in {extra['seconds']:.1f} s)"
            )
        else:
            console.print(f"{name}: median {extra['median_s'] * 1000:,.1f} ms")
    console.print(f"segment rows written by a no-op sync: {noop_written}")
    planner_ratio = bench.figures["planner"]["median_s"] / bench.figures["planner_lower_bound"]["median_s"]
    console.print(
        f"planner vs its own lower bound (the capacity and the month's leads, each read once): {planner_ratio:.2f}×"
    )
    if reference_speedup is not None:
        console.print(f"sync (cold) vs the reference algorithm (cold): {reference_speedup:.1f}× faster")

    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
        },
        "postgresql": version,
        "partners": args.partners,
        "regions": args.regions,
        "seed": args.seed,
        "pairs": pairs,
        "combinations": bench.figures["sync_cold"]["result"]["total_combinations"],
        "repetitions": args.repetitions,
        "load_s": load_s,
        "figures": {
            name: {k: v for k, v in figure.items() if k != "result" or name == "sync_noop"} for name, figure in rows
        },
        "following": bench.extra,
        "noop_sync_segment_rows_written": noop_written,
        "sync_vs_reference_speedup": reference_speedup,
        "plans": plans,
    }
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = out_dir / f"{stamp}-{args.partners}-{args.regions}.json"
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    console.print(f"report: {out.relative_to(BENCH.parent)}")
    targets_table = Table(title="issue 15's targets (bench/targets.py)")
    for column in ("figure", "measured", "target", "met"):
        targets_table.add_column(column)
    for check in checks(report):
        targets_table.add_row(check.figure, check.value, check.target, "yes" if check.met else "NO")
    console.print(targets_table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
