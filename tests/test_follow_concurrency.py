"""Following partner changes under concurrency, with real connections: the write skew of two partners leaving
one combination, repeatable read, switching following on while a change is in flight, and a randomized
workload of partner changes and syncs after which a full sync has nothing to fix."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import psycopg
import pytest

from tests.test_follow_changes import LZ, in_line


@pytest.fixture
def market(market):
    market.follow()
    return market


def in_thread(work: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported to the test
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


def wait_until_blocked(market, pid: int) -> None:
    """Until the backend `pid` waits for a lock (bounded: 10 s)."""
    for _ in range(200):
        row = market.sql("select wait_event_type from pg_stat_activity where pid = %s", (pid,))
        if row and row[0]["wait_event_type"] == "Lock":
            return
        time.sleep(0.05)
    raise AssertionError(f"backend {pid} never waited for a lock")


def test_two_partners_leaving_one_combination_concurrently_deactivate_it(market, connect):
    """The write skew: each transaction alone still sees the other's capacity."""
    a = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=10)
    b = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=10)
    assert market.active_codes() == [LZ]
    first, second = connect(), connect()
    first.execute("update profiles set is_active_for_routing = false where id = %s", (a,))
    second_pid = second.info.backend_pid
    thread, errors = in_thread(
        lambda: (
            second.execute("update profiles set is_active_for_routing = false where id = %s", (b,)),
            second.commit(),
        )
    )
    wait_until_blocked(market, second_pid)  # the second waits for the combination's lock, not before
    assert market.active_codes() == [LZ], "nothing is visible before the first commits"
    first.commit()
    thread.join(10)
    assert not errors
    assert market.active_codes() == []
    in_line(market)


def test_under_repeatable_read_the_write_skew_ends_in_a_serialization_failure(market, connect):
    a = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=10)
    b = market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=10)
    first, second = connect(), connect()
    for conn in (first, second):
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.execute("select 1")  # the snapshot is taken here, before either change
    first.execute("update profiles set is_active_for_routing = false where id = %s", (a,))
    thread, errors = in_thread(
        lambda: second.execute("update profiles set is_active_for_routing = false where id = %s", (b,))
    )
    wait_until_blocked(market, second.info.backend_pid)
    first.commit()
    thread.join(10)
    assert len(errors) == 1, errors
    assert isinstance(errors[0], psycopg.errors.SerializationFailure), errors
    second.rollback()
    assert market.active_codes() == [LZ], "b still counts: its change was refused, not half applied"
    in_line(market)


def test_switching_following_on_waits_for_a_change_in_flight_and_includes_it(market, connect):
    market.follow(False)
    partner = market.partner(["loodgieter"], [], leads_per_month=10)
    change, admin = connect(), connect()
    change.execute(
        "insert into user_location_preferences (user_id, location_code) values (%s, 'zuid-holland')", (partner,)
    )
    thread, errors = in_thread(
        lambda: (admin.execute("update segment_sync_settings set follow_partner_changes = true"), admin.commit())
    )
    wait_until_blocked(market, admin.info.backend_pid)
    change.commit()
    thread.join(10)
    assert not errors
    assert market.active_codes() == [LZ]
    in_line(market)


def test_a_randomized_workload_of_changes_and_syncs_ends_equal_to_a_full_sync(market, connect):
    """Four back-office connections change partners with single statements (each its own transaction), two of
    them always on the same three partners; two partner connections of one partner change its own preferences
    through the API at the same time; a seventh syncs. Bounded in count. No deadlock, no failed statement; after
    the follow-up job (a partner's change that met taken locks is queued) nothing is left to fix."""
    branches, regions = ["loodgieter", "schilder", "dakdekker"], ["zuid-holland", "utrecht", "limburg"]
    partners = [market.partner(branches[: 1 + n % 3], regions[n % 3 :], leads_per_month=5) for n in range(12)]
    statements = [
        "update profiles set is_active_for_routing = not is_active_for_routing where id = %(p)s",
        "update subscriptions set is_paused = not is_paused where user_id = %(p)s",
        "update user_location_preferences set is_enabled = not is_enabled "
        "where user_id = %(p)s and location_code = %(r)s",
        "update user_industry_preferences set is_enabled = not is_enabled where user_id = %(p)s",
        "insert into user_location_preferences (user_id, location_code) values (%(p)s, %(r)s) "
        "on conflict (user_id, location_code) do update set is_enabled = not user_location_preferences.is_enabled",
        "update profiles set max_open_leads = 3 - coalesce(max_open_leads, 0) where id = %(p)s",
    ]
    own_statements = statements[2:5]  # what a partner may change itself

    def worker(seed: int, chosen: list, as_partner: bool = False) -> Callable[[], None]:
        def work() -> None:
            conn = connect()
            rng = random.Random(seed)
            for _ in range(40):
                params = {"p": rng.choice(chosen), "r": rng.choice(regions)}
                with conn.transaction():
                    if as_partner:
                        conn.execute("set local role authenticated")
                        conn.execute(
                            "select set_config('request.jwt.claims', %s, true)",
                            (f'{{"role": "authenticated", "sub": "{params["p"]}"}}',),
                        )
                    conn.execute(rng.choice(own_statements if as_partner else statements), params)

        return work

    def syncer() -> None:
        conn = connect(autocommit=True)
        for _ in range(6):
            result = conn.execute("select sync_segments_capacity() as r").fetchone()["r"]
            assert result["status"] == "succeeded", result

    threads = (
        [in_thread(worker(seed, partners)) for seed in range(2)]
        + [in_thread(worker(seed, partners[:3])) for seed in range(2, 4)]
        + [in_thread(worker(seed, partners[3:4], as_partner=True)) for seed in range(4, 6)]
        + [in_thread(syncer)]
    )
    for thread, _ in threads:
        thread.join(120)
    errors = [e for _, errs in threads for e in errs]
    assert not errors, errors
    failed = market.sql("select error from segment_sync_runs where status <> 'succeeded'")
    assert failed == []
    market.sql("select private.drain_follow_queue()")
    in_line(market)
