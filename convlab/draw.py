"""Pictures of convolution and pooling: number grids, kernel windows, channels, pipelines.

Every function here draws with matplotlib and computes each number it shows
with convlab's numeric core at draw time (``correlate2d``, ``apply_filter``,
``pad2d``, ``max_pool2d``, ``avg_pool2d``, ``output_size``); nothing is typed
in. Importing this module changes no global matplotlib state.

Public API
----------
:func:`grid`
    An array as labelled cells, each with its number, text colour chosen per cell for contrast.
:func:`window`
    The kernel window on the padded input at one output position, the products, their sum, the output cell.
:func:`padding`
    The padded input with the padding ring hatched grey and its values written in.
:func:`channels`
    A (C, H, W) input beside its filter's kernels, the per-channel partial maps, and sum + bias = output.
:func:`pooling`
    Pooling windows on the input (winner outlined for max, the mean for average) and the pooled output.
:func:`pooling_comparison`
    The same input max-pooled and average-pooled, side by side.
:func:`cnn`
    A CNN pipeline diagram, every shape computed with ``convlab.output_size``.
:func:`cnn_shapes`
    The shape after each layer of a small CNN, as :func:`cnn` draws it.
:func:`kernel_gallery`
    One row per named kernel: operation, kernel matrix, its effect on the image.
:func:`side_by_side`
    An image, a kernel and the result of correlating them.
:func:`picture`
    Show an (H, W) or (C, H, W) image without ticks.
:func:`pointwise`
    A 1x1 convolution as a dense layer: one pixel's channel values, the weight matrix, its outputs.
:func:`ceil_mode_windows`
    Pooling's ``ceil_mode=True`` along one axis: each window the rounded-up count asks for, kept or dropped.
:data:`ACCENT`, :data:`CELL_GID`, :data:`WINDOW_LETTER_GID`
    The outline colour, the gid of the cell labels and the gid of the letters that tie
    each pooling window to its output cell.
:data:`POINTWISE_OUTPUT_GID`, :data:`WINDOW_VERDICT_GID`
    The gids of :func:`pointwise`'s output values and of :func:`ceil_mode_windows`'s
    sentence per window.

Each function's own docstring gives its signature and parameters
(``help(draw.grid)``); they are not copied here, so they cannot drift.

Conventions
-----------
Functions that take ``ax=None`` (or ``axes=None``) draw into the given axes, or
into a new pyplot figure when none is given, and return the axes they drew
into. New figures get an opaque white background so black text stays legible
when a notebook uses a dark theme. Cell ``(row, col)`` of a grid is centred at
data coordinates ``x = col, y = row`` with the y axis pointing down, as in
``imshow``; the cell labels are Text artists with gid ``'convlab-cell'``.
"""

from __future__ import annotations

import math

import numpy as np

import convlab
from convlab import kernels as _kernels
from convlab._checks import as_array, check_int, check_pair
from convlab._grids import (
    ACCENT, auto_format, CELL_GID, Cells, channel_cmaps, channel_names, draw_box, EDGE,
    frame_axes, kernel_limits, MULT, number_label, PAD_FACE, PAD_HATCH, PAD_TEXT, pool_text,
    products_text, set_title, white_background,
)
from convlab.padding import pad2d, resolve_padding

__all__ = [
    "grid",
    "window",
    "padding",
    "channels",
    "pooling",
    "pooling_comparison",
    "cnn",
    "cnn_shapes",
    "kernel_gallery",
    "side_by_side",
    "picture",
    "pointwise",
    "ceil_mode_windows",
    "ACCENT",
    "CELL_GID",
    "WINDOW_LETTER_GID",
    "POINTWISE_OUTPUT_GID",
    "WINDOW_VERDICT_GID",
]

#: The gid of the letters (A, B, ...) :func:`pooling` and :func:`pooling_comparison` write in
#: each non-overlapping window and in the output cell it makes.
WINDOW_LETTER_GID = "convlab-window-letter"

#: The gid of the output values :func:`pointwise` writes in its ``y`` column.
POINTWISE_OUTPUT_GID = "convlab-pointwise-output"


# --------------------------------------------------------------------------- helpers


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _new_axes(figsize):
    fig, ax = _pyplot().subplots(figsize=figsize)
    white_background(fig)
    return ax


def _as_2d(values, name):
    return as_array(values, name, 2, what="grid")


def _as_3d(values, name, what="image"):
    return as_array(values, name, 3, what=what)


def _resolve_highlight(highlight, shape):
    """Highlight spec -> boolean mask of ``shape``."""
    mask = np.zeros(shape, dtype=bool)
    if highlight is None:
        return mask
    arr = np.asarray(highlight) if not isinstance(highlight, tuple) else None
    if arr is not None and arr.dtype == bool:
        if arr.shape != shape:
            raise ValueError(f"highlight mask must have the shape of values {shape}, got {arr.shape}")
        return arr.copy()
    if isinstance(highlight, tuple) and len(highlight) == 2 and all(
        isinstance(h, (slice, int, np.integer)) for h in highlight
    ):
        mask[highlight] = True
        return mask
    for cell in highlight:
        r, c = cell
        if not (0 <= r < shape[0] and 0 <= c < shape[1]):
            raise ValueError(f"highlight cell {(r, c)} is outside values of shape {shape}")
        mask[r, c] = True
    return mask


def _outline(ax, cells, *, color=ACCENT, linewidth=3.0, offset=(0, 0), zorder=5):
    """Outline each (row, col) cell; returns the list of patches."""
    from matplotlib.patches import Rectangle

    r0, c0 = offset
    patches = []
    for r, c in cells:
        patch = Rectangle((c0 + c - 0.5, r0 + r - 0.5), 1, 1, fill=False, edgecolor=color,
                          linewidth=linewidth, zorder=zorder)
        ax.add_patch(patch)
        patches.append(patch)
    return patches


# --------------------------------------------------------------------------- grid


def grid(values, ax=None, *, cmap="Blues", vmin=None, vmax=None, fmt=None, highlight=None,
         title=None, fontsize=None):
    """Draw a 2-D array as a grid of coloured cells, each labelled with its value.

    Also known as an annotated heatmap or number grid: the picture the course
    uses for images, kernels and feature maps.

    Parameters
    ----------
    values : array_like, shape (H, W)
        Real numbers. NaN cells are drawn white and labelled ``nan``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    cmap : str or Colormap, default 'Blues'
        Cell colours. The label of each cell is black or white, whichever
        contrasts with that cell's colour.
    vmin, vmax : float, optional
        Colour scale limits; default to the data's range.
    fmt : str, optional
        A ``str.format`` pattern such as ``'{:.2f}'``; by default integers
        print without decimals and other values with two.
    highlight : bool array of shape (H, W), tuple of slices, or iterable of (row, col), optional
        Cells to outline in the accent colour.
    title : str, optional
    fontsize : float, optional
        Label size in points; chosen from the cell size when omitted, so
        grids from 5x5 to 12x12 stay legible.

    Returns
    -------
    matplotlib Axes
        The axes drawn into. Cell ``(r, c)`` is centred at ``x=c, y=r``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> ax = grid(np.arange(6).reshape(2, 3), ax, highlight=[(0, 1)])
    >>> [t.get_text() for t in ax.texts]
    ['0', '1', '2', '3', '4', '5']
    """
    arr = _as_2d(values, "values")
    if fmt is not None and not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format string like '{{:.2f}}', got {type(fmt).__name__}")
    mask = _resolve_highlight(highlight, arr.shape)
    if ax is None:
        ax = _new_axes((max(3.0, 0.55 * arr.shape[1] + 0.6), max(2.5, 0.55 * arr.shape[0] + 0.8)))
    frame_axes(ax, *arr.shape)
    Cells(ax, arr, cmap=cmap, vmin=vmin, vmax=vmax, fmt=fmt, fontsize=fontsize)
    _outline(ax, zip(*np.nonzero(mask)))
    if title is not None:
        set_title(ax, title)
    return ax


