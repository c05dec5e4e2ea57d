"""Output: rich tables for people, JSON for scripts.

Tables fit the terminal: an 80-column one when no terminal is attached, the terminal's width otherwise. Each
table names the columns people need first; `--wide` shows the rest too. Times are shown in the marketplace's
configured time zone, and the column headers say which.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from leadstroom.results import SyncResult

NARROW = 80
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")


@dataclass(frozen=True)
class Columns:
    """The columns of a table: `narrow` fits 80 columns, `wide` adds the rest (--wide)."""

    narrow: tuple[str, ...]
    extra: tuple[str, ...] = ()

    def chosen(self, wide: bool) -> tuple[str, ...]:
        return self.narrow + self.extra if wide else self.narrow


COMBO_COLUMNS = Columns(("branch", "region", "capacity_partners", "capacity_total_leads"))
SEGMENT_COLUMNS = Columns(("code", "is_active", "updated_at"), ("branch", "region", "created_at", "held_at"))
RUN_COLUMNS = Columns(
    ("id", "kind", "trigger", "status", "started_at", "changes"),
    ("caller", "finished_at", "scheduled_for", "plan_date", "fixed_count", "error"),
)
# allocated ("share") and open capacity next to the target: a segment's share of its partners' capacity (leads a
# month) and what they can still take this month through it, the planner's inputs; the rest is in --wide
OVERVIEW_COLUMNS = Columns(
    ("code", "active", "capacity_allocated", "capacity_open", "target_leads_per_day", "lead_gap"),
    ("actual_leads", "capacity_partners", "capacity_total_leads", "branch", "region"),
)
PLAN_COLUMNS = Columns(
    ("code", "capacity_allocated", "capacity_open", "target_leads_per_day", "lead_gap"),
    (
        "target_leads_per_month", "capacity_partners", "capacity_total_leads", "actual_leads",
        "lead_gap_percentage", "updated_at",
    ),
)  # fmt: skip
PARTNER_COLUMNS = Columns(("email", "counts", "effective_capacity"), ("company_name", "partner_id"))
EXPLAIN_COLUMNS = Columns(("step", "rule", "passed", "reason"))
HEADERS = {
    "capacity_partners": "partners",
    "capacity_total_leads": "leads/month",
    "capacity_allocated": "share",
    "capacity_open": "open",
    "target_leads_per_day": "target/day",
    "target_leads_per_month": "target/month",
    "actual_leads": "actual",
    "lead_gap": "gap",
    "lead_gap_percentage": "gap %",
    "effective_capacity": "leads/month",
    "fixed_count": "fixed",
}


def as_rows(items: Iterable[BaseModel | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows as JSON values, whether they came as generated models or as typed dicts."""
    return [
        item.model_dump(mode="json", by_alias=True)
        if isinstance(item, BaseModel)
        else json.loads(json.dumps(item, default=str))
        for item in items
    ]


class Output:
    def __init__(
        self,
        *,
        as_json: bool,
        wide: bool = False,
        timezone: str | None = None,
        console: Console | None = None,
    ) -> None:
        self.as_json = as_json
        self.wide = wide
        self.zone = ZoneInfo(timezone) if timezone else None
        if console is None:
            width = None if sys.stdout.isatty() else NARROW
            console = Console(highlight=False, width=200 if wide and width == NARROW else width)
        self.console = console

    def json(self, value: Any) -> None:
        print(json.dumps(value, indent=2, sort_keys=True, default=str))

    def heading(self, text: str) -> None:
        if not self.as_json:
            self.console.print(f"\n[bold]{text}[/bold]")

    def line(self, text: str = "") -> None:
        if not self.as_json:
            self.console.print(text, markup=False, soft_wrap=False, overflow="fold")

    def code(self, text: str) -> None:
        """SQL to copy: printed as it is, never wrapped (a wrapped comment would become a statement)."""
        if not self.as_json:
            self.console.file.write(text.rstrip() + "\n")

    def header(self, column: str) -> str:
        label = HEADERS.get(column, column.removesuffix("_count"))
        if column.endswith("_at") and self.zone:
            return f"{label.removesuffix('_at')} ({self.zone.key})"
        return label

    def when(self, value: Any) -> str:
        """A timestamp as people read it: minutes, in the configured time zone."""
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        if self.zone:
            moment = moment.astimezone(self.zone)
        return moment.strftime("%Y-%m-%d %H:%M")

    def table(self, title: str, items: Sequence[Any], columns: Columns, *, empty: str) -> None:
        if self.as_json:
            return
        rows = as_rows(items)
        if not rows:
            self.console.print(f"{title}: {empty}", markup=False)
            return
        table = Table(title=title, title_justify="left", show_lines=False)
        chosen = columns.chosen(self.wide)
        for col in chosen:
            table.add_column(self.header(col), overflow="fold")
        for row in rows:
            table.add_row(*(self.cell(row.get(col)) for col in chosen))
        self.console.print(table)

    def rows(self, title: str, items: Sequence[Any], columns: Columns, *, empty: str) -> None:
        """A result list (generated models or typed dicts): JSON for scripts, else a table."""
        if self.as_json:
            self.json(as_rows(items))
        else:
            self.table(title, items, columns, empty=empty)

    def cell(self, value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, str) and TIMESTAMP.match(value):
            return self.when(value)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    def sync_summary(self, result: SyncResult) -> None:
        counts = (
            f"total_combinations {result['total_combinations']}, created {result['created']}, "
            f"activated {result['activated']}, deactivated {result['deactivated']}, unchanged {result['unchanged']}"
        )
        what = "preview (nothing written)" if result.get("dry_run") else f"run {result['run_id']}"
        self.line(f"{what} ({result['method']}): {counts}")
        for label, codes in (
            ("new", result["created_codes"]),
            ("reactivated", result["activated_codes"]),
            ("deactivated", result["deactivated_codes"]),
            ("held", result["held_codes"]),
        ):
            self.line(f"  {label:<12} {', '.join(codes) if codes else '-'}")
        if result["following"]:
            self.line(f"  fixed        {result['fixed']} (segments follow partner changes: 0 is expected)")
