"""The runbook's SQL for adding a combination (SOP 03.4 step 2): one template, `runbook.sql` in this package.
docs/MANUAL_TEST_CAPACITY_SYNC.md shows it filled in with the SOP's example (tests/test_sop.py keeps the two
equal), and `leadstroom manual-test` shows it filled in with the admin's values. Every value is checked and
put in as an SQL literal, so what an admin pastes into the SQL editor cannot be more than these statements."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from importlib.resources import files

from leadstroom.errors import InvalidInput, excerpt

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def literal(value: str) -> str:
    """An SQL string literal: quotes doubled, so a value with a quote stays one literal."""
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Combination:
    partner: str = "5a1e0000-0000-4000-8000-000000000001"
    email: str = "info@loodgieter-maas.example"
    company: str = "Loodgietersbedrijf Maas"
    branch: str = "loodgieter"
    region: str = "zuid-holland"
    leads: int = 50

    def checked(self, known_regions: set[str]) -> Combination:
        """Refuses what the SQL could not or should not say (the region must exist; the SQL creates the branch)."""
        try:
            partner = str(uuid.UUID(self.partner))
        except ValueError:
            raise InvalidInput(f"--partner: not a partner id (a uuid): {excerpt(self.partner)!r}") from None
        if not SLUG.fullmatch(self.branch) or len(self.branch) > 60:
            raise InvalidInput(
                f"--branch: not an industry slug (lowercase words joined by dashes): {excerpt(self.branch)!r}"
            )
        if self.region not in known_regions:
            known = ", ".join(sorted(known_regions))
            raise InvalidInput(f"--region: unknown region {excerpt(self.region)!r}; known: {known}")
        if not 1 <= self.leads <= 100_000:
            raise InvalidInput(f"--leads: between 1 and 100000 leads a month, not {self.leads}")
        return Combination(partner, self.email, self.company, self.branch, self.region, self.leads)

    def sql(self) -> str:
        template = files("leadstroom").joinpath("runbook.sql").read_text()
        return template.format(
            partner=literal(self.partner),
            email=literal(self.email),
            company=literal(self.company),
            branch=literal(self.branch),
            branch_name=literal(self.branch.replace("-", " ").capitalize()),
            region=literal(self.region),
            leads=int(self.leads),
        )
