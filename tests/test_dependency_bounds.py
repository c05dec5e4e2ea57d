"""python/lowest-requirements.txt pins exactly the lower bound of every dependency in python/pyproject.toml,
so the run of the client tests on it (make test) proves the bounds users are promised."""

import re
import tomllib
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def test_the_lowest_requirements_are_the_lower_bounds_of_the_package():
    declared = tomllib.loads((ROOT / "python" / "pyproject.toml").read_text())["project"]["dependencies"]
    bounds = {}
    for requirement in declared:
        name, low = re.fullmatch(r"([A-Za-z0-9_.\[\]-]+)>=([0-9.]+)(,<.*)?", requirement).group(1, 2)
        bounds[name] = low
    pinned = {}
    for line in (ROOT / "python" / "lowest-requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pinned[name] = version
    assert {n: Version(v) for n, v in pinned.items()} == {n: Version(v) for n, v in bounds.items()}
