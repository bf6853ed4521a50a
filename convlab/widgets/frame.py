"""The frame every explorer shares, written once (as :class:`convlab.animate.Animation`
is for animations): the layout, the controls' hold-sync, the one error path, the
"explain this cell" sliders and the state reset.

An explorer is then its controls and an ``update`` function::

    frame = Explorer("stride-explorer", "Stride explorer", controls, outputs)

    def update():
        result = convlab.correlate2d(...)    # a ValueError/TypeError becomes the message
        r, c = frame.pick_cell(result.shape)
        frame.outputs["output"].value = ...

    return frame.build(frame.outputs["info"], picture_row, update=update)

Only APIs shared by ipywidgets 7.7 (Colab) and 8 (JupyterLab 4) are used.
"""

from __future__ import annotations

import contextlib
import functools
import html

from .describe import describe, live_region_html
from .render import message_html

__all__ = ["Explorer", "ipw", "slider", "int_sliders", "dropdown", "float_slider",
           "html_output", "html_outputs", "image_output", "show", "caption"]


def ipw():
    """The ipywidgets module, imported when the first explorer is built."""
    import ipywidgets

    return ipywidgets


def slider(description, value, low, high):
    """An integer slider of the explorers' look."""
    w = ipw()
    return w.IntSlider(value=value, min=low, max=high, step=1, description=description,
                       continuous_update=True, style={"description_width": "initial"},
                       layout=w.Layout(width="260px"))


def float_slider(description, value, low, high, step):
    """A float slider of the explorers' look."""
    w = ipw()
    return w.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                         style={"description_width": "initial"},
                         layout=w.Layout(width="260px"))


_LABELS = {"size": "input size", "kernel_size": "kernel size"}


def int_sliders(**spec):
    """Sliders from ``key=(value, low, high)``, each starting value checked first.

    The bounds are written once: they are both the argument check and the
    slider's range, so an explorer can never start outside what it can show.
    The label is the key ('input size' for ``size``, 'kernel size' for
    ``kernel_size``).
    """
    from convlab._checks import check_int

    values = {key: check_int(value, key, minimum=low, maximum=high)
              for key, (value, low, high) in spec.items()}
    return {key: slider(_LABELS.get(key, key), values[key], low, high)
            for key, (_, low, high) in spec.items()}


def dropdown(description, options, value, width="260px"):
    """A dropdown of the explorers' look."""
    w = ipw()
    return w.Dropdown(options=options, value=value, description=description,
                      style={"description_width": "initial"}, layout=w.Layout(width=width))


def html_output(css):
    """An empty HTML display carrying the CSS class ``css``."""
    widget = ipw().HTML(value="")
    widget.add_class(css)
    return widget


def html_outputs(**css):
    """Empty HTML displays, ``key=css`` each."""
    return {key: html_output(value) for key, value in css.items()}


def image_output(css="convlab-output"):
    """An empty PNG display carrying the CSS class ``css``."""
    w = ipw()
    widget = w.Image(value=b"", format="png", layout=w.Layout(margin="2px"))
    widget.add_class(css)
    return widget


def caption(text):
    """A short caption above or beside a picture."""
    return ipw().HTML(value=f'<div style="font:12px sans-serif">{text}</div>')


def show(widget, visible):
    """Show or hide a widget (it keeps its place in the layout when shown again)."""
    widget.layout.display = "" if visible else "none"


def _beside(controls, panel):
    """The controls column with a panel to its right; the panel wraps below when too wide.

    The column never shrinks below its controls' width, so a long formula in the
    panel cannot squeeze the sliders until their values are cut off.
    """
    w = ipw()
    if not isinstance(controls, w.Widget):
        controls = w.VBox(list(controls))
    controls.layout.flex = "0 0 auto"
    return w.HBox([controls, panel], layout=w.Layout(flex_flow="row wrap"))


