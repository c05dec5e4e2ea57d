"""SOP 03.4 end to end: the runbook's own SQL (docs/MANUAL_TEST_CAPACITY_SYNC.md) and verification queries."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOP = ROOT.parent / "shared" / "seeds" / "SOP-03.4-capacity-sync-testen.md"
MANUAL = ROOT / "docs" / "MANUAL_TEST_CAPACITY_SYNC.md"


def sql_blocks(path: Path) -> list[str]:
    return re.findall(r"```sql\n(.*?)```", path.read_text(), re.S)


def sop_verification_queries() -> list[str]:
    """The SELECT statements of the SOP's step 4, exactly as written there."""
    text = SOP.read_text() if SOP.exists() else ""
    queries = re.findall(r"`(SELECT [^`]+)`", text)
    # the runbook is beside the project; keep the two queries here too so the test runs without it
    return queries or [
        "SELECT code, branch, region, is_active FROM lead_segments WHERE is_active = true;",
        "SELECT * FROM get_branch_region_capacity_combos();",
    ]


def test_manual_sql_adds_the_combination_and_the_sync_creates_its_segment(market):
    blocks = sql_blocks(MANUAL)
    assert len(blocks) >= 5, "the manual's example SQL is missing"
    for block in blocks:
        market.sql(block)

    segments_query, combos_query = sop_verification_queries()
    assert market.sql(segments_query) == [
        {
            "code": "loodgieter_zuid_holland",
            "branch": "loodgieter",
            "region": "zuid-holland",
            "is_active": True,
        }
    ]
    assert market.sql(combos_query) == [
        {"branch": "loodgieter", "region": "zuid-holland", "capacity_partners": 1, "capacity_total_leads": 50}
    ]
    run = market.last_run()
    assert run["status"] == "succeeded"
    assert run["created_codes"] == ["loodgieter_zuid_holland"]


def test_manual_sql_can_be_run_twice(market):
    for _ in range(2):
        for block in sql_blocks(MANUAL):
            market.sql(block)
    assert market.combos() == [("loodgieter", "zuid-holland", 1, 50)]
    assert market.active_codes() == ["loodgieter_zuid_holland"]
    assert market.last_run()["unchanged_count"] == 1


def test_sop_targets_after_the_orchestrator_run(market):
    for block in sql_blocks(MANUAL):
        market.sql(block)
    plan = market.plan("2026-11-27")
    assert plan["status"] == "succeeded"
    row = market.one(
        "select target_leads_per_month, target_leads_per_day, capacity_total_leads from lead_segment_plans "
        "join lead_segments s on s.id = segment_id where s.code = 'loodgieter_zuid_holland' "
        "and date = '2026-11-27'"
    )
    assert (float(row["target_leads_per_month"]), float(row["target_leads_per_day"])) == (40.0, 1.33)
    assert row["capacity_total_leads"] == 50