# --------------------------------------------------------------------------- padding


def padding(image, padding, mode="zeros", ax=None, *, cmap="Blues", title=None, fontsize=None):
    """Draw an image with its padding: the ring of new cells hatched grey, values written in.

    Parameters
    ----------
    image : array_like, shape (H, W)
    padding : int, (ph, pw) or ((top, bottom), (left, right))
        As ``convlab.pad2d`` takes it.
    mode : {'zeros', 'constant', 'reflect', 'replicate', 'circular'}, default 'zeros'
        What the ring holds, computed by ``convlab.pad2d``.
    ax : matplotlib Axes, optional
    cmap : str, default 'Blues'
        Colours of the original cells (the ring is always hatched grey).
    title : str, optional
        Defaults to a description such as ``"5×5 input, padding 1 (zeros) → 7×7"``.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> ax = padding(np.arange(4).reshape(2, 2), 1, "replicate", Figure().subplots())
    >>> [t.get_text() for t in ax.texts][:4]
    ['0', '0', '1', '1']
    """
    arr = _as_2d(image, "image")
    pads = resolve_padding(padding, arr.shape, (1, 1))
    padded = pad2d(arr, pads, mode=mode)
    (top, bottom), (left, right) = pads
    ring = np.ones(padded.shape, bool)
    ring[top:top + arr.shape[0], left:left + arr.shape[1]] = False
    if ax is None:
        ax = _new_axes((0.55 * padded.shape[1] + 0.6, 0.55 * padded.shape[0] + 0.9))
    frame_axes(ax, *padded.shape)
    inner = padded[~ring]
    Cells(ax, padded, cmap=cmap, vmin=float(inner.min()), vmax=float(inner.max()),
           fmt=auto_format(padded), pad_mask=ring, fontsize=fontsize)
    draw_box(ax, top, left, arr.shape[0], arr.shape[1], color="black", linewidth=1.5)
    if title is None:
        title = (f"{arr.shape[0]}{MULT}{arr.shape[1]} input, padding {_pads_text(pads)} "
                 f"({mode}) \u2192 {padded.shape[0]}{MULT}{padded.shape[1]}")
    set_title(ax, title)
    return ax


def _pads_text(pads):
    (t, b), (l, r) = pads
    if t == b == l == r:
        return str(t)
    return f"top {t}, bottom {b}, left {l}, right {r}"


# --------------------------------------------------------------------------- window


def _window_geometry(image_shape, kernel_shape, stride, padding, dilation):
    s = check_pair(stride, "stride", minimum=1)
    d = check_pair(dilation, "dilation", minimum=1)
    pads = resolve_padding(padding, image_shape, kernel_shape, s, d)
    return s, d, pads


def _window_cells(position, kernel_shape, s, d):
    i, j = position
    top, left = i * s[0], j * s[1]
    return [(top + a * d[0], left + b * d[1])
            for a in range(kernel_shape[0]) for b in range(kernel_shape[1])]


def window(image, kernel, position, stride=1, padding=0, dilation=1, *, padding_mode="zeros",
           axes=None):
    """Draw one step of a convolution: the window, the products, their sum, the output cell.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    position : (int, int)
        The output cell ``(row, col)`` to explain.
    stride, padding, dilation, padding_mode
        As ``convlab.correlate2d`` takes them (``padding`` may be ``'same'``
        or ``'full'``).
    axes : sequence of 4 Axes, optional
        Input, kernel, products and output panels; a new figure is made when
        omitted.

    Returns
    -------
    ndarray of 4 Axes
        ``[input, kernel, products, output]``. The products panel's label
        writes the sum of products out; it equals the output cell, which
        ``convlab.correlate2d`` computes.

    Raises
    ------
    ValueError, TypeError
        The core's errors for bad shapes or parameters; ValueError when
        ``position`` is outside the output.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> axes = Figure(figsize=(10, 3)).subplots(1, 4)
    >>> axes = window(np.arange(16).reshape(4, 4), np.ones((2, 2)), (1, 2), stride=1, axes=axes)
    >>> axes[3].texts[5].get_text()   # output cell (1, 2) = 6 + 7 + 10 + 11
    '34'
    """
    out = convlab.correlate2d(image, kernel, stride, padding, dilation, padding_mode=padding_mode)
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    i, j = _check_position(position, out.shape)
    s, d, pads = _window_geometry(image.shape, kernel.shape, stride, padding, dilation)
    padded = pad2d(image, pads, mode=padding_mode)
    ring = np.ones(padded.shape, bool)
    (top, _), (left, _) = pads
    ring[top:top + image.shape[0], left:left + image.shape[1]] = False
    cells = _window_cells((i, j), kernel.shape, s, d)
    win = np.array([padded[r, c] for r, c in cells]).reshape(kernel.shape)
    products = win * kernel

    if axes is None:
        fig = _pyplot().figure(figsize=(max(9.0, 0.5 * (padded.shape[1] + 2 * kernel.shape[1]
                                                         + out.shape[1]) + 2.5),
                                        0.5 * padded.shape[0] + 1.9))
        white_background(fig)
        widths = [padded.shape[1], kernel.shape[1], kernel.shape[1], out.shape[1]]
        axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": widths, "wspace": 0.35})
        fig.subplots_adjust(left=0.03, right=0.97, top=0.88, bottom=0.2)
    axes = np.asarray(axes, dtype=object).ravel()
    if axes.size != 4:
        raise ValueError(f"axes must hold 4 Axes (input, kernel, products, output), got {axes.size}")
    a_in, a_k, a_p, a_out = axes

    frame_axes(a_in, *padded.shape)
    inner = padded[~ring] if (~ring).any() else padded
    Cells(a_in, padded, cmap="Blues", vmin=float(inner.min()), vmax=float(inner.max()),
           fmt=auto_format(padded), pad_mask=ring)
    _outline(a_in, cells)
    set_title(a_in, f"input {image.shape[0]}{MULT}{image.shape[1]}"
           + (f", padded to {padded.shape[0]}{MULT}{padded.shape[1]}" if ring.any() else ""))
    # Each panel has its own colour scale, so each says what its colours mean.
    a_in.set_xlabel("orange box: the window\ndarker blue: larger value"
                    + ("\nhatched grey: padding" if ring.any() else ""),
                    fontsize=9, color="black", linespacing=1.3)

    frame_axes(a_k, *kernel.shape)
    lo, hi = kernel_limits(kernel)
    Cells(a_k, kernel, cmap="PuOr", vmin=lo, vmax=hi, fmt=None)
    set_title(a_k, "kernel")
    a_k.set_xlabel("purple: weight > 0\norange: weight < 0", fontsize=9, color="black",
                   linespacing=1.3)

    frame_axes(a_p, *products.shape)
    lo, hi = kernel_limits(products)
    Cells(a_p, products, cmap="RdBu_r", vmin=lo, vmax=hi, fmt=auto_format(products))
    set_title(a_p, "products")
    a_p.set_xlabel("red: > 0, blue: < 0\n" + products_text(win, kernel, out[i, j]), fontsize=9,
                   color="black", linespacing=1.3)

    frame_axes(a_out, *out.shape)
    Cells(a_out, out, cmap="Greens", fmt=auto_format(out))
    _outline(a_out, [(i, j)])
    set_title(a_out, f"output {out.shape[0]}{MULT}{out.shape[1]}")
    a_out.set_xlabel(f"orange box: output[{i}, {j}]\n= sum of products\ndarker green: larger value",
                     fontsize=9, color="black", linespacing=1.3)
    return axes


