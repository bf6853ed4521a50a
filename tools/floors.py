"""Print the declared lower bounds as pip constraints on their release series.

``numpy>=1.23`` in pyproject.toml becomes ``numpy==1.23.*``: the oldest release
series the project claims to support, at its latest patch. ``make test-min``
installs the package with these constraints in a venv of its own and runs the
unit tests, so every floor in pyproject.toml is one that has been tested.

    python tools/floors.py [EXTRA ...]     (default extras: test)
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def floors(extras=("test",)):
    """``{name: version}`` of every ``name>=version`` in the dependencies and ``extras``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    found = {}
    for requirement in requirements:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9.]*)\s*", requirement)
        if not match:
            raise SystemExit(f"tools/floors.py: {requirement!r} is not of the form name>=version")
        found[match.group(1)] = match.group(2)
    return found


if __name__ == "__main__":
    for name, version in floors(sys.argv[1:] or ("test",)).items():
        print(f"{name}=={version}.*")
