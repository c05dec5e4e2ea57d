"""Health sees following: `degraded` for a failed change run since the last successful sync, for keys waiting in
the follow-up queue for more than 5 minutes, and for a reconciling sync that had to fix segments; back to `ok` when
each is resolved. Through the database function and `leadstroom health` (its exit code)."""

from __future__ import annotations

import pytest

from tests.test_client import run_command
from tests.test_follow_big_plans import crowd, partner_enables_zuid_holland, switch_following_on_bypassed
from tests.test_follow_changes import LZ
from tests.test_follow_interleavings import as_partner, follow_up_job
from tests.test_nightly import nightly, segment_write_trigger  # noqa: F401 (nightly is a fixture)


@pytest.fixture
def healthy(market, nightly):  # noqa: F811
    """Following on, tonight's run done, nothing wrong: `ok`."""
    market.follow()
    market.sql(nightly)
    assert market.one("select segment_sync_health() ->> 'status'") == "ok"
    return market


def health(market, database_url) -> tuple[str, list[str], int]:
    result = market.one("select segment_sync_health() as h")
    command = run_command("health", env={"DATABASE_URL": database_url})
    assert "Traceback" not in command.stderr
    for reason in result["degraded_because"]:
        assert f"degraded: {reason}" in command.stdout
    return result["status"], result["degraded_because"], command.returncode


def test_a_failed_change_run_degrades_health_until_a_sync_succeeds(healthy, database_url):
    market = healthy
    partner = market.partner(["schilder"], [], leads_per_month=10)
    with segment_write_trigger(market, "raise exception 'segments are broken'"):
        market.prefer_region(partner, "utrecht")  # the partner's change stands; its maintenance failed
    assert market.one("select count(*) from user_location_preferences where user_id = %s", (partner,)) == 1
    status, because, code = health(market, database_url)
    assert (status, because, code) == ("degraded", ["a change run failed after the last successful sync"], 1)
    follow_up_job(market)  # the failed maintenance was queued: the job brings it in line
    assert "schilder_utrecht" in market.active_codes()
    assert health(market, database_url)[0] == "degraded", "the failure stays visible until a sync succeeds"
    assert market.sync()["fixed"] == 0
    assert health(market, database_url) == ("ok", [], 0)


def test_changes_waiting_in_the_queue_for_over_5_minutes_degrade_health(healthy, database_url, connect):
    market = healthy
    partner = market.partner(["schilder"], [], max_open_leads=10)
    back_office = connect()
    back_office.execute("update profiles set max_open_leads = 15 where id = %s", (partner,))  # holds the partner
    with market.conn.transaction():
        as_partner(market.conn, partner)
        market.conn.execute(
            "insert into user_location_preferences (user_id, location_code) values (%s, 'utrecht')", (partner,)
        )
    assert health(market, database_url)[0] == "ok", "queued a moment ago: following is keeping up"
    market.platform.execute("update private.segment_follow_queue set queued_at = now() - interval '6 minutes'")
    status, because, code = health(market, database_url)
    assert (status, because, code) == (
        "degraded",
        ["changes have waited in the follow-up queue for more than 5 minutes"],
        1,
    )
    back_office.commit()
    follow_up_job(market)
    assert health(market, database_url) == ("ok", [], 0)


def test_a_sync_that_had_to_fix_segments_while_following_degrades_health(healthy, database_url):
    market = healthy
    partner = market.partner(["schilder"], [], leads_per_month=10)
    # a change following never saw (triggers bypassed, as a bulk load does)
    market.platform.execute("set session_replication_role = replica")
    market.platform.execute(
        "insert into public.user_location_preferences (user_id, location_code) values (%s, 'utrecht')", (partner,)
    )
    market.platform.execute("reset session_replication_role")
    assert market.sync()["fixed"] == 1
    status, because, code = health(market, database_url)
    assert (status, because, code) == ("degraded", ["the last reconciling sync had to fix 1 segments"], 1)
    assert market.sync()["fixed"] == 0
    assert health(market, database_url) == ("ok", [], 0)
    assert LZ in market.active_codes()


def test_plans_waiting_for_the_follow_up_job_for_over_5_minutes_degrade_health(healthy, database_url):
    market = healthy
    market.follow(False)
    crowd(market, 500, "dakdekker")  # a combination tonight's run did not have
    partner = market.partner(["dakdekker"], [], max_open_leads=10)
    switch_following_on_bypassed(market)
    partner_enables_zuid_holland(market, partner)
    result = market.one("select segment_sync_health() as h")
    assert (result["status"], result["following"]["plans_queued"]) == ("ok", 1), "queued a moment ago"
    market.platform.execute("update private.segment_plan_queue set queued_at = now() - interval '6 minutes'")
    status, because, code = health(market, database_url)
    assert (status, because, code) == (
        "degraded",
        ["changes have waited in the follow-up queue for more than 5 minutes"],
        1,
    )
    follow_up_job(market)
    assert health(market, database_url) == ("ok", [], 0)
