"""One notebook in Notebook 7: its explorers render and answer the mouse and typed values.

Notebook 7 is the other front end a learner may use (``jupyter notebook``). The
notebook is opened there on the session's server, run, and checked as in
JupyterLab: as many live explorers and players as the file builds, every picture
decoded, every player at frame 0. Then a slider is dragged with the mouse and a
value is typed into a slider's readout, and each must change the display it
drives. Arrow keys are not tried: Notebook 7 takes them to move between cells
(upstream jupyter/notebook#7716).
"""

from __future__ import annotations

import time

import pytest

from .conftest import ARTIFACTS, notebook_dir
from .test_jupyterlab import (PAGE_JS, Notebook, _drives, _players_at_frame_0, _slider_state,
                              _undecoded, expected_explorers, expected_players)

# The notebook driven in Notebook 7: one explorer of sliders and an animation.
NOTEBOOK = "02_stride.ipynb"


class Notebook7(Notebook):
    """A notebook open in Notebook 7 (its own page: one notebook per page there)."""

    def open(self, lab):
        self.page.goto(lab.notebook7_url(self.name))
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started",
                                    timeout=60_000)
        self.page.wait_for_function(
            "name => { const w = window.jupyterapp.shell.currentWidget;"
            " return !!w && !!w.context && w.context.path === name; }",
            arg=self.name, timeout=60_000)
        self.page.evaluate(PAGE_JS)
        self.wait_for_kernel(" in Notebook 7")


def _changed(nb, index, before, wanted):
    """The display keys that changed since ``before`` (a snapshot), or a problem."""
    nb.settle(index)
    after = {part["key"]: part for part in nb.snapshot(index)}
    changed = {key for key in after.keys() | before.keys() if after.get(key) != before.get(key)}
    return changed & wanted, changed


def test_notebook_in_notebook7(lab, browser_context):
    path = notebook_dir() / NOTEBOOK
    if not path.exists():
        pytest.skip(f"{NOTEBOOK} is not in {notebook_dir()} (CONVLAB_BROWSER_NOTEBOOKS)")
    page = browser_context.new_page()
    try:
        nb = Notebook7(page, path.name)
        nb.open(lab)
        nb.run_all()
        problems = nb.problems()
        page.screenshot(path=str(ARTIFACTS / f"notebook7-{path.stem}.png"))
        assert not problems, f"{path.name} in Notebook 7 after run-all:\n" + "\n".join(problems)
        names = nb.explorers()
        wanted = expected_explorers(path)
        assert names == wanted, (f"{path.name} in Notebook 7: the notebook builds {wanted}; the "
                                 f"page shows {names} live")
        failures = _players_at_frame_0(nb, expected_players(path))
        failures += _undecoded(nb, "in Notebook 7 after run-all")
        assert names, f"{path.name} builds no explorer: pick another notebook for Notebook 7"
        index, name = 0, names[0]
        root = page.locator(".convlab-explorer").nth(index)
        root.scroll_into_view_if_needed()
        nb.settle(index)

        # The mouse: drag the stride slider's handle one step to the right.
        control = root.locator(".convlab-control-stride")
        handle, value, low, high, disabled = _slider_state(control)
        assert not disabled and value < high, f"stride slider at {value} of [{low}, {high}]"
        track = control.locator(".noUi-target").bounding_box()
        box = handle.bounding_box()
        step = track["width"] / (high - low)
        before = {part["key"]: part for part in nb.snapshot(index)}
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + step, box["y"] + box["height"] / 2,
                        steps=8)
        page.mouse.up()
        deadline = time.monotonic() + 5
        while _slider_state(control)[1] == value and time.monotonic() < deadline:
            time.sleep(0.05)
        hit, changed = _changed(nb, index, before, _drives(name, "stride"))
        moved_to = _slider_state(control)[1]
        if moved_to != value + 1 or not hit:
            failures.append(f"Notebook 7: dragging the stride handle one step from {value:g} "
                            f"gave {moved_to:g} and changed {sorted(changed)}, not its output")

        # A typed value: the size slider's readout, edited and confirmed with Enter.
        control = root.locator(".convlab-control-size")
        handle, value, low, high, disabled = _slider_state(control)
        typed = int(low if value != low else high)
        before = {part["key"]: part for part in nb.snapshot(index)}
        readout = control.locator(".widget-readout")
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(str(typed))
        page.keyboard.press("Enter")
        deadline = time.monotonic() + 5
        while _slider_state(control)[1] != typed and time.monotonic() < deadline:
            time.sleep(0.05)
        hit, changed = _changed(nb, index, before, _drives(name, "size"))
        now = _slider_state(control)[1]
        if now != typed or not hit:
            failures.append(f"Notebook 7: typing {typed} into the size readout (was {value:g}) "
                            f"gave {now:g} and changed {sorted(changed)}, not its input")
        failures += [f"Notebook 7 after the moves: {problem}" for problem in nb.problems()]
        root.screenshot(path=str(ARTIFACTS / f"notebook7-{path.stem}-{name}.png"))
        nb.js("() => __convlab.notebook().sessionContext.shutdown()")
        assert not failures, "\n".join(failures)
    finally:
        page.close()
