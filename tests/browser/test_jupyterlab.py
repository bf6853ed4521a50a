"""Every notebook as a learner meets it: opened in JupyterLab, run, and played with in Chromium.

For each notebook: run all cells, check that nothing failed (error outputs, widgets
that did not render, tracebacks from widget callbacks), that the page shows as many
live explorers and animation players as the notebook FILE builds, that every picture
in every output decoded, and that each player shows frame 0 before any click. Then
for every explorer time its first control, use its "explain this cell" sliders and
check the written sum against the value shown, and move every control and check
that the display it drives (named in ``DRIVES``) changes on screen. The median of
every timed move of the session must stay within the limit. A screenshot of the
notebook is kept in ``artifacts/browser/``.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import time
from pathlib import Path

import pytest

from .conftest import (ARTIFACTS, EXPLAINED, LATENCY_LIMIT_MS, LATENCY_ROWS, LATENCY_SAMPLES,
                       NOTEBOOKS_OPENED, TIMINGS, notebook_dir)

NOTEBOOKS = sorted(notebook_dir().glob("*.ipynb"))
PAGE_JS = (Path(__file__).with_name("page.js")).read_text()
PRESSES = 8                  # latency samples per explorer (at least 8)
SANITY_MS = 1000             # a move slower than this is broken, not slow
RUN_TIMEOUT_MS = 150_000
CHANGE_TIMEOUT_MS = 5_000
# A typed kernel that is in no gallery, so the explorer has to compute something new.
TYPED_KERNEL = "1 2 0\n0 -1 0\n0 0 -2"
# Calls in a notebook's code that put an explorer / an animation player on the page.
EXPLORER_CALL = re.compile(r"\b([a-z]+)_explorer\(")
ANIMATION_CALL = re.compile(r"\banimate\.(convolution|channel_sum|volume|pooling)\(")

# The display each control drives, by its key in ``explorer.outputs``: moving the
# control from the explorer's starting state must change that display (its picture,
# grid or text, or whether it is shown), not just any display. A tuple: one of these
# (the kernel explorer shows its small grid or its photograph, never both).
_RESULT = ("output", "output_grid")
DRIVES = {
    "kernel-explorer": {"kernel": _RESULT, "numbers": _RESULT, "source": ("input", "input_grid"),
                        "operation": _RESULT, "padding": _RESULT},
    "stride-explorer": {"size": "input", "kernel_size": "output", "stride": "output",
                        "padding": "output"},
    # The pictures' colour scales are fixed by the chosen kernels (mid-grey = 0), so a
    # weight makes its partial map stronger or fainter and a bias lightens the sum.
    "filter-explorer": {"red_kernel": "red_partial", "red_weight": "red_partial",
                        "green_kernel": "green_partial", "green_weight": "green_partial",
                        "blue_kernel": "blue_partial", "blue_weight": "blue_partial",
                        "bias": "sum"},
    "pooling-explorer": {"mode": "output", "size": "input", "kernel_size": "output",
                         "stride": "output", "padding": "output", "ceil_mode": "output",
                         "count_include_pad": "output"},
    "padding-explorer": {"padding": "output", "mode": "output", "kernel_size": "output",
                         "stride": "output"},
    "arithmetic-explorer": {"size": "input", "kernel_size": "output", "stride": "output",
                            "padding": "output", "dilation": "output"},
    "learning-explorer": {"target": "target_output", "source": "input",
                          "learning_rate": "output", "steps": "output", "seed": "output"},
    "transposed-explorer": {"size": "input", "kernel_size": "kernel", "stride": "inserted",
                            "padding": "output", "output_padding": "output",
                            "dilation": "output"},
    "groups-explorer": {"in_channels": "output", "out_channels": "output", "groups": "output",
                        "kernel_size": "counts", "size": "counts"},
}
for _drives in DRIVES.values():        # every explorer's explain sliders drive the explanation
    _drives.update(row="explain", col="explain")
# Controls left out of the keyboard walk (latency and DRIVES), each with the reason.
UNDRIVEN = {
    # The kernel and filter explorers' "your image" button opens the system's file
    # dialog, which keys cannot drive; tests/test_widgets.py uploads real PNG and JPEG
    # bytes, a corrupt file and oversized ones through the same control.
    "upload": "a file dialog cannot be driven by keys",
}


def _code_lines(path):
    """The code a notebook file runs, line by line, comments dropped."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            for line in "".join(cell["source"]).splitlines():
                yield line.split("#", 1)[0]


