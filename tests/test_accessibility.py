"""Every picture the course stores says what it shows, for readers who cannot see it.

- a Markdown image has real alt text: ``![what it shows](path)``;
- a matplotlib figure's cell names its alt text in ``mystnb.image.alt`` (where ``make site``
  reads it) and each picture output carries it in its metadata (``alt``);
- an animation's player picture has an ``alt`` saying what moves, and its GIF the same in
  the output metadata;
- an explorer's snapshot carries, as ``alt``, the words of its live description.

The browser suite (tests/browser/test_accessibility.py) checks the same in JupyterLab, with
the explorers' controls driven from the keyboard.
"""

import html
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"
MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]+)\)")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _meaningful(alt):
    """Alt text that describes: a sentence of several words, not a file name or 'image'."""
    alt = (alt or "").strip()
    return len(alt.split()) >= 6 and not re.fullmatch(r"[\w./-]+\.(png|gif|jpe?g|svg)", alt)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_stored_picture_has_alt_text(path):
    missing = []
    for index, cell in enumerate(_cells(path)):
        where = f"{path.name} cell {index}"
        if cell["cell_type"] == "markdown":
            for alt, target in MARKDOWN_IMAGE.findall("".join(cell["source"])):
                if not _meaningful(alt):
                    missing.append(f"{where}: ![{alt}]({target})")
            continue
        if cell["cell_type"] != "code":
            continue
        cell_alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt")
        for output in cell.get("outputs", []):
            data, metadata = output.get("data", {}), output.get("metadata", {})
            if "image/png" in data:
                alt = metadata.get("image/png", {}).get("alt")
                if WIDGET in data:
                    what = "explorer snapshot"
                else:
                    what = "figure"
                    if not _meaningful(cell_alt) or alt != cell_alt:
                        missing.append(f"{where}: figure without mystnb.image.alt in the cell "
                                       "metadata, copied to its output")
                        continue
                if not _meaningful(alt):
                    missing.append(f"{where}: {what} without alt metadata")
            if "image/gif" in data and not _meaningful(metadata.get("image/gif", {}).get("alt")):
                missing.append(f"{where}: GIF without alt metadata")
            page = data.get("text/html", "")
            for img in re.findall(r"<img\b[^>]*>", "".join(page) if isinstance(page, list) else page):
                alt = re.search(r'\balt="([^"]*)"', img)
                if not alt or not _meaningful(html.unescape(alt.group(1))):
                    missing.append(f"{where}: HTML <img> without alt text: {img[:60]}")
    assert not missing, "\n".join(missing)


def test_the_course_stores_figures_animations_and_explorers_to_describe():
    """The test above would pass on a course with no pictures: make sure it checks some."""
    kinds = {"figure": 0, "animation": 0, "explorer": 0}
    for path in NOTEBOOKS:
        for cell in _cells(path):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                kinds["explorer"] += WIDGET in data and "image/png" in data
                kinds["figure"] += WIDGET not in data and "image/png" in data
                kinds["animation"] += "image/gif" in data
    assert kinds["figure"] >= 30 and kinds["animation"] >= 5 and kinds["explorer"] >= 8, kinds
