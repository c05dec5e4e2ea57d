"""After a sync: does the database agree with what the run reported? Compares the reported result with the
segments before and after and with the combinations; computes no business rule of its own."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from leadstroom.errors import CheckFailed


@dataclass(frozen=True)
class SegmentSnapshot:
    active: frozenset[str]
    inactive: frozenset[str]
    by_combination: dict[tuple[str, str], list[dict[str, Any]]]

    @classmethod
    def of(cls, segments: list[dict[str, Any]]) -> SegmentSnapshot:
        by_combination: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for segment in segments:
            by_combination.setdefault((segment["branch"], segment["region"]), []).append(segment)
        return cls(
            active=frozenset(s["code"] for s in segments if s["is_active"]),
            inactive=frozenset(s["code"] for s in segments if not s["is_active"]),
            by_combination=by_combination,
        )

    @property
    def codes(self) -> frozenset[str]:
        return self.active | self.inactive


def verify_sync(
    result: dict[str, Any], before: SegmentSnapshot, after: SegmentSnapshot, combos: list[dict[str, Any]]
) -> None:
    problems: list[str] = []
    wanted = {(c["branch"], c["region"]) for c in combos}

    for branch, region in sorted(wanted):
        active = [s["code"] for s in after.by_combination.get((branch, region), []) if s["is_active"]]
        if len(active) != 1:
            found = ", ".join(active) or "none"
            problems.append(f"combination {branch} + {region} has {len(active)} active segments ({found})")
    for (branch, region), segments in sorted(after.by_combination.items()):
        for segment in segments:
            if segment["is_active"] and (branch, region) not in wanted:
                problems.append(f"active segment {segment['code']} has no capacity combination")

    observed = {
        "created": after.codes - before.codes,
        "activated": before.inactive & after.active,
        "deactivated": before.active & after.inactive,
    }
    for change, codes in observed.items():
        reported = result.get(f"{change}_codes", [])
        if Counter(reported) != Counter(codes):
            problems.append(f"reported {change} {sorted(reported)} but the segments show {sorted(codes)}")
        if result.get(change) != len(reported):
            problems.append(f"reported {result.get(change)} {change} but listed {len(reported)}")
    if result.get("total_combinations") != len(wanted):
        problems.append(f"reported {result.get('total_combinations')} combinations, the database has {len(wanted)}")
    unchanged = len(wanted) - len(observed["created"]) - len(observed["activated"])
    if result.get("unchanged") != unchanged:
        problems.append(f"reported {result.get('unchanged')} unchanged, the segments show {unchanged}")

    if problems:
        raise CheckFailed("; ".join(problems))
