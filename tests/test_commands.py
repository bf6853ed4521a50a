"""README, the Makefile and `make help` say the same about the project's commands."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _header():
    """The comment block that opens the Makefile (what `make help` prints)."""
    lines = []
    for line in MAKEFILE.splitlines()[1:]:
        if not line.startswith("#"):
            break
        lines.append(re.sub(r"^# ?", "", line))
    return lines


def _listed():
    """The targets the header lists, in order."""
    return [m.group(1) for line in _header() if (m := re.match(r"\s*make ([\w-]+)", line))]


def _targets():
    """The targets the Makefile defines (rules, not variables)."""
    return set(re.findall(r"^([\w-]+):(?!=)", MAKEFILE, re.M))


def test_every_listed_command_is_a_target_and_every_public_target_is_listed():
    listed = _listed()
    assert len(listed) == len(set(listed))
    assert set(listed) <= _targets(), set(listed) - _targets()
    internal = {"venv", "clean"}
    assert _targets() - internal <= set(listed), _targets() - internal - set(listed)


def test_readme_names_every_listed_command_and_no_other():
    mentioned = set(re.findall(r"(?:`|^)make ([\w-]+)", README, re.M))
    assert mentioned <= _targets(), f"README names make targets that do not exist: " \
                                    f"{mentioned - _targets()}"
    assert set(_listed()) <= mentioned, f"README never names {set(_listed()) - mentioned}"


def test_readme_and_makefile_agree_on_what_bench_runs():
    recipe = MAKEFILE[MAKEFILE.index("\nbench:"):].split("\n\n")[0]
    runs = re.findall(r"(bench/[\w]+\.py(?: --[\w-]+ \d+)*)", recipe)
    assert len(runs) >= 5
    row = next(line for line in README.splitlines() if line.startswith("| `make bench`"))
    for run in runs:
        assert f"`{run}`" in row, f"README's make bench row does not say it runs `{run}`"
    flags = re.findall(r"`(bench/\w+\.py[^`]*)`", row)
    for shown in flags:
        if shown in runs or not any(shown.split()[0] == r.split()[0] for r in runs):
            continue
        pytest.fail(f"README says make bench runs `{shown}`, the Makefile runs it otherwise")
    scripts = {p.name for p in (ROOT / "bench").glob("bench_*.py")}
    named = set(re.findall(r"bench/(bench_\w+\.py)", row))
    assert scripts <= named, f"README's bench row leaves out {scripts - named}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_prints_the_header():
    out = subprocess.run(["make", "--no-print-directory", "-s", "help"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == _header()
