"""convlab: convolutions you can see, check and trust.

The numeric core of the course *Intuitively Understanding Convolutions*:
exact numpy implementations of convolution, filters, pooling and padding,
with a readable loop reference beside each (:mod:`convlab.naive`), the size
arithmetic, a kernel gallery and sample images. Pictures and widgets live in
:mod:`convlab.draw`, :mod:`convlab.animate` and :mod:`convlab.widgets`, imported
by name, so ``import convlab`` stays light (no matplotlib, no ipywidgets).

Public or internal, never grey. The names in a module's ``__all__`` are its
public API, documented and kept stable; any other name in a public module
starts with an underscore and is used only inside that module. Machinery that
several modules share lives in an internal module, whose own name starts with
an underscore and whose names do not: argument validation in ``_checks``, the
sliding-window geometry in ``_windows``, the compute engines (im2col products,
the transposed scatter, the thread pool) in ``_engine``. An underscore name
never crosses modules.

>>> import convlab
>>> convlab.correlate2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
array([[19., 25.],
       [37., 43.]])
>>> convlab.output_size(224, 3, stride=2, padding=1)
112
"""

from . import kernels, naive
from .arithmetic import output_size, receptive_field, same_padding
from .convolution import conv1d, conv2d, conv3d, convolve2d, correlate2d
from .filters import apply_filter
from .images import to_chw, to_hwc
from .padding import pad2d
from .pooling import avg_pool2d, max_pool2d
from .transposed import conv_transpose2d, transposed_output_size

# The version, written only here: pyproject.toml reads it ([tool.setuptools.dynamic]), and
# CHANGELOG.md's newest entry and the notebooks' pinned links (tools/links.py) follow it.
__version__ = "0.3.0"

__all__ = [
    "correlate2d",
    "convolve2d",
    "apply_filter",
    "conv2d",
    "conv1d",
    "conv3d",
    "max_pool2d",
    "avg_pool2d",
    "conv_transpose2d",
    "pad2d",
    "output_size",
    "same_padding",
    "receptive_field",
    "transposed_output_size",
    "to_chw",
    "to_hwc",
    "kernels",
    "naive",
]