def _check_position(position, out_shape):
    if isinstance(position, (str, bytes)) or not hasattr(position, "__len__") or len(position) != 2:
        raise TypeError(f"position must be an output cell (row, col), got {position!r}")
    i, j = position
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (i, j)):
        raise TypeError(f"position must hold two ints, got {position!r}")
    if not (0 <= i < out_shape[0] and 0 <= j < out_shape[1]):
        raise ValueError(f"position {tuple(position)} is outside the output of shape "
                         f"{out_shape[0]}x{out_shape[1]}")
    return int(i), int(j)


# --------------------------------------------------------------------------- channels


def channels(image, filt, bias=0.0, stride=1, padding=0, dilation=1, *, padding_mode="zeros",
             position=None, axes=None):
    """Draw a multi-channel convolution: one filter = one kernel per channel, summed, plus bias.

    Each row shows an input channel, the filter's kernel for it and the partial
    map ``correlate2d(image[c], filt[c])``; the last column shows the output
    channel ``apply_filter(image, filt, bias)``, which is the sum of the
    partial maps plus the bias.

    Parameters
    ----------
    image : array_like, shape (C, H, W)
    filt : array_like, shape (C, kH, kW)
    bias : float, default 0.0
    stride, padding, dilation, padding_mode
        As ``convlab.apply_filter`` takes them.
    position : (int, int), optional
        An output cell to explain: its window is outlined on every channel and
        the sum is written under the output.
    axes : ndarray of Axes, shape (C, 4), optional
        Column 3 of row 0 receives the output; the other cells of column 3
        are hidden. A new figure is made when omitted.

    Returns
    -------
    ndarray of Axes, shape (C, 4)

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> x = np.arange(2 * 3 * 3).reshape(2, 3, 3)
    >>> axes = channels(x, np.ones((2, 2, 2)), bias=1, axes=Figure().subplots(2, 4))
    >>> [t.get_text() for t in axes[0, 3].texts]   # 1 + (0+1+3+4) + (9+10+12+13)
    ['53', '61', '77', '85']
    """
    out = convlab.apply_filter(image, filt, bias, stride, padding, dilation,
                               padding_mode=padding_mode)
    image = _as_3d(image, "image").astype(float)
    filt = _as_3d(filt, "filt", what="kernel").astype(float)
    n = image.shape[0]
    s, d, pads = _window_geometry(image.shape[1:], filt.shape[1:], stride, padding, dilation)
    partials = [convlab.correlate2d(image[c], filt[c], stride, padding, dilation,
                                    padding_mode=padding_mode) for c in range(n)]
    padded = pad2d(image, pads, mode=padding_mode)
    ring = np.ones(padded.shape[1:], bool)
    (top, _), (left, _) = pads
    ring[top:top + image.shape[1], left:left + image.shape[2]] = False
    cells = None
    if position is not None:
        i, j = _check_position(position, out.shape)
        cells = _window_cells((i, j), filt.shape[1:], s, d)

    if axes is None:
        ph, pw = padded.shape[1:]
        cell = 0.42
        fig = _pyplot().figure(figsize=(cell * (pw + 2 * filt.shape[2] + out.shape[1]) + 3.2,
                                        n * (cell * ph + 0.6) + 0.9))
        white_background(fig)
        widths = [pw, filt.shape[2], out.shape[1], out.shape[1]]
        axes = fig.subplots(n, 4, gridspec_kw={"width_ratios": widths, "wspace": 0.3,
                                               "hspace": 0.35}, squeeze=False)
        fig.subplots_adjust(left=0.04, right=0.95, top=0.95, bottom=0.06)
    axes = np.asarray(axes, dtype=object).reshape(n, 4)
    names = channel_names(n)
    cmaps = channel_cmaps(n)
    plo = min(float(p.min()) for p in partials)
    phi = max(float(p.max()) for p in partials)
    for c in range(n):
        a_in, a_k, a_p, _ = axes[c]
        frame_axes(a_in, *padded.shape[1:])
        inner = padded[c][~ring] if (~ring).any() else padded[c]
        Cells(a_in, padded[c], cmap=cmaps[c], vmin=float(inner.min()), vmax=float(inner.max()),
               fmt=auto_format(padded), pad_mask=ring)
        if cells is not None:
            _outline(a_in, cells)
        set_title(a_in, f"input {names[c]}", 10)
        frame_axes(a_k, *filt.shape[1:])
        lo, hi = kernel_limits(filt)
        Cells(a_k, filt[c], cmap="PuOr", vmin=lo, vmax=hi, fmt=auto_format(filt))
        set_title(a_k, f"kernel {names[c]}", 10)
        frame_axes(a_p, *partials[c].shape)
        Cells(a_p, partials[c], cmap=cmaps[c], vmin=plo, vmax=phi,
               fmt=auto_format(np.stack(partials)))
        if cells is not None:
            _outline(a_p, [(i, j)])
        set_title(a_p, f"partial {names[c]}", 10)
    for c in range(1, n):
        axes[c, 3].set_visible(False)
    a_out = axes[0, 3]
    frame_axes(a_out, *out.shape)
    Cells(a_out, out, cmap="Greens", fmt=auto_format(out))
    set_title(a_out, "output = sum + bias", 10)
    label = f"bias = {number_label(bias, auto_format(np.array([bias])))}"
    if cells is not None:
        _outline(a_out, [(i, j)])
        parts = " + ".join(number_label(p[i, j], auto_format(np.stack(partials))) for p in partials)
        label = f"{parts}\n+ {number_label(bias, auto_format(np.array([bias])))} (bias) = " \
                f"{number_label(out[i, j], auto_format(out))}"
    a_out.set_xlabel(label, fontsize=9, color="black")
    return axes


# --------------------------------------------------------------------------- pooling

_PASTELS = ("#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1", "#c6dbef", "#fdae6b", "#a1d99b",
            "#bcbddc", "#fc9272", "#9ecae1")
_WINDOW_EDGES = ("#e6550d", "#31a354", "#756bb1", "#de2d26", "#3182bd", "#a63603",
                 "#006d2c", "#54278f", "#a50f15", "#08519c")


def _pool(x, kernel_size, stride, mode):
    if mode == "max":
        out, idx = convlab.max_pool2d(x, kernel_size, stride, return_indices=True)
        return np.asarray(out), np.asarray(idx)
    if mode == "avg":
        return np.asarray(convlab.avg_pool2d(x, kernel_size, stride)), None
    raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")


