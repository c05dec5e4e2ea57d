"""SOP 03.4 on the demo marketplace, as a new admin follows it: the demo seed, the runbook's SQL, the runbook's
verification queries, and `leadstroom manual-test` with and without a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from leadstroom.runbook import Combination

from tests.test_sop import MANUAL, sop_verification_queries, sql_blocks

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "supabase" / "seed.sql"
LZ = "loodgieter_zuid_holland"
LEADSTROOM = str(Path(sys.executable).with_name("leadstroom"))


def load_demo(market) -> None:
    """The demo as `make demo` deploys it: the seed loaded with following on (the default), which made its
    segments as it went (run 1)."""
    market.follow()
    market.sql(SEED.read_text())


def test_the_runbook_works_verbatim_on_the_demo(market):
    load_demo(market)
    segments_query, combos_query = sop_verification_queries()
    assert LZ not in [r["code"] for r in market.sql(segments_query)], "the demo leaves the SOP's combination out"
    assert ("loodgieter", "zuid-holland") not in {(r["branch"], r["region"]) for r in market.sql(combos_query)}

    add, sync, _ = sql_blocks(MANUAL)
    market.sql(add)
    assert LZ in [r["code"] for r in market.sql(segments_query)], "following: it appears when the SQL commits"
    assert market.last_run()["trigger"] == "change"
    market.sql(sync)
    assert market.last_run()["fixed_count"] == 0
    combos = {(r["branch"], r["region"]): r for r in market.sql(combos_query)}
    assert combos[("loodgieter", "zuid-holland")]["capacity_total_leads"] >= 50
    # Loodgietersbedrijf Maas now feeds utrecht and zuid-holland: its 50 a month is shared, 25 in each
    market.sql("select plan_segment_targets()")
    plan = market.one(
        "select p.capacity_allocated, p.target_leads_per_month, p.target_leads_per_day from lead_segment_plans p "
        "join lead_segments s on s.id = p.segment_id where s.code = %s and p.date = ("
        "select (now() at time zone timezone)::date from segment_sync_settings)",
        (LZ,),
    )
    assert tuple(plan.values()) == (25, 20, Decimal("0.67"))


def test_manual_test_without_a_terminal_goes_straight_on(market, database_url):
    load_demo(market)
    result = subprocess.run(
        [LEADSTROOM, "manual-test"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": database_url},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "not waiting: --yes or no terminal" in result.stdout
    assert "Stap 5" in result.stdout
    printed = result.stdout.split("(Supabase SQL editor)\n", 1)[1].split("\nThe same statements", 1)[0]
    assert printed == Combination().sql().rstrip(), "the SQL is printed whole and unwrapped, ready to paste"


def read_until(fd: int, text: str, seconds: float = 30) -> str:
    seen = ""
    deadline = time.monotonic() + seconds
    while text not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"never printed {text!r}; printed:\n{seen}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096).decode(errors="replace")
            except OSError:  # the command ended
                break
            seen += chunk
    return seen


def test_manual_test_in_a_terminal_waits_for_the_admins_sql(market, database_url):
    """The admin runs the SQL while the walkthrough waits; the segment it shows came from that SQL."""
    load_demo(market)
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [LEADSTROOM, "manual-test"],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, "DATABASE_URL": database_url, "COLUMNS": "80"},
    )
    os.close(secondary)
    try:
        before = read_until(primary, "press Enter to sync")
        assert "insert into user_location_preferences" in before
        assert LZ not in market.active_codes(), "nothing happens until the admin runs the SQL"
        add, _, _ = sql_blocks(MANUAL)
        market.sql(add)  # the admin, in the SQL editor
        os.write(primary, b"\n")
        after = read_until(primary, "Stap 5")
        after += read_until(primary, "Targets for", 30)
        after += read_until(primary, " a day", 30)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    # as the README's walkthrough says: the seed's own segments are run 1, the admin's SQL is run 2
    shown = " ".join(after.split())  # as read, whatever the terminal wrapped
    assert f"{LZ}: changed when the combination was committed (run 2, trigger change" in shown
    # the new segment's target with its reason: Loodgietersbedrijf Maas feeds utrecht and zuid-holland now
    assert (
        f"{LZ}: 1 partner, 50 leads a month in all, shared with their other active segments: 25.00 a month here, "
        "25.00 still open this month; target 20.00 a month (x 0.8, at least the minimum, at most the share) / "
        "30 days = 0.67 a day"
    ) in shown
