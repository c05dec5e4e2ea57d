"""Following under the interleavings a marketplace produces, with real connections released together: two requests
of one partner at once, billing against a partner's own change, repeatable read, a partner's change against a
back-office transaction left open (the follow-up queue and its job), switching following on, TRUNCATE."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable

import psycopg
import pytest

from tests.test_follow_changes import LZ, change_runs, in_line
from tests.test_follow_concurrency import in_thread, wait_until_blocked


@pytest.fixture
def market(market):
    market.follow()
    return market


def as_partner(conn: psycopg.Connection, partner: uuid.UUID) -> None:
    """The start of a PostgREST request by a partner: its own transaction, role and JWT claims."""
    conn.execute("set local role authenticated")
    conn.execute("set local statement_timeout = '8s'")  # as on Supabase: a request that waits ends, not hangs
    claims = json.dumps({"role": "authenticated", "sub": str(partner)})
    conn.execute("select set_config('request.jwt.claims', %s, true)", (claims,))


def released_together(*works: Callable[[psycopg.Connection], None], connect) -> None:
    """Each work in its own connection and transaction, started at the same moment and committed."""
    conns = [connect() for _ in works]
    barrier = threading.Barrier(len(works))

    def run(conn: psycopg.Connection, work: Callable[[psycopg.Connection], None]) -> Callable[[], None]:
        def go() -> None:
            with conn.transaction():
                barrier.wait(10)
                work(conn)

        return go

    threads = [in_thread(run(conn, work)) for conn, work in zip(conns, works, strict=True)]
    for thread, _ in threads:
        thread.join(30)
    errors = [e for _, errs in threads for e in errs]
    assert not errors, errors
    for conn in conns:
        conn.close()


def follow_up_job(market) -> None:
    """Fires the follow-up job as pg_cron would: its scheduled command, as the project owner."""
    command = market.one("select command from cron.job where jobname = 'leadstroom-follow-up'")
    market.sql(command)


def queued(market) -> int:
    return market.one("select count(*) from private.segment_follow_queue")


# --- one partner, two requests at once --------------------------------------------------------------------


def test_onboarding_saves_branch_and_region_in_two_simultaneous_requests(market, connect):
    """Each request alone sees half of the pair; the later of the two reads what the earlier committed."""
    market.industry("loodgieter")
    misses = []
    for trial in range(50):
        region = market.region(f"regio-{trial}")
        partner = market.partner([], [], max_open_leads=40)

        def save_branch(conn: psycopg.Connection, partner: uuid.UUID = partner) -> None:
            as_partner(conn, partner)
            conn.execute(
                "insert into user_industry_preferences (user_id, industry_id) "
                "select %s, id from industries where slug = 'loodgieter'",
                (partner,),
            )

        def save_region(conn: psycopg.Connection, partner: uuid.UUID = partner, region: str = region) -> None:
            as_partner(conn, partner)
            conn.execute(
                "insert into user_location_preferences (user_id, location_code) values (%s, %s)", (partner, region)
            )

        released_together(save_branch, save_region, connect=connect)
        code = f"loodgieter_regio_{trial}"
        if code not in market.active_codes():
            misses.append(code)
    assert misses == [], f"{len(misses)} of 50 onboardings left their combination without a segment"
    assert queued(market) == 0, "nobody held the partner's locks for long: nothing was queued"
    in_line(market)


@pytest.mark.parametrize("common", [True, False], ids=["with a combination in common", "without"])
@pytest.mark.parametrize("capacity", [0, 30], ids=["billing takes capacity", "billing gives capacity"])
def test_billing_changes_capacity_while_the_partner_adds_a_region(market, connect, capacity, common):
    for trial in range(8):
        partner = market.partner(["loodgieter"], ["utrecht"] if common else [], max_open_leads=30 - capacity)
        region = market.region(f"regio-{trial}")

        def billing(conn: psycopg.Connection, partner: uuid.UUID = partner) -> None:
            conn.execute("set local role service_role")
            conn.execute("update profiles set max_open_leads = %s where id = %s", (capacity, partner))

        def add_region(conn: psycopg.Connection, partner: uuid.UUID = partner, region: str = region) -> None:
            as_partner(conn, partner)
            conn.execute(
                "insert into user_location_preferences (user_id, location_code) values (%s, %s)", (partner, region)
            )

        works = (billing, add_region) if trial % 2 else (add_region, billing)
        released_together(*works, connect=connect)
        assert (f"loodgieter_regio_{trial}" in market.active_codes()) is (capacity > 0), trial
    in_line(market)


# --- repeatable read ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["first commits before the second writes", "second waits for the first"])
def test_two_partners_creating_one_segment_under_repeatable_read_end_in_40001(market, connect, order):
    a = market.partner(["loodgieter"], [], leads_per_month=10)
    b = market.partner(["loodgieter"], [], leads_per_month=10)
    first, second = connect(), connect()
    for conn in (first, second):
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.execute("select 1")  # the snapshots are taken here, before either change
    add = "insert into user_location_preferences (user_id, location_code) values (%s, 'zuid-holland')"
    first.execute(add, (a,))
    if order == "first commits before the second writes":
        first.commit()
        with pytest.raises(psycopg.errors.SerializationFailure):
            second.execute(add, (b,))
    else:
        thread, errors = in_thread(lambda: second.execute(add, (b,)))
        wait_until_blocked(market, second.info.backend_pid)
        first.commit()
        thread.join(10)
        assert len(errors) == 1, errors
        assert isinstance(errors[0], psycopg.errors.SerializationFailure), errors
    second.rollback()
    assert market.active_codes() == [LZ]
    assert market.sql("select status from segment_sync_runs where status <> 'succeeded'") == [], "nothing skipped"
    in_line(market)


# --- a partner never waits for others ---------------------------------------------------------------------------


def test_a_partners_change_against_a_transaction_left_open_is_queued_and_brought_in_line(market, connect):
    # another partner with capacity that asks for the combination but has its region switched off: a change to
    # it checks the combination (under its lock) and changes nothing
    other = market.partner(["loodgieter"], [], max_open_leads=10)
    market.prefer_region(other, "zuid-holland", enabled=False)
    partner = market.partner(["loodgieter"], [], max_open_leads=10)
    assert market.active_codes() == []
    back_office = connect()  # holds the combination: its change (no segment to change) is not committed
    back_office.execute("update profiles set max_open_leads = 20 where id = %s", (other,))

    started = time.monotonic()
    with market.conn.transaction():
        as_partner(market.conn, partner)
        market.conn.execute(
            "insert into user_location_preferences (user_id, location_code) values (%s, 'zuid-holland')", (partner,)
        )
    waited = time.monotonic() - started
    assert waited < 1.0, f"the partner's request took {waited:.2f} s while the back office held the combination"
    assert queued(market) == 1, "what could not be locked at once is in the queue, committed with the change"
    assert market.active_codes() == [], "not yet: the combination was held"

    back_office.commit()
    follow_up_job(market)
    assert queued(market) == 0
    assert market.active_codes() == [LZ]
    assert change_runs(market)[-1]["created_codes"] == [LZ], "the job's follow-up is a change run"
    in_line(market)


def test_the_follow_up_job_leaves_the_queue_while_the_locks_stay_taken(market, connect):
    partner = market.partner(["loodgieter"], [], max_open_leads=10)
    back_office = connect()
    back_office.execute("update profiles set max_open_leads = 15 where id = %s", (partner,))  # holds the partner
    with market.conn.transaction():
        as_partner(market.conn, partner)
        market.conn.execute(
            "insert into user_location_preferences (user_id, location_code) values (%s, 'zuid-holland')", (partner,)
        )
    assert queued(market) == 1
    market.sql("set lock_timeout = '200ms'")  # the job's own 10 s bound, shortened for the test
    job = connect(autocommit=True)
    job.execute("set lock_timeout = '200ms'")
    with pytest.raises(psycopg.errors.LockNotAvailable):
        job.execute("select private.drain_follow_queue()")
    assert queued(market) == 1, "nothing lost: the keys wait for the next firing"
    back_office.commit()
    follow_up_job(market)
    assert (queued(market), market.active_codes()) == (0, [LZ])
    in_line(market)


# --- switching following on, TRUNCATE -------------------------------------------------------------------------


def test_a_change_during_the_switch_to_following_does_not_wait_for_it(market, connect):
    market.follow(False)
    partner = market.partner(["loodgieter"], [], max_open_leads=10)
    admin = connect()
    admin.execute("update segment_sync_settings set follow_partner_changes = true")  # reconciling, not committed
    change = connect(autocommit=True)
    change.execute("set lock_timeout = '2s'")  # a wait would end in an error instead of hanging the test
    change.execute(
        "insert into user_location_preferences (user_id, location_code) values (%s, 'zuid-holland')", (partner,)
    )
    assert queued(market) == 1
    admin.commit()
    follow_up_job(market)
    assert market.active_codes() == [LZ]
    in_line(market)


def test_a_switch_that_is_rolled_back_drops_the_queue(market, connect):
    market.follow(False)
    partner = market.partner(["loodgieter"], [], max_open_leads=10)
    admin = connect()
    admin.execute("update segment_sync_settings set follow_partner_changes = true")
    market.prefer_region(partner, "zuid-holland")
    admin.rollback()
    follow_up_job(market)
    assert (queued(market), market.active_codes()) == (0, []), "following stayed off: the sync decides"


@pytest.mark.parametrize("table", ["user_location_preferences", "user_industry_preferences", "subscriptions"])
def test_truncate_of_a_source_of_capacity_is_followed(market, table):
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=10)
    market.partner(["schilder"], ["utrecht"], leads_per_month=10)
    assert len(market.active_codes()) == 2
    market.sql(f"truncate {table}")
    assert market.active_codes() == []
    assert sorted(change_runs(market)[-1]["deactivated_codes"]) == ["loodgieter_zuid_holland", "schilder_utrecht"]
    in_line(market)