def _draw_pool_input(ax, x, kernel_size, stride, mode, out, idx, position):
    k = check_pair(kernel_size, "kernel_size", minimum=1)
    s = check_pair(kernel_size if stride is None else stride, "stride", minimum=1)
    frame_axes(ax, *x.shape)
    nonoverlap = s[0] >= k[0] and s[1] >= k[1]
    cells = Cells(ax, x, cmap="Blues", fmt=auto_format(x))
    windows = [(r, c) for r in range(out.shape[0]) for c in range(out.shape[1])]
    if position is not None:
        windows = [position]
    for n, (r, c) in enumerate(windows):
        edge = _WINDOW_EDGES[n % len(_WINDOW_EDGES)] if position is None else ACCENT
        if nonoverlap and position is None:
            from matplotlib.patches import Rectangle

            ax.add_patch(Rectangle((c * s[1] - 0.5, r * s[0] - 0.5), k[1], k[0],
                                   facecolor=_PASTELS[n % len(_PASTELS)], edgecolor="none",
                                   zorder=1.05))
        if nonoverlap or position is not None:
            draw_box(ax, r * s[0], c * s[1], k[0], k[1], color=edge,
                 linewidth=2.5 if position is None else 3.0, zorder=4)
        if mode == "max":
            flat = int(idx[r, c])
            wr, wc = divmod(flat, x.shape[1])
            cells.texts[wr, wc].set_fontweight("bold")
            from matplotlib.patches import Circle

            ax.add_patch(Circle((wc, wr), 0.36, fill=False, edgecolor="black", linewidth=1.6,
                                zorder=4.5))
    if nonoverlap and position is None:
        # the pastel window colours replace the colour map: all labels in black
        cells.image.set_visible(False)
        for t in cells.texts.ravel():
            t.set_color("black")
        # a letter ties each window to its output cell, which carries the same letter:
        # the colours alone would leave a reader who cannot tell them apart guessing
        for n, (r, c) in enumerate(windows):
            _window_letter(ax, n, r * s[0], c * s[1])
    return cells


def _window_letter(ax, n, row, col):
    """Write window ``n``'s letter (A, B, ..., then A2, B2, ...) in the top-left corner of cell
    (row, col)."""
    letter = chr(ord("A") + n % 26) + (str(n // 26 + 1) if n >= 26 else "")
    ax.text(col - 0.44, row - 0.44, letter, ha="left", va="top", fontsize=9, color="#252525",
            zorder=6, gid=WINDOW_LETTER_GID)


def pooling(x, kernel_size, stride=None, mode="max", *, position=None, axes=None):
    """Draw pooling: the windows on the input and the pooled output.

    For max pooling the winning cell of each window is circled and bold (its
    index comes from ``convlab.max_pool2d(..., return_indices=True)``); for
    average pooling the output cell holds ``convlab.avg_pool2d``'s mean.
    Non-overlapping windows are tinted one colour each and the output cell
    they produce gets the same colour, and the same letter (A, B, ...) in its
    top-left corner, so the link does not rest on colour alone.

    Parameters
    ----------
    x : array_like, shape (H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``, as in PyTorch.
    mode : {'max', 'avg'}, default 'max'
    position : (int, int), optional
        Show only this output cell's window, with the computation written out.
    axes : sequence of 2 Axes, optional

    Returns
    -------
    ndarray of 2 Axes
        ``[input, output]``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> x = np.array([[1, 3, 2, 1], [4, 2, 0, 1], [1, 1, 5, 6], [0, 2, 7, 8]])
    >>> axes = pooling(x, 2, axes=Figure().subplots(1, 2))
    >>> [t.get_text() for t in axes[1].texts if t.get_gid() == CELL_GID]
    ['4', '2', '2', '8']
    >>> [t.get_text() for t in axes[1].texts if t.get_gid() == WINDOW_LETTER_GID]
    ['A', 'B', 'C', 'D']
    """
    xa = _as_2d(x, "x")
    out, idx = _pool(xa, kernel_size, stride, mode)
    if position is not None:
        position = _check_position(position, out.shape)
    if axes is None:
        fig = _pyplot().figure(figsize=(0.55 * (xa.shape[1] + out.shape[1]) + 2.0,
                                        0.55 * xa.shape[0] + 1.6))
        white_background(fig)
        axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [xa.shape[1], out.shape[1]],
                                               "wspace": 0.25})
        fig.subplots_adjust(left=0.04, right=0.96, top=0.85, bottom=0.15)
    axes = np.asarray(axes, dtype=object).ravel()
    a_in, a_out = axes
    _draw_pool_input(a_in, xa.astype(float), kernel_size, stride, mode, out, idx, position)
    k = check_pair(kernel_size, "kernel_size", minimum=1)
    s = check_pair(kernel_size if stride is None else stride, "stride", minimum=1)
    set_title(a_in, f"input {xa.shape[0]}{MULT}{xa.shape[1]}")
    _draw_pool_output(a_out, out, mode, k, s, position)
    if position is not None:
        i, j = position
        win = xa[i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
        a_out.set_xlabel(pool_text(win, out[i, j], mode), fontsize=9, color="black")
    return axes


def _draw_pool_output(ax, out, mode, k, s, position, fmt=None):
    frame_axes(ax, *out.shape)
    fmt = fmt or ("{:.2f}" if mode == "avg" and auto_format(out) != "{:.0f}" else auto_format(out))
    nonoverlap = s[0] >= k[0] and s[1] >= k[1]
    cells = Cells(ax, out.astype(float), cmap="Greens", fmt=fmt)
    if nonoverlap and position is None:
        from matplotlib.patches import Rectangle

        cells.image.set_visible(False)
        for n, (r, c) in enumerate(np.ndindex(*out.shape)):
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1,
                                   facecolor=_PASTELS[n % len(_PASTELS)], zorder=1.05))
            cells.texts[r, c].set_color("black")
            _window_letter(ax, n, r, c)
    if position is not None:
        _outline(ax, [position])
    name = "max" if mode == "max" else "average"
    set_title(ax, f"{name} pool\n{k[0]}{MULT}{k[1]}, stride {_stride_text(s)}")
    return cells


def _stride_text(s):
    return str(s[0]) if s[0] == s[1] else f"{s[0]}{MULT}{s[1]}"


def pooling_comparison(x, kernel_size, stride=None, *, axes=None):
    """Max pooling and average pooling of the same input, side by side, with their numbers.

    Parameters
    ----------
    x : array_like, shape (H, W)
    kernel_size, stride
        As ``convlab.max_pool2d`` takes them (stride defaults to kernel_size).
    axes : sequence of 3 Axes, optional
        Input, max-pooled output, average-pooled output.

    Returns
    -------
    ndarray of 3 Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> x = np.array([[1, 3, 2, 1], [4, 2, 0, 1], [1, 1, 5, 6], [0, 2, 7, 8]])
    >>> axes = pooling_comparison(x, 2, axes=Figure().subplots(1, 3))
    >>> [t.get_text() for t in axes[2].texts if t.get_gid() == CELL_GID]
    ['2.50', '1.00', '1.00', '6.50']
    """
    xa = _as_2d(x, "x")
    mx, idx = _pool(xa, kernel_size, stride, "max")
    av, _ = _pool(xa, kernel_size, stride, "avg")
    if axes is None:
        fig = _pyplot().figure(figsize=(0.6 * (xa.shape[1] + 2 * mx.shape[1]) + 3.0,
                                        0.6 * xa.shape[0] + 1.6))
        white_background(fig)
        axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [xa.shape[1], mx.shape[1],
                                                                mx.shape[1]], "wspace": 0.3})
        fig.subplots_adjust(left=0.03, right=0.97, top=0.82, bottom=0.12)
    axes = np.asarray(axes, dtype=object).ravel()
    k = check_pair(kernel_size, "kernel_size", minimum=1)
    s = check_pair(kernel_size if stride is None else stride, "stride", minimum=1)
    _draw_pool_input(axes[0], xa.astype(float), kernel_size, stride, "max", mx, idx, None)
    set_title(axes[0], f"input {xa.shape[0]}{MULT}{xa.shape[1]} (max circled)")
    _draw_pool_output(axes[1], mx, "max", k, s, None)
    _draw_pool_output(axes[2], av, "avg", k, s, None, fmt="{:.2f}")
    return axes


