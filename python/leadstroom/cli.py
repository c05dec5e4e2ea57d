"""The `leadstroom` command. Exit codes: 0 ok, 1 a failed check or run, 2 bad usage, bad input or a refused call."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from collections.abc import Sequence

from leadstroom.client import LeadstroomClient, connect
from leadstroom.errors import LeadstroomError
from leadstroom.manual_test import run_manual_test
from leadstroom.render import COMBO_COLUMNS, SEGMENT_COLUMNS, Output
from leadstroom.results import HealthResult

# the run log for people: what ran, who started it, what it changed; --json has every column
RUN_TABLE_COLUMNS = (
    "id",
    "kind",
    "trigger",
    "caller",
    "status",
    "started_at",
    "created_count",
    "activated_count",
    "deactivated_count",
    "unchanged_count",
    "plan_date",
    "error",
)


def iso_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def partner_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a partner id (a uuid): {text!r}") from None


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--json", action="store_true", help="print JSON instead of tables")
    common.add_argument("--database-url", help="connect directly (default: $DATABASE_URL)")
    common.add_argument("--supabase-url", help="connect through Supabase's REST API (default: $SUPABASE_URL)")
    common.add_argument("--key", help="the API key with --supabase-url (default: $SUPABASE_SERVICE_ROLE_KEY)")
    common.add_argument("--access-token", help="act as this signed-in user (default: $LEADSTROOM_ACCESS_TOKEN)")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadstroom",
        parents=[common_options()],
        description="Capacity-based segment sync: run it, plan targets and see why, over Supabase or a database URL.",
        epilog="Connection: SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY, or DATABASE_URL (or the options below). "
        "Exit codes: 0 ok, 1 a failed check or run, 2 bad usage, bad input or a refused call.",
    )
    parser.set_defaults(json=False, database_url=None, supabase_url=None, key=None, access_token=None)
    # the same options after the command (`leadstroom sync --json`); a parser of their own, as argparse shares
    # option objects between a parent and its children and set_defaults above would reach these too
    common = common_options()
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    manual = commands.add_parser(
        "manual-test", parents=[common], help="SOP 03.4 step by step: combinations, segments, sync, targets"
    )
    manual.add_argument("--partner", type=partner_id, help="partner id for the example SQL")
    manual.add_argument("--branch", default="loodgieter", help="branch (industry slug) for the example SQL")
    manual.add_argument("--region", default="zuid-holland", help="region code for the example SQL")
    manual.add_argument("--leads", type=positive_int, default=50, help="leads a month for the example SQL")
    manual.add_argument("--pause", action="store_true", help="wait for Enter after printing the SQL")

    sync = commands.add_parser(
        "sync", parents=[common], help="run the sync through the admin endpoint and verify the result"
    )
    sync.add_argument("--method", default="capacity", help="sync method (supported: capacity)")

    plan = commands.add_parser(
        "plan", parents=[common], help="plan daily targets (default: today in the configured time zone)"
    )
    plan.add_argument("--date", type=iso_date, help="the date to plan, YYYY-MM-DD")

    commands.add_parser("combos", parents=[common], help="branch x region combinations with capacity")
    segments = commands.add_parser("segments", parents=[common], help="active segments")
    segments.add_argument("--all", action="store_true", help="include inactive segments")
    explain = commands.add_parser("explain", parents=[common], help="why a partner does or does not count as capacity")
    explain.add_argument("partner_id", type=partner_id, metavar="PARTNER_ID")
    commands.add_parser(
        "health",
        parents=[common],
        help="is the nightly sync healthy? exit 0 ok, 1 late or failing (for monitoring)",
    )
    runs = commands.add_parser("runs", parents=[common], help="the latest sync and plan runs")
    runs.add_argument("--limit", type=positive_int, default=20)
    return parser


def run(args: argparse.Namespace, client: LeadstroomClient, out: Output) -> int:
    if args.command == "manual-test":
        return run_manual_test(
            client,
            out,
            partner=args.partner,
            branch=args.branch,
            region=args.region,
            leads=args.leads,
            pause=args.pause,
        )
    if args.command == "sync":
        result, _, _ = client.checked_sync(args.method)
        if out.as_json:
            out.json(dict(result))
        else:
            out.sync_summary(result)
            out.line("checked: every combination has one active segment, no active segment without one")
    elif args.command == "plan":
        planned = client.plan(args.date)
        if out.as_json:
            out.json(dict(planned))
        else:
            out.line(
                f"run {planned['run_id']}: planned {planned['segments_planned']} segments for {planned['date']} "
                f"({planned['timezone']}), {planned['total_target_leads_per_day']} leads a day in all, "
                f"{planned['zero_target_segments']} with target 0"
            )
    elif args.command == "combos":
        out.rows("Capacity combinations", client.combos(), COMBO_COLUMNS, empty="none")
    elif args.command == "segments":
        title = "Segments" if args.all else "Active segments"
        out.rows(title, client.segments(include_inactive=args.all), SEGMENT_COLUMNS, empty="none")
    elif args.command == "explain":
        rows = client.explain(args.partner_id)
        out.rows(f"Partner {args.partner_id}", rows, ("step", "rule", "passed", "reason"), empty="no rules")
    elif args.command == "health":
        return show_health(client.health(), out)
    elif args.command == "runs":
        out.rows("Runs (newest first)", client.runs(args.limit), RUN_TABLE_COLUMNS, empty="none yet")
    return 0


def show_health(health: HealthResult, out: Output) -> int:
    """Exit 0 only for ok, so a monitoring system can call `leadstroom health`."""
    if out.as_json:
        out.json(dict(health))
    else:
        out.line(f"nightly sync: {health['status']} (checked {health['checked_at']:%Y-%m-%d %H:%M %Z})")
        state = "succeeded" if health["today_succeeded"] else ("overdue" if health["today_overdue"] else "not yet due")
        out.line(
            f"  today {health['today']} ({health['timezone']}, run at {health['run_at_local_time']:%H:%M}): {state}, "
            f"{health['attempts_today']} of at most {health['max_attempts_a_day']} attempts"
        )
        last = health["last_nightly"]
        if last:
            out.line(f"  last nightly: {last['kind']} run {last['run_id']} for {last['for_date']}: {last['status']}")
        failed = health["last_failed"]
        if failed:
            out.line(
                f"  last failed: {failed['kind']} run {failed['run_id']} ({failed['trigger']}, "
                f"{failed['started_at']:%Y-%m-%d %H:%M %Z}): {failed['status']}: {failed['error']} "
                f"(SQLSTATE {failed['sqlstate'] or '-'})"
            )
    return 0 if health["status"] == "ok" else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = Output(as_json=args.json)
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
