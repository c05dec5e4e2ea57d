"""A small builder for marketplace scenarios on the real database, written the way the SOP's SQL writes them."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import psycopg

_counter = itertools.count(1)


EMPTY_MARKETPLACE_SQL = """
set session_replication_role = replica;  -- lets the reset pass the never-delete triggers
truncate auth.users, public.industries, public.lead_segments, public.lead_segment_plans, public.leads,
    public.segment_sync_runs, public.profiles, public.subscriptions, public.payment_methods,
    public.user_industry_preferences, public.user_location_preferences, private.segment_follow_queue,
    private.segment_plan_queue
    restart identity cascade;
delete from public.regions where code not in (
    'noord-holland', 'zuid-holland', 'noord-brabant', 'gelderland', 'utrecht', 'friesland', 'overijssel',
    'groningen', 'drenthe', 'flevoland', 'limburg', 'zeeland');
update public.regions set is_active = true, country = 'NL' where not is_active or country <> 'NL';
reset session_replication_role;
update public.segment_sync_settings set target_ratio = 0.8, min_target_leads_per_month = 5, days_per_month = 30,
    timezone = 'Europe/Amsterdam', run_at_local_time = '03:00', require_active_payment_method = false,
    follow_partner_changes = false, keep_runs_days = 90;
"""


class Marketplace:
    """`conn` is the project owner's connection (`postgres`, as the SQL console); `platform` the superuser's,
    for what only the platform may do (the reset passes the never-delete triggers)."""

    def __init__(self, conn: psycopg.Connection, platform: psycopg.Connection) -> None:
        self.conn = conn
        self.platform = platform

    def reset(self) -> None:
        """An empty marketplace: data tables truncated, the 12 provinces, default settings, except that segments
        do not follow partner changes: most tests are about the sync itself, as SOP 03.4 describes it with
        following off. The tests of following (test_follow_changes.py) switch it on with `follow()`."""
        self.platform.execute(EMPTY_MARKETPLACE_SQL)

    def follow(self, on: bool = True) -> None:
        self.sql("update segment_sync_settings set follow_partner_changes = %s", (on,))

    def sql(self, query: str, params: Any = None) -> list[dict[str, Any]]:
        cur = self.conn.execute(query, params)
        return cur.fetchall() if cur.description else []

    def one(self, query: str, params: Any = None) -> Any:
        rows = self.sql(query, params)
        assert len(rows) == 1, rows
        row = rows[0]
        return next(iter(row.values())) if len(row) == 1 else row

    def industry(self, slug: str, *, active: bool = True) -> int:
        return self.one(
            "insert into industries (name, slug, is_active) values (initcap(%s), %s, %s) "
            "on conflict (slug) do update set is_active = excluded.is_active returning id",
            (slug, slug, active),
        )

    def region(self, code: str, *, active: bool = True) -> str:
        self.sql(
            "insert into regions (code, name, is_active) values (%s, initcap(%s), %s) "
            "on conflict (code) do update set is_active = excluded.is_active",
            (code, code, active),
        )
        return code

    def user(self, *, email: str | None = None, admin: bool = False, user_id: uuid.UUID | None = None) -> uuid.UUID:
        """An auth user with a profile, not routable: a plain account."""
        user_id = user_id or uuid.uuid4()
        n = next(_counter)
        self.sql("insert into auth.users (id, email) values (%s, %s)", (user_id, email or f"user{n}@example.nl"))
        self.sql(
            "insert into profiles (id, company_name, is_admin) values (%s, %s, %s)",
            (user_id, f"Bedrijf {n}", admin),
        )
        return user_id

    def partner(
        self,
        branches: list[str],
        regions: list[str],
        *,
        leads_per_month: int | None = None,
        max_open_leads: int | None = None,
        routing: bool = True,
        admin: bool = False,
        subscription_status: str = "active",
        paused: bool = False,
        partner_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """A partner as the SOP adds one: profile, optional subscription, industry and location preferences."""
        partner_id = self.user(admin=admin, user_id=partner_id)
        self.sql(
            "update profiles set is_active_for_routing = %s, max_open_leads = %s where id = %s",
            (routing, max_open_leads, partner_id),
        )
        if leads_per_month is not None:
            self.subscription(partner_id, leads_per_month, status=subscription_status, paused=paused)
        for slug in branches:
            self.prefer_industry(partner_id, slug)
        for code in regions:
            self.prefer_region(partner_id, code)
        return partner_id

    def subscription(
        self,
        partner_id: uuid.UUID,
        leads_per_month: int | None,
        *,
        status: str = "active",
        paused: bool = False,
        created_at: str | None = None,
    ) -> uuid.UUID:
        return self.one(
            "insert into subscriptions (user_id, status, is_paused, leads_per_month, created_at) "
            "values (%s, %s, %s, %s, coalesce(%s::timestamptz, now())) returning id",
            (partner_id, status, paused, leads_per_month, created_at),
        )

    def prefer_industry(self, partner_id: uuid.UUID, slug: str, *, enabled: bool = True) -> None:
        industry_id = self.sql("select id from industries where slug = %s", (slug,))
        if not industry_id:
            self.industry(slug)
        self.sql(
            "insert into user_industry_preferences (user_id, industry_id, is_enabled) "
            "select %s, id, %s from industries where slug = %s "
            "on conflict (user_id, industry_id) do update set is_enabled = excluded.is_enabled",
            (partner_id, enabled, slug),
        )

    def prefer_region(self, partner_id: uuid.UUID, code: str, *, enabled: bool = True) -> None:
        self.sql(
            "insert into user_location_preferences (user_id, location_code, is_enabled) values (%s, %s, %s) "
            "on conflict (user_id, location_code) do update set is_enabled = excluded.is_enabled",
            (partner_id, code, enabled),
        )

    def sync(self) -> dict[str, Any]:
        return self.one("select sync_segments_capacity() as result")

    def plan(self, date: str | None = None) -> dict[str, Any]:
        return self.one("select plan_segment_targets(%s::date) as result", (date,))

    def combos(self) -> list[tuple[str, str, int, int]]:
        return [
            (r["branch"], r["region"], r["capacity_partners"], r["capacity_total_leads"])
            for r in self.sql("select * from get_branch_region_capacity_combos()")
        ]

    def segments(self, *, active_only: bool = False) -> dict[str, dict[str, Any]]:
        rows = self.sql(
            "select code, branch, region, is_active, created_at, updated_at from lead_segments "
            + ("where is_active " if active_only else "")
            + "order by code"
        )
        return {r["code"]: r for r in rows}

    def active_codes(self) -> list[str]:
        return list(self.segments(active_only=True))

    def last_run(self) -> dict[str, Any]:
        return self.sql("select * from segment_sync_runs order by id desc limit 1")[0]
