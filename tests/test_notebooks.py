"""The committed notebooks: executed top to bottom, clean, and built the way the course promises.

nbval (configured in pyproject.toml) re-runs every notebook; these tests check
what a learner sees on GitHub before running anything.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
COURSE = ["00_convolutional_networks", "01_kernels", "02_stride", "03_filters", "04_pooling",
          "05_padding", "06_putting_it_together", "07_learning_kernels",
          "08_training_a_tiny_cnn", "09_transposed_convolution", "10_convolution_variants",
          "11_assignment_conv_layer"]


def _load(path):
    return json.loads(path.read_text())


def _source(cell):
    return "".join(cell["source"])


def test_the_course_is_all_there_in_order():
    names = [p.stem for p in NOTEBOOKS]
    assert names[:len(COURSE)] == COURSE
    assert all(re.match(r"^\d\d_[a-z_]+$", n) for n in names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_executed_in_order_without_errors(path):
    nb = _load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "re-run it with `make notebooks`"
    for cell in code:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", _source(cell)
            assert output.get("name") != "stderr", f"stderr output (a warning?) in: {_source(cell)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_course_pattern(path):
    nb = _load(path)
    cells = nb["cells"]
    first_markdown = next(c for c in cells if c["cell_type"] == "markdown")
    assert _source(first_markdown).startswith("# "), "an H1 title first"
    sources = [_source(c) for c in cells]
    code = "\n".join(s for c, s in zip(cells, sources) if c["cell_type"] == "code")
    assert "google.colab" in code and "import convlab" in code
    assert "_explorer(" in code, "at least one explorer"
    tags = [t for c in cells for t in c.get("metadata", {}).get("tags", [])]
    assert "nbval-ignore-output" in tags
    for cell, source in zip(cells, sources):
        if cell["cell_type"] == "code" and "_explorer(" in source:
            assert "nbval-ignore-output" in cell["metadata"].get("tags", []), source
    assert "nbval-check-output" in tags, "cells that teach a number are checked"
    assert "check." in code, "exercises that check themselves"
    assert any(re.search(r"^#+ .*Exercises", s, re.M) for s in sources)
    assert any(re.search(r"^#+ .*Summary", s, re.M) for s in sources)
    index = COURSE.index(path.stem) if path.stem in COURSE else None
    if index is not None and index + 1 < len(COURSE):
        assert COURSE[index + 1] + ".ipynb" in sources[-1] or COURSE[index + 1] in "".join(
            sources[-2:]), "a link to the next notebook at the bottom"


def _is_reveal_intro(cell):
    text = _source(cell)
    return cell["cell_type"] == "markdown" and (text.startswith("**The reveal.**")
                                                or text.startswith("The reveal:"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_reveals_are_tagged_so_a_graded_release_can_leave_them_out(path):
    """A reveal (the line that introduces it and the code cell that computes it) carries
    the tag ``reveal``, and nothing else does: `convlab-classroom release --roster` drops
    the tagged cells, so an untagged reveal would hand a graded copy its answer."""
    cells = _load(path)["cells"]
    tagged = {i for i, c in enumerate(cells) if "reveal" in c["metadata"].get("tags", [])}
    intros = [i for i, c in enumerate(cells) if _is_reveal_intro(c)]
    expected = {j for i in intros for j in (i, i + 1)}
    assert all(cells[i + 1]["cell_type"] == "code" for i in intros)
    assert tagged == expected
    # Every reveal reads its own question's numbers or recomputes them after the check.
    for i in intros:
        assert any("check." in _source(c) for c in cells[max(0, i - 3):i]), _source(cells[i])