# --------------------------------------------------------------------------- cnn diagram

DEFAULT_LAYERS = (
    ("conv", 8, 3, 1, 1),
    ("pool", 2),
    ("conv", 16, 3, 1, 1),
    ("pool", 2),
    ("flatten",),
    ("dense", 64),
    ("dense", 10),
)


def cnn_shapes(input_shape=(3, 32, 32), layers=DEFAULT_LAYERS):
    """The shape after each layer of a small CNN, computed with ``convlab.output_size``.

    Layers are tuples: ``('conv', out_channels, kernel_size[, stride[, padding]])``
    (a convolution followed by ReLU), ``('pool', kernel_size[, stride])`` (max
    pooling), ``('flatten',)`` and ``('dense', units)``.

    Returns
    -------
    list of (label, shape)
        ``label`` names the operation that produced ``shape``; the first entry
        is ``('input', input_shape)``.

    Examples
    --------
    >>> cnn_shapes((3, 32, 32), [("conv", 8, 3, 1, 1), ("pool", 2), ("flatten",), ("dense", 10)])
    [('input', (3, 32, 32)), ('conv 3×3 + ReLU', (8, 32, 32)), ('max pool 2×2', (8, 16, 16)), \
('flatten', (2048,)), ('dense', (10,))]
    """
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W), got {input_shape!r}")
    shape = tuple(int(v) for v in input_shape)
    result = [("input", shape)]
    for layer in layers:
        kind = layer[0]
        if kind == "conv":
            _, out_ch, k = layer[:3]
            s = layer[3] if len(layer) > 3 else 1
            p = layer[4] if len(layer) > 4 else 0
            h = convlab.output_size(shape[1], k, s, p)
            w = convlab.output_size(shape[2], k, s, p)
            shape = (int(out_ch), h, w)
            label = f"conv {k}{MULT}{k} + ReLU" + (f", stride {s}" if s != 1 else "")
        elif kind == "pool":
            k = layer[1]
            s = layer[2] if len(layer) > 2 else k
            shape = (shape[0], convlab.output_size(shape[1], k, s),
                     convlab.output_size(shape[2], k, s))
            label = f"max pool {k}{MULT}{k}" + (f", stride {s}" if s != k else "")
        elif kind == "flatten":
            shape = (int(np.prod(shape)),)
            label = "flatten"
        elif kind == "dense":
            shape = (int(layer[1]),)
            label = "dense"
        else:
            raise ValueError(f"layer kind must be 'conv', 'pool', 'flatten' or 'dense', got {kind!r}")
        result.append((label, shape))
    return result


