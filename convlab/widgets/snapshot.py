"""A still picture of an explorer's current state, for readers without a kernel.

GitHub, nbviewer, a static site or VS Code before a kernel starts cannot run an
explorer: beside the live widget view, an explorer's output carries this PNG
(see :class:`convlab.widgets.frame.Explorer`). Front ends that run widgets
(JupyterLab, Notebook 7, VS Code) prefer the live view; the others show the
picture. It is drawn with :mod:`convlab.draw` from the explorer's ``state``
when the explorer is displayed, never on a move.
"""

from __future__ import annotations

import io

import numpy as np

__all__ = ["snapshot_png", "SNAPSHOT_NOTE"]

#: What the snapshot's caption (and the output's plain text) says about it.
SNAPSHOT_NOTE = "a snapshot: run the notebook in Jupyter to move the controls"

_GRID_SIDE = 16          # arrays up to this many cells a side are drawn with their numbers
_PANELS = (("input", "input"), ("target_output", "target's output"), ("output", "output"))


def _panels(state):
    """(title, array, highlighted cell or None) for each array the state holds."""
    shown = []
    for key, label in _PANELS:
        values = state.get(key)
        if values is None:
            continue
        values = np.asarray(values, dtype=float)
        cell = state.get("cell") if key == "output" else None
        shown.append((f"{label} {'x'.join(str(n) for n in values.shape)}", values, cell))
    return shown


def snapshot_png(title, state, *, dpi=72):
    """PNG bytes of an explorer's current state: its input and output, or its message.

    Parameters
    ----------
    title : str
        The explorer's title, drawn on top.
    state : dict
        The explorer's ``state``: ``input``, ``output`` (and ``target_output``,
        ``cell``) are drawn; when ``error`` is set, the message is written instead.
    dpi : int, default 72

    Returns
    -------
    bytes
        A PNG image.

    Examples
    --------
    >>> png = snapshot_png("Stride explorer", {"error": None, "input": np.eye(3),
    ...                                        "output": np.ones((2, 2)), "cell": (0, 0)})
    >>> png[:4]
    b'\\x89PNG'
    """
    from matplotlib.figure import Figure

    from convlab import draw

    panels = [] if state.get("error") else _panels(state)
    fig = Figure(figsize=(max(3.0 * len(panels), 6.0), 3.6 if panels else 1.6), dpi=dpi)
    fig.patch.set_facecolor("white")
    fig.suptitle(f"{title}\n({SNAPSHOT_NOTE})", fontsize=10)
    if not panels:
        fig.text(0.5, 0.4, f"\u26a0 {state.get('error') or 'nothing to show'}", ha="center",
                 va="center", fontsize=9, color="#8a1c00", wrap=True)
    axes = fig.subplots(1, len(panels), squeeze=False)[0] if panels else []
    for ax, (label, values, cell) in zip(axes, panels):
        if values.ndim == 2 and max(values.shape) <= _GRID_SIDE:
            draw.grid(values, ax, title=label, cmap="Purples" if cell else "Blues",
                      highlight=None if cell is None else [tuple(cell)])
        else:
            draw.picture(values, ax, title=label)
    fig.subplots_adjust(top=0.78 if panels else 0.7, bottom=0.04, left=0.03, right=0.97,
                        wspace=0.25)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
