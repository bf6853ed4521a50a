"""One address for the repository: pyproject.toml's [project.urls], and every link made from it.

tools/links.py makes the README badges, the notebooks' Colab install cell and Binder/Colab
links, and the site's launch buttons from ``Repository`` in pyproject.toml; ``make notebooks``
rewrites README.md and the notebooks with it. These tests check that what is committed agrees
with pyproject.toml, and that no other file writes the address by hand.
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIRST = "notebooks/00_convolutional_networks.ipynb"
GITHUB = re.compile(r"github\.com/[\w.-]+/[\w.-]+")


def _links():
    spec = importlib.util.spec_from_file_location("links", ROOT / "tools" / "links.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


links = _links()


def _cells(path):
    return ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]]


def _without_made_links(text):
    """``text`` with every link tools/links.py makes taken out."""
    for made in sorted(set(re.findall(r"https://mybinder\.org/\S+?(?=[)\"\s])", text)
                           + re.findall(r"https://colab\.research\.google\.com/github/\S+?"
                                        r"(?=[)\"\s])", text)), key=len, reverse=True):
        text = text.replace(made, "")
    return text.replace(links.pip_spec(), "")


def test_the_address_is_written_once_in_pyproject():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", links.repository())
    assert GITHUB.findall(pyproject) == [links.repository().removeprefix("https://")]


def test_readme_badges_are_made_from_pyproject():
    readme = (ROOT / "README.md").read_text()
    assert links.relink(readme) == readme, "run `make notebooks` (it rewrites the README links)"
    assert f"]({links.binder_url(FIRST)})" in readme
    assert f"]({links.colab_url(FIRST)})" in readme


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_links_are_made_from_pyproject(path):
    sources = _cells(path)
    for source in sources:
        assert links.relink(source) == source, "run `make notebooks` (it rewrites the links)"
    assert any(f'%pip install --quiet "{links.pip_spec()}"' in s for s in sources), \
        "the Colab cell installs convlab from the repository"


def test_notebook_00_says_what_is_live_and_links_binder_and_colab():
    text = "\n".join(_cells(ROOT / FIRST))
    assert links.binder_url(FIRST) in text and links.colab_url(FIRST) in text
    assert "snapshot" in text


def test_relink_points_links_at_the_repository():
    old = ("[b](https://mybinder.org/v2/gh/someone/else/HEAD?urlpath=lab/tree/notebooks/x.ipynb) "
           "[c](https://colab.research.google.com/github/someone/else/blob/dev/notebooks/x.ipynb) "
           '%pip install "convlab @ git+https://github.com/someone/else"')
    new = links.relink(old)
    assert "someone" not in new
    assert links.binder_url("notebooks/x.ipynb") in new
    assert links.colab_url("notebooks/x.ipynb") in new
    assert links.pip_spec() in new


def test_no_other_file_writes_the_address():
    files = [ROOT / "README.md", ROOT / "environment.yml", ROOT / "Makefile",
             ROOT / "ARCHITECTURE.md", *NOTEBOOKS, *(ROOT / "convlab").rglob("*.py"),
             *(p for p in (ROOT / "tools").glob("*.py") if p.name != "links.py"),
             *(p for p in (ROOT / "docs").rglob("*") if p.is_file() and "vendor" not in p.parts
               and p.suffix in (".md", ".py", ".css", ".js", ".html", ".txt"))]
    found = []
    for path in files:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            text = "\n".join(_cells(path))
        own = links.repository().removeprefix("https://")
        found += [f"{path.relative_to(ROOT)}: {address}"
                  for address in GITHUB.findall(_without_made_links(text)) if address == own]
    assert found == [], "write the address once, in pyproject.toml; make links with tools/links.py"