def cnn(ax=None, input_shape=(3, 32, 32), layers=DEFAULT_LAYERS, *, classes=None):
    """Draw a CNN as a pipeline: input → conv + ReLU → pooling → … → flatten → dense → classes.

    Feature maps are drawn as boxes whose height follows their spatial size
    and whose depth follows their channel count; every shape label comes
    from :func:`cnn_shapes` (``convlab.output_size``).

    Parameters
    ----------
    ax : matplotlib Axes, optional
    input_shape : (C, H, W), default (3, 32, 32)
    layers : sequence of tuples, default ``DEFAULT_LAYERS``
        See :func:`cnn_shapes`.
    classes : sequence of str, optional
        Names written next to the last layer's units (at most 10 shown).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> ax = cnn(Figure(figsize=(12, 4)).subplots())
    >>> any("16×8×8" in t.get_text() for t in ax.texts)
    True
    """
    from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle

    stages = cnn_shapes(input_shape, layers)
    if ax is None:
        ax = _new_axes((13, 4.4))
    ax.set_axis_off()
    max_hw = max(s[1] for _, s in stages if len(s) == 3)
    max_c = max(s[0] for _, s in stages if len(s) == 3)
    height = 3.0  # data units for the largest map
    x = 0.0
    gap = 1.7
    positions = []
    vec_max = max((s[0] for _, s in stages if len(s) == 1), default=1)
    for n, (label, shape) in enumerate(stages):
        if len(shape) == 3:
            c, h, w = shape
            fh = height * (0.35 + 0.65 * h / max_hw)
            fw = fh * w / h
            depth = 0.35 + 1.1 * math.log2(1 + c) / math.log2(1 + max_c)
            dx, dy = depth * 0.8, depth * 0.5
            face = "#9ecae1" if n == 0 else ("#a1d99b" if label.startswith("conv") else "#fdae6b")
            front = Rectangle((x, -fh / 2), fw * 0.18 + 0.25, fh, facecolor=face,
                              edgecolor="black", linewidth=1.0, zorder=3)
            fwid = fw * 0.18 + 0.25
            top = Polygon([(x, fh / 2), (x + dx, fh / 2 + dy), (x + fwid + dx, fh / 2 + dy),
                           (x + fwid, fh / 2)], closed=True, facecolor=face, edgecolor="black",
                          linewidth=1.0, alpha=0.75, zorder=2)
            side = Polygon([(x + fwid, -fh / 2), (x + fwid + dx, -fh / 2 + dy),
                            (x + fwid + dx, fh / 2 + dy), (x + fwid, fh / 2)], closed=True,
                           facecolor=face, edgecolor="black", linewidth=1.0, alpha=0.55, zorder=2)
            for p in (side, top, front):
                ax.add_patch(p)
            right = x + fwid + dx
            top_y = fh / 2 + dy
            bottom_y = -fh / 2
            shape_text = f"{c}{MULT}{h}{MULT}{w}"
        else:
            units = shape[0]
            bh = height * (0.5 + 0.5 * math.log10(units) / math.log10(max(vec_max, 10)))
            fwid = 0.3
            face = "#dadaeb"
            ax.add_patch(Rectangle((x, -bh / 2), fwid, bh, facecolor=face, edgecolor="black",
                                   linewidth=1.0, zorder=3))
            nticks = min(units, 12)
            for t in range(nticks):
                yy = -bh / 2 + (t + 0.5) * bh / nticks
                ax.plot([x + 0.06, x + fwid - 0.06], [yy, yy], color="#54278f", linewidth=0.8,
                        zorder=4)
            right = x + fwid
            top_y = bh / 2
            bottom_y = -bh / 2
            shape_text = f"{units}"
            if n == len(stages) - 1:
                shape_text = f"{units} classes"
                if classes:
                    for t, name in enumerate(list(classes)[:nticks]):
                        yy = bh / 2 - (t + 0.5) * bh / nticks
                        ax.text(right + 0.12, yy, str(name), fontsize=7, va="center",
                                color="black")
        positions.append((x, right, top_y, bottom_y))
        ax.text((x + right) / 2, bottom_y - 0.25, shape_text, ha="center", va="top",
                fontsize=10, color="black", fontweight="bold")
        x = right + gap
    # arrows with the operation between consecutive stages
    for n in range(1, len(stages)):
        _, r_prev, _, _ = positions[n - 1]
        x_next, _, _, _ = positions[n]
        ax.add_patch(FancyArrowPatch((r_prev + 0.08, 0), (x_next - 0.08, 0), arrowstyle="-|>",
                                     mutation_scale=14, color="#404040", linewidth=1.4, zorder=5))
        label = stages[n][0]
        label = label.replace(" + ", "\n+ ").replace(", ", "\n")
        ax.text((r_prev + x_next) / 2, 0.18, label, ha="center", va="bottom", fontsize=8.5,
                color="black", zorder=6,
                bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none"))
    first_x = positions[0][0]
    ax.text(first_x, height / 2 + 1.05, "input image", fontsize=10, color="black", ha="left")
    # braces: feature learning vs classification
    conv_end = max(i for i, (_, s) in enumerate(stages) if len(s) == 3)
    y_b = -height / 2 - 1.05
    ax.annotate("", xy=(positions[0][0], y_b), xytext=(positions[conv_end][1], y_b),
                arrowprops=dict(arrowstyle="<->", color="#404040", linewidth=1.2))
    ax.text((positions[0][0] + positions[conv_end][1]) / 2, y_b - 0.12,
            "feature extraction: convolution + ReLU, pooling", ha="center", va="top",
            fontsize=10, color="black")
    if conv_end + 1 < len(stages):
        ax.annotate("", xy=(positions[conv_end + 1][0], y_b), xytext=(positions[-1][1], y_b),
                    arrowprops=dict(arrowstyle="<->", color="#404040", linewidth=1.2))
        ax.text((positions[conv_end + 1][0] + positions[-1][1]) / 2, y_b - 0.12,
                "classification", ha="center", va="top", fontsize=10, color="black")
    ax.set_xlim(-0.3, x - gap + 1.2)
    ax.set_ylim(-height / 2 - 1.75, height / 2 + 1.5)
    ax.set_aspect("equal")
    return ax


# --------------------------------------------------------------------------- images + kernels


def _to_hwc(image):
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[0] in (3, 4) and arr.shape[-1] not in (3, 4):
        arr = np.moveaxis(arr, 0, -1)
    return arr


def picture(image, ax=None, *, title=None, cmap="gray", vmin=None, vmax=None):
    """Show an image (H, W), (C, H, W) or (H, W, C) without ticks; returns the axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> picture(np.zeros((4, 4)), Figure().subplots(), title="black").get_title()
    'black'
    """
    arr = _to_hwc(image)
    if ax is None:
        ax = _new_axes((4, 4))
    if arr.ndim == 2:
        ax.imshow(arr, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    else:
        ax.imshow(np.clip(arr, 0, 1) if arr.dtype.kind == "f" else arr, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        set_title(ax, title)
    return ax


def fraction_of(kernel, max_denominator=1024):
    """``(d, kernel * d)`` with the smallest ``d`` that makes every entry an integer.

    Lets a blur kernel print as ``1/16 ×`` integers.

    >>> fraction_of(np.array([[1, 2, 1]]) / 4)
    (4, array([[1., 2., 1.]]))
    >>> fraction_of(np.array([[0.3]]))[0]
    10
    """
    kernel = np.asarray(kernel, float)
    for d in range(1, max_denominator + 1):
        scaled = kernel * d
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-9):
            return d, np.round(scaled)
    return 1, kernel


def _pretty(name):
    return name.replace("_", " ")


def _kernel_cells(ax, kernel, fontsize=None):
    d, scaled = fraction_of(kernel)
    frame_axes(ax, *scaled.shape)
    lo, hi = kernel_limits(scaled)
    Cells(ax, scaled, cmap="PuOr", vmin=lo, vmax=hi, fmt=None if d > 1 else auto_format(scaled),
           fontsize=fontsize)
    return d


def kernel_gallery(image, names=None, *, axes=None, padding_mode="replicate"):
    """A table of kernels: operation, kernel matrix, its effect on ``image``.

    Each result is ``convlab.correlate2d(image, kernels.get(name), padding='same',
    padding_mode=padding_mode)``, shown clipped to the image's range like a
    photograph. Kernels with fractional entries are written as ``1/d ×`` an
    integer matrix.

    Parameters
    ----------
    image : array_like, shape (H, W)
        A grey image with values in [0, 1].
    names : sequence of str, optional
        Kernel names from ``convlab.kernels.names()``; defaults to identity,
        edge detection, sharpen, box blur and the 3x3 and 5x5 Gaussian blurs
        where the gallery has them.
    axes : ndarray of Axes, shape (len(names), 3), optional

    Returns
    -------
    ndarray of Axes, shape (len(names), 3)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convlab import images
    >>> axes = kernel_gallery(images.photograph(size=40), ["identity", "sharpen"])
    >>> axes.shape
    (2, 3)
    >>> plt.close("all")
    """
    img = _as_2d(image, "image").astype(float)
    if names is None:
        names = default_gallery_names()
    names = list(names)
    if not names:
        raise ValueError("names must list at least one kernel, got an empty list")
    kerns = [_kernels.get(n) for n in names]
    if axes is None:
        fig = _pyplot().figure(figsize=(8.0, 1.75 * len(names) + 0.5))
        white_background(fig)
        axes = fig.subplots(len(names), 3, gridspec_kw={"width_ratios": [1.0, 1.1, 1.2]},
                            squeeze=False)
        fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.45 / (1.75 * len(names) + 0.5),
                            bottom=0.01, hspace=0.1, wspace=0.12)
    axes = np.asarray(axes, dtype=object).reshape(len(names), 3)
    lo, hi = float(img.min()), float(img.max())
    for row, (name, kern) in enumerate(zip(names, kerns)):
        a_name, a_k, a_img = axes[row]
        result = convlab.correlate2d(img, kern, padding="same", padding_mode=padding_mode)
        a_name.set_axis_off()
        a_name.text(0.5, 0.5, _pretty(name), ha="center", va="center", fontsize=13,
                    color="black", transform=a_name.transAxes)
        d = _kernel_cells(a_k, kern)
        if d > 1:
            a_k.set_ylabel(f"1/{d} \u00d7", rotation=0, fontsize=12, color="black",
                           labelpad=30, va="center")
        picture(np.clip(result, lo, hi), a_img, vmin=lo, vmax=hi)
        if row == 0:
            for a, t in zip(axes[0], ("Operation", "Kernel", "Result")):
                set_title(a, t, 13)
                if a is a_name:
                    a.set_title(t, fontsize=13, fontweight="bold", color="black")
                else:
                    a.set_title(t, fontsize=13, fontweight="bold", color="black", pad=6)
    return axes


def default_gallery_names():
    """The gallery rows kertypes.png shows, taken from ``convlab.kernels.names()``.

    >>> "identity" in default_gallery_names()
    True
    """
    available = list(_kernels.names())
    wanted = ["identity", "edge_detection", "diagonal_edges", "edges_4_neighbours",
              "edges_8_neighbours", "outline", "sharpen", "box_blur", "gaussian_blur_3x3",
              "gaussian_blur", "gaussian_blur_5x5"]
    chosen = [n for n in wanted if n in available]
    return chosen or available[:6]


def side_by_side(image, kernel, result=None, *, axes=None, stride=1, padding="same",
                 padding_mode="replicate", titles=None):
    """An image, a kernel and the result of correlating them, in one row.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    result : array_like, optional
        Computed with ``convlab.correlate2d(image, kernel, stride, padding,
        padding_mode=padding_mode)`` when omitted.
    axes : sequence of 3 Axes, optional
    titles : sequence of 3 str, optional

    Returns
    -------
    ndarray of 3 Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> axes = side_by_side(np.eye(6), np.ones((3, 3)) / 9, axes=Figure().subplots(1, 3))
    >>> axes[2].get_title()
    'result 6×6'
    """
    img = _as_2d(image, "image").astype(float)
    kern = _as_2d(kernel, "kernel").astype(float)
    if result is None:
        result = convlab.correlate2d(img, kern, stride, padding, padding_mode=padding_mode)
    result = _as_2d(result, "result")
    if axes is None:
        fig = _pyplot().figure(figsize=(10, 3.6))
        white_background(fig)
        axes = fig.subplots(1, 3)
        fig.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.04, wspace=0.15)
    axes = np.asarray(axes, dtype=object).ravel()
    titles = list(titles) if titles is not None else [
        f"image {img.shape[0]}{MULT}{img.shape[1]}", "kernel",
        f"result {result.shape[0]}{MULT}{result.shape[1]}"]
    picture(img, axes[0], title=titles[0])
    d = _kernel_cells(axes[1], kern)
    set_title(axes[1], titles[1] if d == 1 else f"{titles[1]} (1/{d} \u00d7)")
    picture(result, axes[2], title=titles[2])
    return axes


