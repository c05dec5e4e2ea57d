"""The shapes of what the contract's functions return, validated when they arrive (pydantic), so a change in
the database that the client does not expect fails as one clear error instead of a KeyError later.

Table rows are the generated models in leadstroom.database_types; these are the RPC results, which
`supabase gen types` does not describe."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, NotRequired, TypeVar

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict

from leadstroom.errors import LeadstroomError


class SyncResult(TypedDict):
    run_id: int | None  # None for a preview, whose run row was rolled back
    method: str
    status: Literal["succeeded"]
    total_combinations: int
    created: int
    activated: int
    deactivated: int
    unchanged: int
    created_codes: list[str]
    activated_codes: list[str]
    deactivated_codes: list[str]
    fixed: int  # segments the sync had to change: 0 while segments follow partner changes
    following: bool
    held_codes: list[str]
    dry_run: NotRequired[bool]  # a preview (preview_segment_sync): nothing was written


class PlanResult(TypedDict):
    run_id: int
    kind: Literal["plan"]
    status: Literal["succeeded"]
    date: dt.date
    timezone: str
    segments_planned: int
    active_segments: int
    zero_target_segments: int
    # what the plan adds up to: the partners' capacity shared by segments, what is open this month, the targets
    total_capacity_allocated: float
    total_capacity_open: float
    total_target_leads_per_month: float
    total_target_leads_per_day: float
    total_actual_leads: int
    plans_written: int


class NightlyRun(TypedDict):
    run_id: int
    kind: str
    for_date: dt.date | None
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    error: str | None


class FailedRun(TypedDict):
    run_id: int
    kind: str
    trigger: str
    status: str
    started_at: dt.datetime
    error: str | None
    sqlstate: str | None


class FollowingHealth(TypedDict):
    queued: int
    plans_queued: int
    oldest_queued_at: dt.datetime | None
    last_failed_change: dict[str, Any] | None
    last_sync_fixed: int | None


class HealthResult(TypedDict):
    status: Literal["ok", "late", "failing", "degraded"]
    degraded_because: list[str]
    following: FollowingHealth
    checked_at: dt.datetime
    timezone: str
    today: dt.date
    run_at_local_time: dt.time
    today_succeeded: bool
    today_overdue: bool
    attempts_today: int
    max_attempts_a_day: int
    last_nightly: NightlyRun | None
    last_failed: FailedRun | None


class CapacityCombo(TypedDict):
    branch: str
    region: str
    capacity_partners: int
    capacity_total_leads: int


class SegmentPartner(TypedDict):
    partner_id: str
    email: str | None
    company_name: str | None
    counts: bool
    effective_capacity: int


class ExplainStep(TypedDict):
    step: int
    rule: str
    passed: bool
    reason: str


Shape = TypeVar("Shape")


def validated(shape: type[Shape], value: Any, what: str) -> Shape:
    """`value` as `shape`, or a LeadstroomError that says which field of which answer was off."""
    try:
        return TypeAdapter(shape).validate_python(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the answer"
        raise LeadstroomError(f"unexpected answer from {what}: {where}: {first['msg']}") from exc
