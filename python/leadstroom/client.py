"""The client: the contract's functions and the tables an admin looks at, over either transport."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from leadstroom.checks import SegmentSnapshot, verify_sync
from leadstroom.errors import InvalidInput, LeadstroomError, RunFailed
from leadstroom.transport import TableQuery, Transport

SEGMENT_COLUMNS = ("id", "code", "branch", "region", "country", "is_active", "created_at", "updated_at")
PLAN_COLUMNS = (
    "segment_id",
    "date",
    "capacity_partners",
    "capacity_total_leads",
    "target_leads_per_month",
    "target_leads_per_day",
    "actual_leads",
    "lead_gap",
    "lead_gap_percentage",
)
RUN_COLUMNS = (
    "id",
    "kind",
    "method",
    "trigger",
    "caller",
    "status",
    "started_at",
    "finished_at",
    "total_combinations",
    "created_count",
    "activated_count",
    "deactivated_count",
    "unchanged_count",
    "plan_date",
    "error",
)


class LeadstroomClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> LeadstroomClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # the contract's functions

    def combos(self) -> list[dict[str, Any]]:
        return list(self.transport.rpc("get_branch_region_capacity_combos", {}))

    def sync(self, method: str = "capacity") -> dict[str, Any]:
        """The admin endpoint; raises RunFailed when the run failed (its run row says why)."""
        result: dict[str, Any] = self.transport.rpc("admin_sync_segments", {"method": method})
        if result.get("status") == "failed":
            raise RunFailed(f"sync run {result.get('run_id')} failed: {result.get('error')}")
        return result

    def plan(self, date: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.transport.rpc("plan_segment_targets", {"p_date": date})
        if result.get("status") == "failed":
            raise RunFailed(f"plan run {result.get('run_id')} failed: {result.get('error')}")
        return result

    def explain(self, partner_id: str) -> list[dict[str, Any]]:
        return sorted(self.transport.rpc("explain_partner_capacity", {"p_partner_id": partner_id}), key=_step)

    # what the SOP verifies in the SQL console

    def _rows(self, query: TableQuery) -> list[dict[str, Any]]:
        rows = self.transport.select(query)
        if not isinstance(rows, list):
            raise LeadstroomError(f"unexpected answer reading {query.table}: {type(rows).__name__}")
        return rows

    def segments(self, *, include_inactive: bool = False) -> list[dict[str, Any]]:
        filters: tuple[Any, ...] = () if include_inactive else (("is_active", "eq", True),)
        return self._rows(TableQuery("lead_segments", SEGMENT_COLUMNS, filters, order_by="code"))

    def plans(self, date: str, segment_ids: list[int]) -> list[dict[str, Any]]:
        if not segment_ids:
            return []
        return self._rows(
            TableQuery(
                "lead_segment_plans",
                PLAN_COLUMNS,
                (("date", "eq", date), ("segment_id", "in", tuple(segment_ids))),
                order_by="segment_id",
            )
        )

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        if limit < 1:
            raise InvalidInput("--limit must be at least 1")
        return self._rows(TableQuery("segment_sync_runs", RUN_COLUMNS, order_by="id", descending=True, limit=limit))

    def checked_sync(self, method: str = "capacity") -> tuple[dict[str, Any], SegmentSnapshot, SegmentSnapshot]:
        """Sync, then verify the result against the segments before and after (raises CheckFailed)."""
        before = SegmentSnapshot.of(self.segments(include_inactive=True))
        result = self.sync(method)
        after = SegmentSnapshot.of(self.segments(include_inactive=True))
        verify_sync(result, before, after, self.combos())
        return result, before, after


def _step(row: Mapping[str, Any]) -> int:
    return int(row["step"])


def connect(
    *,
    database_url: str | None = None,
    supabase_url: str | None = None,
    key: str | None = None,
    access_token: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> LeadstroomClient:
    """A client from explicit settings, else the environment: SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY (or
    SUPABASE_ANON_KEY + LEADSTROOM_ACCESS_TOKEN), or DATABASE_URL. Explicit settings win."""
    env = os.environ if environ is None else environ
    access_token = access_token or env.get("LEADSTROOM_ACCESS_TOKEN") or None
    if not database_url and not supabase_url:
        supabase_url = env.get("SUPABASE_URL") or None
        database_url = None if supabase_url else env.get("DATABASE_URL") or None
    if supabase_url:
        from leadstroom.rest import RestTransport

        key = key or env.get("SUPABASE_SERVICE_ROLE_KEY") or (env.get("SUPABASE_ANON_KEY") if access_token else None)
        if not key:
            raise LeadstroomError(
                "SUPABASE_URL is set but no key: set SUPABASE_SERVICE_ROLE_KEY "
                "(or SUPABASE_ANON_KEY with LEADSTROOM_ACCESS_TOKEN)"
            )
        return LeadstroomClient(RestTransport(supabase_url, key, access_token))
    if database_url:
        from leadstroom.direct import DirectTransport

        return LeadstroomClient(DirectTransport(database_url, access_token))
    raise LeadstroomError("not configured: set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY, or DATABASE_URL")
