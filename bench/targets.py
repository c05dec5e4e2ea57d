"""The targets of issue 15 (following you can trust), checked against one `make bench` report: each figure, its
target and whether it is met. bench/run.py prints them after its table; bench/summarize.py adds the one target
that compares two reports (a single change stays flat from 100,000 to 1,000,000 partners)."""

from __future__ import annotations

from typing import Any, NamedTuple

SINGLE_CHANGES = (
    "change_toggle_location",
    "change_pause_subscription",
    "change_new_partner",
    "change_new_partner_new_combinations",
)
MAX_WAIT_S = 0.5  # a partner's change issued during any sync
MAX_GROWTH = 1.5  # a single change from 100,000 to 1,000,000 partners


class Check(NamedTuple):
    figure: str
    value: str
    target: str
    met: bool


def checks(report: dict[str, Any]) -> list[Check]:
    figures, following = report["figures"], report.get("following", {})
    noop = figures["sync_noop"]["median_s"]
    found: list[Check] = []
    for name in SINGLE_CHANGES:
        figure = figures.get(f"{name}_on")
        if figure is None:
            continue
        share = figure["median_s"] / noop
        limit = 0.01 if name == "change_toggle_location" else 0.02
        found.append(Check(name, f"{share:.1%} of a no-op sync", f"≤ {limit:.0%}", share <= limit))
    if "change_bulk_1pct_on" in figures:
        ratio = figures["change_bulk_1pct_on"]["median_s"] / noop
        found.append(Check("change_bulk_1pct", f"{ratio:.2f}× a no-op sync", "≤ 1.0×", ratio <= 1.0))
    if report["regions"] == "postcodes":
        for name, limit in (("sync_cold", 3.0), ("sync_noop", 1.5), ("sync_churn_1pct", 1.5)):
            ratio = figures[name]["ratio_to_lower_bound"]
            found.append(Check(name, f"{ratio:.2f}× the lower bound", f"≤ {limit}×", ratio <= limit))
    for name in ("change_during_sync", "change_during_cold_sync"):
        wait = following.get(name)
        if wait is not None:
            found.append(
                Check(
                    name,
                    f"max {wait['max_s'] * 1000:,.0f} ms",
                    f"≤ {MAX_WAIT_S * 1000:.0f} ms",
                    wait["max_s"] <= MAX_WAIT_S,
                )
            )
    return found


def growth_checks(small: dict[str, Any], large: dict[str, Any]) -> list[Check]:
    """A single change at 1,000,000 partners against 100,000 (the same regions): at most 1.5× the time."""
    found = []
    for name in SINGLE_CHANGES:
        before, after = small["figures"].get(f"{name}_on"), large["figures"].get(f"{name}_on")
        if before is None or after is None:
            continue
        growth = after["median_s"] / before["median_s"]
        found.append(Check(f"{name} growth", f"{growth:.2f}×", f"≤ {MAX_GROWTH}×", growth <= MAX_GROWTH))
    return found


def markdown(rows: list[Check]) -> str:
    lines = ["| figure | measured | target | met |", "|---|---|---|---|"]
    lines += [f"| {c.figure} | {c.value} | {c.target} | {'yes' if c.met else '**no**'} |" for c in rows]
    return "\n".join(lines)
