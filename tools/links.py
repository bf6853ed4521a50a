"""The repository's address, written once in pyproject.toml, and every link made from it.

``[project.urls] Repository`` in pyproject.toml is the one place the address
lives. The README badges, each notebook's Colab install cell, the Binder and
Colab links in the notebooks' prose and the site's launch buttons are made
from it here:

- ``make notebooks`` (tools/execute_notebooks.py) rewrites the links in every
  notebook it runs and in README.md with :func:`relink`;
- ``make site`` (tools/build_site.py and docs/conf.py) makes the site's launch
  buttons with :func:`binder_url` and :func:`colab_url`;
- tests/test_links.py checks that README.md and the notebooks agree with
  pyproject.toml (``relink(text) == text``) and that no other file writes the
  address by hand.

The links are pinned to the release: Binder, Colab and the Colab cell's
``%pip install`` all name the tag ``v<version>`` (:func:`release`), where the
version is ``convlab.__version__`` in convlab/__init__.py, the one place it is
written (pyproject.toml reads it too). A course handed out at 0.2.0 stays at
0.2.0 for the whole term, whatever lands on main later; bumping the version
and running ``make notebooks`` moves every link to the next release.
tests/test_release.py checks that the version, CHANGELOG.md's newest entry and
these links agree.

Run ``python tools/links.py`` to print the address and the links it makes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BRANCH = "main"  # where the site's "edit this page" and source links point
BINDER = "https://mybinder.org/v2/gh"
COLAB = "https://colab.research.google.com/github"

# Links that name the repository, each with a group for what it points at inside it.
_BINDER_LINK = re.compile(r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/[\w.-]+"
                          r"\?urlpath=lab/tree/([\w./-]+\.ipynb)")
_COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/"
                         r"[\w.-]+/([\w./-]+\.ipynb)")
_PIP_SPEC = re.compile(r"convlab @ git\+https://github\.com/[\w.-]+/[\w.-]+?(?:@[\w.-]+)?(?=[\s\"'\\]|$)")


def repository(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The ``Repository`` URL in pyproject.toml's ``[project.urls]``, ``https://github.com/o/r``."""
    text = pyproject.read_text(encoding="utf-8")
    section = re.search(r"^\[project\.urls\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    if section is None:
        raise ValueError(f"{pyproject} has no [project.urls] table: add "
                         f"Repository = \"https://github.com/OWNER/NAME\"")
    found = re.search(r'^Repository\s*=\s*"([^"]+)"', section.group(1), re.M)
    if found is None or not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", found.group(1)):
        raise ValueError(f"[project.urls] in {pyproject} needs Repository = "
                         f"\"https://github.com/OWNER/NAME\", got {found and found.group(1)!r}")
    return found.group(1)


def version(init: Path = ROOT / "convlab" / "__init__.py") -> str:
    """``convlab.__version__`` as written in convlab/__init__.py (read, not imported): ``"0.2.0"``."""
    found = re.search(r'^__version__\s*=\s*"(\d+\.\d+\.\d+)"', init.read_text(encoding="utf-8"), re.M)
    if found is None:
        raise ValueError(f"{init} needs a line __version__ = \"X.Y.Z\"")
    return found.group(1)


def release() -> str:
    """The release's tag, ``v<version>``: what the Binder, Colab and pip links are pinned to."""
    return f"v{version()}"


def _slug() -> str:
    return repository().removeprefix("https://github.com/")


def binder_url(path: str) -> str:
    """Binder's JupyterLab on ``path`` (from the repository root: ``notebooks/01_x.ipynb``)."""
    return f"{BINDER}/{_slug()}/{release()}?urlpath=lab/tree/{path}"


def colab_url(path: str) -> str:
    """Google Colab on ``path`` (relative to the repository root) at the release's tag."""
    return f"{COLAB}/{_slug()}/blob/{release()}/{path}"


def pip_spec() -> str:
    """What the Colab cell gives ``%pip install``: convlab from the repository, at the release's tag."""
    return f"convlab @ git+{repository()}@{release()}"


def relink(text: str) -> str:
    """``text`` with every Binder link, Colab link and pip spec pointing at today's repository."""
    text = _BINDER_LINK.sub(lambda m: binder_url(m.group(1)), text)
    text = _COLAB_LINK.sub(lambda m: colab_url(m.group(1)), text)
    return _PIP_SPEC.sub(pip_spec(), text)


def relink_notebook(notebook) -> bool:
    """Relink the sources of every cell of an nbformat notebook in place; True if any changed."""
    changed = False
    for cell in notebook.cells:
        new = relink(cell.source)
        if new != cell.source:
            cell.source, changed = new, True
    return changed


def relink_file(path: Path) -> bool:
    """Relink a text file (README.md) in place; True if it changed."""
    text = path.read_text(encoding="utf-8")
    new = relink(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    first = "notebooks/00_convolutional_networks.ipynb"
    print(f"repository: {repository()}\nrelease:    {release()}\nbinder:     {binder_url(first)}\n"
          f"colab:      {colab_url(first)}\npip:        {pip_spec()}")
    sys.exit(0)
