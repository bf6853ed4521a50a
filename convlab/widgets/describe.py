"""What an explorer's picture shows, in words, for readers who cannot see it.

Every explorer carries this text twice, rebuilt on every change with the
picture: in a live region of the widget (``role="status"``, visually hidden,
so a screen reader announces what changed) and as the ``alt`` of its PNG
snapshot in the saved notebook.
"""

from __future__ import annotations

import html

import numpy as np

__all__ = ["describe", "live_region_html"]

_ARRAYS = (("input", "the input"), ("target_output", "the target's output"),
           ("output", "the output"))

# Visually hidden, still read: the usual "screen-reader only" style, inline because an
# explorer brings no style sheet of its own.
_HIDDEN = ("position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;"
           "clip:rect(0,0,0,0);white-space:nowrap;border:0")


def _number(value):
    value = float(value)
    return f"{value:.0f}" if value == round(value) and abs(value) < 1e15 else f"{value:.4g}"


def _setting(control):
    value = control.value
    if isinstance(value, (bool, np.bool_)):
        value = "on" if value else "off"
    elif isinstance(value, (int, float, np.number)):
        value = _number(value)
    elif isinstance(value, (tuple, list, dict)):      # a file upload: the file's name
        from .upload import uploaded_file

        found = uploaded_file(value)
        value = "none" if found is None else found[0]
    text = " ".join(str(value).split())
    label = " ".join(str(getattr(control, "description", "") or "").split()).rstrip(":")
    return f"{label} {text[:80]}".strip()


def describe(title, controls, state):
    """One paragraph on what an explorer shows now: its settings, then its picture.

    Parameters
    ----------
    title : str
        The explorer's title.
    controls : dict of str to ipywidgets.Widget
        Its controls, in order; each is read through ``description`` and ``value``.
    state : dict
        The explorer's ``state`` after its update: ``error`` (the message shown
        instead of the pictures), ``input``, ``target_output``, ``output``
        (arrays), ``cell`` (the explained output cell), ``never_visited``,
        ``losses``.

    Returns
    -------
    str

    Examples
    --------
    >>> from types import SimpleNamespace as Control
    >>> controls = {"stride": Control(description="stride", value=2)}
    >>> describe("Stride explorer", controls,
    ...          {"input": np.zeros((7, 7)), "output": np.arange(9.0).reshape(3, 3), "cell": (1, 2)})
    'Stride explorer. Settings: stride 2. The picture: the input is 7 by 7; the output is 3 by 3; output row 1, column 2 is explained, its value 5.'
    >>> describe("Stride explorer", controls, {"error": "kernel_size must be at most 7, got 9"})
    'Stride explorer. Settings: stride 2. No picture: kernel_size must be at most 7, got 9'
    """
    settings = "; ".join(filter(None, (_setting(c) for c in controls.values()
                                       if hasattr(c, "value"))))
    head = f"{title}. Settings: {settings}." if settings else f"{title}."
    if state.get("error"):
        return f"{head} No picture: {state['error']}"
    parts = []
    for key, label in _ARRAYS:
        values = state.get(key)
        if values is not None:
            parts.append(f"{label} is {' by '.join(str(n) for n in np.shape(values))}")
    cell, output = state.get("cell"), state.get("output")
    if cell is not None and output is not None:
        output = np.asarray(output)
        try:
            parts.append(f"output row {cell[0]}, column {cell[1]} is explained, its value "
                         f"{_number(output[tuple(cell)][()])}")
        except (IndexError, TypeError, ValueError):
            parts.append(f"output row {cell[0]}, column {cell[1]} is explained")
    unvisited = state.get("never_visited")
    if unvisited is not None:
        count = int(np.count_nonzero(unvisited)) if np.ndim(unvisited) else int(unvisited)
        parts.append(f"{count} input pixel{'s' if count != 1 else ''} never visited")
    losses = state.get("losses")
    if losses is not None and len(losses):
        parts.append(f"the loss goes from {_number(losses[0])} to {_number(losses[-1])} "
                     f"in {len(losses) - 1} steps")
    return f"{head} The picture: {'; '.join(parts)}." if parts else head


def live_region_html(text):
    """``text`` in a visually hidden live region, for an ipywidgets HTML widget's value."""
    return (f'<div class="convlab-description" role="status" aria-live="polite" '
            f'aria-atomic="true" style="{_HIDDEN}">{html.escape(text)}</div>')
