"""`leadstroom manual-test`: SOP 03.4 step by step (replaces `node scripts/test-capacity-sync-manual.js`)."""

from __future__ import annotations

from typing import Any

from leadstroom.client import LeadstroomClient
from leadstroom.render import SEGMENT_COLUMNS, Output, as_rows

EXAMPLE_PARTNER = "5a1e0000-0000-4000-8000-000000000001"

ADD_COMBINATION_SQL = """\
-- 1. the partner: routing on (an existing partner works as well)
update profiles set is_active_for_routing = true where id = '{partner}';
-- 2. capacity: an active subscription (or set profiles.max_open_leads)
insert into subscriptions (user_id, status, is_paused, leads_per_month)
values ('{partner}', 'active', false, {leads});
-- 3. the branch
insert into user_industry_preferences (user_id, industry_id, is_enabled)
select '{partner}', id, true from industries where slug = '{branch}'
on conflict (user_id, industry_id) do update set is_enabled = true;
-- 4. the region
insert into user_location_preferences (user_id, location_code, is_enabled)
values ('{partner}', '{region}', true)
on conflict (user_id, location_code) do update set is_enabled = true;"""


def run_manual_test(
    client: LeadstroomClient,
    out: Output,
    *,
    partner: str | None,
    branch: str,
    region: str,
    leads: int,
    pause: bool,
) -> int:
    report: dict[str, Any] = {}
    latest_runs = client.runs(1)
    walkthrough_starts_after = latest_runs[0].id if latest_runs else 0

    out.heading("Stap 1: huidige capacity-combinaties en segmenten")
    report["combinations_before"] = combos = client.combos()
    out.table(
        "Capacity combinations", combos, ("branch", "region", "capacity_partners", "capacity_total_leads"), empty="none"
    )
    segments = client.segments()
    report["segments_before"] = as_rows(segments)
    out.table("Active segments", segments, SEGMENT_COLUMNS, empty="none")

    out.heading("Stap 2: nieuwe combinatie toevoegen (Supabase SQL editor)")
    report["add_combination_sql"] = sql = ADD_COMBINATION_SQL.format(
        partner=partner or EXAMPLE_PARTNER, branch=branch, region=region, leads=leads
    )
    out.line(sql)
    out.line("Full walkthrough: docs/MANUAL_TEST_CAPACITY_SYNC.md")
    if pause and not out.as_json:
        input("Run the SQL, then press Enter to sync... ")

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
        ("code", "capacity_total_leads", "target_leads_per_month", "target_leads_per_day", "actual_leads", "lead_gap"),
        empty="no new or reactivated segments in this run",
    )
    report["active_segments_after"] = sorted(after.active)
    if out.as_json:
        out.json(report)
    return 0
