from __future__ import annotations

import datetime
import uuid
from typing import (
    Annotated,
    Any,
    List,
    Literal,
    Optional,
    TypedDict,
)
from typing_extensions import NotRequired, TypeAlias

from pydantic import BaseModel, Field, JsonValue



class PublicIndustries(BaseModel):
    created_at: datetime.datetime = Field(alias="created_at")
    id: int = Field(alias="id")
    is_active: bool = Field(alias="is_active")
    name: str = Field(alias="name")
    slug: str = Field(alias="slug")
    updated_at: datetime.datetime = Field(alias="updated_at")

class PublicIndustriesInsert(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    is_active: NotRequired[Annotated[bool, Field(alias="is_active")]]
    name: Annotated[str, Field(alias="name")]
    slug: Annotated[str, Field(alias="slug")]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]

class PublicIndustriesUpdate(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    is_active: NotRequired[Annotated[bool, Field(alias="is_active")]]
    name: NotRequired[Annotated[str, Field(alias="name")]]
    slug: NotRequired[Annotated[str, Field(alias="slug")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]

class PublicLeadSegmentPlans(BaseModel):
    actual_leads: int = Field(alias="actual_leads")
    capacity_allocated: float = Field(alias="capacity_allocated")
    capacity_open: float = Field(alias="capacity_open")
    capacity_partners: int = Field(alias="capacity_partners")
    capacity_total_leads: int = Field(alias="capacity_total_leads")
    created_at: datetime.datetime = Field(alias="created_at")
    date: datetime.date = Field(alias="date")
    id: int = Field(alias="id")
    lead_gap: float = Field(alias="lead_gap")
    lead_gap_percentage: Optional[float] = Field(alias="lead_gap_percentage")
    segment_id: int = Field(alias="segment_id")
    target_leads_per_day: float = Field(alias="target_leads_per_day")
    target_leads_per_month: float = Field(alias="target_leads_per_month")
    updated_at: datetime.datetime = Field(alias="updated_at")

class PublicLeadSegmentPlansInsert(TypedDict):
    actual_leads: NotRequired[Annotated[int, Field(alias="actual_leads")]]
    capacity_allocated: NotRequired[Annotated[float, Field(alias="capacity_allocated")]]
    capacity_open: NotRequired[Annotated[float, Field(alias="capacity_open")]]
    capacity_partners: NotRequired[Annotated[int, Field(alias="capacity_partners")]]
    capacity_total_leads: NotRequired[Annotated[int, Field(alias="capacity_total_leads")]]
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    date: Annotated[datetime.date, Field(alias="date")]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    lead_gap: NotRequired[Annotated[float, Field(alias="lead_gap")]]
    lead_gap_percentage: NotRequired[Annotated[Optional[float], Field(alias="lead_gap_percentage")]]
    segment_id: Annotated[int, Field(alias="segment_id")]
    target_leads_per_day: NotRequired[Annotated[float, Field(alias="target_leads_per_day")]]
    target_leads_per_month: NotRequired[Annotated[float, Field(alias="target_leads_per_month")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]

class PublicLeadSegmentPlansUpdate(TypedDict):
    actual_leads: NotRequired[Annotated[int, Field(alias="actual_leads")]]
    capacity_allocated: NotRequired[Annotated[float, Field(alias="capacity_allocated")]]
    capacity_open: NotRequired[Annotated[float, Field(alias="capacity_open")]]
    capacity_partners: NotRequired[Annotated[int, Field(alias="capacity_partners")]]
    capacity_total_leads: NotRequired[Annotated[int, Field(alias="capacity_total_leads")]]
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    date: NotRequired[Annotated[datetime.date, Field(alias="date")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    lead_gap: NotRequired[Annotated[float, Field(alias="lead_gap")]]
    lead_gap_percentage: NotRequired[Annotated[Optional[float], Field(alias="lead_gap_percentage")]]
    segment_id: NotRequired[Annotated[int, Field(alias="segment_id")]]
    target_leads_per_day: NotRequired[Annotated[float, Field(alias="target_leads_per_day")]]
    target_leads_per_month: NotRequired[Annotated[float, Field(alias="target_leads_per_month")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]

class PublicLeadSegments(BaseModel):
    branch: str = Field(alias="branch")
    code: str = Field(alias="code")
    country: str = Field(alias="country")
    created_at: datetime.datetime = Field(alias="created_at")
    held_at: Optional[datetime.datetime] = Field(alias="held_at")
    held_by: Optional[str] = Field(alias="held_by")
    hold_reason: Optional[str] = Field(alias="hold_reason")
    id: int = Field(alias="id")
    is_active: bool = Field(alias="is_active")
    region: str = Field(alias="region")
    updated_at: datetime.datetime = Field(alias="updated_at")

class PublicLeadSegmentsInsert(TypedDict):
    branch: Annotated[str, Field(alias="branch")]
    code: Annotated[str, Field(alias="code")]
    country: NotRequired[Annotated[str, Field(alias="country")]]
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    held_at: NotRequired[Annotated[Optional[datetime.datetime], Field(alias="held_at")]]
    held_by: NotRequired[Annotated[Optional[str], Field(alias="held_by")]]
    hold_reason: NotRequired[Annotated[Optional[str], Field(alias="hold_reason")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    is_active: NotRequired[Annotated[bool, Field(alias="is_active")]]
    region: Annotated[str, Field(alias="region")]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]

class PublicLeadSegmentsUpdate(TypedDict):
    branch: NotRequired[Annotated[str, Field(alias="branch")]]
    code: NotRequired[Annotated[str, Field(alias="code")]]
    country: NotRequired[Annotated[str, Field(alias="country")]]
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    held_at: NotRequired[Annotated[Optional[datetime.datetime], Field(alias="held_at")]]
    held_by: NotRequired[Annotated[Optional[str], Field(alias="held_by")]]
    hold_reason: NotRequired[Annotated[Optional[str], Field(alias="hold_reason")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    is_active: NotRequired[Annotated[bool, Field(alias="is_active")]]
    region: NotRequired[Annotated[str, Field(alias="region")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]

class PublicLeads(BaseModel):
    created_at: datetime.datetime = Field(alias="created_at")
    id: int = Field(alias="id")
    partner_id: Optional[uuid.UUID] = Field(alias="partner_id")
    segment_id: Optional[int] = Field(alias="segment_id")

class PublicLeadsInsert(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    partner_id: NotRequired[Annotated[Optional[uuid.UUID], Field(alias="partner_id")]]
    segment_id: NotRequired[Annotated[Optional[int], Field(alias="segment_id")]]

class PublicLeadsUpdate(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    partner_id: NotRequired[Annotated[Optional[uuid.UUID], Field(alias="partner_id")]]
    segment_id: NotRequired[Annotated[Optional[int], Field(alias="segment_id")]]

class PublicPaymentMethods(BaseModel):
    created_at: datetime.datetime = Field(alias="created_at")
    id: uuid.UUID = Field(alias="id")
    status: str = Field(alias="status")
    user_id: uuid.UUID = Field(alias="user_id")

class PublicPaymentMethodsInsert(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[uuid.UUID, Field(alias="id")]]
    status: NotRequired[Annotated[str, Field(alias="status")]]
    user_id: Annotated[uuid.UUID, Field(alias="user_id")]

class PublicPaymentMethodsUpdate(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[uuid.UUID, Field(alias="id")]]
    status: NotRequired[Annotated[str, Field(alias="status")]]
    user_id: NotRequired[Annotated[uuid.UUID, Field(alias="user_id")]]

class PublicProfiles(BaseModel):
    company_name: Optional[str] = Field(alias="company_name")
    created_at: datetime.datetime = Field(alias="created_at")
    full_name: Optional[str] = Field(alias="full_name")
    id: uuid.UUID = Field(alias="id")
    is_active_for_routing: bool = Field(alias="is_active_for_routing")
    is_admin: bool = Field(alias="is_admin")
    max_open_leads: Optional[int] = Field(alias="max_open_leads")
    updated_at: datetime.datetime = Field(alias="updated_at")

class PublicProfilesInsert(TypedDict):
    company_name: NotRequired[Annotated[Optional[str], Field(alias="company_name")]]
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    full_name: NotRequired[Annotated[Optional[str], Field(alias="full_name")]]
    id: Annotated[uuid.UUID, Field(alias="id")]
    is_active_for_routing: NotRequired[Annotated[bool, Field(alias="is_active_for_routing")]]
    is_admin: NotRequired[Annotated[bool, Field(alias="is_admin")]]
    max_open_leads: NotRequired[Annotated[Optional[int], Field(alias="max_open_leads")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]

class PublicProfilesUpdate(TypedDict):
    company_name: NotRequired[Annotated[Optional[str], Field(alias="company_name")]]
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    full_name: NotRequired[Annotated[Optional[str], Field(alias="full_name")]]
    id: NotRequired[Annotated[uuid.UUID, Field(alias="id")]]
    is_active_for_routing: NotRequired[Annotated[bool, Field(alias="is_active_for_routing")]]
    is_admin: NotRequired[Annotated[bool, Field(alias="is_admin")]]
    max_open_leads: NotRequired[Annotated[Optional[int], Field(alias="max_open_leads")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]

class PublicRegions(BaseModel):
    code: str = Field(alias="code")
    country: str = Field(alias="country")
    created_at: datetime.datetime = Field(alias="created_at")
    is_active: bool = Field(alias="is_active")
    name: str = Field(alias="name")

class PublicRegionsInsert(TypedDict):
    code: Annotated[str, Field(alias="code")]
    country: NotRequired[Annotated[str, Field(alias="country")]]
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    is_active: NotRequired[Annotated[bool, Field(alias="is_active")]]
    name: Annotated[str, Field(alias="name")]

class PublicRegionsUpdate(TypedDict):
    code: NotRequired[Annotated[str, Field(alias="code")]]
    country: NotRequired[Annotated[str, Field(alias="country")]]
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    is_active: NotRequired[Annotated[bool, Field(alias="is_active")]]
    name: NotRequired[Annotated[str, Field(alias="name")]]

class PublicSegmentSyncRuns(BaseModel):
    activated_codes: List[str] = Field(alias="activated_codes")
    activated_count: Optional[int] = Field(alias="activated_count")
    caller: str = Field(alias="caller")
    caller_user_id: Optional[uuid.UUID] = Field(alias="caller_user_id")
    created_codes: List[str] = Field(alias="created_codes")
    created_count: Optional[int] = Field(alias="created_count")
    deactivated_codes: List[str] = Field(alias="deactivated_codes")
    deactivated_count: Optional[int] = Field(alias="deactivated_count")
    error: Optional[str] = Field(alias="error")
    error_sqlstate: Optional[str] = Field(alias="error_sqlstate")
    finished_at: Optional[datetime.datetime] = Field(alias="finished_at")
    fixed_count: Optional[int] = Field(alias="fixed_count")
    id: int = Field(alias="id")
    kind: str = Field(alias="kind")
    method: Optional[str] = Field(alias="method")
    plan_date: Optional[datetime.date] = Field(alias="plan_date")
    result: Optional[JsonValue] = Field(alias="result")
    scheduled_for: Optional[datetime.date] = Field(alias="scheduled_for")
    started_at: datetime.datetime = Field(alias="started_at")
    status: str = Field(alias="status")
    total_combinations: Optional[int] = Field(alias="total_combinations")
    trigger: str = Field(alias="trigger")
    unchanged_count: Optional[int] = Field(alias="unchanged_count")

class PublicSegmentSyncRunsInsert(TypedDict):
    activated_codes: NotRequired[Annotated[List[str], Field(alias="activated_codes")]]
    activated_count: NotRequired[Annotated[Optional[int], Field(alias="activated_count")]]
    caller: Annotated[str, Field(alias="caller")]
    caller_user_id: NotRequired[Annotated[Optional[uuid.UUID], Field(alias="caller_user_id")]]
    created_codes: NotRequired[Annotated[List[str], Field(alias="created_codes")]]
    created_count: NotRequired[Annotated[Optional[int], Field(alias="created_count")]]
    deactivated_codes: NotRequired[Annotated[List[str], Field(alias="deactivated_codes")]]
    deactivated_count: NotRequired[Annotated[Optional[int], Field(alias="deactivated_count")]]
    error: NotRequired[Annotated[Optional[str], Field(alias="error")]]
    error_sqlstate: NotRequired[Annotated[Optional[str], Field(alias="error_sqlstate")]]
    finished_at: NotRequired[Annotated[Optional[datetime.datetime], Field(alias="finished_at")]]
    fixed_count: NotRequired[Annotated[Optional[int], Field(alias="fixed_count")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    kind: Annotated[str, Field(alias="kind")]
    method: NotRequired[Annotated[Optional[str], Field(alias="method")]]
    plan_date: NotRequired[Annotated[Optional[datetime.date], Field(alias="plan_date")]]
    result: NotRequired[Annotated[Optional[JsonValue], Field(alias="result")]]
    scheduled_for: NotRequired[Annotated[Optional[datetime.date], Field(alias="scheduled_for")]]
    started_at: NotRequired[Annotated[datetime.datetime, Field(alias="started_at")]]
    status: NotRequired[Annotated[str, Field(alias="status")]]
    total_combinations: NotRequired[Annotated[Optional[int], Field(alias="total_combinations")]]
    trigger: Annotated[str, Field(alias="trigger")]
    unchanged_count: NotRequired[Annotated[Optional[int], Field(alias="unchanged_count")]]

class PublicSegmentSyncRunsUpdate(TypedDict):
    activated_codes: NotRequired[Annotated[List[str], Field(alias="activated_codes")]]
    activated_count: NotRequired[Annotated[Optional[int], Field(alias="activated_count")]]
    caller: NotRequired[Annotated[str, Field(alias="caller")]]
    caller_user_id: NotRequired[Annotated[Optional[uuid.UUID], Field(alias="caller_user_id")]]
    created_codes: NotRequired[Annotated[List[str], Field(alias="created_codes")]]
    created_count: NotRequired[Annotated[Optional[int], Field(alias="created_count")]]
    deactivated_codes: NotRequired[Annotated[List[str], Field(alias="deactivated_codes")]]
    deactivated_count: NotRequired[Annotated[Optional[int], Field(alias="deactivated_count")]]
    error: NotRequired[Annotated[Optional[str], Field(alias="error")]]
    error_sqlstate: NotRequired[Annotated[Optional[str], Field(alias="error_sqlstate")]]
    finished_at: NotRequired[Annotated[Optional[datetime.datetime], Field(alias="finished_at")]]
    fixed_count: NotRequired[Annotated[Optional[int], Field(alias="fixed_count")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    kind: NotRequired[Annotated[str, Field(alias="kind")]]
    method: NotRequired[Annotated[Optional[str], Field(alias="method")]]
    plan_date: NotRequired[Annotated[Optional[datetime.date], Field(alias="plan_date")]]
    result: NotRequired[Annotated[Optional[JsonValue], Field(alias="result")]]
    scheduled_for: NotRequired[Annotated[Optional[datetime.date], Field(alias="scheduled_for")]]
    started_at: NotRequired[Annotated[datetime.datetime, Field(alias="started_at")]]
    status: NotRequired[Annotated[str, Field(alias="status")]]
    total_combinations: NotRequired[Annotated[Optional[int], Field(alias="total_combinations")]]
    trigger: NotRequired[Annotated[str, Field(alias="trigger")]]
    unchanged_count: NotRequired[Annotated[Optional[int], Field(alias="unchanged_count")]]

class PublicSegmentSyncSettings(BaseModel):
    days_per_month: int = Field(alias="days_per_month")
    follow_partner_changes: bool = Field(alias="follow_partner_changes")
    id: bool = Field(alias="id")
    keep_runs_days: int = Field(alias="keep_runs_days")
    min_target_leads_per_month: float = Field(alias="min_target_leads_per_month")
    require_active_payment_method: bool = Field(alias="require_active_payment_method")
    run_at_local_time: datetime.time = Field(alias="run_at_local_time")
    target_ratio: float = Field(alias="target_ratio")
    timezone: str = Field(alias="timezone")
    updated_at: datetime.datetime = Field(alias="updated_at")

class PublicSegmentSyncSettingsInsert(TypedDict):
    days_per_month: NotRequired[Annotated[int, Field(alias="days_per_month")]]
    follow_partner_changes: NotRequired[Annotated[bool, Field(alias="follow_partner_changes")]]
    id: NotRequired[Annotated[bool, Field(alias="id")]]
    keep_runs_days: NotRequired[Annotated[int, Field(alias="keep_runs_days")]]
    min_target_leads_per_month: NotRequired[Annotated[float, Field(alias="min_target_leads_per_month")]]
    require_active_payment_method: NotRequired[Annotated[bool, Field(alias="require_active_payment_method")]]
    run_at_local_time: NotRequired[Annotated[datetime.time, Field(alias="run_at_local_time")]]
    target_ratio: NotRequired[Annotated[float, Field(alias="target_ratio")]]
    timezone: NotRequired[Annotated[str, Field(alias="timezone")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]

class PublicSegmentSyncSettingsUpdate(TypedDict):
    days_per_month: NotRequired[Annotated[int, Field(alias="days_per_month")]]
    follow_partner_changes: NotRequired[Annotated[bool, Field(alias="follow_partner_changes")]]
    id: NotRequired[Annotated[bool, Field(alias="id")]]
    keep_runs_days: NotRequired[Annotated[int, Field(alias="keep_runs_days")]]
    min_target_leads_per_month: NotRequired[Annotated[float, Field(alias="min_target_leads_per_month")]]
    require_active_payment_method: NotRequired[Annotated[bool, Field(alias="require_active_payment_method")]]
    run_at_local_time: NotRequired[Annotated[datetime.time, Field(alias="run_at_local_time")]]
    target_ratio: NotRequired[Annotated[float, Field(alias="target_ratio")]]
    timezone: NotRequired[Annotated[str, Field(alias="timezone")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]

class PublicSubscriptions(BaseModel):
    created_at: datetime.datetime = Field(alias="created_at")
    id: uuid.UUID = Field(alias="id")
    is_paused: bool = Field(alias="is_paused")
    leads_per_month: Optional[int] = Field(alias="leads_per_month")
    status: str = Field(alias="status")
    updated_at: datetime.datetime = Field(alias="updated_at")
    user_id: uuid.UUID = Field(alias="user_id")

class PublicSubscriptionsInsert(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[uuid.UUID, Field(alias="id")]]
    is_paused: NotRequired[Annotated[bool, Field(alias="is_paused")]]
    leads_per_month: NotRequired[Annotated[Optional[int], Field(alias="leads_per_month")]]
    status: Annotated[str, Field(alias="status")]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]
    user_id: Annotated[uuid.UUID, Field(alias="user_id")]

class PublicSubscriptionsUpdate(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[uuid.UUID, Field(alias="id")]]
    is_paused: NotRequired[Annotated[bool, Field(alias="is_paused")]]
    leads_per_month: NotRequired[Annotated[Optional[int], Field(alias="leads_per_month")]]
    status: NotRequired[Annotated[str, Field(alias="status")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]
    user_id: NotRequired[Annotated[uuid.UUID, Field(alias="user_id")]]

class PublicUserIndustryPreferences(BaseModel):
    created_at: datetime.datetime = Field(alias="created_at")
    id: int = Field(alias="id")
    industry_id: int = Field(alias="industry_id")
    is_enabled: bool = Field(alias="is_enabled")
    updated_at: datetime.datetime = Field(alias="updated_at")
    user_id: uuid.UUID = Field(alias="user_id")

class PublicUserIndustryPreferencesInsert(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    industry_id: Annotated[int, Field(alias="industry_id")]
    is_enabled: NotRequired[Annotated[bool, Field(alias="is_enabled")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]
    user_id: Annotated[uuid.UUID, Field(alias="user_id")]

class PublicUserIndustryPreferencesUpdate(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    industry_id: NotRequired[Annotated[int, Field(alias="industry_id")]]
    is_enabled: NotRequired[Annotated[bool, Field(alias="is_enabled")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]
    user_id: NotRequired[Annotated[uuid.UUID, Field(alias="user_id")]]

class PublicUserLocationPreferences(BaseModel):
    created_at: datetime.datetime = Field(alias="created_at")
    id: int = Field(alias="id")
    is_enabled: bool = Field(alias="is_enabled")
    location_code: str = Field(alias="location_code")
    location_name: Optional[str] = Field(alias="location_name")
    updated_at: datetime.datetime = Field(alias="updated_at")
    user_id: uuid.UUID = Field(alias="user_id")

class PublicUserLocationPreferencesInsert(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    is_enabled: NotRequired[Annotated[bool, Field(alias="is_enabled")]]
    location_code: Annotated[str, Field(alias="location_code")]
    location_name: NotRequired[Annotated[Optional[str], Field(alias="location_name")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]
    user_id: Annotated[uuid.UUID, Field(alias="user_id")]

class PublicUserLocationPreferencesUpdate(TypedDict):
    created_at: NotRequired[Annotated[datetime.datetime, Field(alias="created_at")]]
    id: NotRequired[Annotated[int, Field(alias="id")]]
    is_enabled: NotRequired[Annotated[bool, Field(alias="is_enabled")]]
    location_code: NotRequired[Annotated[str, Field(alias="location_code")]]
    location_name: NotRequired[Annotated[Optional[str], Field(alias="location_name")]]
    updated_at: NotRequired[Annotated[datetime.datetime, Field(alias="updated_at")]]
    user_id: NotRequired[Annotated[uuid.UUID, Field(alias="user_id")]]

class PublicSegmentOverview(BaseModel):
    actual_leads: Optional[int] = Field(alias="actual_leads")
    branch: Optional[str] = Field(alias="branch")
    capacity_allocated: Optional[float] = Field(alias="capacity_allocated")
    capacity_open: Optional[float] = Field(alias="capacity_open")
    capacity_partners: Optional[int] = Field(alias="capacity_partners")
    capacity_total_leads: Optional[int] = Field(alias="capacity_total_leads")
    code: Optional[str] = Field(alias="code")
    is_active: Optional[bool] = Field(alias="is_active")
    is_held: Optional[bool] = Field(alias="is_held")
    lead_gap: Optional[float] = Field(alias="lead_gap")
    region: Optional[str] = Field(alias="region")
    target_leads_per_day: Optional[float] = Field(alias="target_leads_per_day")
