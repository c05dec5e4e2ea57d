"""Output: rich tables for people, JSON for scripts."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

# the columns people see; --json prints every column
COMBO_COLUMNS = ("branch", "region", "capacity_partners", "capacity_total_leads")
SEGMENT_COLUMNS = ("code", "branch", "region", "is_active", "updated_at")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
CHANGE_LABELS = (("new", "created_codes"), ("reactivated", "activated_codes"), ("deactivated", "deactivated_codes"))


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

    def table(self, title: str, rows: Sequence[dict[str, Any]], columns: Iterable[str], *, empty: str) -> None:
        if self.as_json:
            return
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

    def rows(self, title: str, rows: Sequence[dict[str, Any]], columns: Iterable[str], *, empty: str) -> None:
        """A result list: JSON for scripts, else a table."""
        if self.as_json:
            self.json(list(rows))
        else:
            self.table(title, rows, columns, empty=empty)

    def sync_summary(self, result: dict[str, Any]) -> None:
        counts = ", ".join(
            f"{k} {result.get(k)}" for k in ("total_combinations", "created", "activated", "deactivated", "unchanged")
        )
        self.line(f"run {result.get('run_id')} ({result.get('method')}): {counts}")
        for label, key in (
            ("new", "created_codes"),
            ("reactivated", "activated_codes"),
            ("deactivated", "deactivated_codes"),
        ):
            codes = result.get(key) or []
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
