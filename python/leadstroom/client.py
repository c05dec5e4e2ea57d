"""The client: the contract's functions and the tables an admin looks at, over either transport."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from leadstroom.checks import SegmentSnapshot, verify_sync
from leadstroom.database_types import (
    PublicLeadSegmentPlans,
    PublicLeadSegments,
    PublicSegmentOverview,
    PublicSegmentSyncRuns,
    PublicSegmentSyncSettings,
)
from leadstroom.errors import InvalidInput, LeadstroomError, NotFound, RunFailed
from leadstroom.results import (
    CapacityCombo,
    ExplainStep,
    HealthResult,
    PlanResult,
    SegmentPartner,
    SyncResult,
    validated,
)
from leadstroom.transport import TableQuery, Transport

Row = TypeVar("Row", bound=BaseModel)


def columns_of(model: type[BaseModel]) -> tuple[str, ...]:
    """Every column of a generated table model: the client reads whole rows and validates them."""
    return tuple(model.model_fields)


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

    def combos(self) -> list[CapacityCombo]:
        rows = self.transport.rpc("get_branch_region_capacity_combos", {})
        return validated(list[CapacityCombo], rows, "get_branch_region_capacity_combos")

    def sync(self, method: str = "capacity") -> SyncResult:
        """The admin endpoint; raises RunFailed when the run failed (its run row says why)."""
        result = self.transport.rpc("admin_sync_segments", {"method": method})
        _raise_when_failed("sync", result)
        return validated(SyncResult, result, "admin_sync_segments")

    def plan(self, date: str | None = None) -> PlanResult:
        result = self.transport.rpc("plan_segment_targets", {"p_date": date})
        _raise_when_failed("plan", result)
        return validated(PlanResult, result, "plan_segment_targets")

    def preview(self) -> SyncResult:
        """What the sync would do now; writes nothing (the result has "dry_run": true)."""
        result = self.transport.rpc("preview_segment_sync", {})
        _raise_when_failed("preview of the sync", result)
        return validated(SyncResult, result, "preview_segment_sync")

    def hold(self, code: str, reason: str) -> dict[str, Any]:
        return validated(
            dict[str, Any], self.transport.rpc("hold_segment", {"p_code": code, "p_reason": reason}), "hold"
        )

    def release(self, code: str) -> dict[str, Any]:
        return validated(dict[str, Any], self.transport.rpc("release_segment", {"p_code": code}), "release")

    def partner_by_email(self, email: str) -> str:
        return validated(str, self.transport.rpc("partner_id_by_email", {"p_email": email}), "partner_id_by_email")

    def segment_partners(self, code: str) -> list[SegmentPartner]:
        rows = self.transport.rpc("segment_partners", {"p_code": code})
        return validated(list[SegmentPartner], rows, "segment_partners")

    def health(self) -> HealthResult:
        """The nightly sync's health for monitoring: ok, late or failing."""
        return validated(HealthResult, self.transport.rpc("segment_sync_health", {}), "segment_sync_health")

    def explain(self, partner_id: str) -> list[ExplainStep]:
        rows = self.transport.rpc("explain_partner_capacity", {"p_partner_id": partner_id})
        return sorted(validated(list[ExplainStep], rows, "explain_partner_capacity"), key=lambda r: r["step"])

    # what the SOP verifies in the SQL console, as the generated table models

    def _rows(self, model: type[Row], query: TableQuery) -> list[Row]:
        rows = self.transport.select(query)
        if not isinstance(rows, list):
            raise LeadstroomError(f"unexpected answer reading {query.table}: {type(rows).__name__}")
        try:
            return [model.model_validate(row) for row in rows]
        except ValidationError as exc:
            raise LeadstroomError(f"unexpected row in {query.table}: {exc.errors()[0]['msg']}") from exc

    def segments(self, *, include_inactive: bool = False) -> list[PublicLeadSegments]:
        filters: tuple[Any, ...] = () if include_inactive else (("is_active", "eq", True),)
        query = TableQuery("lead_segments", columns_of(PublicLeadSegments), filters, order_by="code")
        return self._rows(PublicLeadSegments, query)

    def plans(self, date: str, segment_ids: list[int] | None = None) -> list[PublicLeadSegmentPlans]:
        """The plans of one date: of every segment, or of the given ones."""
        filters: tuple[Any, ...] = (("date", "eq", date),)
        if segment_ids is not None:
            if not segment_ids:
                return []
            filters += (("segment_id", "in", tuple(segment_ids)),)
        query = TableQuery("lead_segment_plans", columns_of(PublicLeadSegmentPlans), filters, order_by="segment_id")
        return self._rows(PublicLeadSegmentPlans, query)

    def overview(self) -> list[PublicSegmentOverview]:
        query = TableQuery("segment_overview", columns_of(PublicSegmentOverview), order_by="code")
        return self._rows(PublicSegmentOverview, query)

    def run(self, run_id: int) -> PublicSegmentSyncRuns:
        query = TableQuery("segment_sync_runs", columns_of(PublicSegmentSyncRuns), (("id", "eq", run_id),))
        found = self._rows(PublicSegmentSyncRuns, query)
        if not found:
            raise NotFound(f"no run with id {run_id}")
        return found[0]

    def settings(self) -> PublicSegmentSyncSettings:
        query = TableQuery("segment_sync_settings", columns_of(PublicSegmentSyncSettings))
        found = self._rows(PublicSegmentSyncSettings, query)
        if not found:
            raise LeadstroomError("segment_sync_settings has no row (is the caller an admin?)")
        return found[0]

    def region_codes(self) -> set[str]:
        rows = self.transport.select(TableQuery("regions", ("code",)))
        return {str(r["code"]) for r in validated(list[dict[str, Any]], rows, "regions")}

    def runs(self, limit: int = 20) -> list[PublicSegmentSyncRuns]:
        if limit < 1:
            raise InvalidInput("--limit must be at least 1")
        query = TableQuery(
            "segment_sync_runs", columns_of(PublicSegmentSyncRuns), order_by="id", descending=True, limit=limit
        )
        return self._rows(PublicSegmentSyncRuns, query)

    def checked_sync(self, method: str = "capacity") -> tuple[SyncResult, SegmentSnapshot, SegmentSnapshot]:
        """Sync, then verify the result against the segments before and after (raises CheckFailed)."""
        before = SegmentSnapshot.of(self.segments(include_inactive=True))
        result = self.sync(method)
        after = SegmentSnapshot.of(self.segments(include_inactive=True))
        verify_sync(result, before, after, self.combos())
        return result, before, after


def _raise_when_failed(kind: str, result: Any) -> None:
    if isinstance(result, dict) and result.get("status") == "failed":
        raise RunFailed(f"{kind} run {result.get('run_id')} failed: {result.get('error')}")


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
