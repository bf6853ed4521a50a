"""What the explorers write beside the pictures: the window·kernel products panel of
one output cell, the output-size formula with the numbers substituted, and the same
call in PyTorch. Strings of HTML; no ipywidgets."""

from __future__ import annotations

import html

import numpy as np

from .render import fmt, grid_html, pre, row

__all__ = ["verdict", "formula", "padded_kinds", "never_visited", "window_mask",
           "window_values", "explain_conv", "info_html", "torch_snippet", "highlight_cell"]


def _sum_text(window, weights, digits=3, limit=49):
    """Write out ``w1*k1 + w2*k2 + ...`` for the explain panel."""
    terms = []
    for value, weight in zip(np.ravel(window), np.ravel(weights)):
        a, b = fmt(value, digits), fmt(weight, digits)
        if float(weight) < 0:
            b = f"({b})"
        if float(value) < 0:
            a = f"({a})"
        terms.append(f"{a}\u00b7{b}")
    if len(terms) > limit:
        terms = terms[:limit] + [f"\u2026 ({len(terms) - limit} more)"]
    return " + ".join(terms)


def verdict(total, core_value):
    """``(agrees, mark)``: whether a hand-written sum equals the core's value, and the
    mark shown for it."""
    ok = bool(np.isclose(total, core_value, rtol=1e-6, atol=1e-9))
    mark = "\u2713 same" if ok else "\u2717 differs"
    return ok, mark


def formula(input_size, kernel_size, stride, before, after, dilation, result, ceil_mode=False):
    """The output-size rule with one axis's numbers substituted.

    ``dilation=None`` writes the rule as notebooks 00-05 teach it,
    ``floor((i + 2p - k) / s) + 1``; an integer writes the dilated kernel's extent
    ``d(k - 1) + 1`` in place of ``k`` (notebook 06 on).
    """
    pad = f"2\u00b7{before}" if before == after else f"{before} + {after}"
    rounding = "ceil" if ceil_mode else "floor"
    if dilation is None:
        extent = f"{kernel_size}"
    else:
        extent = f"({dilation}\u00b7({kernel_size}\u22121) + 1)"
    return f"{rounding}(({input_size} + {pad} \u2212 {extent}) / {stride}) + 1 = {result}"


def padded_kinds(shape, pads, extra=(0, 0)):
    """Cell kinds of an input of ``shape`` padded by ``pads`` (plus ``extra`` outside cells)."""
    (top, bottom), (left, right) = pads
    height = shape[0] + top + bottom + extra[0]
    width = shape[1] + left + right + extra[1]
    kinds = np.full((height, width), "pad", dtype=object)
    kinds[top:top + shape[0], left:left + shape[1]] = "in"
    kinds[shape[0] + top + bottom:, :] = "outside"
    kinds[:, shape[1] + left + right:] = "outside"
    return kinds


def never_visited(kinds, result_shape, kernel_size, stride):
    """Mark the input cells no window reaches.

    Parameters
    ----------
    kinds : ndarray of str, shape (H, W)
        Cell kinds of the (padded) canvas, from :func:`padded_kinds`.
    result_shape : tuple of int
        The output's shape: output cell (r, c)'s window starts at
        ``(r * stride, c * stride)`` of the canvas.
    kernel_size, stride : int
        The window's side and step (the same on both axes).

    Returns
    -------
    kinds : ndarray of str
        ``kinds`` with every 'in' cell that no window covers marked 'skip'.
    unvisited : ndarray of bool
        True on every canvas cell outside every window.

    Examples
    --------
    >>> kinds, unvisited = never_visited(padded_kinds((3, 3), ((0, 0), (0, 0))), (1, 1), 2, 2)
    >>> kinds[:, 2].tolist(), int(unvisited.sum())
    (['skip', 'skip', 'skip'], 5)
    """
    rows_seen = np.zeros(kinds.shape[0], dtype=bool)
    cols_seen = np.zeros(kinds.shape[1], dtype=bool)
    for r in range(result_shape[0]):
        rows_seen[r * stride:r * stride + kernel_size] = True
    for c in range(result_shape[1]):
        cols_seen[c * stride:c * stride + kernel_size] = True
    unvisited = ~(rows_seen[:, None] & cols_seen[None, :])
    return np.where((kinds == "in") & unvisited, "skip", kinds), unvisited


def _taps(r, c, kernel_hw, stride, dilation):
    rows = r * stride[0] + dilation[0] * np.arange(kernel_hw[0])
    cols = c * stride[1] + dilation[1] * np.arange(kernel_hw[1])
    return np.ix_(rows, cols)


def window_mask(shape, r, c, kernel_hw, stride, dilation):
    """Boolean mask of the taps of output cell (r, c) in padded-input coordinates."""
    mask = np.zeros(shape, dtype=bool)
    mask[_taps(r, c, kernel_hw, stride, dilation)] = True
    return mask


def window_values(padded, r, c, kernel_hw, stride, dilation):
    """The values under the taps of output cell (r, c)."""
    return padded[_taps(r, c, kernel_hw, stride, dilation)]


def highlight_cell(shape, r, c):
    """A boolean mask of ``shape`` with only cell (r, c) set."""
    mask = np.zeros(shape, dtype=bool)
    mask[r, c] = True
    return mask


def explain_conv(padded, kinds, kernel, r, c, stride, dilation, core_value, digits=2,
                 flipped=False, state=None, label="output"):
    """The explain panel for one convolution output cell; fills ``state``."""
    window = window_values(padded, r, c, kernel.shape, stride, dilation)
    wkinds = window_values(kinds, r, c, kernel.shape, stride, dilation)
    products = window * kernel
    total = float(products.sum())
    ok, mark = verdict(total, core_value)
    if state is not None:
        state.update(cell=(r, c), window=window, weights=kernel, products=products,
                     explained_sum=total, cell_value=float(core_value), explain_ok=ok)
    kname = "flipped kernel" if flipped else "kernel"
    grids = row(
        grid_html(window, kinds=wkinds, digits=digits, title="input window"),
        "\u2299",
        grid_html(kernel, cmap="Oranges", digits=digits, title=kname),
        "=",
        grid_html(products, cmap="Greens", digits=digits, title="products"),
    )
    text = (f'<div style="font:12px monospace;margin-top:4px">{label}[{r}, {c}] = '
            f"{_sum_text(window, kernel, digits + 1)}<br>= <b>{fmt(total, 4)}</b>"
            f'  (the core computes <b class="convlab-explain-value" data-value="{float(core_value)!r}">'
            f"{fmt(core_value, 4)}</b>: {mark})</div>")
    return grids + text


def info_html(shape_text, formulas, torch_text):
    """The info panel: the output shape, the formulas and the PyTorch snippet."""
    parts = [f'<div style="font:13px sans-serif"><b>output shape:</b> '
             f'<span class="convlab-shape">{html.escape(shape_text)}</span></div>']
    for f in formulas:
        parts.append(f'<div style="font:12px monospace" class="convlab-formula">'
                     f"{html.escape(f)}</div>")
    parts.append('<div style="font:12px sans-serif;margin-top:4px"><b>the same in PyTorch:</b>'
                 "</div>" + pre(torch_text))
    return "".join(parts)


def torch_snippet(setup, call, shape, extra=""):
    """A runnable PyTorch snippet: imports, ``setup`` lines, ``y = call`` and its shape."""
    lines = ["import torch", "import torch.nn.functional as F"] + setup + [f"y = {call}"]
    if extra:
        lines.append(extra)
    lines.append(f"y.shape  # torch.Size({list(shape)})")
    return "\n".join(lines)
