"""The `leadstroom` command. Exit codes: 0 ok, 1 a failed check or run (or `health` not ok), 2 bad usage, bad input
or a refused call. Every error is one line."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import sys
import uuid
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from leadstroom.client import LeadstroomClient, connect
from leadstroom.database_types import PublicSegmentSyncRuns
from leadstroom.errors import InvalidInput, LeadstroomError, excerpt
from leadstroom.manual_test import run_manual_test
from leadstroom.render import (
    COMBO_COLUMNS,
    EXPLAIN_COLUMNS,
    OVERVIEW_COLUMNS,
    PARTNER_COLUMNS,
    PLAN_COLUMNS,
    RUN_COLUMNS,
    SEGMENT_COLUMNS,
    Output,
    as_rows,
)
from leadstroom.results import HealthResult
from leadstroom.runbook import Combination

PLAN_WINDOW_DAYS = 7  # `plan --date` further from today than this needs --force


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its errors as one line like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"leadstroom: usage: {message} (see `{self.prog} --help`)\n")


def iso_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {excerpt(text)!r}") from None


def partner_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a partner id (a uuid): {excerpt(text)!r}") from None


def partner_id_or_email(text: str) -> str:
    if "@" in text:
        return text.strip()
    return partner_id(text)


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {excerpt(text)!r}")
    return int(text)


def package_version() -> str:
    try:
        return version("leadstroom")
    except PackageNotFoundError:
        return "unknown"


def common_options() -> OneLineParser:
    common = OneLineParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--json", action="store_true", help="print JSON instead of tables (for scripts)")
    common.add_argument("--wide", action="store_true", help="show every column, however wide the table gets")
    common.add_argument("--database-url", help="connect directly (default: $DATABASE_URL)")
    common.add_argument("--supabase-url", help="connect through Supabase's REST API (default: $SUPABASE_URL)")
    common.add_argument("--key", help="the API key with --supabase-url (default: $SUPABASE_SERVICE_ROLE_KEY)")
    common.add_argument("--access-token", help="act as this signed-in user (default: $LEADSTROOM_ACCESS_TOKEN)")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="leadstroom",
        parents=[common_options()],
        description="Capacity-based segment sync: run it, preview it, hold segments, plan targets and see why, "
        "over Supabase or a database URL.",
        epilog="Connection: SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY, or DATABASE_URL (or the options above). "
        "Exit codes: 0 ok, 1 a failed check or run (or health not ok), 2 bad usage, bad input or a refused call.",
    )
    parser.add_argument("--version", action="version", version=f"leadstroom {package_version()}")
    parser.set_defaults(json=False, wide=False, database_url=None, supabase_url=None, key=None, access_token=None)
    # the same options after the command (`leadstroom sync --json`); a parser of their own, as argparse shares
    # option objects between a parent and its children and set_defaults above would reach these too
    common = common_options()
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=[common], help=help, description=help)

    manual = command("manual-test", "SOP 03.4 step by step: the state, the SQL to add a combination, sync, targets")
    example = Combination()
    manual.add_argument("--partner", type=partner_id, default=example.partner, help="the partner's id (a uuid)")
    manual.add_argument("--branch", default=example.branch, help="the branch: an industry slug, e.g. loodgieter")
    manual.add_argument("--region", default=example.region, help="the region code, e.g. zuid-holland")
    manual.add_argument("--leads", type=positive_int, default=example.leads, help="its capacity in leads a month")
    manual.add_argument(
        "--yes", action="store_true", help="do not wait for the SQL to be run (the default without a terminal)"
    )

    sync = command("sync", "run the sync through the admin endpoint and check the result")
    sync.add_argument("--method", default="capacity", help="the sync method (supported: capacity)")
    sync.add_argument("--dry-run", action="store_true", help="show what the sync would do; write nothing")

    plan = command("plan", "plan the daily targets of one date (writes plans)")
    plan.add_argument("--date", type=iso_date, help=f"YYYY-MM-DD; default today; within {PLAN_WINDOW_DAYS} days")
    plan.add_argument("--force", action="store_true", help=f"plan a date more than {PLAN_WINDOW_DAYS} days away")
    plans = command("plans", "the plans of one date, by segment code (read only)")
    plans.add_argument("--date", type=iso_date, help="YYYY-MM-DD; default today in the configured time zone")

    command("combos", "branch x region combinations with capacity")
    segments = command("segments", "the segments, or the partners feeding one segment")
    segments.add_argument("code", nargs="?", metavar="CODE", help="a segment code: list the partners feeding it")
    segments.add_argument("--all", action="store_true", help="include inactive segments")
    command("overview", "every segment: capacity, today's target, actual leads and gap, with totals")
    explain = command("explain", "why a partner does or does not count as capacity")
    explain.add_argument("partner", type=partner_id_or_email, metavar="PARTNER", help="the partner's id or e-mail")
    hold = command("hold", "keep a segment off whatever its capacity")
    hold.add_argument("code", metavar="CODE", help="the segment code, e.g. loodgieter_zuid_holland")
    hold.add_argument("--reason", required=True, help="why it stays off (recorded with who and when)")
    release = command("release", "lift a hold: the segment follows its capacity again")
    release.add_argument("code", metavar="CODE", help="the segment code")
    runs = command("runs", "the latest sync and plan runs, or one run in full")
    runs.add_argument("run_id", nargs="?", type=positive_int, metavar="RUN_ID", help="show this run in full")
    runs.add_argument("--limit", type=positive_int, default=20, help="how many runs (default 20)")
    command("health", "is the nightly sync healthy? exit 0 ok, 1 late or failing (for monitoring)")
    return parser


def checked_plan_date(date: str | None, force: bool, zone: ZoneInfo) -> str | None:
    if date is None or force:
        return date
    today = dt.datetime.now(zone).date()
    days = (dt.date.fromisoformat(date) - today).days
    if abs(days) > PLAN_WINDOW_DAYS:
        raise InvalidInput(
            f"--date {date} is {abs(days):,} days from today ({today}); plans are for today ± "
            f"{PLAN_WINDOW_DAYS} days: add --force to plan it anyway"
        )
    return date


def run_rows(runs: Sequence[PublicSegmentSyncRuns]) -> list[dict[str, Any]]:
    """The run log as people read it: what changed in one column (+created ~reactivated -deactivated)."""
    rows = as_rows(runs)
    for row, run in zip(rows, runs, strict=True):
        if run.kind == "sync" and run.created_count is not None:
            row["changes"] = f"+{run.created_count} ~{run.activated_count} -{run.deactivated_count}"
        elif run.kind == "plan" and run.plan_date:
            row["changes"] = f"plans {run.plan_date}"
    return rows


def show_run(run: PublicSegmentSyncRuns, out: Output) -> None:
    if out.as_json:
        out.json(as_rows([run])[0])
        return
    duration = f"{(run.finished_at - run.started_at).total_seconds():.2f} s" if run.finished_at else "-"
    zone = f" ({out.zone.key})" if out.zone else ""
    fields: list[tuple[str, Any]] = [
        ("run", f"{run.id}: {run.kind} ({run.method or '-'}), {run.status}"),
        ("trigger", f"{run.trigger}, by {run.caller}"),
        (f"started{zone}", out.when(run.started_at)),
        (f"finished{zone}", out.when(run.finished_at) if run.finished_at else "-"),
        ("duration", duration),
        ("for date", run.scheduled_for or run.plan_date or "-"),
        ("combinations", run.total_combinations),
        ("created", ", ".join(run.created_codes) or "-"),
        ("reactivated", ", ".join(run.activated_codes) or "-"),
        ("deactivated", ", ".join(run.deactivated_codes) or "-"),
        ("fixed", run.fixed_count),
        ("error", run.error or "-"),
        ("SQLSTATE", run.error_sqlstate or "-"),
    ]
    for label, value in fields:
        out.line(f"{label + ':':<24} {'-' if value is None else value}")


def show_health(health: HealthResult, out: Output) -> int:
    """Exit 0 only for ok, so a monitoring system can call `leadstroom health`."""
    if out.as_json:
        out.json(dict(health))
    else:
        out.line(f"nightly sync: {health['status']} (checked {out.when(health['checked_at'])} {health['timezone']})")
        for reason in health["degraded_because"]:
            out.line(f"  degraded: {reason}")
        state = "succeeded" if health["today_succeeded"] else ("overdue" if health["today_overdue"] else "not yet due")
        out.line(
            f"  today {health['today']}, run at {health['run_at_local_time']:%H:%M}: {state}, "
            f"{health['attempts_today']} of at most {health['max_attempts_a_day']} attempts"
        )
        last = health["last_nightly"]
        if last:
            out.line(f"  last nightly: {last['kind']} run {last['run_id']} for {last['for_date']}: {last['status']}")
        failed = health["last_failed"]
        if failed:
            out.line(
                f"  last failed: {failed['kind']} run {failed['run_id']} ({failed['trigger']}, "
                f"{out.when(failed['started_at'])}): {failed['status']}: {failed['error']} "
                f"(SQLSTATE {failed['sqlstate'] or '-'})"
            )
    return 0 if health["status"] == "ok" else 1


def run(args: argparse.Namespace, client: LeadstroomClient, out: Output) -> int:
    @functools.cache
    def zone() -> ZoneInfo:
        """The marketplace's own time zone (read once): today's date, and times shown labelled with it."""
        return ZoneInfo(client.settings().timezone)

    if not out.as_json and args.command in ("runs", "segments", "plans", "health", "manual-test"):
        out.zone = zone()
    if args.command == "manual-test":
        combination = Combination(partner=args.partner, branch=args.branch, region=args.region, leads=args.leads)
        return run_manual_test(client, out, combination=combination, assume_yes=args.yes)
    if args.command == "sync":
        if args.dry_run:
            result = client.preview()
        else:
            result, _, _ = client.checked_sync(args.method)
        if out.as_json:
            out.json(dict(result))
        else:
            out.sync_summary(result)
            if not args.dry_run:
                out.line("checked: every combination has one active segment (or a hold), no active segment without one")
    elif args.command == "plan":
        planned = client.plan(checked_plan_date(args.date, args.force, zone()))
        if out.as_json:
            out.json(dict(planned))
        else:
            out.line(
                f"run {planned['run_id']}: planned {planned['segments_planned']} segments for {planned['date']} "
                f"({planned['timezone']}), {planned['total_target_leads_per_day']} leads a day in all, "
                f"{planned['zero_target_segments']} with target 0; {planned['total_target_leads_per_month']} a month "
                f"of {planned['total_capacity_allocated']} capacity shared ({planned['total_capacity_open']} open)"
            )
    elif args.command == "plans":
        date = args.date or dt.datetime.now(zone()).date().isoformat()
        codes = {s.id: s.code for s in client.segments(include_inactive=True)}
        plans = client.plans(date)
        rows = [{"code": codes.get(p.segment_id), **row} for p, row in zip(plans, as_rows(plans), strict=True)]
        out.rows(f"Plans for {date}", sorted(rows, key=lambda r: str(r["code"])), PLAN_COLUMNS, empty="none")
    elif args.command == "combos":
        out.rows("Capacity combinations", client.combos(), COMBO_COLUMNS, empty="none")
    elif args.command == "segments":
        if args.code:
            partners = client.segment_partners(args.code)
            out.rows(f"Partners feeding {args.code}", partners, PARTNER_COLUMNS, empty="none")
        else:
            title = "Segments" if args.all else "Active segments"
            out.rows(title, client.segments(include_inactive=args.all), SEGMENT_COLUMNS, empty="none")
    elif args.command == "overview":
        overview = client.overview()
        shown = [
            {**row, "active": "held" if r.is_held else ("yes" if r.is_active else "no")}
            for r, row in zip(overview, as_rows(overview), strict=True)
        ]
        out.rows("Segments today", shown, OVERVIEW_COLUMNS, empty="no segments")
        if not out.as_json and overview:
            out.line(
                f"total: {sum(bool(r.is_active) for r in overview)} active of {len(overview)}, "
                f"{sum(r.capacity_total_leads or 0 for r in overview):,} leads a month of capacity, "
                f"target {sum(r.target_leads_per_day or 0 for r in overview):.2f} a day, "
                f"{sum(r.actual_leads or 0 for r in overview)} leads today"
            )
    elif args.command == "explain":
        partner = client.partner_by_email(args.partner) if "@" in args.partner else args.partner
        out.rows(f"Partner {args.partner}", client.explain(partner), EXPLAIN_COLUMNS, empty="no rules")
    elif args.command == "hold":
        held = client.hold(args.code, args.reason)
        if out.as_json:
            out.json(held)
        else:
            out.line(f"{args.code} is held (off until released): {held['hold_reason']}")
    elif args.command == "release":
        released = client.release(args.code)
        if out.as_json:
            out.json(released)
        else:
            out.line(f"{args.code}: {'active again' if released['is_active'] else 'released; inactive (no capacity)'}")
    elif args.command == "runs":
        if args.run_id:
            show_run(client.run(args.run_id), out)
        else:
            out.rows("Runs (newest first)", run_rows(client.runs(args.limit)), RUN_COLUMNS, empty="none yet")
    elif args.command == "health":
        return show_health(client.health(), out)
    return 0


EXIT_CLOSED_PIPE = 141  # as a command killed by SIGPIPE: the reader stopped reading (`leadstroom runs | head`)


def main(argv: Sequence[str] | None = None) -> int:
    """The command: one line on stderr for every error, never a traceback (LEADSTROOM_DEBUG=1 shows one)."""
    try:
        code = run_cli(argv)
        sys.stdout.flush()  # a closed pipe shows here rather than at exit
        return code
    except BrokenPipeError:
        # nothing more can be written; point stdout at /dev/null so Python's own flush at exit stays quiet too
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLOSED_PIPE
    except Exception as exc:
        if os.environ.get("LEADSTROOM_DEBUG"):
            raise
        message = " ".join(str(exc).split())
        print(
            f"leadstroom: unexpected error: {type(exc).__name__}: {excerpt(message)} "
            "(a bug: LEADSTROOM_DEBUG=1 shows where)",
            file=sys.stderr,
        )
        return 1


def run_cli(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    out = Output(as_json=args.json, wide=args.wide)
    try:
        with connect(
            database_url=args.database_url,
            supabase_url=args.supabase_url,
            key=args.key,
            access_token=args.access_token,
        ) as client:
            return run(args, client, out)
    except LeadstroomError as exc:
        print(f"leadstroom: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("leadstroom: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
