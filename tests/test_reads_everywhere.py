"""The committed notebooks read without a kernel: every live output carries a picture.

GitHub, nbviewer and a static site show the stored outputs and strip (or never
run) scripts. An animation's output is a JavaScript player; beside it the bundle
carries the GIF, and the player's own picture holds frame 0 before any script
runs. These tests read the committed files (no kernel) and nbconvert's HTML.
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


def _image(b64):
    image = Image.open(io.BytesIO(base64.b64decode(b64)))
    image.load()
    return image


def test_the_course_has_animations():
    # the checks below look at every player; make sure there are players to look at
    assert sum(len(list(_players(nbformat.read(p, as_version=4)))) for p in NOTEBOOKS) >= 8


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_stored_player_carries_a_picture(path):
    notebook = nbformat.read(path, as_version=4)
    for index, output in _players(notebook):
        pictures = [m for m in PICTURES if m in output["data"]]
        assert pictures, f"{path.name} cell {index}: a player with no image/gif or image/png beside it"
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
                                  if list(_players(nbformat.read(p, as_version=4)))],
                         ids=lambda p: p.stem)
def test_nbconvert_html_without_scripts_shows_every_animation(path):
    from nbconvert import HTMLExporter

    notebook = nbformat.read(path, as_version=4)
    wanted = [index for index, _ in _players(notebook)]
    # One exported page per animation cell: its output area as a reader without
    # scripts sees it.
    exporter = HTMLExporter(template_name="lab")
    for index in wanted:
        single = nbformat.v4.new_notebook(metadata=notebook.metadata)
        single.cells = [notebook.cells[index]]
        body, _ = exporter.from_notebook_node(single)
        area = body.split('<div class="jp-Cell-outputWrapper"', 1)
        assert len(area) == 2, f"{path.name} cell {index}: nbconvert wrote no output area"
        shown = _without_scripts(area[1])
        sources = re.findall(r'<img\b[^>]*\bsrc="data:(image/(?:png|gif));base64,([^"]+)"',
                             shown)
        assert sources, (f"{path.name} cell {index}: without scripts the animation's output "
                         "shows no picture")
        picture = _image(sources[0][1])
        assert picture.width > 100 and picture.height > 50, (
            f"{path.name} cell {index}: the picture shown is {picture.size}")
