"""pyproject.toml and environment.yml must ask for the same packages, with lower bounds only."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)\s*(.*)$")
# conda-forge names that differ from the PyPI name of the same package.
CONDA_TO_PYPI = {"playwright-python": "playwright"}


def _split(requirement):
    name, spec = REQUIREMENT.match(requirement.strip()).groups()
    return name.lower(), spec.replace(" ", "")


def _pyproject_requirements():
    text = (ROOT / "pyproject.toml").read_text()
    found = {}
    for block in re.findall(r"(?:dependencies|test|lab|docs|dev)\s*=\s*\[(.*?)\]", text, re.S):
        for requirement in re.findall(r'"([^"]+)"', block):
            name, spec = _split(requirement)
            found[name] = spec
    return found


def _conda_requirements():
    found = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^  - ([^:#]+?)\s*$", line)
        if match and match.group(1) not in ("pip",):
            name, spec = _split(match.group(1))
            found[CONDA_TO_PYPI.get(name, name)] = spec
    found.pop("python", None)
    return found


def test_pyproject_and_environment_agree():
    pip_side = _pyproject_requirements()
    conda_side = _conda_requirements()
    assert {"numpy", "matplotlib", "ipywidgets", "pytest", "nbval", "hypothesis", "scipy"} \
        <= set(pip_side)
    assert pip_side == conda_side


def test_only_lower_bounds():
    for name, spec in _pyproject_requirements().items():
        assert spec.startswith(">="), f"{name} is pinned as {spec!r}: use a lower bound"
        assert "," not in spec and "<" not in spec.replace(">=", ""), name


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert re.search(r"^make test$", ci, re.M)
