"""Interactive explorers: sliders and dropdowns in front of the numeric core.

Each ``*_explorer`` function builds one widget that closes over its data and
returns it, ready to display in a notebook. Every number an explorer shows is
computed by convlab's core (:func:`convlab.correlate2d`, :func:`convlab.pad2d`,
:func:`convlab.output_size`, ...) at the moment a control moves; this package
only lays the numbers out.

The package, one concept a module:

- :mod:`~convlab.widgets.frame`: the :class:`~convlab.widgets.frame.Explorer`
  frame every explorer shares (layout, hold-sync, the one error path, the
  "explain this cell" sliders, the state reset);
- :mod:`~convlab.widgets.render`: arrays to PNG bytes and HTML grids (no
  matplotlib figure per move, no ipywidgets);
- :mod:`~convlab.widgets.explain`: the window·kernel products panel, the
  output-size formula and the PyTorch snippet;
- :mod:`~convlab.widgets.inputs`: the teaching grids and the photograph;
- one module per explorer: ``kernel`` (notebook 01), ``stride`` (02),
  ``filter`` (03), ``pooling`` (04), ``padding`` (05), ``arithmetic`` (06),
  ``learning`` (07), ``transposed`` (08).

One control change costs a few milliseconds (``bench/bench_widgets.py``
measures it in a real kernel).

The returned widget carries, for tests and for the curious:

``explorer.controls``
    dict of the named controls (``IntSlider``, ``Dropdown``, ...);
``explorer.outputs``
    dict of the widgets that display results;
``explorer.state``
    dict refreshed on every change: ``output`` (the core's result),
    ``cell`` (the explained output cell), ``products`` (the products behind
    it), ``cell_value``, ``shape``, ``formula``, ``torch_call``,
    ``torch_inputs`` and ``error`` (the message shown instead of the picture,
    or None).

Widgets carry CSS classes for browser tests: ``convlab-explorer`` on the
whole, ``convlab-control`` and ``convlab-control-<name>`` on each control,
``convlab-output``, ``convlab-explain``, ``convlab-info`` and
``convlab-message`` on the displays, and ``convlab-display-<name>`` on each
display (its key in ``explorer.outputs``).
"""

from .arithmetic import arithmetic_explorer
from .filter import filter_explorer
from .groups import groups_explorer
from .kernel import kernel_explorer
from .learning import learning_explorer
from .padding import padding_explorer
from .pooling import pooling_explorer
from .stride import stride_explorer
from .transposed import transposed_explorer

__all__ = [
    "kernel_explorer",
    "stride_explorer",
    "filter_explorer",
    "pooling_explorer",
    "padding_explorer",
    "arithmetic_explorer",
    "learning_explorer",
    "transposed_explorer",
    "groups_explorer",
]
