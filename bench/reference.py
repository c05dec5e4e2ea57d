"""The runbook's former sync (Node, `scripts/test-capacity-sync-manual.js` era), reimplemented faithfully
in Python over the same local connection, as the benchmark's point of comparison:

fetch the combinations, fetch all segments, then for each missing combination look the segment up and insert
it, one round trip at a time, then bulk activate and deactivate.
"""

from __future__ import annotations

import psycopg


def reference_sync(conn: psycopg.Connection) -> dict[str, int]:
    combos = conn.execute("select branch, region from get_branch_region_capacity_combos()").fetchall()
    segments = conn.execute("select id, code, branch, region, is_active from lead_segments").fetchall()
    known = {(branch, region) for _, _, branch, region, _ in segments}

    created = 0
    for branch, region in combos:
        if (branch, region) in known:
            continue
        code = f"{branch}_{region}".replace("-", "_")
        if conn.execute("select id from lead_segments where code = %s", (code,)).fetchone() is None:
            conn.execute(
                "insert into lead_segments (code, branch, region, is_active) values (%s, %s, %s, true)",
                (code, branch, region),
            )
            created += 1

    branches = [b for b, _ in combos]
    regions = [r for _, r in combos]
    activated = conn.execute(
        "update lead_segments set is_active = true where not is_active "
        "and (branch, region) in (select * from unnest(%s::text[], %s::text[]))",
        (branches, regions),
    ).rowcount
    deactivated = conn.execute(
        "update lead_segments set is_active = false where is_active "
        "and (branch, region) not in (select * from unnest(%s::text[], %s::text[]))",
        (branches, regions),
    ).rowcount
    return {"created": created, "activated": activated, "deactivated": deactivated}
