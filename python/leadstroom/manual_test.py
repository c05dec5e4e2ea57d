"""`leadstroom manual-test`: SOP 03.4 step by step (replaces `node scripts/test-capacity-sync-manual.js`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from leadstroom.client import LeadstroomClient
from leadstroom.render import COMBO_COLUMNS, PLAN_COLUMNS, SEGMENT_COLUMNS, Output, as_rows
from leadstroom.runbook import Combination


def wait_for_the_admin(out: Output, *, assume_yes: bool, ask: Callable[[str], str] = input) -> bool:
    """Interactive when a terminal is attached: wait until the admin has run the SQL. With --yes, or without a
    terminal (a pipe, CI, a closed stdin), go straight on. False when the admin stops the walkthrough."""
    if assume_yes or out.as_json or not sys.stdin.isatty():
        out.line("(not waiting: --yes or no terminal; the sync runs now)")
        return True
    try:
        answer = ask("Run the SQL above in the SQL editor, then press Enter to sync (q to stop): ")
    except EOFError:
        return True
    return answer.strip().lower() not in ("q", "quit", "stop")


def target_reason(plan: dict[str, Any], ratio: float, days_per_month: int) -> str:
    """Why a segment's target is what it is, in the planner's terms: its share of its partners' capacity (each
    partner's capacity divided by the active segments it feeds), what is still open this month, the ratio."""
    partners = plan["capacity_partners"]
    head = (
        f"{plan['code']}: {partners} partner{'' if partners == 1 else 's'}, {plan['capacity_total_leads']} leads a "
        f"month in all, shared with their other active segments: {float(plan['capacity_allocated']):.2f} a month "
        f"here, {float(plan['capacity_open']):.2f} still open this month"
    )
    if float(plan["target_leads_per_day"]) == 0:
        return f"{head}; target 0 (nothing open, or the segment is not active)"
    return (
        f"{head}; target {float(plan['target_leads_per_month']):.2f} a month (x {ratio:g}, at least the minimum, "
        f"at most the share) / {days_per_month} days = {float(plan['target_leads_per_day']):.2f} a day"
    )


def run_manual_test(
    client: LeadstroomClient,
    out: Output,
    *,
    combination: Combination,
    assume_yes: bool,
) -> int:
    combination = combination.checked(client.region_codes())
    report: dict[str, Any] = {}
    latest_runs = client.runs(1)
    walkthrough_starts_after = latest_runs[0].id if latest_runs else 0

    out.heading("Stap 1: huidige capacity-combinaties en segmenten")
    report["combinations_before"] = combos = client.combos()
    out.table("Capacity combinations", combos, COMBO_COLUMNS, empty="none")
    segments = client.segments()
    report["segments_before"] = as_rows(segments)
    out.table("Active segments", segments, SEGMENT_COLUMNS, empty="none")

    out.heading("Stap 2: nieuwe combinatie toevoegen (Supabase SQL editor)")
    report["add_combination_sql"] = sql = combination.sql()
    out.code(sql)
    out.line("The same statements, with the SOP's example: docs/MANUAL_TEST_CAPACITY_SYNC.md")
    if not wait_for_the_admin(out, assume_yes=assume_yes):
        out.line("stopped before the sync")
        return 0

    out.heading("Stap 3: sync (admin endpoint, method capacity)")
    result, _, after = client.checked_sync("capacity")
    report["sync"] = result
    out.sync_summary(result)
    out.line("checked: every combination has exactly one active segment, no active segment lacks one")

    out.heading("Stap 4: wat is er veranderd")
    # with following on, the segments changed when the SQL of step 2 committed, in runs of their own
    followed = [r for r in client.runs(50) if r.id > walkthrough_starts_after and r.trigger == "change"]
    changed = {
        "new": sorted({*result["created_codes"], *(c for r in followed for c in r.created_codes)}),
        "reactivated": sorted({*result["activated_codes"], *(c for r in followed for c in r.activated_codes)}),
        "deactivated": sorted({*result["deactivated_codes"], *(c for r in followed for c in r.deactivated_codes)}),
    }
    report["changed"] = changed
    report["following"] = result["following"]
    report["change_runs"] = as_rows(reversed(followed))
    for label, codes in changed.items():
        out.line(f"{label:<12} {', '.join(codes) if codes else '-'}")
    for run in reversed(followed):
        run_codes = ", ".join(run.created_codes + run.activated_codes + run.deactivated_codes)
        out.line(
            f"  {run_codes}: changed when the combination was committed "
            f"(run {run.id}, trigger change, {run.started_at:%Y-%m-%d %H:%M:%S %Z}, by {run.caller})"
        )
    if result["following"]:
        out.line(f"the sync of step 3 had {result['fixed']} segments left to fix: following keeps them in line")

    out.heading("Stap 5: targets van de nieuwe segmenten (orchestrator-run)")
    plan = client.plan(None)
    report["plan"] = plan
    fresh_codes = set(changed["new"]) | set(changed["reactivated"])
    ids = {s.id: s.code for s in client.segments() if s.code in fresh_codes}
    plans = client.plans(plan["date"].isoformat(), sorted(ids))
    targets = [{"code": ids[p.segment_id], **row} for p, row in zip(plans, as_rows(plans), strict=True)]
    report["targets"] = targets
    out.table(
        f"Targets for {plan['date']}",
        targets,
        PLAN_COLUMNS,
        empty="no new or reactivated segments in this run",
    )
    settings = client.settings()
    report["reasons"] = reasons = [
        target_reason(row, settings.target_ratio, settings.days_per_month) for row in targets
    ]
    for reason in reasons:
        out.line(reason)
    report["active_segments_after"] = sorted(after.active)
    if out.as_json:
        out.json(report)
    return 0
