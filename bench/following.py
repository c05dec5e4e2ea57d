"""What following partner changes costs, measured in the same run as the full sync (bench/run.py):

- single-partner changes (toggle one location preference; pause a subscription; a new partner with 3 branches
  x 6 regions), following on and off, each in a rolled-back transaction;
- one statement that changes 1% of the partners, following on and off;
- throughput: 4 connections changing different partners at once (committed, single statements), on vs off;
- the wait of a partner's own change issued while a full sync runs (following on), the cold one included.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from typing import Any

import psycopg

THROUGHPUT_CONNECTIONS = 4
THROUGHPUT_CHANGES = 200  # per connection; each partner's toggle is undone by a second toggle


def set_following(bench: Any, on: bool) -> None:
    with bench.connect() as conn:
        conn.execute("update segment_sync_settings set follow_partner_changes = %s", (on,))


def sample_partners(bench: Any, count: int, salt: str) -> list[uuid.UUID]:
    with bench.connect() as conn:
        rows = conn.execute(
            "select p.id from profiles p where p.is_active_for_routing "
            "and exists (select from user_location_preferences l where l.user_id = p.id) "
            "and exists (select from subscriptions s where s.user_id = p.id) "
            "order by md5(p.id::text || %s) limit %s",
            (salt, count),
        ).fetchall()
    return [r[0] for r in rows]


def subscriptions_of(bench: Any, partners: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """One subscription of each partner, looked up once: changes go by the subscription's id, as billing's do."""
    with bench.connect() as conn:
        rows = conn.execute(
            "select distinct on (user_id) user_id, id from subscriptions where user_id = any(%s)", (partners,)
        ).fetchall()
    return dict(rows)


def single_changes(bench: Any, label: str, partners: int) -> None:
    targets = sample_partners(bench, bench.repetitions + 1, "single")
    subscription_of = subscriptions_of(bench, targets)
    current = [targets[-1]]  # the partner of the next timed change (the warm-up reuses the previous one)

    def pick(conn: psycopg.Connection, repetition: int) -> None:
        current[0] = targets[repetition]

    def partner_of(conn: psycopg.Connection) -> uuid.UUID:
        return current[0]

    def toggle_location(conn: psycopg.Connection) -> None:
        conn.execute(
            "update user_location_preferences set is_enabled = not is_enabled "
            "where id = (select min(id) from user_location_preferences where user_id = %s)",
            (partner_of(conn),),
        )

    def pause_subscription(conn: psycopg.Connection) -> None:
        # by the subscription's id, as billing does (subscriptions have no index on user_id alone)
        conn.execute(
            "update subscriptions set is_paused = not is_paused where id = %s", (subscription_of[partner_of(conn)],)
        )

    def new_partner(conn: psycopg.Connection) -> None:
        partner = uuid.uuid4()
        conn.execute("insert into auth.users (id, email) values (%s, %s)", (partner, f"{partner}@bench.example"))
        conn.execute(
            "insert into profiles (id, is_active_for_routing, max_open_leads) values (%s, true, 25)", (partner,)
        )
        conn.execute(
            "insert into subscriptions (user_id, status, leads_per_month) values (%s, 'active', 40)", (partner,)
        )
        conn.execute(
            "insert into user_industry_preferences (user_id, industry_id) "
            "select %s, id from industries order by md5(slug || %s::text) limit 3",
            (partner, partner),
        )
        conn.execute(
            "insert into user_location_preferences (user_id, location_code) "
            # the marketplace's own regions: the new regions below are for the case that creates segments
            "select %s, code from regions where is_active and code not like 'nieuw-%%' "
            "order by md5(code || %s::text) limit 6",
            (partner, partner),
        )

    # six regions nobody asks for (committed once, no partner yet): each sign-up below, rolled back after, creates
    # 3 x 6 new segments and writes their plans
    new_regions = [f"nieuw-{label}-{n}" for n in range(6)]
    with bench.connect() as conn:
        for code in new_regions:
            conn.execute("insert into regions (code, name) values (%s, %s) on conflict do nothing", (code, code))

    def new_partner_new_combinations(conn: psycopg.Connection) -> None:
        partner = uuid.uuid4()
        conn.execute("insert into auth.users (id, email) values (%s, %s)", (partner, f"{partner}@bench.example"))
        conn.execute("insert into profiles (id, is_active_for_routing) values (%s, true)", (partner,))
        conn.execute(
            "insert into user_industry_preferences (user_id, industry_id) "
            "select %s, id from industries order by md5(slug || %s::text) limit 3",
            (partner, partner),
        )
        conn.execute(
            "insert into user_location_preferences (user_id, location_code) select %s, unnest(%s::text[])",
            (partner, new_regions),
        )
        conn.execute(
            "insert into subscriptions (user_id, status, leads_per_month) values (%s, 'active', 40)", (partner,)
        )

    bench.measure(f"change_toggle_location_{label}", toggle_location, prepare=pick)
    bench.measure(f"change_new_partner_new_combinations_{label}", new_partner_new_combinations)
    bench.measure(f"change_pause_subscription_{label}", pause_subscription, prepare=pick)
    bench.measure(f"change_new_partner_{label}", new_partner)

    def bulk(conn: psycopg.Connection) -> None:
        conn.execute(
            "update profiles set is_active_for_routing = not is_active_for_routing "
            "where id in (select id from profiles order by md5(id::text || 'bulk') limit %s)",
            (partners // 100,),
        )

    bench.measure(f"change_bulk_1pct_{label}", bulk)

    if partners >= 1_000_000:

        def every_subscription(conn: psycopg.Connection) -> None:
            conn.execute("update subscriptions set leads_per_month = leads_per_month + 1")

        bench.measure(f"change_every_subscription_{label}", every_subscription)


def throughput(bench: Any, label: str) -> dict[str, Any]:
    """Committed single-statement changes per second from 4 connections, each on partners of its own."""
    partners = sample_partners(bench, THROUGHPUT_CONNECTIONS * THROUGHPUT_CHANGES // 2, "throughput")
    subscription_of = subscriptions_of(bench, partners)
    shares = [partners[n::THROUGHPUT_CONNECTIONS] for n in range(THROUGHPUT_CONNECTIONS)]
    errors: list[BaseException] = []

    def work(mine: list[uuid.UUID]) -> None:
        try:
            with bench.connect() as conn:
                for partner in mine + mine:  # every toggle undone by the second pass
                    conn.execute(
                        "update subscriptions set is_paused = not is_paused where id = %s", (subscription_of[partner],)
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    changes = sum(2 * len(share) for share in shares)
    figure = {"changes": changes, "seconds": elapsed, "changes_per_s": changes / elapsed}
    bench.extra[f"throughput_{label}"] = figure
    return figure


def change_during_sync(bench: Any, label: str = "change_during_sync") -> dict[str, Any]:
    """A partner's own change (through the API, as `authenticated`) issued while a full sync runs: how long the
    partner waits (following on). Whatever the sync holds, the partner waits for locks until 0.2 s after its
    statement started."""
    partners = sample_partners(bench, bench.repetitions, "during")
    waits = []
    for partner in partners:
        with bench.connect() as syncing, bench.connect() as changing:
            syncing.autocommit = False  # rolled back below: a cold sync stays cold for the next repetition
            sync = threading.Thread(target=lambda c=syncing: c.execute("select sync_segments_capacity()"))
            sync.start()
            time.sleep(0.05)  # the sync is now in its aggregate
            with changing.transaction(force_rollback=True):
                changing.execute("set local role authenticated")
                changing.execute(
                    "select set_config('request.jwt.claims', %s, true)",
                    (f'{{"role": "authenticated", "sub": "{partner}"}}',),
                )
                started = time.perf_counter()
                changing.execute(
                    "update user_location_preferences set is_enabled = not is_enabled "
                    "where id = (select min(id) from user_location_preferences where user_id = %s)",
                    (partner,),
                )
                waits.append(time.perf_counter() - started)
            sync.join()
            syncing.rollback()  # a cold sync is measured again from the same state
    figure = {"median_s": statistics.median(waits), "max_s": max(waits), "times_s": waits}
    bench.extra[label] = figure
    return figure


def measure_following(bench: Any, partners: int) -> None:
    set_following(bench, False)
    single_changes(bench, "off", partners)
    throughput(bench, "off")
    set_following(bench, True)  # reconciles once: every segment is already in line
    single_changes(bench, "on", partners)
    throughput(bench, "on")
    change_during_sync(bench)