def expected_explorers(path):
    """The explorers the notebook file builds, in order, as their page classes."""
    return [f"convlab-{name}-explorer" for line in _code_lines(path)
            for name in EXPLORER_CALL.findall(line)]


def expected_players(path):
    """How many animation players the notebook file makes."""
    return sum(len(ANIMATION_CALL.findall(line)) for line in _code_lines(path))


def _drives(explorer, control):
    """The display keys (page spelling) of which one must change when ``control`` moves."""
    wanted = DRIVES.get(explorer.removeprefix("convlab-"), {}).get(control.replace("-", "_"))
    if wanted is None:
        return None
    return {key.replace("_", "-") for key in ((wanted,) if isinstance(wanted, str) else wanted)}


def _number(text):
    """A number as the explorers print it (Unicode minus, infinity) -> float."""
    text = text.strip().replace("\u2212", "-")
    if text.endswith("\u221e"):
        return -math.inf if text.startswith("-") else math.inf
    return float(text)


def _close(a, b, tol):
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= tol * max(1.0, abs(b))


class Notebook:
    """One notebook open in a page, with the helpers of page.js."""

    def __init__(self, page, name):
        self.page, self.name = page, name

    def js(self, expression, arg=None):
        return self.page.evaluate(expression, arg)

    def open(self, lab):
        self.page.set_viewport_size({"width": 1400, "height": 1000})
        if self.js("() => !!(window.jupyterapp && window.jupyterapp.started && window.__convlab)"):
            # JupyterLab is already loaded in this page: close the previous notebook
            # (its changes are the test's, never saved) and open the next one. Loading
            # the whole application again would cost seconds per notebook.
            self.js("""async (name) => {
                const app = window.jupyterapp;
                for (const widget of [...app.shell.widgets('main')]) {
                    if (widget.context) { widget.context.model.dirty = false; }
                    widget.close();
                }
                await app.commands.execute('docmanager:open', {path: name, factory: 'Notebook'});
            }""", self.name)
            self.page.wait_for_function(
                "name => { const nb = window.__convlab.notebook();"
                " return !!nb && nb.context.path === name; }", arg=self.name, timeout=60_000)
        else:
            self.page.goto(lab.tree_url(self.name))
            self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started",
                                        timeout=60_000)
        self.page.evaluate(PAGE_JS)
        self.loaded = time.monotonic()
        self.wait_for_kernel()

    def wait_for_kernel(self, where=""):
        """Wait (90 s at most) until the notebook's kernel is connected and idle, then listen.

        A notebook without kernel metadata asks for a kernel: the default is taken.
        """
        deadline = time.monotonic() + 90
        while not self.js("() => { const k = __convlab.kernel(); return !!k && "
                          "k.connectionStatus === 'connected' && k.status === 'idle' && "
                          "__convlab.notebook().context.isReady; }"):
            dialog = self.page.locator(".jp-Dialog .jp-mod-accept")
            if dialog.count():
                dialog.first.click()
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name}: the kernel did not become ready in 90 s{where}")
            time.sleep(0.1)
        self.js("() => __convlab.listen()")

    def run_all(self):
        start = time.monotonic()
        self.page.evaluate(
            "() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # The command resolves when the last cell has replied; wait for the kernel too.
        self.page.wait_for_function(
            "() => { const nb = __convlab.notebook(); const k = __convlab.kernel();"
            " return k.status === 'idle' && nb.content.widgets.every(c =>"
            " c.model.type !== 'code' || c.model.executionCount !== null"
            " || c.model.sharedModel.getSource().trim() === ''); }",
            timeout=RUN_TIMEOUT_MS, polling=100)
        return time.monotonic() - start

    def problems(self):
        found = self.js("() => __convlab.problems()")
        log = self.js("() => window.__convlabKernelLog")
        found += [f"kernel stderr/error outside any cell: {text.strip()[:2000]}" for text in log
                  if re.search(r"Traceback|Error|Exception", text)]
        return found

    def explorers(self):
        return self.js("() => [...document.querySelectorAll('.convlab-explorer')].map(e =>"
                       " [...e.classList].find(c => c.startsWith('convlab-') &&"
                       " c !== 'convlab-explorer') || 'convlab-explorer')")

    def settle(self, index):
        result = self.js("i => __convlab.settle(__convlab.explorer(i))", index)
        assert not result["timedOut"], f"{self.name}: explorer {index} never settled"

    def snapshot(self, index):
        return self.js("i => __convlab.parts(__convlab.explorer(i))", index)

    def wait_for_change(self, index, before):
        """Wait until the explorer's displays differ from ``before``; True if they did."""
        try:
            self.page.wait_for_function(
                "([i, before]) => __convlab.signature(__convlab.explorer(i)) !== before",
                arg=[index, before], timeout=CHANGE_TIMEOUT_MS, polling="raf")
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: report below
            return False
        return True


def _control_kind(classes):
    for kind in ("widget-slider", "widget-dropdown", "widget-checkbox", "widget-textarea"):
        if kind in classes:
            return kind.split("-", 1)[1]
    return "other"


def _control_name(classes):
    names = [c for c in classes.split() if c.startswith("convlab-control-")]
    return names[0][len("convlab-control-"):] if names else "?"


def _slider_state(control):
    handle = control.locator(".noUi-handle").first
    value = float(handle.get_attribute("aria-valuenow"))
    low = float(handle.get_attribute("aria-valuemin"))
    high = float(handle.get_attribute("aria-valuemax"))
    disabled = control.locator(".noUi-target[disabled]").count() > 0
    return handle, value, low, high, disabled


def _move(control, kind):
    """Change one control the way a learner would.

    Returns ``(description, undo)``, where ``undo()`` puts the control back, or
    ``None`` when the control cannot be moved now (disabled).
    """
    if kind == "slider":
        handle, value, low, high, disabled = _slider_state(control)
        if disabled or high <= low:
            return None
        key, back = ("ArrowRight", "ArrowLeft") if value < high else ("ArrowLeft", "ArrowRight")
        handle.press(key)
        return f"{key} from {value:g}", lambda: handle.press(back)
    if kind == "dropdown":
        select = control.locator("select")
        if select.is_disabled():
            return None
        options = select.locator("option").all_text_contents()
        current = select.evaluate("s => s.selectedIndex")
        # The next option (a "custom" entry only waits for typed numbers: skip it).
        for shift in range(1, len(options)):
            choice = (current + shift) % len(options)
            if "custom" not in options[choice]:
                select.select_option(index=choice)
                return (f"{options[current]!r} -> {options[choice]!r}",
                        lambda: select.select_option(index=current))
        return None
    if kind == "checkbox":
        box = control.locator("input[type=checkbox]")
        if box.is_disabled():
            return None
        box.click()
        return "toggled", box.click
    if kind == "textarea":
        area = control.locator("textarea")
        if area.is_disabled():
            return None
        old = area.input_value()

        def type_in(text):
            area.fill(text)
            area.press("Tab")           # the explorer applies typed numbers on blur
        type_in(TYPED_KERNEL)
        return "typed a kernel", lambda: type_in(old)
    return None


def _measure_latency(nb, index, control, kind):
    """Ms from key press (slider) or chosen option (dropdown) to changed displays.

    Alternates between two values so the control stays in range; ``PRESSES`` samples.
    """
    if kind == "slider":
        handle, value, low, high, disabled = _slider_state(control)
        keys = ["ArrowRight", "ArrowLeft"] if value < high else ["ArrowLeft", "ArrowRight"]
        handle.focus()
        act = lambda press: nb.page.keyboard.press(keys[press % 2])  # noqa: E731
    elif kind == "dropdown":
        select = control.locator("select")
        options = select.locator("option").all_text_contents()
        current = select.evaluate("s => s.selectedIndex")
        other = next(i for i in [current + 1, current - 1] + list(range(len(options)))
                     if 0 <= i < len(options) and i != current and "custom" not in options[i])
        act = lambda press: select.select_option(index=[other, current][press % 2])  # noqa
    else:
        return None
    times = []
    for press in range(PRESSES):
        nb.js("i => __convlab.arm(i)", index)
        act(press)
        probe = nb.js("() => window.__convlabProbe")
        assert probe["frame"] is not None, (
            f"{nb.name}: explorer {index}: a timed {kind} move changed nothing "
            "on screen within 5 s")
        assert probe["key"] is not None
        times.append(probe["frame"] - probe["key"])
        nb.settle(index)
    return times


def _check_explain(nb, index, label, controls):
    """Move the explain sliders, then compare the written sum with the value shown."""
    row = controls.get("row")
    col = controls.get("col")
    assert row is not None and col is not None, f"{label}: no explain row/col sliders"
    # One row down and the last column: an inside row and an edge column.
    for slider, key in ((row, "ArrowRight"), (col, "End")):
        before = nb.js("i => __convlab.signature(__convlab.explorer(i))", index)
        handle, value, low, high, disabled = _slider_state(slider)
        assert not disabled, f"{label}: the explain slider is disabled"
        if high > value:
            handle.press(key)
            assert nb.wait_for_change(index, before), (
                f"{label}: {key} on the explain slider changed nothing")
        nb.settle(index)
    r = int(_slider_state(row)[1])
    c = int(_slider_state(col)[1])
    shown = nb.js("i => __convlab.explain(i)", index)
    assert shown is not None, f"{label}: no explain panel with a .convlab-explain-value"
    core = float(shown["core"])
    assert f"[{r}, {c}]" in shown["text"], (
        f"{label}: the explain panel does not name the chosen cell [{r}, {c}]: {shown['text']}")
    assert shown["sum"] is not None, f"{label}: no written-out sum before the core's value"
    explained = _number(shown["sum"])
    assert _close(explained, core, 1e-3), (
        f"{label}: the written sum {shown['sum']} differs from the core's {core}")
    assert _close(_number(shown["coreText"]), core, 1e-3), (
        f"{label}: the core's value is printed as {shown['coreText']}, its data is {core}")
    for cell in shown["cells"]:
        # The output grid prints two decimals; the highlighted cell is the explained one.
        assert (cell["row"], cell["col"]) == (r, c), (
            f"{label}: the output grid highlights [{cell['row']}, {cell['col']}], the explain "
            f"sliders chose [{r}, {c}]")
        assert _close(_number(cell["text"]), core, 0.006), (
            f"{label}: the highlighted output cell shows {cell['text']}, the explanation "
            f"says {core}")
    cells = ", ".join(cell["text"] for cell in shown["cells"]) or "(a picture, no grid)"
    return f"[{r}, {c}] sum {shown['sum']}, core {shown['coreText']}, cell {cells}"


def _move_and_check(nb, index, control, kind, wanted, undo=True):
    """Move a control, check the display it drives changed; '' when it did, else what went wrong.

    ``wanted`` is a set of display keys, one of which must change.
    """
    before = nb.js("i => __convlab.signature(__convlab.explorer(i))", index)
    parts_before = {part["key"]: part for part in nb.snapshot(index)}
    moved = _move(control, kind)
    if moved is None:
        return "disabled"
    how, put_back = moved
    if not nb.wait_for_change(index, before):
        return f"({kind}, {how}) changed nothing on screen within 5 s"
    nb.settle(index)
    after = {part["key"]: part for part in nb.snapshot(index)}
    changed = {key for key in after.keys() | parts_before.keys()
               if after.get(key) != parts_before.get(key)}
    problem = ""
    if not changed & wanted:
        problem = (f"({kind}, {how}) changed {sorted(changed)} but not "
                   f"{' or '.join(sorted(wanted))}, the display it drives")
    if undo:
        middle = nb.js("i => __convlab.signature(__convlab.explorer(i))", index)
        put_back()
        if not nb.wait_for_change(index, middle):
            problem = problem or f"({kind}, {how}) did not change back when undone"
        nb.settle(index)
    return problem


def _clipped(nb, index, label, when):
    """One failure line if controls stick out of their column (readouts, labels cut off)."""
    found = nb.js("i => __convlab.clipped(i)", index)
    if not found:
        return []
    widths = sorted({f"{c['width']} px" for c in found})
    return [f"{label}: {when}, {len(found)} controls ({', '.join(c['name'] for c in found)}) "
            f"are {'/'.join(widths)} wide in a column of {found[0]['column']} px: their "
            "ends (value readouts, labels) are cut off"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_in_jupyterlab(lab, page, path):
    clock = time.monotonic()
    phases = TIMINGS.setdefault(path.stem, {})

    def lap(phase):
        nonlocal clock
        now = time.monotonic()
        phases[phase] = phases.get(phase, 0.0) + now - clock
        clock = now

    if path == NOTEBOOKS[0]:
        lab.prestart(path.name)
    following = NOTEBOOKS.index(path) + 1
    if following < len(NOTEBOOKS):
        lab.prestart(NOTEBOOKS[following].name)
    nb = Notebook(page, path.name)
    nb.open(lab)
    NOTEBOOKS_OPENED.append(path.stem)
    phases["load"] = nb.loaded - clock
    clock = nb.loaded
    lap("kernel")
    nb.run_all()
    lap("run all")
    problems = nb.problems()
    if problems:
        page.screenshot(path=str(ARTIFACTS / f"{path.stem}.png"))
    assert not problems, f"{path.name} after run-all:\n" + "\n".join(problems)

    # As many live explorers as the notebook file builds, in its order (counted from the
    # file, not from the page: a page whose widgets did not render shows none).
    names = nb.explorers()
    wanted = expected_explorers(path)
    if names != wanted:
        page.screenshot(path=str(ARTIFACTS / f"{path.stem}.png"))
    assert names == wanted, (
        f"{path.name}: the notebook builds {len(wanted)} explorers {wanted}; the page shows "
        f"{len(names)} live ones {names}")
    explorers = page.locator(".convlab-explorer")
    failures = _players_at_frame_0(nb, expected_players(path))
    failures += _undecoded(nb, "after run-all")
    lap("pictures")
    for index, name in enumerate(names):
        label = f"{path.stem} / {name} #{index}"
        root = explorers.nth(index)
        root.scroll_into_view_if_needed()
        nb.settle(index)
        controls = {}
        ordered = []
        for j in range(root.locator(".convlab-control").count()):
            control = root.locator(".convlab-control").nth(j)
            classes = control.get_attribute("class")
            if _control_name(classes).replace("-", "_") in UNDRIVEN:
                continue
            ordered.append((_control_name(classes), _control_kind(classes), control))
            controls[ordered[-1][0]] = control
        assert ordered, f"{label}: no controls carry the convlab-control class"

        failures += _clipped(nb, index, label, "as first shown")
        # 1. Latency of the first control, in its initial state (and of the first slider
        # too when the first control is a dropdown: a key press, the common move).
        timed = [ordered[0]]
        if ordered[0][1] != "slider":
            timed += [c for c in ordered if c[1] == "slider"][:1]
        for cname, ckind, control in timed:
            try:
                times = _measure_latency(nb, index, control, ckind)
            except AssertionError as error:
                failures.append(f"{label}: {error}")
                continue
            if not times:
                continue
            LATENCY_ROWS.append((path.stem, name.removeprefix("convlab-"),
                                 f"{cname} ({ckind})", statistics.median(times), max(times),
                                 len(times)))
            LATENCY_SAMPLES.extend(times)
            if statistics.median(times) >= SANITY_MS:
                failures.append(f"{label}: {cname} takes {statistics.median(times):.0f} ms "
                                "a move (median)")
        lap("latency")
        # 2. The explain sliders: the written sum equals the value shown.
        try:
            EXPLAINED.append((path.stem, name.removeprefix("convlab-"),
                              _check_explain(nb, index, label, controls)))
        except AssertionError as error:
            failures.append(str(error).split("\nassert ")[0])
        lap("explain")

        # 3. Every control changes the display it drives (DRIVES): from the starting
        # state, put back after each move. A control that is disabled there
        # (count_include_pad under max pooling) is tried again after every other control
        # has been moved, and must then change its display.
        deferred = []
        for cname, ckind, control in ordered:
            drives = _drives(name, cname)
            if drives is None:
                failures.append(f"{label}: the control {cname!r} is not in DRIVES: name the "
                                "display it must change")
                continue
            outcome = _move_and_check(nb, index, control, ckind, drives)
            if outcome == "disabled":
                deferred.append((cname, ckind, control, drives))
            elif outcome:
                failures.append(f"{label}: {cname} {outcome}")
        if deferred:
            for cname, ckind, control in ordered:
                if all(cname != d[0] for d in deferred):
                    _move(control, ckind)
                    nb.settle(index)
            for cname, ckind, control, drives in deferred:
                outcome = _move_and_check(nb, index, control, ckind, drives)
                if outcome:
                    failures.append(f"{label}: {cname} {outcome}")
        failures += [f"{label} after moving its controls: {problem}"
                     for problem in nb.problems()]
        failures += _clipped(nb, index, label, "as the controls left it")
        lap("controls")

    # The notebook as a learner left it, whole, and each explorer on its own.
    _screenshot(page, ARTIFACTS / f"{path.stem}.png", explorers.first if names else None)
    lap("notebook shot")
    _tall_enough(page, explorers)
    for index, name in enumerate(names):
        explorers.nth(index).screenshot(path=str(ARTIFACTS / f"{path.stem}-{index}-{name}.png"))
    lap("explorer shots")
    failures += _undecoded(nb, "after the controls moved")
    nb.js("() => __convlab.notebook().sessionContext.shutdown()")
    assert not failures, "\n".join(failures)


def _undecoded(nb, when):
    """One failure line per picture shown in an output that did not decode."""
    found = nb.js("() => __convlab.images()")
    shown = [image for image in found if image["shown"]]
    return [f"{nb.name} {when}: cell {image['cell']}: a picture ({image['where']}) did not "
            "decode (naturalWidth 0)" for image in shown if image["width"] <= 0]


def _players_at_frame_0(nb, wanted):
    """Every animation the notebook file makes is a player whose picture is frame 0.

    Checked before anything on the page is clicked: the player's own <img> must
    hold frame 0 from the start (without it, JupyterLab 4 often showed nothing
    until a button was pressed). Then its "next frame" button must change the
    picture (the player's script runs).
    """
    players = nb.js("() => __convlab.players()")
    if len(players) != wanted:
        return [f"{nb.name}: the notebook makes {wanted} animations, the page shows "
                f"{len(players)} players"]
    failures = []
    for player in players:
        where = f"{nb.name}: the player in cell {player['cell']}"
        if not (player["complete"] and player["width"] > 0):
            failures.append(f"{where} shows no picture before any click (src "
                            f"{player['attribute']!r}, naturalWidth {player['width']})")
        if not player["scripted"]:
            failures.append(f"{where}: its script did not run (no anim object)")
            continue
        if not (player["isFrame0"] and player["current"] == 0 and player["slider"] == "0"):
            failures.append(f"{where} does not start at frame 0: {player}")
        button = nb.page.locator(f'#_anim_slider{player["id"]} ~ .anim-buttons '
                                 'button[title="Next frame"]')
        before = nb.js("id => document.getElementById('_anim_img' + id).src", player["id"])
        button.click()
        try:
            nb.page.wait_for_function(
                "([id, before]) => { const img = document.getElementById('_anim_img' + id);"
                " return img.src !== before && img.complete && img.naturalWidth > 0; }",
                arg=[player["id"], before], timeout=CHANGE_TIMEOUT_MS)
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: report it
            failures.append(f"{where}: 'Next frame' did not show a new decoded picture")
    return failures


def _screenshot(page, target, first_explorer):
    """The notebook as the learner left it.

    By default the window (1400x1000) at the first explorer, or at the top; with
    ``CONVLAB_BROWSER_FULL_SCREENSHOTS=1`` the whole notebook, the window made as
    tall as the notebook (1-3 s more per notebook).
    """
    scroller = ("(document.querySelector('.jp-NotebookPanel-notebook .jp-WindowedPanel-outer')"
                " || document.querySelector('.jp-NotebookPanel-notebook'))")
    if os.environ.get("CONVLAB_BROWSER_FULL_SCREENSHOTS") == "1":
        extra = page.evaluate(f"() => {{ const n = {scroller}; n.scrollTop = 0;"
                              " return n.scrollHeight - n.clientHeight; }")
        height = max(1000, min(1000 + extra + 40, 16000))
        page.set_viewport_size({"width": 1400, "height": height})
        page.wait_for_timeout(300)
        page.evaluate(f"() => {{ {scroller}.scrollTop = 0; }}")
    elif first_explorer is not None:
        first_explorer.evaluate("e => e.closest('.jp-Cell').scrollIntoView({block: 'start'})")
    page.screenshot(path=str(target))


def _tall_enough(page, explorers):
    """Make the window tall enough that each explorer can be photographed whole."""
    tallest = max([explorers.nth(i).evaluate("e => e.getBoundingClientRect().height")
                   for i in range(explorers.count())] + [0])
    if tallest + 250 > page.viewport_size["height"]:
        page.set_viewport_size({"width": 1400, "height": int(tallest) + 250})
        page.wait_for_timeout(200)


def test_latency_median_within_the_limit():
    """The median of every timed move of the session (key press to changed picture)."""
    if not NOTEBOOKS_OPENED:
        pytest.skip("no notebook was opened in the browser this session (all deselected)")
    assert LATENCY_SAMPLES, (
        f"{len(NOTEBOOKS_OPENED)} notebooks were opened, yet no explorer move was timed")
    median = statistics.median(LATENCY_SAMPLES)
    assert median <= LATENCY_LIMIT_MS, (
        f"the median move takes {median:.0f} ms (over {len(LATENCY_SAMPLES)} moves in "
        f"{', '.join(NOTEBOOKS_OPENED)}); the limit is {LATENCY_LIMIT_MS} ms")
