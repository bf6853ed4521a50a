"""A release says one version everywhere: convlab.__version__, pyproject.toml, CHANGELOG.md's
newest entry, CITATION.cff, and the tag ``v<version>`` that every Binder and Colab link and the
Colab cell's install are pinned to (tools/links.py; ``make notebooks`` rewrites them)."""

import importlib.util
import json
import re
from pathlib import Path

import pytest

import convlab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
VERSION = re.compile(r"\d+\.\d+\.\d+")


def _links():
    spec = importlib.util.spec_from_file_location("links", ROOT / "tools" / "links.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


links = _links()


def _changelog_versions():
    """Each ``## [X.Y.Z] - YYYY-MM-DD`` heading of CHANGELOG.md, newest first, as (version, date)."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})\s*$", text, re.M)


def test_the_version_is_written_once_and_pyproject_reads_it():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert VERSION.fullmatch(convlab.__version__)
    assert links.version() == convlab.__version__
    assert re.search(r'^dynamic\s*=\s*\["version"\]', pyproject, re.M)
    assert re.search(r'^version\s*=\s*\{\s*attr\s*=\s*"convlab\.__version__"\s*\}', pyproject, re.M)
    assert not re.search(r'^version\s*=\s*"', pyproject, re.M), "no second version in pyproject"


def test_the_changelog_newest_entry_is_this_version_and_entries_go_down():
    entries = _changelog_versions()
    assert entries, "CHANGELOG.md needs '## [X.Y.Z] - YYYY-MM-DD' entries"
    assert entries[0][0] == convlab.__version__, \
        f"CHANGELOG.md's newest entry is {entries[0][0]}, convlab.__version__ is {convlab.__version__}"
    numbers = [tuple(int(n) for n in v.split(".")) for v, _ in entries]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == len(numbers)
    dates = [d for _, d in entries]
    assert dates == sorted(dates, reverse=True)
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.index("## [Unreleased]") < text.index(f"## [{entries[0][0]}]")


def test_citation_names_this_version_and_the_repository():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r"^cff-version: 1\.2\.0$", text, re.M)
    assert re.search(rf"^version: {re.escape(convlab.__version__)}$", text, re.M)
    assert re.search(rf'^repository-code: "{re.escape(links.repository())}"$', text, re.M)
    for key in ("message", "title", "authors", "license"):
        assert re.search(rf"^{key}:", text, re.M), f"CITATION.cff needs {key}"


def test_the_links_are_pinned_to_the_release_tag():
    tag = f"v{convlab.__version__}"
    assert links.release() == tag
    first = "notebooks/00_convolutional_networks.ipynb"
    assert f"/{tag}?urlpath=lab/tree/{first}" in links.binder_url(first)
    assert f"/blob/{tag}/{first}" in links.colab_url(first)
    assert links.pip_spec().endswith(f"@{tag}")


def _made_links(text):
    return (re.findall(r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/([\w.-]+)\?", text)
            + re.findall(r"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/([\w.-]+)/",
                         text)
            + re.findall(r"convlab @ git\+https://github\.com/[\w.-]+/[\w.-]+?(?:@([\w.-]+))?[\"\s]",
                         text))


@pytest.mark.parametrize("path", [ROOT / "README.md", *NOTEBOOKS], ids=lambda p: p.stem)
def test_committed_links_name_the_release(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
    refs = _made_links(text)
    assert refs, f"{path.name} has no Binder, Colab or install link"
    assert set(refs) == {f"v{convlab.__version__}"}, \
        f"{path.name} links to {sorted(set(refs))}: run `make notebooks`"


def test_relink_moves_an_old_release_and_an_unpinned_install_to_this_one():
    old = ('%pip install --quiet "convlab @ git+https://github.com/someone/else@v0.0.1"\n'
           '%pip install --quiet "convlab @ git+https://github.com/someone/else"\n'
           "[b](https://mybinder.org/v2/gh/someone/else/main?urlpath=lab/tree/notebooks/x.ipynb)")
    new = links.relink(old)
    assert new.count(f'"{links.pip_spec()}"') == 2 and "v0.0.1" not in new and "/main?" not in new