# --------------------------------------------------------------------------- ceil_mode

#: The gid of the sentence :func:`ceil_mode_windows` writes beside each window (its verdict).
WINDOW_VERDICT_GID = "convlab-window-verdict"


def _region(j, i, p):
    """Where padded index ``j`` lies on a row of ``i`` inputs padded by ``p`` each side."""
    if j < p:
        return "left padding"
    if j < p + i:
        return "input"
    if j < i + 2 * p:
        return "right padding"
    return "past the end"


def ceil_mode_windows(input_size, kernel_size, stride, padding, ax=None):
    """Pooling's ``ceil_mode=True`` along one axis: every candidate window, kept or dropped.

    Rounding the window count up adds one last window that hangs over the end
    of the padded row. PyTorch keeps it only if it starts inside the input or
    the left padding; one that would start in the right padding would pool
    padding alone, and is dropped. The picture shows the padded row (padded
    index in each cell, each region named below it) and, one lane each, the
    windows the rounded-up count asks for, each with a sentence saying where it
    starts and whether it is kept: the meaning is in words, not only in the
    solid (kept) or dashed and hatched (dropped) outline.

    Parameters
    ----------
    input_size, kernel_size, stride, padding : int
        ``i >= 1``, ``k >= 1``, ``s >= 1`` and ``p >= 0`` of one axis, as
        ``convlab.output_size`` takes them (which counts the kept windows).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        The verdict sentences are Text artists with gid :data:`WINDOW_VERDICT_GID`,
        one per window, in order.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> ax = ceil_mode_windows(5, 2, 2, 1, Figure().subplots())
    >>> [t.get_text().split(": ")[-1] for t in ax.texts if t.get_gid() == WINDOW_VERDICT_GID]
    ['kept', 'kept', 'kept', 'dropped']
    """
    from matplotlib.patches import Rectangle

    i = check_int(input_size, "input_size", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    s = check_int(stride, "stride", minimum=1)
    p = check_int(padding, "padding", minimum=0)
    kept = convlab.output_size(i, k, s, p, ceil_mode=True)   # refuses a window that cannot fit
    padded = i + 2 * p
    candidates = -(-(padded - k) // s) + 1                    # ceil((i + 2p - k) / s) + 1
    width = max(padded, (candidates - 1) * s + k)
    if ax is None:
        ax = _new_axes((0.62 * (width + 11), 0.62 * (candidates + 3.4)))
    text_x = width + 0.1
    ax.set_xlim(-0.6, width + 10.5)
    ax.set_ylim(2.3 + 0.95 * candidates, -1.25)
    ax.set_aspect("equal")
    ax.set_axis_off()
    # the padded row: padding hatched, inputs tinted, cells past the end dashed and empty
    for j in range(width):
        region = _region(j, i, p)
        if region == "past the end":
            face, hatch, style, edge = "white", None, "--", EDGE
        elif region == "input":
            face, hatch, style, edge = "#deebf7", None, "-", "black"
        else:
            face, hatch, style, edge = PAD_FACE, "///", "-", PAD_HATCH
        ax.add_patch(Rectangle((j - 0.5, -0.5), 1, 1, facecolor=face, edgecolor=edge,
                               hatch=hatch, linestyle=style, linewidth=1.0))
        ax.text(j, 0, str(j), ha="center", va="center", fontsize=10,
                color="black" if region == "input" else PAD_TEXT, gid=CELL_GID)
    ax.text(-0.5, -0.85, "padded index", fontsize=9, color=PAD_TEXT, va="center")
    # name each region: the padding and the input under the row, what lies past it above
    starts = [0, p, p + i, padded]
    names = ["left\npadding", f"input (i = {i})", "right\npadding"]
    for name, a, b in zip(names, starts[:-1], starts[1:]):
        if b > a:
            ax.text((a + b - 1) / 2, 0.62, name, ha="center", va="top", fontsize=8.5,
                    color="black", linespacing=0.95)
    if width > padded:
        ax.text(width - 0.35, 0, "\u2190 past the end", ha="left", va="center", fontsize=9,
                color=PAD_TEXT)
    # one lane per candidate window
    for n in range(candidates):
        start = n * s
        y = 2.2 + 0.95 * n
        fits = start + k <= padded
        keep = n < kept
        if keep:
            patch = Rectangle((start - 0.45, y - 0.32), k - 0.1, 0.64, facecolor="#fdd0a2",
                              edgecolor=ACCENT, linewidth=2.0)
        else:
            patch = Rectangle((start - 0.45, y - 0.32), k - 0.1, 0.64, facecolor="white",
                              edgecolor="#555555", hatch="xx", linestyle="--", linewidth=1.6)
        ax.add_patch(patch)
        where = _region(start, i, p)
        if fits:
            why = "inside the padded row: kept"
        elif keep:
            why = f"starts in the {where}, hangs over the end: kept"
        else:
            why = f"would start in the {where}: dropped"
        ax.text(text_x, y, f"window {n + 1}, cells {start}\u2013{start + k - 1}: {why}",
                ha="left", va="center", fontsize=9.5, color="black", gid=WINDOW_VERDICT_GID)
    floor = convlab.output_size(i, k, s, p)
    set_title(ax, f"i = {i}, k = {k}, s = {s}, p = {p}: rounding up asks for {candidates} "
                  f"windows, ceil_mode=True keeps {kept} (rounding down: {floor})", fontsize=10.5)
    return ax


# --------------------------------------------------------------------------- 1x1 convolution


def pointwise(image, weight, bias=None, position=(0, 0), ax=None):
    """A 1x1 convolution as a dense layer applied pixel by pixel.

    Left, the input's channels with one pixel outlined; in the middle, that
    pixel's ``C`` channel values (a column), the ``C_out x C`` weight matrix
    and the bias, and the ``C_out`` output values they give, ``y = W x + b``;
    right, the output's channels with the same pixel outlined. Every number is
    computed with ``convlab.conv2d``; the caption writes one output value out.
    The same ``W`` and ``b`` serve every pixel.

    Parameters
    ----------
    image : array_like, shape (C, H, W)
    weight : array_like, shape (C_out, C) or (C_out, C, 1, 1)
    bias : array_like, shape (C_out,), optional
        Zeros when omitted.
    position : (row, col), default (0, 0)
        The pixel whose dense layer is written out.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> x = np.arange(12).reshape(3, 2, 2)            # pixel (1, 0) holds 2, 6, 10
    >>> ax = pointwise(x, [[1, 0, -1], [1, 1, 1]], [0, 1], (1, 0), Figure().subplots())
    >>> [t.get_text() for t in ax.texts if t.get_gid() == POINTWISE_OUTPUT_GID]   # 2 - 10, 18 + 1
    ['\u22128', '19']
    """
    from matplotlib.patches import ConnectionPatch

    x = _as_3d(image, "image")
    w = np.asarray(weight)
    if w.ndim == 4 and w.shape[2:] == (1, 1):
        w = w[:, :, 0, 0]
    w = as_array(w, "weight", 2, what="weight matrix (C_out, C)")
    if w.shape[1] != x.shape[0]:
        raise ValueError(f"weight must have one column per image channel, shape "
                         f"(C_out, {x.shape[0]}), got {w.shape}")
    b = np.zeros(w.shape[0]) if bias is None else as_array(bias, "bias", 1)
    if b.shape != (w.shape[0],):
        raise ValueError(f"bias must have one value per output channel, shape "
                         f"({w.shape[0]},), got {b.shape}")
    r, c = _check_position(position, x.shape[1:])
    y = convlab.conv2d(x[None].astype(float), w[:, :, None, None].astype(float),
                       b.astype(float))[0]
    column = x[:, r, c].astype(float)[:, None]
    out = y[:, r, c][:, None]
    n_in, n_out, (h, wd) = x.shape[0], w.shape[0], x.shape[1:]
    height = n_in * h + (n_in - 1)
    if ax is None:
        ax = _new_axes((0.5 * (2 * wd + w.shape[1] + 14), 0.5 * height + 1.6))
    ax.set_aspect("equal")
    ax.set_axis_off()
    fmt = auto_format(np.concatenate([x.ravel(), y.ravel(), w.ravel(), b]))
    label = dict(ha="center", va="bottom", fontsize=9, color="black")
    # the input channels, stacked, the pixel outlined in each
    in_cmaps, in_names = channel_cmaps(n_in), channel_names(n_in)
    for ch in range(n_in):
        top = ch * (h + 1)
        Cells(ax, x[ch], cmap=in_cmaps[ch], vmin=float(x.min()), vmax=float(x.max()) + 1,
              fmt=fmt, offset=(top, 0), fontsize=8)
        draw_box(ax, top + r, c, 1, 1, linewidth=2.5)
        ax.text((wd - 1) / 2, top - 0.55, f"input channel {in_names[ch]}", **label)
    # the pixel's values x, an arrow through the layer (W and b drawn above it) to y
    mid = (height - 1) / 2
    x_left = wd + 1.5
    x_top = mid - (n_in - 1) / 2
    w_left = x_left + 2
    b_left = w_left + w.shape[1] + 1
    y_left = b_left + 3
    w_top = mid - 1.3 - n_out
    lo, hi = kernel_limits(w)
    Cells(ax, column, cmap="Greys", vmin=float(x.min()), vmax=float(x.max()) + 1, fmt=fmt,
          offset=(x_top, x_left), fontsize=9)
    Cells(ax, w, cmap="RdBu_r", vmin=lo, vmax=hi, fmt=fmt, offset=(w_top, w_left), fontsize=9)
    Cells(ax, b[:, None], cmap="Greys", vmin=float(b.min()) - 1, vmax=float(b.max()) + 4,
          fmt=fmt, offset=(w_top, b_left), fontsize=9)
    cells = Cells(ax, out, cmap="Purples", vmin=float(y.min()), vmax=float(y.max()) + 1,
                  fmt=fmt, offset=(mid - (n_out - 1) / 2, y_left), fontsize=9, zorder=2)
    for t in cells.texts.ravel():
        t.set_gid(POINTWISE_OUTPUT_GID)
    ax.text(w_left + (w.shape[1] - 1) / 2, w_top - 0.6,
            f"W: {n_out}{MULT}{n_in} weights", **label)
    ax.text(b_left, w_top - 0.6, "b", **label)
    ax.text(b_left - 1, w_top + (n_out - 1) / 2, "+", ha="center", va="center", fontsize=12,
            color="black")
    ax.annotate("", xy=(y_left - 0.6, mid), xytext=(x_left + 0.6, mid),
                arrowprops=dict(arrowstyle="-|>", color="black", linewidth=1.4))
    ax.text((x_left + y_left) / 2, mid + 0.35, "y = W x + b", ha="center", va="top",
            fontsize=10, color="black")
    ax.text(x_left, x_top - 0.6, "x", **label)
    ax.text(y_left, mid - (n_out - 1) / 2 - 0.6, "y", **label)
    ax.text((x_left + y_left) / 2, mid + max(n_in, n_out) / 2 + 1.2,
            f"x: the {n_in} channel values of pixel ({r}, {c})\n"
            f"y: its {n_out} output values, one per output channel",
            ha="center", va="top", fontsize=9, color="black")
    # the output channels, stacked, the same pixel outlined
    ox = y_left + 2.5
    out_height = n_out * h + (n_out - 1)
    o_top = mid - (out_height - 1) / 2
    for ch in range(n_out):
        top = o_top + ch * (h + 1)
        Cells(ax, y[ch], cmap="Purples", vmin=float(y.min()), vmax=float(y.max()) + 1,
              fmt=fmt, offset=(top, ox), fontsize=8)
        draw_box(ax, top + r, ox + c, 1, 1, linewidth=2.5)
        ax.text(ox + (wd - 1) / 2, top - 0.55, f"output channel {ch}", **label)
    # lines from the pixel to x, and from y to the pixel
    for ch in range(n_in):
        ax.add_patch(ConnectionPatch((c + 0.5, ch * (h + 1) + r), (x_left - 0.5, x_top + ch),
                                     "data", "data", color="#555555", linewidth=0.8))
    for ch in range(n_out):
        ax.add_patch(ConnectionPatch((y_left + 0.5, mid - (n_out - 1) / 2 + ch), (ox + c - 0.5,
                                     o_top + ch * (h + 1) + r), "data", "data",
                                     color="#555555", linewidth=0.8))
    ax.set_xlim(-0.6, ox + wd - 0.4)
    ax.set_ylim(height - 0.4 + 1.6, -1.9)
    def term(v):
        text = number_label(v, fmt)
        return f"({text})" if v < 0 else text

    terms = " + ".join(f"{term(w[0, k])}{MULT}{term(column[k, 0])}" for k in range(n_in))
    set_title(ax, f"A 1{MULT}1 convolution is a dense layer at every pixel: "
                  f"y[0] = {terms} + {term(b[0])} = {number_label(out[0, 0], fmt)}; "
                  f"the same W and b at all {h * wd} pixels", fontsize=10)
    return ax
