"""Markdown table of the latest benchmark result per size and region set (for the README):
python bench/summarize.py"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
MEASUREMENTS = ("lower_bound", "sync_cold", "sync_noop", "sync_churn_1pct", "planner", "reference_cold")


def main() -> None:
    latest: dict[tuple[int, str], dict] = {}
    for path in sorted(RESULTS.glob("*.json")):
        report = json.loads(path.read_text())
        latest[(report["partners"], report["regions"])] = report
    header = ["partners", "regions", "pairs", "combinations", *MEASUREMENTS, "no-op rows written", "vs reference"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for (partners, regions), report in sorted(latest.items(), key=lambda item: (item[0][1] != "provinces", item[0])):
        figures = report["figures"]
        cells = [f"{partners:,}", regions, f"{report['pairs']:,}", f"{report['combinations']:,}"]
        for name in MEASUREMENTS:
            figure = figures[name]
            ratio = "" if name == "lower_bound" else f" ({figure['ratio_to_lower_bound']:.2f}×)"
            cells.append(f"{figure['median_s'] * 1000:,.0f} ms{ratio}")
        cells += [str(report["noop_sync_segment_rows_written"]), f"{report['sync_vs_reference_speedup']:.1f}× faster"]
        print("| " + " | ".join(cells) + " |")
    any_report = next(iter(latest.values()))
    print(f"\n{any_report['postgresql'].split(',')[0]}, {any_report['machine']['cpus']} cores; medians of 5.")


if __name__ == "__main__":
    main()
