"""Markdown tables of the latest benchmark result per size and region set (for the README):
python bench/summarize.py"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from targets import checks, growth_checks, markdown

RESULTS = Path(__file__).resolve().parent / "results"
MEASUREMENTS = ("lower_bound", "sync_cold", "sync_noop", "sync_churn_1pct", "planner", "reference_cold")
CHANGES = (
    "change_toggle_location",
    "change_pause_subscription",
    "change_new_partner",
    "change_new_partner_new_combinations",
    "change_bulk_1pct",
)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 0.1 else f"{seconds * 1000:,.0f} ms"


def main() -> None:
    latest: dict[tuple[int, str], dict] = {}
    for path in sorted(RESULTS.glob("*.json")):
        report = json.loads(path.read_text())
        latest[(report["partners"], report["regions"])] = report
    ordered = sorted(latest.items(), key=lambda item: (item[0][1] != "provinces", item[0]))

    header = ["partners", "regions", "pairs", "combinations", *MEASUREMENTS, "no-op rows written", "vs reference"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for (partners, regions), report in ordered:
        figures = report["figures"]
        cells = [f"{partners:,}", regions, f"{report['pairs']:,}", f"{report['combinations']:,}"]
        for name in MEASUREMENTS:
            figure = figures.get(name)
            if figure is None:  # the reference is not run over the postcodes (bench/run.py)
                cells.append("-")
                continue
            ratio = "" if name == "lower_bound" else f" ({figure['ratio_to_lower_bound']:.2f}×)"
            cells.append(f"{figure['median_s'] * 1000:,.0f} ms{ratio}")
        speedup = report["sync_vs_reference_speedup"]
        cells += [str(report["noop_sync_segment_rows_written"]), f"{speedup:.1f}× faster" if speedup else "-"]
        print("| " + " | ".join(cells) + " |")

    with_following = [(key, report) for key, report in ordered if "change_toggle_location_on" in report["figures"]]
    if with_following:
        print("\nFollowing partner changes (following off → on; share of a no-op full sync when on):\n")
        header = [
            "partners",
            "regions",
            *CHANGES,
            "4-connection throughput",
            "a partner's change during a sync (no-op / cold)",
        ]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for (partners, regions), report in with_following:
            figures, noop = report["figures"], report["figures"]["sync_noop"]["median_s"]
            cells = [f"{partners:,}", regions]
            for name in CHANGES:
                if f"{name}_on" not in figures:  # measured since this result
                    cells.append("-")
                    continue
                off, on = figures[f"{name}_off"]["median_s"], figures[f"{name}_on"]["median_s"]
                cells.append(f"{ms(off)} → {ms(on)} ({on / noop:.1%})")
            following = report["following"]
            off_rate, on_rate = (following[f"throughput_{s}"]["changes_per_s"] for s in ("off", "on"))
            cells.append(f"{off_rate:,.0f} → {on_rate:,.0f}/s ({on_rate / off_rate:.0%})")
            waits = [following.get(k) for k in ("change_during_sync", "change_during_cold_sync")]
            cells.append(" / ".join(f"max {ms(w.get('max_s', w['median_s']))}" if w else "-" for w in waits))
            print("| " + " | ".join(cells) + " |")

    any_report = next(iter(latest.values()))
    print(f"\n{any_report['postgresql'].split(',')[0]}, {any_report['machine']['cpus']} cores; medians of 5.")

    # issue 15's targets, at 100,000 partners and up (bench/targets.py)
    for (partners, regions), report in ordered:
        if partners >= 100_000 and "change_toggle_location_on" in report["figures"]:
            print(f"\nTargets at {partners:,} partners over the {regions} ({report['when'][:16]}):\n")
            print(markdown(checks(report)))
    for regions in sorted({regions for _, regions in latest}):
        small, large = latest.get((100_000, regions)), latest.get((1_000_000, regions))
        if small and large and "change_toggle_location_on" in large["figures"]:
            print(f"\nA single change from 100,000 to 1,000,000 partners over the {regions}:\n")
            print(markdown(growth_checks(small, large)))


if __name__ == "__main__":
    main()
