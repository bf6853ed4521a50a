"""Grid artists shared by :mod:`convlab.draw` and :mod:`convlab.animate` (internal).

A grid of labelled, coloured cells (:class:`Cells`, kept so an animation can
update it in place), the axes framing it, boxes, titles, number labels and the
texts that write out a window's sum. Not part of the public API: draw and
animate import it; learners use :mod:`convlab.draw`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ACCENT", "CELL_GID", "EDGE", "PAD_FACE", "PAD_HATCH", "PAD_TEXT", "CHANNEL_CMAPS",
           "MULT", "white_background", "auto_format", "number_label", "Cells", "frame_axes",
           "draw_box", "set_title",
           "kernel_limits", "channel_cmaps", "channel_names", "products_text", "pool_text"]

#: Outline colour for the current window and the cell it fills (reads on white and on Blues).
ACCENT = "#e6550d"
#: gid of every Text artist that writes a cell's value.
CELL_GID = "convlab-cell"
EDGE = "#7f7f7f"
PAD_FACE = "#ececec"
PAD_HATCH = "#b0b0b0"
PAD_TEXT = "#555555"
CHANNEL_CMAPS = ("Reds", "Greens", "Blues")
MULT = "\u00d7"


def white_background(fig):
    """Opaque white background, so dark notebook themes do not swallow black text."""
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    return fig


def auto_format(values):
    """A format string that shows every value of ``values`` compactly.

    Integers (and integral floats) print without decimals; other values get
    two decimals, or one when any magnitude reaches 100.

    >>> auto_format(np.array([1.0, -2.0, 3.0]))
    '{:.0f}'
    >>> auto_format(np.array([0.5, 1/9]))
    '{:.2f}'
    """
    arr = np.asarray(values, dtype=float)
    finite = arr[np.isfinite(arr)]
    if finite.size == 0 or np.all(finite == np.round(finite)):
        return "{:.0f}"
    if np.max(np.abs(finite)) >= 100:
        return "{:.1f}"
    return "{:.2f}"


def number_label(value, fmt):
    """``value`` written with ``fmt``, a real minus sign and never "-0"."""
    value = float(value)
    if value == 0:
        value = 0.0  # never print "-0"
    text = fmt.format(value)
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace("-", "\u2212")


def _contrast(rgba):
    """Black on light cells, white on dark ones (relative luminance, sRGB weights)."""
    r, g, b = rgba[:3]
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


def _cell_points(ax, nrows, ncols):
    """Size of one cell in points, from the axes' current place in its figure."""
    ax.apply_aspect()
    pos = ax.get_position()
    w_in, h_in = ax.figure.get_size_inches()
    return pos.width * w_in * 72 / ncols, pos.height * h_in * 72 / nrows


def _auto_fontsize(ax, nrows, ncols, labels, *, offset=(0, 0), extent=None):
    """Largest font (4..14 pt) whose widest label fits a cell."""
    rows, cols = extent if extent is not None else (nrows, ncols)
    cw, ch = _cell_points(ax, rows, cols)
    longest = max((len(t) for t in labels), default=1)
    size = min(ch * 0.42, cw * 0.82 / (0.62 * max(longest, 1)))
    return float(np.clip(size, 4.0, 14.0))


class Cells:
    """The artists of one drawn grid, kept so animations can update them in place."""

    def __init__(self, ax, values, *, cmap, vmin=None, vmax=None, fmt=None, fontsize=None, pad_mask=None,
                 offset=(0, 0), visible=None, text_colors=None, zorder=1):
        from matplotlib.colors import Normalize
        from matplotlib.patches import Rectangle
        import matplotlib as mpl

        self.ax = ax
        self.values = np.asarray(values, dtype=float)
        self.offset = offset
        nrows, ncols = self.values.shape
        r0, c0 = offset
        self.fmt = fmt or auto_format(self.values)
        finite = self.values[np.isfinite(self.values)]
        lo = vmin if vmin is not None else (finite.min() if finite.size else 0.0)
        hi = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
        if hi == lo:
            lo, hi = lo - 1.0, hi + 1.0
        base = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
        # blank cells are transparent: the axes' white face and the grid lines show through
        self.cmap = base.with_extremes(bad=(1.0, 1.0, 1.0, 0.0))
        self.norm = Normalize(lo, hi)
        self.pad_mask = (np.zeros(self.values.shape, bool) if pad_mask is None
                         else np.asarray(pad_mask, bool))
        self.visible = (np.ones(self.values.shape, bool) if visible is None
                        else np.asarray(visible, bool).copy())
        extent = (c0 - 0.5, c0 + ncols - 0.5, r0 + nrows - 0.5, r0 - 0.5)
        self.image = ax.imshow(self._masked(), cmap=self.cmap, norm=self.norm, extent=extent,
                               interpolation="nearest", origin="upper", zorder=zorder)
        for r, c in zip(*np.nonzero(self.pad_mask)):
            ax.add_patch(Rectangle((c0 + c - 0.5, r0 + r - 0.5), 1, 1, facecolor=PAD_FACE,
                                   edgecolor=PAD_HATCH, hatch="///", linewidth=0,
                                   zorder=zorder + 0.1))
        xs = np.arange(ncols + 1) + c0 - 0.5
        ys = np.arange(nrows + 1) + r0 - 0.5
        self.lines = [
            ax.vlines(xs, ys[0], ys[-1], colors=EDGE, linewidths=0.8, zorder=zorder + 0.2),
            ax.hlines(ys, xs[0], xs[-1], colors=EDGE, linewidths=0.8, zorder=zorder + 0.2),
        ]
        labels = [number_label(v, self.fmt) for v in self.values.ravel()]
        if fontsize is None:
            fontsize = _auto_fontsize(ax, nrows, ncols, labels,
                                      extent=_axes_extent_cells(ax))
        self.fontsize = fontsize
        self.texts = np.empty(self.values.shape, dtype=object)
        for k, (r, c) in enumerate(np.ndindex(*self.values.shape)):
            if self.pad_mask[r, c]:
                color = PAD_TEXT
            elif text_colors is not None:
                color = text_colors
            else:
                color = _contrast(self.cmap(self.norm(self.values[r, c])))
            t = ax.text(c0 + c, r0 + r, labels[k], ha="center", va="center", color=color,
                        fontsize=fontsize, zorder=zorder + 0.3, gid=CELL_GID)
            t.set_visible(bool(self.visible[r, c]))
            self.texts[r, c] = t

    def _masked(self):
        return np.ma.masked_array(self.values, mask=~self.visible | self.pad_mask)

    def show_only(self, visible):
        """Show the cells where ``visible`` is True, blank the others."""
        self.visible = np.asarray(visible, bool).copy()
        self.image.set_data(self._masked())
        for (r, c), t in np.ndenumerate(self.texts):
            t.set_visible(bool(self.visible[r, c]))