class Explorer:
    """The shared frame of an explorer: controls, outputs, state and the one error path.

    Parameters
    ----------
    name : str
        CSS name, ``convlab-<name>`` on the finished widget.
    title : str
        The bold line on top.
    controls : dict of str to ipywidgets.Widget
        The explorer's own controls; the two "explain this cell" sliders are
        added after them as ``row`` and ``col``.
    outputs : dict of str to ipywidgets.Widget
        The displays; a ``message`` display is added. On an error every display
        but the message is hidden, and ``explain`` and ``info`` are emptied.
    cell : tuple of str, optional
        The labels of the cell sliders.
    cell_start : tuple of int, default (0, 0)
        Their first values (the slider's range follows the output's shape).
    """

    def __init__(self, name, title, controls, outputs, *,
                 cell=("explain output row", "explain output col"), cell_start=(0, 0)):
        self.name, self.title = name, title
        self.row = slider(cell[0], cell_start[0], 0, max(cell_start[0], 0))
        self.col = slider(cell[1], cell_start[1], 0, max(cell_start[1], 0))
        self.controls = dict(controls, row=self.row, col=self.col)
        self.outputs = dict(outputs, message=html_output("convlab-message"))
        self.state = {}
        self._update = None
        self._hidden = ()

    def pick_cell(self, shape):
        """Fit the cell sliders to an output of ``shape`` and read the chosen cell."""
        for cell_slider, size in ((self.row, shape[0]), (self.col, shape[1])):
            cell_slider.disabled = False
            if cell_slider.max != size - 1:
                if cell_slider.value > size - 1:
                    cell_slider.value = size - 1
                cell_slider.max = size - 1
        return self.row.value, self.col.value

    def hide(self, *keys):
        """Hide these outputs after this update (they do not apply to the current state)."""
        self._hidden = keys

    def fail(self, text):
        """The one error path: the message instead of stale pictures; cell sliders off."""
        self.state["error"] = text
        for key, out in self.outputs.items():
            show(out, key == "message")
        self.outputs["message"].value = message_html(text)
        for key in ("explain", "info"):
            if key in self.outputs:
                self.outputs[key].value = ""
        self.row.disabled = self.col.disabled = True

    def refresh(self):
        """Reset the state and run the update; a ValueError/TypeError becomes the message."""
        self.state.clear()
        self.state["error"] = None
        self._hidden = ()
        try:
            self._update()
        except (ValueError, TypeError) as error:
            return self.fail(str(error))
        for key, out in self.outputs.items():
            show(out, key != "message" and key not in self._hidden)

    def describe(self):
        """What the explorer shows now, in words (:func:`convlab.widgets.describe.describe`)."""
        return describe(self.title, self.controls, self.state)

    def build(self, panel, *below, update, column=None):
        """Wire the controls to ``update``, run it once and return the finished widget.

        The layout: the controls (or ``column``) with ``panel`` to their right, the
        message, then the widgets ``below``.
        """
        w = ipw()
        self._update = update
        for key, control in self.controls.items():
            control.add_class("convlab-control")
            control.add_class(f"convlab-control-{key.replace('_', '-')}")
        for key, display in self.outputs.items():
            display.add_class(f"convlab-display-{key.replace('_', '-')}")
        busy = [False]
        # what the picture shows, in words, rebuilt with it (convlab.widgets.describe)
        description = w.HTML(value="", layout=w.Layout(height="0px", margin="0px",
                                                       overflow="hidden"))
        description.add_class("convlab-description")

        def on_change(change):
            # Setting a slider's max inside update() can clamp its value and fire
            # this observer again; one pass of update() already reads the new value.
            if busy[0]:
                return
            busy[0] = True
            try:
                # The controls' own changes (a slider's new range, the echo of the moved
                # value) are sent after the pictures, so the browser redraws those first.
                with contextlib.ExitStack() as held:
                    for control in self.controls.values():
                        held.enter_context(control.hold_sync())
                    self.refresh()
                description.value = live_region_html(self.describe())
            finally:
                busy[0] = False

        for control in self.controls.values():
            control.observe(on_change, names="value")
        header = w.HTML(value=f'<b style="font:14px sans-serif">{html.escape(self.title)}</b>')
        body = [_beside(self.controls.values() if column is None else column, panel),
                self.outputs["message"], *below]
        box = _explorer_box()([header, description] + body)
        box.explorer_title = self.title
        box.describe = self.describe
        box.add_class("convlab-explorer")
        box.add_class(f"convlab-{self.name}")
        box.controls = self.controls
        box.outputs = self.outputs
        box.state = self.state
        on_change(None)
        return box


@functools.lru_cache(maxsize=None)
def _explorer_box():
    """The class of a finished explorer: an ipywidgets VBox whose output also carries a
    PNG snapshot and a plain-text line, for readers without a kernel."""
    w = ipw()

    class ExplorerBox(w.VBox):
        """A live explorer; displayed, its output holds the widget view, a PNG snapshot
        of its current state and a line of text (never the ``VBox(...)`` repr)."""

        def _repr_mimebundle_(self, **kwargs):
            from .snapshot import SNAPSHOT_NOTE, snapshot_png

            return {
                "application/vnd.jupyter.widget-view+json": {
                    "version_major": 2, "version_minor": 0, "model_id": self.model_id},
                "image/png": snapshot_png(self.explorer_title, self.state),
                "text/plain": f"{self.explorer_title} ({SNAPSHOT_NOTE})",
            }, {"image/png": {"alt": self.describe()}}

        if hasattr(w.VBox, "_ipython_display_"):
            def _ipython_display_(self, **kwargs):
                # ipywidgets 7 (Colab) displays widgets through this hook, not the bundle.
                from IPython.display import display

                data, metadata = self._repr_mimebundle_()
                display(data, metadata=metadata, raw=True)

    return ExplorerBox
