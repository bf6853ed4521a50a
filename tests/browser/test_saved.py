"""Every notebook as committed, opened in JupyterLab without running it.

A learner who opens the course before running anything (and every reader on
GitHub or nbviewer) sees the stored outputs. The notebook is untrusted there, so
its scripts do not run and the widgets have no kernel behind them: each
explorer and each animation must still show a picture (the explorer's snapshot,
the player's frame 0), never an empty box or widget text such as
``VBox(children=...``.
"""

from __future__ import annotations

import json
import re

import pytest

from .conftest import ARTIFACTS
from .test_jupyterlab import ANIMATION_CALL, EXPLORER_CALL, NOTEBOOKS, Notebook

WIDGET_TEXT = re.compile(r"\b\w*Box\(children=")  # a widget's repr: VBox(children=(...


def _live_cells(path):
    """Indices of the code cells that build an explorer or an animation, from the file."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        code = "\n".join(line.split("#", 1)[0] for line in "".join(cell["source"]).splitlines())
        if EXPLORER_CALL.search(code) or ANIMATION_CALL.search(code):
            found.append(index)
    return found


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if _live_cells(p)], ids=lambda p: p.stem)
def test_saved_notebook_shows_pictures_unrun(lab, page, path):
    wanted = _live_cells(path)
    nb = Notebook(page, lab.saved(path.name))
    nb.open(lab)
    images = nb.js("() => __convlab.images()")
    shown = nb.js("""cells => cells.map(i => {
        const cell = __convlab.notebook().content.widgets[i];
        const area = cell.node.querySelector('.jp-OutputArea');
        return {i, trusted: cell.model.trusted, executed: cell.model.executionCount,
                text: area ? area.innerText : ''};
    })""", wanted)
    failures = []
    for cell in shown:
        where = f"{path.name} opened unrun, cell {cell['i']}"
        pictures = [image for image in images if image["cell"] == cell["i"] and image["shown"]]
        if not any(image["width"] > 0 for image in pictures):
            failures.append(f"{where}: no decoded picture ({len(pictures)} <img> shown)")
        if WIDGET_TEXT.search(cell["text"]):
            failures.append(f"{where}: shows widget text {cell['text'][:80]!r}")
    first = page.locator(".jp-Notebook .jp-Cell").nth(wanted[0])
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"saved-{path.stem}.png"))
    nb.js("() => __convlab.notebook().sessionContext.shutdown()")
    assert not failures, "\n".join(failures)
