"""After a sync: does the database agree with what the run reported? Compares the reported result with the
segments before and after and with the combinations; computes no business rule of its own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from leadstroom.database_types import PublicLeadSegments
from leadstroom.errors import CheckFailed
from leadstroom.results import CapacityCombo, SyncResult


@dataclass(frozen=True)
class SegmentSnapshot:
    active: frozenset[str]
    inactive: frozenset[str]
    by_combination: dict[tuple[str, str], list[PublicLeadSegments]]

    @classmethod
    def of(cls, segments: Sequence[PublicLeadSegments]) -> SegmentSnapshot:
        by_combination: dict[tuple[str, str], list[PublicLeadSegments]] = {}
        for segment in segments:
            by_combination.setdefault((segment.branch, segment.region), []).append(segment)
        return cls(
            active=frozenset(s.code for s in segments if s.is_active),
            inactive=frozenset(s.code for s in segments if not s.is_active),
            by_combination=by_combination,
        )

    @property
    def codes(self) -> frozenset[str]:
        return self.active | self.inactive


def verify_sync(
    result: SyncResult, before: SegmentSnapshot, after: SegmentSnapshot, combos: Sequence[CapacityCombo]
) -> None:
    problems: list[str] = []
    wanted = {(c["branch"], c["region"]) for c in combos}

    for branch, region in sorted(wanted):
        segments = after.by_combination.get((branch, region), [])
        active = [s.code for s in segments if s.is_active]
        expected = 0 if any(s.held_at is not None for s in segments) else 1  # a held segment stays off
        if len(active) != expected:
            found = ", ".join(active) or "none"
            problems.append(f"combination {branch} + {region} has {len(active)} active segments ({found})")
    for (branch, region), segments in sorted(after.by_combination.items()):
        for segment in segments:
            if segment.is_active and (branch, region) not in wanted:
                problems.append(f"active segment {segment.code} has no capacity combination")

    observed = {
        "created": after.codes - before.codes,
        "activated": before.inactive & after.active,
        "deactivated": before.active & after.inactive,
    }
    reported = {
        "created": (result["created"], result["created_codes"]),
        "activated": (result["activated"], result["activated_codes"]),
        "deactivated": (result["deactivated"], result["deactivated_codes"]),
    }
    for change, codes in observed.items():
        count, listed = reported[change]
        if Counter(listed) != Counter(codes):
            problems.append(f"reported {change} {sorted(listed)} but the segments show {sorted(codes)}")
        if count != len(listed):
            problems.append(f"reported {count} {change} but listed {len(listed)}")
    if result["total_combinations"] != len(wanted):
        problems.append(f"reported {result['total_combinations']} combinations, the database has {len(wanted)}")
    unchanged = len(wanted) - len(observed["created"]) - len(observed["activated"])
    if result["unchanged"] != unchanged:
        problems.append(f"reported {result['unchanged']} unchanged, the segments show {unchanged}")

    if problems:
        raise CheckFailed("; ".join(problems))
