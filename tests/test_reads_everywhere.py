"""The committed notebooks read without a kernel: every live output carries a picture.

GitHub, nbviewer and a static site show the stored outputs and strip (or never
run) scripts. An animation's output is a JavaScript player; beside it the bundle
carries the GIF, and the player's own picture holds frame 0 before any script
runs. An explorer's output is a widget view; beside it the bundle carries a PNG
snapshot of the explorer's state. These tests read the committed files (no
kernel) and nbconvert's HTML.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PLAYER = re.compile(r'<img id="_anim_img[0-9a-f]+"')
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EXPLORER_CALL = re.compile(r"\b[a-z]+_explorer\(")
PICTURES = ("image/gif", "image/png")
MAX_BYTES = 2_000_000


def _players(notebook):
    """(cell index, output) for every stored output that holds an animation player."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            html = output.get("data", {}).get("text/html", "")
            if PLAYER.search("".join(html)):
                yield index, output


def _views(notebook):
    """(cell index, output) for every stored widget view of an explorer.

    An explorer's cell calls ``<name>_explorer(`` (other widgets, such as a
    training progress bar, are not explorers).
    """
    for index, cell in enumerate(notebook.cells):
        code = "\n".join(line.split("#", 1)[0] for line in cell.source.splitlines())
        if cell.cell_type == "code" and EXPLORER_CALL.search(code):
            for output in cell.outputs:
                if WIDGET_VIEW in output.get("data", {}):
                    yield index, output


def _live(notebook):
    """(cell index, output, what) for every player and widget view, in cell order."""
    found = [(i, o, "animation") for i, o in _players(notebook)]
    found += [(i, o, "explorer") for i, o in _views(notebook)]
    return sorted(found, key=lambda item: item[0])


def _image(b64):
    image = Image.open(io.BytesIO(base64.b64decode(b64)))
    image.load()
    return image


def test_the_course_has_animations_and_explorers():
    # the checks below look at every player and view; make sure there are some to look at
    notebooks = [nbformat.read(p, as_version=4) for p in NOTEBOOKS]
    assert sum(len(list(_players(nb))) for nb in notebooks) >= 8
    assert sum(len(list(_views(nb))) for nb in notebooks) >= 9


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_stored_player_and_view_carries_a_picture(path):
    notebook = nbformat.read(path, as_version=4)
    for index, output, what in _live(notebook):
        pictures = [m for m in PICTURES if m in output["data"]]
        assert pictures, (f"{path.name} cell {index}: an {what} with no image/gif or image/png "
                          "beside it")
        picture = _image(output["data"][pictures[0]])
        assert picture.width > 100 and picture.height > 50, (
            f"{path.name} cell {index}: the fallback picture is {picture.size}")
        if pictures[0] == "image/gif":
            frames = len(re.findall(r"frames\[\d+\] = ", output["data"]["text/html"]))
            assert picture.n_frames == frames, (
                f"{path.name} cell {index}: the GIF has {picture.n_frames} frames, "
                f"the player {frames}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_stay_lean(path):
    assert path.stat().st_size <= MAX_BYTES, (
        f"{path.name} is {path.stat().st_size / 1e6:.2f} MB; keep committed notebooks under "
        f"{MAX_BYTES / 1e6:.0f} MB (smaller dpi or fewer frames)")


def _without_scripts(html):
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S | re.I)


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS
                                  if _live(nbformat.read(p, as_version=4))],
                         ids=lambda p: p.stem)
def test_nbconvert_html_without_scripts_shows_every_animation_and_explorer(path):
    from nbconvert import HTMLExporter

    notebook = nbformat.read(path, as_version=4)
    # One exported page per animation or explorer cell (with the notebook's metadata,
    # widget state included): its output area as a reader without scripts sees it. Such
    # a reader can draw neither a widget view nor JavaScript, so it takes the next type
    # in nbconvert's own order (as nbconvert itself does for a view without stored state).
    from nbconvert.utils.base import NbConvertBase
    from traitlets.config import Config

    priority = [mime for mime in NbConvertBase().display_data_priority
                if mime not in (WIDGET_VIEW, "application/javascript")]
    exporter = HTMLExporter(template_name="lab",
                            config=Config({"NbConvertBase": {"display_data_priority": priority}}))
    for index in sorted({index for index, _, _ in _live(notebook)}):
        single = nbformat.v4.new_notebook(metadata=notebook.metadata)
        single.cells = [notebook.cells[index]]
        body, _ = exporter.from_notebook_node(single)
        area = body.split('<div class="jp-Cell-outputWrapper"', 1)
        assert len(area) == 2, f"{path.name} cell {index}: nbconvert wrote no output area"
        shown = _without_scripts(area[1])
        sources = re.findall(r'<img\b[^>]*\bsrc="data:(image/(?:png|gif));base64,([^"]+)"',
                             shown)
        assert sources, (f"{path.name} cell {index}: without scripts this output shows no "
                         "picture")
        picture = _image(sources[0][1])
        assert picture.width > 100 and picture.height > 50, (
            f"{path.name} cell {index}: the picture shown is {picture.size}")
