"""Output: rich tables for people, JSON for scripts."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from leadstroom.results import SyncResult

# the columns people see; --json prints every column
COMBO_COLUMNS = ("branch", "region", "capacity_partners", "capacity_total_leads")
SEGMENT_COLUMNS = ("code", "branch", "region", "is_active", "updated_at")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def as_rows(items: Iterable[BaseModel | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows as JSON values, whether they came as generated models or as typed dicts."""
    return [
        item.model_dump(mode="json", by_alias=True)
        if isinstance(item, BaseModel)
        else json.loads(json.dumps(item, default=str))
        for item in items
    ]


class Output:
    def __init__(self, *, as_json: bool, console: Console | None = None) -> None:
        self.as_json = as_json
        # piped output (logs, CI) is not cut at 80 columns
        self.console = console or Console(highlight=False, width=None if sys.stdout.isatty() else 160)

    def json(self, value: Any) -> None:
        print(json.dumps(value, indent=2, sort_keys=True, default=str))

    def heading(self, text: str) -> None:
        if not self.as_json:
            self.console.print(f"\n[bold]{text}[/bold]")

    def line(self, text: str = "") -> None:
        if not self.as_json:
            self.console.print(text, markup=False, soft_wrap=True)

    def table(self, title: str, items: Sequence[Any], columns: Iterable[str], *, empty: str) -> None:
        if self.as_json:
            return
        rows = as_rows(items)
        cols = list(columns)
        if not rows:
            self.console.print(f"{title}: {empty}", markup=False)
            return
        table = Table(title=title, title_justify="left", show_lines=False)
        for col in cols:
            table.add_column(col.removesuffix("_count"), overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row.get(col)) for col in cols))
        self.console.print(table)

    def rows(self, title: str, items: Sequence[Any], columns: Iterable[str], *, empty: str) -> None:
        """A result list (generated models or typed dicts): JSON for scripts, else a table."""
        if self.as_json:
            self.json(as_rows(items))
        else:
            self.table(title, items, columns, empty=empty)

    def sync_summary(self, result: SyncResult) -> None:
        counts = (
            f"total_combinations {result['total_combinations']}, created {result['created']}, "
            f"activated {result['activated']}, deactivated {result['deactivated']}, unchanged {result['unchanged']}"
        )
        self.line(f"run {result['run_id']} ({result['method']}): {counts}")
        for label, codes in (
            ("new", result["created_codes"]),
            ("reactivated", result["activated_codes"]),
            ("deactivated", result["deactivated_codes"]),
        ):
            self.line(f"  {label:<12} {', '.join(codes) if codes else '-'}")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str) and TIMESTAMP.match(value):
        return value[:19].replace("T", " ")  # seconds are enough for people; --json keeps it all
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