def _axes_extent_cells(ax):
    """The (rows, cols) span of the axes' data limits in cells."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return abs(y1 - y0), abs(x1 - x0)


def frame_axes(ax, nrows, ncols, *, offset=(0, 0), margin=0.06):
    """Limits that show an ``nrows x ncols`` grid (plus a hair, so edge lines are not clipped)."""
    r0, c0 = offset
    ax.set_xlim(c0 - 0.5 - margin, c0 + ncols - 0.5 + margin)
    ax.set_ylim(r0 + nrows - 0.5 + margin, r0 - 0.5 - margin)
    ax.set_aspect("equal")
    ax.set_facecolor("white")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def draw_box(ax, top, left, height, width, *, color=ACCENT, linewidth=3.0, zorder=5, linestyle="-"):
    """Outline the cells [top, top+height) x [left, left+width); returns the patch."""
    from matplotlib.patches import Rectangle

    patch = Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor=color,
                      linewidth=linewidth, zorder=zorder, linestyle=linestyle)
    ax.add_patch(patch)
    return patch


def set_title(ax, text, fontsize=11):
    """A black title a little above the axes."""
    ax.set_title(text, fontsize=fontsize, color="black", pad=6)


def kernel_limits(kernel):
    """Symmetric colour limits for a kernel (or products) on a diverging colormap."""
    # 1.6x the largest magnitude: diverging colours stay soft, so labels read in every cell
    m = 1.6 * (float(np.max(np.abs(kernel))) or 1.0)
    return -m, m


def channel_cmaps(n):
    """A colormap per channel: red, green, blue for three channels, grey otherwise."""
    if n == 3:
        return list(CHANNEL_CMAPS)
    return ["Greys"] * n


def channel_names(n):
    """Channel names: R, G, B for three channels, ``ch 0``, ``ch 1``, ... otherwise."""
    return ["R", "G", "B"] if n == 3 else [f"ch {c}" for c in range(n)]


def products_text(window_values, kernel, total, fmt_window=None, fmt_kernel=None, fmt_total=None):
    """The sum of products written out, one line per kernel row.

    >>> print(products_text(np.array([[1, 2], [3, 4]]), np.array([[0, 1], [1, 0]]), 5))
    1×0 + 2×1 +
    3×1 + 4×0 = 5
    """
    window_values = np.asarray(window_values, float)
    kernel = np.asarray(kernel, float)
    fw = fmt_window or auto_format(window_values)
    fk = fmt_kernel or auto_format(kernel)
    ft = fmt_total or auto_format(np.array([total]))
    lines = []
    for a in range(kernel.shape[0]):
        terms = []
        for b in range(kernel.shape[1]):
            k = number_label(kernel[a, b], fk)
            if k.startswith("\u2212"):
                k = f"({k})"
            terms.append(f"{number_label(window_values[a, b], fw)}{MULT}{k}")
        lines.append(" + ".join(terms))
    return " +\n".join(lines) + f" = {number_label(total, ft)}"


def pool_text(window_values, result, mode):
    """``max(…) = m`` or ``(a + b + …) / n = m`` for one pooling window.

    >>> pool_text(np.array([[1, 3], [4, 2]]), 4, "max")
    'max(1, 3, 4, 2) = 4'
    >>> pool_text(np.array([[1, 3], [4, 2]]), 2.5, "avg")
    '(1 + 3 + 4 + 2) / 4 = 2.50'
    """
    window_values = np.asarray(window_values, float)
    fw = auto_format(window_values)
    vals = [number_label(v, fw) for v in window_values.ravel()]
    if mode == "max":
        return f"max({', '.join(vals)}) = {number_label(result, auto_format(np.array([result])))}"
    return f"({' + '.join(vals)}) / {window_values.size} = {number_label(result, '{:.2f}')}"
