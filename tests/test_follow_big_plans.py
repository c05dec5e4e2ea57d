"""A partner's change never waits for a big plan: plans of segments where more than 500 (partner, segment) pairs
have both preferences enabled are written by the follow-up job, not inside the request
(private.plans_fit_a_request), and telling which they are reads those preferences, not the marketplace. Such a
segment only appears under a partner's change when following was bypassed, as the benchmark's cold sync does:
the platform switches following on without its reconciliation."""

from __future__ import annotations

import pytest

from tests.test_follow_changes import change_runs, in_line
from tests.test_follow_interleavings import as_partner, follow_up_job

CODE = "loodgieter_zuid_holland"


def crowd(market, partners: int, branch: str = "loodgieter") -> None:
    """`partners` partners with capacity in `branch` x zuid-holland, written with following off (set-based)."""
    market.industry(branch)
    market.sql(
        """
        with added as (
            insert into auth.users (id, email)
            select gen_random_uuid(), 'crowd-' || %(branch)s || '-' || n || '@example.nl'
            from generate_series(1, %(n)s) as n
            returning id
        ),
        profiled as (
            insert into profiles (id, is_active_for_routing, max_open_leads)
            select id, true, 10 from added
            on conflict (id) do update set is_active_for_routing = true, max_open_leads = 10
            returning id
        ),
        branches as (
            insert into user_industry_preferences (user_id, industry_id)
            select p.id, i.id from profiled as p cross join industries as i where i.slug = %(branch)s
        )
        insert into user_location_preferences (user_id, location_code)
        select id, 'zuid-holland' from profiled
        """,
        {"n": partners, "branch": branch},
    )


def switch_following_on_bypassed(market) -> None:
    """Following on without its reconciliation: the combination has capacity and no segment."""
    market.platform.execute("set session_replication_role = replica")
    market.platform.execute("update public.segment_sync_settings set follow_partner_changes = true")
    market.platform.execute("reset session_replication_role")


def plan_of_today(market, code: str):
    rows = market.sql(
        "select p.capacity_partners, p.target_leads_per_day from lead_segment_plans as p "
        "join lead_segments as s on s.id = p.segment_id where s.code = %s and p.date = private.local_today()",
        (code,),
    )
    return rows[0] if rows else None


def plans_queued(market) -> int:
    return market.one("select count(*) from private.segment_plan_queue")


def partner_enables_zuid_holland(market, partner) -> None:
    with market.conn.transaction():
        as_partner(market.conn, partner)
        market.conn.execute(
            "insert into user_location_preferences (user_id, location_code) values (%s, 'zuid-holland')", (partner,)
        )


@pytest.mark.parametrize(
    ("crowded", "planned_at_once"),
    [(499, True), (500, False)],
    ids=["500 feeders: planned in the request", "501 feeders: planned by the job"],
)
def test_a_partners_change_leaves_a_big_plan_to_the_follow_up_job(market, crowded, planned_at_once):
    crowd(market, crowded)
    partner = market.partner(["loodgieter"], [], max_open_leads=10)
    switch_following_on_bypassed(market)

    partner_enables_zuid_holland(market, partner)

    assert market.active_codes() == [CODE], "the segment itself follows the change at once"
    run = change_runs(market)[-1]
    assert run["created_codes"] == [CODE]
    feeders = crowded + 1
    if planned_at_once:
        assert plans_queued(market) == 0
        assert plan_of_today(market, CODE)["capacity_partners"] == feeders
        return
    assert run["result"]["plans"] == {"queued_for_follow_up": 1}
    assert (plans_queued(market), plan_of_today(market, CODE)) == (1, None), "the plan waits for the job"

    follow_up_job(market)

    assert plans_queued(market) == 0
    assert plan_of_today(market, CODE)["capacity_partners"] == feeders
    assert plan_of_today(market, CODE)["target_leads_per_day"] > 0
    plan_run = market.one(
        "select trigger, status, result from segment_sync_runs where kind = 'plan' order by id desc limit 1"
    )
    assert (plan_run["trigger"], plan_run["status"], plan_run["result"]["segments_planned"]) == (
        "change",
        "succeeded",
        1,
    ), "the job's plans leave a plan run of their own"
    in_line(market)


