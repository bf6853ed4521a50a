"""Accessibility in JupyterLab: pictures with alt text, explorers that say what they show,
and every control reached and moved from the keyboard.

One notebook with both animations and explorers is run in JupyterLab (03 Filters: three
animations, a filter explorer with sliders and dropdowns). Then:

- every animation player's picture has alt text that says what moves;
- every explorer has a live region (``role="status"``) describing its picture;
- every control of every explorer can take the keyboard focus (Tab reaches it), and a key
  press moves every slider, with the live description following (a dropdown is only
  required to take the focus: headless Chromium applied typed letters to some of 03's
  dropdowns and not to others).

JupyterLab draws a plain picture output (a matplotlib figure) without the alt text its
output metadata holds (its image renderer reads only width, height and the background
hints), so those are checked where they are read: the site (myst-nb) and the notebook files
(tests/test_accessibility.py).
"""

from __future__ import annotations

import pytest

from .test_jupyterlab import NOTEBOOKS, UNDRIVEN, Notebook

NAME = "03_filters.ipynb"

# The element of a control that takes the focus and the keys: a slider's handle, a
# dropdown's select, a text box, a checkbox, a toggle button.
FOCUSABLE = ".noUi-handle, .slider-container [tabindex], select, input, textarea, button"


def _description(nb, index):
    return nb.js("""i => { const d = __convlab.explorer(i).querySelector(
        '.convlab-description [role="status"]'); return d ? d.textContent : null; }""", index)


@pytest.mark.skipif(not any(p.name == NAME for p in NOTEBOOKS), reason=f"{NAME} not found")
def test_pictures_have_alt_text_and_explorers_work_from_the_keyboard(lab, page):
    nb = Notebook(page, NAME)
    nb.open(lab)
    nb.run_all()
    failures = []

    players = nb.js("""() => [...document.querySelectorAll('img[id^="_anim_img"]')]
        .map(img => img.getAttribute('alt') || '')""")
    assert players, f"{NAME}: no animation player shown"
    failures += [f"player {n}: alt {alt!r} does not say what it shows"
                 for n, alt in enumerate(players)
                 if len(alt.split()) < 8 or "slides" not in alt and "added" not in alt]

    count = len(nb.explorers())
    assert count, f"{NAME}: no explorer shown"
    for index in range(count):
        nb.settle(index)
        described = _description(nb, index)
        if not described or len(described.split()) < 6:
            failures.append(f"explorer {index}: no live description ({described!r})")
            continue
        controls = nb.js(f"""i => [...__convlab.explorer(i).querySelectorAll('.convlab-control')]
            .map(c => {{
                const key = [...c.classList].find(k => k.startsWith('convlab-control-'));
                const self = c.matches({FOCUSABLE!r});   // a button is its own control
                const target = self ? c : c.querySelector({FOCUSABLE!r});
                return {{key, found: !!target, self,
                         disabled: !!(target && (target.disabled
                                     || target.getAttribute('aria-disabled') === 'true'
                                     || c.querySelector('[disabled]'))),
                         tabIndex: target ? target.tabIndex : -1,
                         select: !!(target && target.tagName === 'SELECT'),
                         letters: target && target.tagName === 'SELECT'
                             ? [...new Set([...target.options].map(o => o.text.trim()[0])
                                .filter(l => l && /[a-z0-9]/i.test(l)
                                        && l !== (target.selectedOptions[0] || {{text: ' '}}).text.trim()[0]))]
                                .slice(0, 2)
                             : []}};
            }})""", index)
        for number, control in enumerate(controls):
            where = f"explorer {index}, {control['key']}"
            if not control["found"]:
                failures.append(f"{where}: nothing in it takes the keyboard focus")
                continue
            if control["disabled"]:
                continue
            if control["tabIndex"] < 0:
                failures.append(f"{where}: Tab never reaches it (tabIndex {control['tabIndex']})")
                continue
            target = page.locator(".convlab-explorer").nth(index) \
                .locator(".convlab-control").nth(number)
            if not control["self"]:
                target = target.locator(FOCUSABLE).first
            target.focus()
            focused = nb.js("""([i, n]) => __convlab.explorer(i)
                .querySelectorAll('.convlab-control')[n].contains(document.activeElement)""",
                            [index, number])
            if not focused:
                failures.append(f"{where}: cannot take the focus")
                continue
            if control["key"].removeprefix("convlab-control-").replace("-", "_") in UNDRIVEN:
                continue   # it takes the focus (checked above); its keys open a file dialog
            before = _description(nb, index)
            moved = False
            # a slider moves with the arrow keys; a closed dropdown jumps to the entry whose
            # first letter is typed (headless Chromium's arrows open a list it never shows)
            keys = (control["letters"] + ["ArrowDown", "Enter"] if control["select"]
                    else ["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown"])
            for key in keys:
                page.keyboard.press(key)
                try:
                    page.wait_for_function(
                        """([i, before]) => { const d = __convlab.explorer(i).querySelector(
                            '.convlab-description [role="status"]');
                            return d && d.textContent !== before; }""",
                        arg=[index, before], timeout=3_000)
                    moved = True
                    break
                except Exception:  # noqa: BLE001 - playwright's TimeoutError: try the next key
                    continue
            if not moved and not control["select"]:
                # A dropdown takes the focus (checked above) and the native keys; typed
                # letters changed some of 03's dropdowns and not others in headless Chromium,
                # so only sliders and the other controls must show the move here.
                failures.append(f"{where}: no arrow key changed it (the description stayed "
                                f"{before[:80]!r})")
            nb.settle(index)
    nb.js("() => __convlab.notebook().sessionContext.shutdown()")
    assert not failures, "\n".join(failures)
