"""SOP 03.4 end to end: the runbook's own SQL (docs/MANUAL_TEST_CAPACITY_SYNC.md) and verification queries."""

import re
from pathlib import Path

import pytest
from leadstroom.errors import LeadstroomError
from leadstroom.runbook import Combination

ROOT = Path(__file__).resolve().parent.parent
SOP = ROOT.parent / "shared" / "seeds" / "SOP-03.4-capacity-sync-testen.md"
MANUAL = ROOT / "docs" / "MANUAL_TEST_CAPACITY_SYNC.md"


def sql_blocks(path: Path) -> list[str]:
    return re.findall(r"```sql\n(.*?)```", path.read_text(), re.S)


def sop_verification_queries() -> list[str]:
    """The SELECT statements of the SOP's step 4, exactly as written there (the runbook is beside the project,
    in ../shared/seeds/; without it this test fails rather than check a copy of its own)."""
    assert SOP.exists(), f"the runbook is missing: {SOP}"
    queries = re.findall(r"`(SELECT [^`]+)`", SOP.read_text())
    assert len(queries) == 2, queries
    return queries


def test_the_manual_shows_the_runbook_template_filled_in_with_the_sops_example():
    """One source: the statements in the manual are python/leadstroom/runbook.sql with the SOP's values."""
    assert sql_blocks(MANUAL)[0] == Combination().sql()


def test_manual_sql_adds_the_combination_and_the_sync_creates_its_segment(market):
    blocks = sql_blocks(MANUAL)
    assert len(blocks) == 3, "the manual's example SQL is missing"
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
    def everything():
        return market.sql(
            "select (select count(*) from auth.users) as users, (select count(*) from subscriptions) as subs, "
            "(select count(*) from industries) as industries, "
            "(select count(*) from user_industry_preferences) + (select count(*) from user_location_preferences) "
            "as preferences, (select string_agg(code || is_active::text, ',') from lead_segments) as segments"
        )

    add, sync, _ = sql_blocks(MANUAL)
    market.sql(add)
    market.sql(sync)
    once = everything()
    market.sql(add)
    market.sql(sync)
    assert everything() == once, "run twice, the runbook changes nothing more"
    assert market.combos() == [("loodgieter", "zuid-holland", 1, 50)]
    assert market.last_run()["unchanged_count"] == 1


def test_every_filled_in_value_stays_a_literal(market):
    """A quote in a value the admin gives cannot end the literal: the SQL adds this partner and nothing else."""
    market.region("zuid-holland")
    tricky = Combination(
        partner="5a1e0000-0000-4000-8000-0000000000aa",
        email="o'brien@example.nl'); drop table public.leads; --",
        company="O'Brien & Zn'; delete from profiles; --",
        branch="loodgieter",
        region="zuid-holland",
        leads=7,
    )
    market.sql(tricky.checked({"zuid-holland"}).sql())
    assert market.one("select company_name from profiles where id = %s", (tricky.partner,)) == tricky.company
    assert market.one("select email from auth.users where id = %s", (tricky.partner,)) == tricky.email
    assert market.one("select to_regclass('public.leads') is not null")
    assert market.one("select count(*) from profiles") == 1
    with pytest.raises(LeadstroomError, match="--region: unknown region"):
        Combination(region="zuid-holland'; drop table leads; --").checked({"zuid-holland"})
    with pytest.raises(LeadstroomError, match="--branch"):
        Combination(branch="loodgieter'--").checked({"zuid-holland"})


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


def test_with_following_on_the_combination_creates_its_segment_when_it_commits(market):
    """SOP step 2 already creates the segment (a 'change' run); the sync of step 3 finds nothing left to do."""
    market.follow()
    blocks = sql_blocks(MANUAL)
    sync = next(b for b in blocks if b.strip() == "select sync_segments_capacity();")
    for block in blocks[: blocks.index(sync)]:
        market.sql(block)
    segments_query, _ = sop_verification_queries()
    assert [r["code"] for r in market.sql(segments_query)] == ["loodgieter_zuid_holland"]
    run = market.last_run()
    assert (run["trigger"], run["created_codes"]) == ("change", ["loodgieter_zuid_holland"])
    market.sql(sync)
    run = market.last_run()
    assert (run["trigger"], run["created_codes"], run["fixed_count"]) == ("sql", [], 0)