def test_a_back_office_change_writes_a_big_plan_at_once(market):
    """Only a partner's own request defers: the back office waits for its maintenance, plans included."""
    crowd(market, 500)
    partner = market.partner(["loodgieter"], [], max_open_leads=10)
    switch_following_on_bypassed(market)

    market.prefer_region(partner, "zuid-holland")

    assert plans_queued(market) == 0
    assert plan_of_today(market, CODE)["capacity_partners"] == 501


def test_a_failed_follow_up_plan_keeps_the_segment_queued_and_shows_failed(market):
    crowd(market, 500)
    partner = market.partner(["loodgieter"], [], max_open_leads=10)
    switch_following_on_bypassed(market)
    partner_enables_zuid_holland(market, partner)
    market.platform.execute("alter table public.lead_segment_plans add constraint refuse_all check (false) not valid")
    try:
        follow_up_job(market)
    finally:
        market.platform.execute("alter table public.lead_segment_plans drop constraint refuse_all")
    failed = market.one("select trigger, status from segment_sync_runs where kind = 'plan' order by id desc limit 1")
    assert failed == {"trigger": "change", "status": "failed"}
    assert plans_queued(market) == 1, "nothing lost: the plan waits for the next firing"
    follow_up_job(market)
    assert (plans_queued(market), plan_of_today(market, CODE)["capacity_partners"]) == (0, 501)


def profile_blocks(market) -> int:
    """Blocks of the profiles table this connection has read so far (its own statistics, flushed now)."""
    market.sql("select pg_stat_force_next_flush()")
    market.sql("select pg_stat_clear_snapshot()")
    return market.one(
        "select heap_blks_hit + heap_blks_read from pg_statio_user_tables where relid = 'public.profiles'::regclass"
    )


def test_telling_a_big_plan_reads_the_preferences_not_the_feeders(market):
    """Counting a segment's feeders through the capacity rule would read each one's profile (or hash them all);
    the bound reads the two preference indexes only. The request itself reads the partner's own profile and
    the first feeder it finds."""
    # partners that ask for nothing: a hash of every profile reads them too
    market.sql(
        "insert into auth.users (id, email) select md5('bystander' || g)::uuid, 'bystander' || g || '@example.nl' "
        "from generate_series(1, 40000) as g"
    )
    market.sql(
        "insert into profiles (id, is_active_for_routing, max_open_leads) "
        "select md5('bystander' || g)::uuid, true, 10 from generate_series(1, 40000) as g"
    )
    crowd(market, 500, "loodgieter")
    crowd(market, 500, "schilder")
    warm_up = market.partner(["loodgieter"], [], max_open_leads=10)
    partner = market.partner(["schilder"], [], max_open_leads=10)
    market.sql("analyze")
    switch_following_on_bypassed(market)
    partner_enables_zuid_holland(market, warm_up)  # plans are cached per session
    before = profile_blocks(market)
    partner_enables_zuid_holland(market, partner)
    read = profile_blocks(market) - before
    assert plans_queued(market) == 2, "both plans were left to the job"
    assert read < 100, f"the request read {read} blocks of profiles for a segment with 501 feeders"


def test_a_plan_queued_before_midnight_is_written_for_its_own_day(market):
    crowd(market, 500)
    partner = market.partner(["loodgieter"], [], max_open_leads=10)
    switch_following_on_bypassed(market)
    partner_enables_zuid_holland(market, partner)
    market.platform.execute("update private.segment_plan_queue set date = date - 1")  # queued yesterday, late

    follow_up_job(market)

    dates = market.sql(
        "select p.date - private.local_today() as day from lead_segment_plans as p "
        "join lead_segments as s on s.id = p.segment_id where s.code = %s",
        (CODE,),
    )
    assert [row["day"] for row in dates] == [-1], "the plan of the day it was queued for, not of today"
