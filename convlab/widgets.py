"""Interactive explorers: sliders and dropdowns in front of the numeric core.

Each ``*_explorer`` function builds one widget that closes over its data and
returns it, ready to display in a notebook. Every number an explorer shows is
computed by convlab's core (:func:`convlab.correlate2d`, :func:`convlab.pad2d`,
:func:`convlab.output_size`, ...) at the moment a control moves; this module
only lays the numbers out.

One rendering engine serves all explorers, and it never builds a matplotlib
figure per move (that costs 80-160 ms): pictures are arrays turned into PNG
bytes through a cached colour lookup table and Pillow, and small number grids
are HTML tables. One control change costs a few milliseconds
(``bench/bench_widgets.py`` measures it in a real kernel).

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

Only APIs shared by ipywidgets 7.7 (Colab) and 8 (JupyterLab 4) are used.
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import math
from fractions import Fraction

import numpy as np

import convlab
from convlab import kernels as _gallery
from convlab.padding import resolve_padding as _resolve_padding

__all__ = [
    "kernel_explorer",
    "stride_explorer",
    "filter_explorer",
    "pooling_explorer",
    "padding_explorer",
    "arithmetic_explorer",
    "learning_explorer",
    "transposed_explorer",
]

_HIGHLIGHT = (230, 85, 13)        # the window / selected cell, orange
_GRID_CMAP = "Blues"
_PHOTO_SIDE = 96                  # photographs are shown at most this many pixels a side
_VIEW_PX = 240                    # on-screen size of a picture, in screen pixels
# (PNG encoding is most of a move's cost: a 96-pixel photograph is upscaled 2x, not 3x.)


# --------------------------------------------------------------------------- rendering engine

@functools.lru_cache(maxsize=None)
def _lut(name):
    """256x3 uint8 colour table of a matplotlib colormap, made once."""
    import matplotlib

    table = matplotlib.colormaps[name](np.linspace(0.0, 1.0, 256))[:, :3]
    return np.round(table * 255).astype(np.uint8)


def _limits(values, vmin=None, vmax=None, symmetric=False):
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    low = float(finite.min()) if vmin is None else float(vmin)
    high = float(finite.max()) if vmax is None else float(vmax)
    if symmetric:
        bound = max(abs(low), abs(high)) or 1.0
        return -bound, bound
    if high <= low:
        high = low + 1.0
    return low, high


def _indices(values, low, high):
    scaled = (np.nan_to_num(values, nan=low, posinf=high, neginf=low) - low) / (high - low)
    return np.clip(scaled * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _colorize(values, cmap="gray", vmin=None, vmax=None, symmetric=False):
    """(H, W) numbers -> (H, W, 3) uint8 colours through the cached table."""
    values = np.asarray(values, dtype=float)
    low, high = _limits(values, vmin, vmax, symmetric)
    return _lut(cmap)[_indices(values, low, high)]


def _auto_colorize(values):
    """Grey from the smallest (black) to the largest value (white)."""
    return _colorize(values, "gray")


def _scale_for(shape, view=_VIEW_PX):
    return max(1, int(view // max(shape[0], shape[1])))


def _upscale(rgb, factor):
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1)


def _draw_box(big, top, left, height, width, factor, color=_HIGHLIGHT, thickness=2):
    """Outline cells [top, top+height) x [left, left+width) of an upscaled picture, in place.

    The line is drawn just outside the cells, so the pixels inside stay visible.
    """
    t = thickness
    y0, x0 = top * factor - t, left * factor - t
    y1, x1 = (top + height) * factor + t, (left + width) * factor + t
    rows, cols = big.shape[:2]
    ya, xa, yb, xb = max(y0, 0), max(x0, 0), min(y1, rows), min(x1, cols)
    if yb <= ya or xb <= xa:
        return big
    if y0 >= 0:
        big[y0:y0 + t, xa:xb] = color
    if y1 <= rows:
        big[y1 - t:y1, xa:xb] = color
    if x0 >= 0:
        big[ya:yb, x0:x0 + t] = color
    if x1 <= cols:
        big[ya:yb, x1 - t:x1] = color
    return big


def _png(rgb):
    """(H, W, 3) uint8 -> PNG bytes (fast, lightly compressed)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8)).save(
        buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _picture(values, *, boxes=(), rgb=None, view=_VIEW_PX):
    """Numbers (or ready colours) -> upscaled PNG bytes, with optional outlined boxes.

    ``boxes`` holds ``(top, left, height, width)`` in cell units.
    """
    colours = _auto_colorize(values) if rgb is None else rgb
    factor = _scale_for(colours.shape, view)
    big = _upscale(colours, factor)
    for top, left, height, width in boxes:
        _draw_box(big, top, left, height, width, factor)
    return _png(big)


def _fmt(value, digits=3):
    """A number as a short, readable string (integers without a decimal point)."""
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "\u2212\u221e" if value < 0 else "\u221e"
    if value.is_integer() and abs(value) < 1e12:
        text = str(int(value))
    else:
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    return text.replace("-", "\u2212")


_CELL = ("width:{px}px;height:{px}px;min-width:{px}px;text-align:center;vertical-align:middle;"
         "padding:0;font:11px monospace;")
_KIND_STYLE = {
    "in": "border:1px solid #bbb;",
    "pad": "background:repeating-linear-gradient(45deg,#eee,#eee 3px,#ddd 3px,#ddd 6px);"
           "color:#555;font-style:italic;border:1px dashed #888;",
    "outside": "background:#fff;color:#bbb;border:1px dotted #ccc;",
    "skip": "background:repeating-linear-gradient(45deg,#fdd,#fdd 3px,#f99 3px,#f99 6px);"
            "color:#900;border:2px solid #c00;",
    "zero": "background:#fff8d6;color:#a08a3c;border:1px dashed #c9b458;",   # inserted zero
}


def _grid_html(values, *, kinds=None, highlight=None, dim=None, cmap=_GRID_CMAP, px=26,
               digits=2, css="", title=None):
    """An HTML table of numbers, cells coloured by value.

    ``kinds`` marks cells 'in' (input), 'pad' (padding, hatched), 'outside'
    (beyond the padded input), 'skip' (input never visited, hatched red) or
    'zero' (a zero inserted between input pixels, pale yellow);
    ``highlight`` is a boolean mask outlined in orange; ``dim`` fades cells.
    """
    values = np.asarray(values, dtype=float)
    height, width = values.shape
    if kinds is None:
        kinds = np.full(values.shape, "in", dtype=object)
    real = (kinds == "in") | (kinds == "skip")
    low, high = _limits(values[real] if real.any() else values)
    # Only the lighter two thirds of the colormap, so the numbers stay readable.
    colours = _lut(cmap)[_indices(np.clip(values, low, high), low, high + (high - low) * 0.35)]
    light = colours @ np.array([0.299, 0.587, 0.114]) > 140
    texts = [[_fmt(v, digits) for v in line] for line in values.tolist()]
    longest = max(len(t) for line in texts for t in line)
    base = _CELL.format(px=max(px, 7 * longest + 6))
    mark = "box-shadow:inset 0 0 0 3px rgb({},{},{});font-weight:bold;".format(*_HIGHLIGHT)
    rows = []
    for i in range(height):
        cells = []
        for j in range(width):
            kind = kinds[i, j]
            style = base + _KIND_STYLE[kind]
            if kind == "in":
                r, g, b = colours[i, j].tolist()
                style += f"background:rgb({r},{g},{b});color:{'#000' if light[i, j] else '#fff'};"
            if dim is not None and dim[i, j]:
                style += "opacity:0.35;"
            if highlight is not None and highlight[i, j]:
                style += mark
            text = "\u00b7" if kind == "outside" else texts[i][j]
            cells.append(f'<td style="{style}">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = (f'<caption style="caption-side:top;font:12px sans-serif;padding:2px">'
               f"{html.escape(title)}</caption>" if title else "")
    return (f'<table class="convlab-grid {css}" style="border-collapse:collapse;'
            f'margin:2px">{caption}' + "".join(rows) + "</table>")


def _row(*parts, gap=14):
    return (f'<div style="display:flex;flex-wrap:wrap;gap:{gap}px;align-items:center">'
            + "".join(f"<div>{p}</div>" for p in parts) + "</div>")


def _sum_text(window, weights, digits=3, limit=49):
    """Write out ``w1*k1 + w2*k2 + ...`` for the explain panel."""
    terms = []
    for value, weight in zip(np.ravel(window), np.ravel(weights)):
        a, b = _fmt(value, digits), _fmt(weight, digits)
        if float(weight) < 0:
            b = f"({b})"
        if float(value) < 0:
            a = f"({a})"
        terms.append(f"{a}\u00b7{b}")
    if len(terms) > limit:
        terms = terms[:limit] + [f"\u2026 ({len(terms) - limit} more)"]
    return " + ".join(terms)


def _verdict(total, core_value):
    ok = bool(np.isclose(total, core_value, rtol=1e-6, atol=1e-9))
    mark = "\u2713 same" if ok else "\u2717 differs"
    return ok, mark


def _formula(input_size, kernel_size, stride, before, after, dilation, result, ceil_mode=False):
    """The output-size rule with this axis's numbers substituted."""
    pad = f"2\u00b7{before}" if before == after else f"{before} + {after}"
    rounding = "ceil" if ceil_mode else "floor"
    return (f"{rounding}(({input_size} + {pad} \u2212 {dilation}\u00b7({kernel_size}\u22121) "
            f"\u2212 1) / {stride}) + 1 = {result}")


def _pre(text, css="convlab-code"):
    return (f'<pre class="{css}" style="font:12px monospace;background:#f6f6f6;padding:6px;'
            f'margin:2px 0;white-space:pre-wrap">{html.escape(text)}</pre>')


def _message_html(text):
    return ('<div style="color:#8a1c00;background:#fff3ee;border:1px solid #e6550d;'
            f'padding:8px;font:13px sans-serif">\u26a0 {html.escape(str(text))}</div>')


def _int_arg(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return int(value)


# --------------------------------------------------------------------------- widget plumbing

def _w():
    import ipywidgets

    return ipywidgets


def _slider(description, value, low, high):
    w = _w()
    return w.IntSlider(value=value, min=low, max=high, step=1, description=description,
                       continuous_update=True, style={"description_width": "initial"},
                       layout=w.Layout(width="260px"))


def _int_sliders(**spec):
    """Sliders from ``key=(label, value, low, high)``, each starting value checked first.

    The bounds are written once: they are both the argument check and the
    slider's range, so an explorer can never start outside what it can show.
    """
    values = {key: _int_arg(value, key, low, high)
              for key, (label, value, low, high) in spec.items()}
    return {key: _slider(label, values[key], low, high)
            for key, (label, _, low, high) in spec.items()}


def _dropdown(description, options, value, width="260px"):
    w = _w()
    return w.Dropdown(options=options, value=value, description=description,
                      style={"description_width": "initial"}, layout=w.Layout(width=width))


def _html(css):
    w = _w()
    widget = w.HTML(value="")
    widget.add_class(css)
    return widget


def _image(css="convlab-output"):
    w = _w()
    widget = w.Image(value=b"", format="png", layout=w.Layout(margin="2px"))
    widget.add_class(css)
    return widget


def _show(widget, visible):
    widget.layout.display = "" if visible else "none"


def _beside(controls, panel):
    """The controls column with a panel to its right; the panel wraps below when too wide.

    The column never shrinks below its controls' width, so a long formula in the
    panel cannot squeeze the sliders until their values are cut off.
    """
    w = _w()
    if not isinstance(controls, w.Widget):
        controls = w.VBox(list(controls))
    controls.layout.flex = "0 0 auto"
    return w.HBox([controls, panel], layout=w.Layout(flex_flow="row wrap"))


def _assemble(name, title, controls, outputs, body, update, state):
    """Name the controls, wire them to ``update`` and return the finished explorer."""
    w = _w()
    for key, control in controls.items():
        control.add_class("convlab-control")
        control.add_class(f"convlab-control-{key.replace('_', '-')}")
    for key, display in outputs.items():
        display.add_class(f"convlab-display-{key.replace('_', '-')}")
    busy = [False]

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
                for control in controls.values():
                    held.enter_context(control.hold_sync())
                update()
        finally:
            busy[0] = False

    for control in controls.values():
        control.observe(on_change, names="value")
    header = w.HTML(value=f'<b style="font:14px sans-serif">{html.escape(title)}</b>')
    box = w.VBox([header] + body)
    box.add_class("convlab-explorer")
    box.add_class(f"convlab-{name}")
    box.controls = controls
    box.outputs = outputs
    box.state = state
    on_change(None)
    return box


def _cell_sliders(state_shape=(1, 1)):
    row = _slider("explain output row", 0, 0, max(0, state_shape[0] - 1))
    col = _slider("explain output col", 0, 0, max(0, state_shape[1] - 1))
    return row, col


def _pick_cell(row, col, shape):
    """Fit the explain sliders to the output shape and read the chosen cell."""
    for slider, size in ((row, shape[0]), (col, shape[1])):
        slider.disabled = False
        if slider.max != size - 1:
            if slider.value > size - 1:
                slider.value = size - 1
            slider.max = size - 1
    return row.value, col.value


def _disable(*sliders):
    for slider in sliders:
        slider.disabled = True


# --------------------------------------------------------------------------- data

def _teaching_grid(height, width, seed=0, low=0, high=9):
    """Small integers a learner can multiply in their head (seeded: same every run)."""
    rng = np.random.default_rng(seed)
    return rng.integers(low, high + 1, size=(height, width)).astype(float)


def _teaching_kernel(size, seed=1):
    rng = np.random.default_rng(seed + 100 * size)
    kernel = rng.integers(-1, 3, size=(size, size)).astype(float)
    return kernel


def _photograph(image=None, color=False):
    """The sample photograph (or the learner's image), small enough to be quick.

    Returns float64 ``(H, W)`` or ``(3, H, W)`` in [0, 1] (when the source is 8-bit).
    """
    if image is None:
        from convlab import images

        return images.photograph(rgb=color, size=_PHOTO_SIDE)
    array = np.asarray(image)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == bool):
        raise TypeError(f"image must be a numeric array, got dtype {array.dtype}")
    if array.ndim == 3 and array.shape[-1] in (3, 4) and array.shape[0] not in (3, 4):
        array = np.moveaxis(array[..., :3], -1, 0)
    if array.ndim == 3 and array.shape[0] == 4:
        array = array[:3]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[0] not in (1, 3)):
        raise ValueError("image must have shape (H, W), (H, W, 3) or (3, H, W), "
                         f"got {array.shape}")
    if min(array.shape[-2:]) < 8:
        raise ValueError(f"image must be at least 8x8 pixels, got {array.shape[-2:]}")
    array = array.astype(float)
    if np.issubdtype(np.asarray(image).dtype, np.integer) or array.max() > 1.0:
        array = array / 255.0
    if array.ndim == 3 and array.shape[0] == 1:
        array = array[0]
    side = max(array.shape[-2:])
    if side > _PHOTO_SIDE:
        factor = int(np.ceil(side / _PHOTO_SIDE))
        # Shrink with the core's own average pooling, so no number comes from elsewhere.
        array = convlab.avg_pool2d(array, factor)
    if color and array.ndim == 2:
        array = np.stack([array] * 3)
    if not color and array.ndim == 3:
        array = array.mean(axis=0)
    return array


def _parse_kernel(text):
    """'1 0 -1; 2 0 -2' or lines of numbers -> 2-D float array (fractions like 1/9 allowed)."""
    text = text.replace("\u2212", "-").replace(";", "\n")
    rows = [r for r in text.splitlines() if r.strip()]
    if not rows:
        raise ValueError("the kernel is empty: type rows of numbers, one row per line")
    table = []
    for r in rows:
        try:
            table.append([float(Fraction(t)) for t in r.replace(",", " ").split()])
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"could not read the kernel row {r.strip()!r}: use numbers "
                             "separated by spaces, like 1 0 -1") from None
    widths = {len(r) for r in table}
    if len(widths) != 1:
        raise ValueError(f"every kernel row needs the same number of values, got rows of "
                         f"{sorted(widths)} values")
    kernel = np.array(table, dtype=float)
    if max(kernel.shape) > 9:
        raise ValueError(f"keep the kernel at most 9x9 here, got {kernel.shape[0]}x"
                         f"{kernel.shape[1]}")
    return kernel


def _kernel_text(kernel):
    return "\n".join(" ".join(_fmt(v, 4).replace("\u2212", "-") for v in row) for row in kernel)


def _padded_kinds(shape, pads, extra=(0, 0)):
    """Cell kinds of an input of ``shape`` padded by ``pads`` (plus ``extra`` outside cells)."""
    (top, bottom), (left, right) = pads
    height = shape[0] + top + bottom + extra[0]
    width = shape[1] + left + right + extra[1]
    kinds = np.full((height, width), "pad", dtype=object)
    kinds[top:top + shape[0], left:left + shape[1]] = "in"
    kinds[shape[0] + top + bottom:, :] = "outside"
    kinds[:, shape[1] + left + right:] = "outside"
    return kinds


def _window_mask(shape, r, c, kernel_hw, stride, dilation):
    """Boolean mask of the taps of output cell (r, c) in padded-input coordinates."""
    mask = np.zeros(shape, dtype=bool)
    rows = r * stride[0] + dilation[0] * np.arange(kernel_hw[0])
    cols = c * stride[1] + dilation[1] * np.arange(kernel_hw[1])
    mask[np.ix_(rows, cols)] = True
    return mask


def _window(padded, r, c, kernel_hw, stride, dilation):
    rows = r * stride[0] + dilation[0] * np.arange(kernel_hw[0])
    cols = c * stride[1] + dilation[1] * np.arange(kernel_hw[1])
    return padded[np.ix_(rows, cols)]


def _explain_conv(padded, kinds, kernel, r, c, stride, dilation, core_value, digits=2,
                  flipped=False, state=None, label="output"):
    """The explain panel for one convolution output cell; fills ``state``."""
    window = _window(padded, r, c, kernel.shape, stride, dilation)
    wkinds = _window(kinds, r, c, kernel.shape, stride, dilation)
    products = window * kernel
    total = float(products.sum())
    ok, mark = _verdict(total, core_value)
    if state is not None:
        state.update(cell=(r, c), window=window, weights=kernel, products=products,
                     explained_sum=total, cell_value=float(core_value), explain_ok=ok)
    kname = "flipped kernel" if flipped else "kernel"
    grids = _row(
        _grid_html(window, kinds=wkinds, digits=digits, title="input window"),
        "\u2299",
        _grid_html(kernel, cmap="Oranges", digits=digits, title=kname),
        "=",
        _grid_html(products, cmap="Greens", digits=digits, title="products"),
    )
    text = (f'<div style="font:12px monospace;margin-top:4px">{label}[{r}, {c}] = '
            f"{_sum_text(window, kernel, digits + 1)}<br>= <b>{_fmt(total, 4)}</b>"
            f'  (the core computes <b class="convlab-explain-value" data-value="{float(core_value)!r}">'
            f"{_fmt(core_value, 4)}</b>: {mark})</div>")
    return grids + text


def _info_html(shape_text, formulas, torch_text):
    parts = [f'<div style="font:13px sans-serif"><b>output shape:</b> '
             f'<span class="convlab-shape">{html.escape(shape_text)}</span></div>']
    for f in formulas:
        parts.append(f'<div style="font:12px monospace" class="convlab-formula">'
                     f"{html.escape(f)}</div>")
    parts.append('<div style="font:12px sans-serif;margin-top:4px"><b>the same in PyTorch:</b>'
                 "</div>" + _pre(torch_text))
    return "".join(parts)


def _torch_snippet(setup, call, shape, extra=""):
    lines = ["import torch", "import torch.nn.functional as F"] + setup + [f"y = {call}"]
    if extra:
        lines.append(extra)
    lines.append(f"y.shape  # torch.Size({list(shape)})")
    return "\n".join(lines)


def _kw(**pairs):
    return "".join(f", {k}={v!r}" for k, v in pairs.items() if v is not None)


# --------------------------------------------------------------------------- kernel explorer

_CUSTOM = "custom (type below)"


def _is_gallery_kernel(typed, name):
    """Whether typed kernel numbers (parsed; None if unreadable) are gallery kernel
    ``name``, to the 4 decimals the numbers box shows."""
    kernel = _gallery.get(name)
    return (typed is not None and typed.shape == kernel.shape
            and bool(np.allclose(typed, kernel, rtol=0, atol=5e-5)))


def kernel_explorer(image=None):
    """Slide a kernel over a photograph or a small grid and explain any output pixel.

    Pick a kernel from :mod:`convlab.kernels` or type its numbers, apply it as
    cross-correlation (what deep-learning "convolution" does) or as true
    convolution (kernel flipped), and choose an output cell to see the sum of
    products behind it.

    Parameters
    ----------
    image : array_like, shape (H, W), (H, W, 3) or (3, H, W), optional
        Your own picture; colour is averaged to grey and large pictures are
        shrunk (by average pooling) to at most 96 pixels a side. Defaults to
        the sample photograph.

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``.controls``, ``.outputs`` and ``.state`` expose its parts.

    Examples
    --------
    >>> explorer = kernel_explorer()
    >>> explorer.controls["kernel"].value = "sharpen"
    >>> explorer.state["error"] is None
    True
    """
    photo = _photograph(image)
    grid = np.zeros((8, 8))
    grid[1:6, 2:4] = 9.0      # an asymmetric shape, so a flipped kernel visibly differs
    grid[4:6, 4:7] = 9.0
    grid[6, 1] = 5.0
    names = list(_gallery.names())
    first = "sobel_x" if "sobel_x" in names else names[0]
    controls = {
        "kernel": _dropdown("kernel", names + [_CUSTOM], first),
        # Applied when the learner clicks outside the box, not at every keystroke
        # (a half-typed row would flash an error message).
        "numbers": _w().Textarea(value=_kernel_text(_gallery.get(first)),
                                 description="numbers", continuous_update=False,
                                 layout=_w().Layout(width="260px", height="90px")),
        "source": _dropdown("input", ["photograph", "small grid"], "small grid"),
        "operation": _dropdown("operation", ["cross-correlation (deep learning)",
                                             "true convolution (kernel flipped)"],
                               "cross-correlation (deep learning)", "320px"),
        "padding": _dropdown("padding", ["valid", "same"], "valid"),
    }
    row, col = _cell_sliders()
    controls["row"], controls["col"] = row, col
    outputs = {
        "input": _image(), "output": _image(),
        "input_grid": _html("convlab-output"), "output_grid": _html("convlab-output"),
        "kernel": _html("convlab-kernel"), "explain": _html("convlab-explain"),
        "info": _html("convlab-info"), "message": _html("convlab-message"),
    }
    state = {}
    colours = {}
    last_kernel = [first]

    def update():
        source = photo if controls["source"].value == "photograph" else grid
        state.clear()
        state["error"] = None
        # Keep the dropdown and the typed numbers in step: a new choice shows its
        # numbers; numbers typed away from it make it "custom"; numbers that are a
        # gallery kernel (as typed, or as shown to 4 decimals) give it its name.
        chosen = controls["kernel"].value
        try:
            typed = _parse_kernel(controls["numbers"].value)
        except ValueError:
            typed = None  # reported below, when the kernel is read for the result
        if chosen != last_kernel[0] and chosen != _CUSTOM:
            controls["numbers"].value = _kernel_text(_gallery.get(chosen))
        elif chosen == _CUSTOM or not _is_gallery_kernel(typed, chosen):
            match = next((name for name in names if _is_gallery_kernel(typed, name)), None)
            controls["kernel"].value = _CUSTOM if match is None else match
        last_kernel[0] = controls["kernel"].value
        flipped = controls["operation"].value.startswith("true")
        padding = controls["padding"].value
        try:
            kernel = _parse_kernel(controls["numbers"].value)
            function = convlab.convolve2d if flipped else convlab.correlate2d
            result = function(source, kernel, padding=padding)
            pads = _resolve_padding(padding, source.shape, kernel.shape)
        except (ValueError, TypeError) as error:
            return _fail(str(error))
        if flipped and padding == "same":
            # convolve2d follows SciPy: for an even kernel the odd 'same' pixel goes
            # before (top/left), the mirror of correlation's rule.
            pads = tuple((after, before) for before, after in pads)
        outputs["message"].value = ""
        _show(outputs["message"], False)
        used = kernel[::-1, ::-1] if flipped else kernel
        r, c = _pick_cell(row, col, result.shape)
        padded = convlab.pad2d(source, pads)
        kinds = _padded_kinds(source.shape, pads)
        (top, _), (left, _) = pads
        box = (r - top, c - left, kernel.shape[0], kernel.shape[1])
        is_photo = source is photo
        digits = 3 if is_photo else 2
        _show(outputs["input"], is_photo)
        _show(outputs["output"], is_photo)
        _show(outputs["input_grid"], not is_photo)
        _show(outputs["output_grid"], not is_photo)
        if is_photo:
            # Colour the photograph once, and the result once per new result: a cell
            # move then only copies colours, outlines the window and encodes.
            if "photo" not in colours:
                colours["photo"] = _auto_colorize(photo)
            key = (kernel.tobytes(), kernel.shape, flipped, padding)
            if colours.get("key") != key:
                colours["key"], colours["result"] = key, _auto_colorize(result)
            outputs["input"].value = _picture(source, rgb=colours["photo"], boxes=[box])
            outputs["output"].value = _picture(result, rgb=colours["result"],
                                               boxes=[(r, c, 1, 1)])
        else:
            outputs["input_grid"].value = _grid_html(
                padded, kinds=kinds, title="input (padding hatched)",
                highlight=_window_mask(padded.shape, r, c, kernel.shape, (1, 1), (1, 1)))
            hl = np.zeros(result.shape, dtype=bool)
            hl[r, c] = True
            outputs["output_grid"].value = _grid_html(result, highlight=hl, cmap="Purples",
                                                      title="output")
        kernels_shown = [_grid_html(kernel, cmap="Oranges", title="kernel", digits=3)]
        if flipped:
            kernels_shown += ["\u2192 flip both axes \u2192",
                              _grid_html(used, cmap="Oranges", title="flipped", digits=3)]
        outputs["kernel"].value = _row(*kernels_shown)
        outputs["explain"].value = _explain_conv(
            padded, kinds, used, r, c, (1, 1), (1, 1), result[r, c], digits=digits,
            flipped=flipped, state=state)
        formulas = []
        for axis, label in ((0, "height"), (1, "width")):
            formulas.append(f"{label}: " + _formula(
                source.shape[axis], kernel.shape[axis], 1, *pads[axis], 1,
                convlab.output_size(source.shape[axis], kernel.shape[axis],
                                    padding=pads[axis])))
        if padding == "same":
            side = "before (SciPy's rule for convolution)" if flipped else "after"
            formulas.append(f"'same' pads (top, bottom) = {pads[0]}, (left, right) = {pads[1]}"
                            f" (an odd total puts the extra pixel {side})")
        weight = "torch.flip(w, dims=(2, 3))" if flipped else "w"
        (t, b), (lf, rt) = pads
        if t == b and lf == rt:
            call = f"F.conv2d(x, {weight}, padding={(t, lf) if t != lf else t})"
        else:
            call = f"F.conv2d(F.pad(x, ({lf}, {rt}, {t}, {b})), {weight})"
        setup = [f"x = torch.rand(1, 1, {source.shape[0]}, {source.shape[1]})  # (N, C, H, W)",
                 f"w = torch.rand(1, 1, {kernel.shape[0]}, {kernel.shape[1]})  # (out, in, kH, kW)"]
        extra = "# true convolution = cross-correlation with the flipped kernel" if flipped else ""
        outputs["info"].value = _info_html(
            f"{source.shape[0]}x{source.shape[1]} input \u2192 {result.shape[0]}x"
            f"{result.shape[1]} output", formulas,
            _torch_snippet(setup, call, (1, 1) + result.shape, extra))
        state.update(output=result, shape=result.shape, formula=formulas, torch_call=call,
                     torch_inputs={"x": source[None, None], "w": kernel[None, None]},
                     kernel=kernel, input=source)

    def _fail(text):
        state["error"] = text
        outputs["message"].value = _message_html(text)
        _show(outputs["message"], True)
        for key in ("input", "output", "input_grid", "output_grid"):
            _show(outputs[key], False)
        outputs["kernel"].value = ""
        outputs["explain"].value = ""
        outputs["info"].value = ""
        _disable(row, col)

    w = _w()
    left = w.VBox([controls["kernel"], controls["numbers"], controls["source"],
                   controls["operation"], controls["padding"], row, col])
    pictures = w.HBox([outputs["input"], outputs["input_grid"], outputs["output"],
                       outputs["output_grid"]])
    body = [_beside(left, w.VBox([outputs["kernel"], outputs["info"]])), outputs["message"],
            pictures, outputs["explain"]]
    return _assemble("kernel-explorer", "Kernel explorer: slide a kernel, explain a pixel",
                     controls, outputs, body, update, state)


# --------------------------------------------------------------------------- stride explorer

def stride_explorer(size=7, kernel_size=3, stride=2, padding=0):
    """Watch a kernel jump by ``stride`` and see which input pixels are never visited.

    The window of the chosen output cell is outlined in orange; input cells no
    window ever reaches (when ``stride`` does not divide ``size + 2*padding -
    kernel_size``) are hatched red, and cells outside every window are faded.

    Parameters
    ----------
    size : int, default 7
        Input height and width, 3..12.
    kernel_size : int, default 3
        1..5.
    stride : int, default 2
        1..4.
    padding : int, default 0
        Zeros on every side, 0..2.

    Returns
    -------
    ipywidgets.VBox

    Examples
    --------
    >>> explorer = stride_explorer(size=8)
    >>> explorer.state["shape"]
    (3, 3)
    >>> explorer.state["never_visited"]   # row 7 and column 7 of the 8x8 input
    15
    """
    controls = _int_sliders(size=("input size", size, 3, 12),
                            kernel_size=("kernel size", kernel_size, 1, 5),
                            stride=("stride", stride, 1, 4),
                            padding=("padding", padding, 0, 2))
    row, col = _cell_sliders()
    controls["row"], controls["col"] = row, col
    outputs = {"input": _html("convlab-output"), "output": _html("convlab-output"),
               "leftover": _html("convlab-leftover"), "explain": _html("convlab-explain"),
               "info": _html("convlab-info"), "message": _html("convlab-message")}
    state = {}

    def update():
        state.clear()
        state["error"] = None
        n, k = controls["size"].value, controls["kernel_size"].value
        s, p = controls["stride"].value, controls["padding"].value
        image = _teaching_grid(n, n, seed=n)
        kernel = _teaching_kernel(k)
        try:
            result = convlab.correlate2d(image, kernel, stride=s, padding=p)
        except (ValueError, TypeError) as error:
            return _fail(str(error))
        _show(outputs["message"], False)
        for key in ("input", "output", "leftover"):
            _show(outputs[key], True)
        r, c = _pick_cell(row, col, result.shape)
        pads = ((p, p), (p, p))
        padded = convlab.pad2d(image, pads)
        kinds = _padded_kinds(image.shape, pads)
        rows_seen = np.zeros(padded.shape[0], dtype=bool)
        cols_seen = np.zeros(padded.shape[1], dtype=bool)
        for rr in range(result.shape[0]):
            rows_seen[rr * s:rr * s + k] = True
        for cc in range(result.shape[1]):
            cols_seen[cc * s:cc * s + k] = True
        unvisited = ~(rows_seen[:, None] & cols_seen[None, :])
        kinds = np.where((kinds == "in") & unvisited, "skip", kinds)
        never = int(((kinds == "skip")).sum())
        mask = _window_mask(padded.shape, r, c, (k, k), (s, s), (1, 1))
        outputs["input"].value = _grid_html(
            padded, kinds=kinds, highlight=mask, dim=unvisited & (kinds != "skip"),
            title="input (window orange, never visited: red)")
        hl = np.zeros(result.shape, dtype=bool)
        hl[r, c] = True
        outputs["output"].value = _grid_html(result, highlight=hl, cmap="Purples",
                                             title="output")
        span = n + 2 * p - k
        rest = span % s
        reasons = []
        if rest:
            reasons.append(f"({n} + 2\u00b7{p} \u2212 {k}) = {span} leaves remainder {rest} when "
                           f"divided by the stride {s}: the last {rest} row(s) and column(s) "
                           f"are never reached")
        if s > k:
            reasons.append(f"the stride {s} is larger than the kernel {k}: the {s - k} row(s) and "
                           f"column(s) between neighbouring windows are skipped")
        if not reasons:
            leftover = (f"({n} + 2\u00b7{p} \u2212 {k}) = {span} is a multiple of the stride "
                        f"{s} and the windows touch or overlap: every pixel is used.")
        else:
            leftover = "; ".join(reasons) + f" ({never} input pixels never visited, hatched red)."
            if rest:
                leftover += (f" Input sizes {n - rest}\u2013{n - rest + s - 1} all give the same "
                             f"output size.")
        outputs["leftover"].value = f'<div style="font:13px sans-serif">{leftover}</div>'
        outputs["explain"].value = _explain_conv(padded, kinds, kernel, r, c, (s, s), (1, 1),
                                                 result[r, c], state=state)
        o = convlab.output_size(n, k, stride=s, padding=p)
        formula = _formula(n, k, s, p, p, 1, o)
        call = f"F.conv2d(x, w, stride={s}, padding={p})"
        setup = [f"x = torch.rand(1, 1, {n}, {n})", f"w = torch.rand(1, 1, {k}, {k})"]
        outputs["info"].value = _info_html(
            f"{n}x{n} \u2192 {result.shape[0]}x{result.shape[1]}", [formula],
            _torch_snippet(setup, call, (1, 1) + result.shape,
                           f"# or nn.Conv2d(1, 1, kernel_size={k}, stride={s}, padding={p})"))
        state.update(output=result, shape=result.shape, formula=[formula], torch_call=call,
                     torch_inputs={"x": image[None, None], "w": kernel[None, None]},
                     never_visited=never, input=image, kernel=kernel)

    def _fail(text):
        state["error"] = text
        outputs["message"].value = _message_html(text)
        _show(outputs["message"], True)
        for key in ("input", "output", "leftover"):
            _show(outputs[key], False)
        outputs["explain"].value = ""
        outputs["info"].value = ""
        _disable(row, col)

    w = _w()
    body = [_beside(controls.values(), outputs["info"]), outputs["message"],
            outputs["leftover"], w.HBox([outputs["input"], outputs["output"]]),
            outputs["explain"]]
    return _assemble("stride-explorer", "Stride explorer: how far the window jumps",
                     controls, outputs, body, update, state)


# --------------------------------------------------------------------------- filter explorer

_CHANNELS = ("red", "green", "blue")
_FILTER_VIEW = 192


def filter_explorer(image=None):
    """One filter on an RGB image: a kernel per channel, partial maps, their sum plus bias.

    Parameters
    ----------
    image : array_like, shape (H, W, 3) or (3, H, W), optional
        Your own colour picture (grey pictures are repeated into three
        channels); defaults to the sample photograph.

    Returns
    -------
    ipywidgets.VBox

    Examples
    --------
    >>> explorer = filter_explorer()
    >>> explorer.controls["bias"].value = 0.5
    >>> len(explorer.state["partials"])
    3
    """
    rgb = _photograph(image, color=True)
    three = [n for n in _gallery.names() if _gallery.get(n).shape == (3, 3)]
    defaults = [n if n in three else three[0] for n in ("sobel_x", "identity", "sobel_y")]
    controls = {}
    for channel, default in zip(_CHANNELS, defaults):
        controls[f"{channel}_kernel"] = _dropdown(f"{channel} kernel", three, default)
        controls[f"{channel}_weight"] = _w().FloatSlider(
            value=1.0, min=-2.0, max=2.0, step=0.25, description=f"{channel} \u00d7",
            style={"description_width": "initial"}, layout=_w().Layout(width="260px"))
    controls["bias"] = _w().FloatSlider(value=0.0, min=-1.0, max=1.0, step=0.05,
                                        description="bias",
                                        style={"description_width": "initial"},
                                        layout=_w().Layout(width="260px"))
    row, col = _cell_sliders()
    controls["row"], controls["col"] = row, col
    outputs = {f"{ch}_input": _image() for ch in _CHANNELS}
    outputs.update({f"{ch}_partial": _image() for ch in _CHANNELS})
    outputs.update(sum=_image(), kernels=_html("convlab-kernel"),
                   explain=_html("convlab-explain"), info=_html("convlab-info"),
                   message=_html("convlab-message"))
    tints = {"red": "Reds", "green": "Greens", "blue": "Blues"}
    state = {}
    rendered = {}
    # The input channels never change: render them once.
    for index, ch in enumerate(_CHANNELS):
        outputs[f"{ch}_input"].value = _picture(
            rgb[index], rgb=_colorize(rgb[index], tints[ch], 0.0, 1.0), view=_FILTER_VIEW)

    def update():
        state.clear()
        state["error"] = None
        filt = np.stack([controls[f"{ch}_weight"].value * _gallery.get(
            controls[f"{ch}_kernel"].value) for ch in _CHANNELS])
        bias = float(controls["bias"].value)
        try:
            partials = [convlab.correlate2d(rgb[i], filt[i]) for i in range(3)]
            result = convlab.apply_filter(rgb, filt, bias=bias)
        except (ValueError, TypeError) as error:
            state["error"] = str(error)
            outputs["message"].value = _message_html(error)
            return
        r, c = _pick_cell(row, col, result.shape)
        for index, ch in enumerate(_CHANNELS):
            # A partial map depends only on its channel's kernel and weight: render it
            # again only when those change (bias and cell moves then cost one picture).
            key = (controls[f"{ch}_kernel"].value, controls[f"{ch}_weight"].value)
            if rendered.get(ch) != key:
                outputs[f"{ch}_partial"].value = _picture(partials[index], view=_FILTER_VIEW)
                rendered[ch] = key
        outputs["sum"].value = _picture(result, boxes=[(r, c, 1, 1)], view=_FILTER_VIEW)
        key = (filt.tobytes(), bias)
        if rendered.get("kernels") != key:
            outputs["kernels"].value = _row(*[
                _grid_html(filt[i], cmap="Oranges", title=f"{ch} kernel", digits=2)
                for i, ch in enumerate(_CHANNELS)], f"bias = {_fmt(bias)}")
            rendered["kernels"] = key
        # Explain: per-channel windows and partial sums, then the total plus bias.
        pieces, texts, products = [], [], []
        for i, ch in enumerate(_CHANNELS):
            window = rgb[i][r:r + 3, c:c + 3]
            prod = window * filt[i]
            products.append(prod)
            pieces.append(_row(_grid_html(window, title=f"{ch} window", digits=2), "\u2299",
                               _grid_html(filt[i], cmap="Oranges", title="kernel", digits=2),
                               "=", _grid_html(prod, cmap="Greens", title="products",
                                               digits=3),
                               f'<span style="font:12px monospace">sum = '
                               f"{_fmt(prod.sum(), 4)} (partial map: "
                               f"{_fmt(partials[i][r, c], 4)})</span>"))
            texts.append(_fmt(prod.sum(), 4))
        total = float(sum(p.sum() for p in products) + bias)
        core_value = float(result[r, c])
        ok, mark = _verdict(total, core_value)
        outputs["explain"].value = "".join(pieces) + (
            f'<div style="font:12px monospace;margin-top:4px">output[{r}, {c}] = '
            + " + ".join(f"({t})" for t in texts) + f" + bias ({_fmt(bias)}) = "
            f"<b>{_fmt(total, 4)}</b> (apply_filter gives "
            f'<b class="convlab-explain-value" data-value="{float(core_value)!r}">'
            f"{_fmt(core_value, 4)}</b>: {mark})</div>")
        h, wd = rgb.shape[1:]
        formula = _formula(h, 3, 1, 0, 0, 1, convlab.output_size(h, 3))
        call = "F.conv2d(x, w, bias=b)"
        setup = [f"x = torch.rand(1, 3, {h}, {wd})  # one RGB image",
                 "w = torch.rand(1, 3, 3, 3)  # one filter = 3 kernels, one per channel",
                 "b = torch.rand(1)  # one bias per filter"]
        params = 3 * 3 * 3 + 1
        outputs["info"].value = _info_html(
            f"3x{h}x{wd} \u2192 1x{result.shape[0]}x{result.shape[1]} (one filter, one "
            f"output channel; {params} parameters = 3\u00b73\u00b73 weights + 1 bias)",
            ["height: " + formula],
            _torch_snippet(setup, call, (1, 1) + result.shape,
                           "# or nn.Conv2d(3, 1, kernel_size=3) with its weight set to w"))
        state.update(output=result, shape=result.shape, partials=partials, filter=filt,
                     bias=bias, cell=(r, c), products=np.stack(products), explained_sum=total,
                     cell_value=core_value, explain_ok=ok, formula=[formula],
                     torch_call=call, input=rgb,
                     torch_inputs={"x": rgb[None], "w": filt[None], "b": np.array([bias])})

    w = _w()
    kernels_box = w.VBox([w.HBox([controls[f"{ch}_kernel"], controls[f"{ch}_weight"]])
                          for ch in _CHANNELS] + [controls["bias"], row, col])
    titles = lambda text: w.HTML(value=f'<div style="font:12px sans-serif">{text}</div>')  # noqa
    grid = w.GridBox(
        [titles("input channel")] + [titles(ch) for ch in _CHANNELS]
        + [titles("")] + [outputs[f"{ch}_input"] for ch in _CHANNELS]
        + [titles("partial map (channel \u2605 kernel)")]
        + [outputs[f"{ch}_partial"] for ch in _CHANNELS],
        layout=w.Layout(grid_template_columns="120px 200px 200px 200px"))
    body = [_beside(kernels_box, w.VBox([outputs["kernels"], outputs["info"]])),
            outputs["message"], grid,
            w.HBox([titles("sum of the three partial maps + bias = the output channel"),
                    outputs["sum"]]),
            outputs["explain"]]
    return _assemble("filter-explorer", "Filter explorer: three kernels, one output channel",
                     controls, outputs, body, update, state)


# --------------------------------------------------------------------------- pooling explorer

def pooling_explorer(size=7, kernel_size=2, stride=2, mode="max"):
    """Max or average pooling on a small grid, with padding and ``ceil_mode``.

    Parameters
    ----------
    size : int, default 7
        Input height and width, 2..10 (odd by default so ``ceil_mode`` matters).
    kernel_size : int, default 2
        Window side, 1..4.
    stride : int, default 2
        1..4.
    mode : {'max', 'avg'}, default 'max'

    Returns
    -------
    ipywidgets.VBox

    Examples
    --------
    >>> explorer = pooling_explorer()
    >>> explorer.state["shape"]
    (3, 3)
    >>> explorer.controls["ceil_mode"].value = True
    >>> explorer.state["shape"]
    (4, 4)
    """
    size = _int_arg(size, "size", 2, 10)
    kernel_size = _int_arg(kernel_size, "kernel_size", 1, 4)
    stride = _int_arg(stride, "stride", 1, 4)
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    controls = {
        "mode": _dropdown("pooling", ["max", "avg"], mode),
        "size": _slider("input size", size, 2, 10),
        "kernel_size": _slider("window", kernel_size, 1, 4),
        "stride": _slider("stride", stride, 1, 4),
        "padding": _slider("padding", 0, 0, 2),
        "ceil_mode": _w().Checkbox(value=False, description="ceil_mode"),
        "count_include_pad": _w().Checkbox(value=True, description="count_include_pad (avg)"),
    }
    row, col = _cell_sliders()
    controls["row"], controls["col"] = row, col
    outputs = {"input": _html("convlab-output"), "output": _html("convlab-output"),
               "explain": _html("convlab-explain"), "info": _html("convlab-info"),
               "message": _html("convlab-message")}
    state = {}

    def update():
        state.clear()
        state["error"] = None
        kind = controls["mode"].value
        n, k = controls["size"].value, controls["kernel_size"].value
        s, p = controls["stride"].value, controls["padding"].value
        # Padding beyond half the window would make windows of padding only:
        # PyTorch refuses it, so the slider never offers it.
        pad_slider = controls["padding"]
        if pad_slider.max != k // 2:
            if pad_slider.value > k // 2:
                pad_slider.value = k // 2
            pad_slider.max = k // 2
        p = pad_slider.value
        ceil_mode = controls["ceil_mode"].value
        include = controls["count_include_pad"].value
        controls["count_include_pad"].disabled = kind == "max"
        image = _teaching_grid(n, n, seed=10 + n)
        try:
            if kind == "max":
                result = convlab.max_pool2d(image, k, stride=s, padding=p, ceil_mode=ceil_mode)
            else:
                result = convlab.avg_pool2d(image, k, stride=s, padding=p, ceil_mode=ceil_mode,
                                            count_include_pad=include)
        except (ValueError, TypeError) as error:
            return _fail(str(error))
        _show(outputs["message"], False)
        _show(outputs["input"], True)
        _show(outputs["output"], True)
        r, c = _pick_cell(row, col, result.shape)
        # The canvas: input, its padding ring, and any cells a ceil_mode window hangs over.
        need = [(result.shape[a] - 1) * s + k for a in (0, 1)]
        extra = [max(0, need[a] - (n + 2 * p)) for a in (0, 1)]
        pads = ((p, p), (p, p))
        fill = -np.inf if kind == "max" else 0.0
        padded = convlab.pad2d(image, pads, mode="constant", value=fill)
        canvas = np.pad(padded, ((0, extra[0]), (0, extra[1])), constant_values=np.nan)
        kinds = _padded_kinds(image.shape, pads, extra)
        mask = _window_mask(canvas.shape, r, c, (k, k), (s, s), (1, 1))
        outputs["input"].value = _grid_html(
            canvas, kinds=kinds, highlight=mask,
            title="input (padding hatched, beyond the padding dotted)")
        hl = np.zeros(result.shape, dtype=bool)
        hl[r, c] = True
        outputs["output"].value = _grid_html(result, highlight=hl, cmap="Purples",
                                             title=f"{kind} pooled")
        window = _window(canvas, r, c, (k, k), (s, s), (1, 1))
        wkinds = _window(kinds, r, c, (k, k), (s, s), (1, 1))
        core_value = float(result[r, c])
        inside = wkinds != "outside"
        if kind == "max":
            values = window[inside]
            total = float(values.max())
            how = f"max({', '.join(_fmt(v) for v in values)})"
            note = "padding counts as \u2212\u221e, so it never wins"
            count = values.size
        else:
            real = wkinds == "in"
            counted = inside if include else real
            count = int(counted.sum())
            values = window[counted]
            total = float(values.sum() / count)
            how = f"({' + '.join(_fmt(v) for v in values)}) / {count}"
            note = ("divide by the window cells inside the padded input (padding zeros "
                    "included)" if include else "divide by the real input cells only")
        ok, mark = _verdict(total, core_value)
        outputs["explain"].value = _row(
            _grid_html(window, kinds=wkinds, title="window"),
            f'<div style="font:12px monospace">output[{r}, {c}] = {how} = <b>{_fmt(total, 4)}'
            f'</b><br>{note}<br>the core computes <b class="convlab-explain-value" '
            f'data-value="{float(core_value)!r}">{_fmt(core_value, 4)}</b>: {mark}</div>')
        o = convlab.output_size(n, k, stride=s, padding=p, ceil_mode=ceil_mode)
        if ceil_mode:
            rounded_up = -(-(n + 2 * p - k) // s) + 1
            if rounded_up != o:
                # torch's rule: a last window that would start in the bottom/right
                # padding (or beyond) is dropped.
                formula = _formula(n, k, s, p, p, 1, f"{rounded_up} \u2212 1", True)
                formula = formula.replace(f"= {rounded_up} \u2212 1",
                                          f"\u2212 {rounded_up - o} = {o}")
                formulas = [formula, f"\u2212 1: the last window would start at row "
                            f"{(rounded_up - 1) * s} of the padded grid, in the bottom padding (the "
                            f"input's last row is row {n + p - 1}), so ceil_mode drops it"]
            else:
                formulas = [_formula(n, k, s, p, p, 1, o, ceil_mode=True),
                            "ceil_mode rounds up: a last, partial window is kept"]
        else:
            formulas = [_formula(n, k, s, p, p, 1, o)]
        fn = "max_pool2d" if kind == "max" else "avg_pool2d"
        args = f"kernel_size={k}, stride={s}, padding={p}, ceil_mode={ceil_mode}"
        if kind == "avg":
            args += f", count_include_pad={include}"
        call = f"F.{fn}(x, {args})"
        outputs["info"].value = _info_html(
            f"{n}x{n} \u2192 {result.shape[0]}x{result.shape[1]}", formulas,
            _torch_snippet([f"x = torch.rand(1, 1, {n}, {n})"], call, (1, 1) + result.shape,
                           f"# or nn.{'MaxPool2d' if kind == 'max' else 'AvgPool2d'}({args})"))
        state.update(output=result, shape=result.shape, formula=formulas, torch_call=call,
                     torch_inputs={"x": image[None, None]}, cell=(r, c), window=window,
                     explained_sum=total, cell_value=core_value, explain_ok=ok, count=count,
                     input=image, products=values)

    def _fail(text):
        state["error"] = text
        outputs["message"].value = _message_html(text)
        _show(outputs["message"], True)
        _show(outputs["input"], False)
        _show(outputs["output"], False)
        outputs["explain"].value = ""
        outputs["info"].value = ""
        _disable(row, col)

    w = _w()
    body = [_beside(controls.values(), outputs["info"]), outputs["message"],
            w.HBox([outputs["input"], outputs["output"]]), outputs["explain"]]
    return _assemble("pooling-explorer", "Pooling explorer: max or average over a window",
                     controls, outputs, body, update, state)


# --------------------------------------------------------------------------- padding explorer

_PADDING_CHOICES = [("0", 0), ("1", 1), ("2", 2), ("3", 3),
                    ("'valid'", "valid"), ("'same'", "same"), ("'full'", "full")]
_TORCH_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
                   "circular": "circular"}


def padding_explorer(image=None):
    """Padding amounts, 'valid'/'same'/'full', and the four padding modes.

    Shows a 5x5 grid whose values give their position (so you can see which
    value each padding mode copies), its convolution with the chosen padding,
    and the top-left corner of the photograph padded the same way.

    Parameters
    ----------
    image : array_like, optional
        Your own picture for the border view; defaults to the sample photograph.

    Returns
    -------
    ipywidgets.VBox

    Examples
    --------
    >>> explorer = padding_explorer()
    >>> explorer.controls["padding"].value = "same"
    >>> explorer.controls["kernel_size"].value = 4
    >>> explorer.state["pads"]
    ((1, 2), (1, 2))
    """
    photo = _photograph(image)
    corner = photo[:24, :24]
    grid = np.arange(1.0, 26.0).reshape(5, 5)
    controls = {
        "padding": _dropdown("padding", _PADDING_CHOICES, 1),
        "mode": _dropdown("mode", ["zeros", "reflect", "replicate", "circular"],
                          "zeros"),
        "kernel_size": _slider("kernel size", 3, 1, 5),
        "stride": _slider("stride", 1, 1, 3),
    }
    row, col = _cell_sliders()
    controls["row"], controls["col"] = row, col
    outputs = {"input": _html("convlab-output"), "output": _html("convlab-output"),
               "photo": _image(), "explain": _html("convlab-explain"),
               "info": _html("convlab-info"), "message": _html("convlab-message")}
    state = {}

    def update():
        state.clear()
        state["error"] = None
        padding, mode = controls["padding"].value, controls["mode"].value
        k, s = controls["kernel_size"].value, controls["stride"].value
        kernel = _teaching_kernel(k)
        try:
            pads = _resolve_padding(padding, grid.shape, (k, k), (s, s))
            result = convlab.correlate2d(grid, kernel, stride=s, padding=padding,
                                         padding_mode=mode)
            padded = convlab.pad2d(grid, pads, mode=mode)
            photo_pads = _resolve_padding(padding, photo.shape, (k, k), (s, s))
            padded_photo = convlab.pad2d(photo, photo_pads, mode=mode)
        except (ValueError, TypeError) as error:
            return _fail(str(error))
        _show(outputs["message"], False)
        for key in ("input", "output", "photo"):
            _show(outputs[key], True)
        r, c = _pick_cell(row, col, result.shape)
        kinds = _padded_kinds(grid.shape, pads)
        mask = _window_mask(padded.shape, r, c, (k, k), (s, s), (1, 1))
        outputs["input"].value = _grid_html(padded, kinds=kinds, highlight=mask,
                                            title=f"padded input ({mode})")
        hl = np.zeros(result.shape, dtype=bool)
        hl[r, c] = True
        outputs["output"].value = _grid_html(result, highlight=hl, cmap="Purples",
                                             title="output")
        (top, _), (left, _) = photo_pads
        view = padded_photo[:top + corner.shape[0], :left + corner.shape[1]]
        outputs["photo"].value = _picture(
            view, rgb=_colorize(view, "gray", 0.0, 1.0),
            boxes=[(top, left, corner.shape[0] + 2, corner.shape[1] + 2)], view=200)
        outputs["explain"].value = _explain_conv(padded, kinds, kernel, r, c, (s, s), (1, 1),
                                                 result[r, c], state=state)
        formulas = []
        o = convlab.output_size(5, k, stride=s, padding=pads[0])
        formulas.append(_formula(5, k, s, *pads[0], 1, o))
        if padding == "same":
            before, after = convlab.same_padding(5, k, s)
            total = before + after
            formulas.append(f"'same': output = ceil(5 / {s}) = {o}; total padding = max(0, "
                            f"({o}\u22121)\u00b7{s} + ({k}\u22121) + 1 \u2212 5) = {total}; "
                            f"before = {total}//2 = {before}, after = {after}"
                            + (" (the odd pixel goes after: bottom/right)"
                               if before != after else ""))
        elif padding == "full":
            formulas.append(f"'full': k \u2212 1 = {k - 1} on every side")
        (t, b), (lf, rt) = pads
        torch_mode = _TORCH_PAD_MODE[mode]
        if mode == "zeros" and t == b:
            call = f"F.conv2d(x, w, stride={s}, padding={t})"
            extra = f"# or nn.Conv2d(1, 1, kernel_size={k}, stride={s}, padding={t})"
        else:
            call = f"F.conv2d(F.pad(x, ({lf}, {rt}, {t}, {b}), mode={torch_mode!r}), w, stride={s})"
            extra = ("# F.pad takes (left, right, top, bottom)" if t == b else
                     "# asymmetric: F.pad takes (left, right, top, bottom)")
            if t == b:
                extra += (f"\n# or nn.Conv2d(1, 1, kernel_size={k}, stride={s}, padding={t}, "
                          f"padding_mode={mode!r})")
        outputs["info"].value = _info_html(
            f"5x5 \u2192 {result.shape[0]}x{result.shape[1]}; pads (top, bottom) = {pads[0]}, "
            f"(left, right) = {pads[1]}", formulas,
            _torch_snippet(["x = torch.arange(1., 26.).reshape(1, 1, 5, 5)",
                            f"w = torch.rand(1, 1, {k}, {k})"], call, (1, 1) + result.shape,
                           extra))
        state.update(output=result, shape=result.shape, pads=pads, formula=formulas,
                     torch_call=call, input=grid, kernel=kernel,
                     torch_inputs={"x": grid[None, None], "w": kernel[None, None]})

    def _fail(text):
        state["error"] = text
        outputs["message"].value = _message_html(text)
        _show(outputs["message"], True)
        for key in ("input", "output", "photo"):
            _show(outputs[key], False)
        outputs["explain"].value = ""
        outputs["info"].value = ""
        _disable(row, col)

    w = _w()
    body = [_beside(controls.values(), outputs["info"]), outputs["message"],
            w.HBox([outputs["input"], outputs["output"],
                    w.VBox([w.HTML(value='<div style="font:12px sans-serif">the photograph\'s '
                                         "top-left corner, padded the same way (orange: "
                                         "the original border)</div>"),
                            outputs["photo"]])]),
            outputs["explain"]]
    return _assemble("padding-explorer", "Padding explorer: what goes around the border",
                     controls, outputs, body, update, state)


# --------------------------------------------------------------------------- arithmetic explorer

def arithmetic_explorer(size=5, kernel_size=3, stride=2, padding=1, dilation=1):
    """Input size, kernel, stride, padding and dilation together, cell by cell.

    An interactive version of the convolution-arithmetic animations: the input
    with its padding ring, the (dilated) window of the chosen output cell,
    and the output grid.

    Parameters
    ----------
    size : int, default 5
        Input height and width, 1..12.
    kernel_size : int, default 3
        1..5.
    stride : int, default 2
        1..4.
    padding : int, default 1
        0..4 on every side.
    dilation : int, default 1
        1..3 (1 is an ordinary kernel).

    Returns
    -------
    ipywidgets.VBox

    Examples
    --------
    >>> explorer = arithmetic_explorer()
    >>> explorer.state["shape"]
    (3, 3)
    >>> explorer.state["formula"][0]
    'floor((5 + 2·1 − 1·(3−1) − 1) / 2) + 1 = 3'
    """
    controls = _int_sliders(size=("input size", size, 1, 12),
                            kernel_size=("kernel size", kernel_size, 1, 5),
                            stride=("stride", stride, 1, 4),
                            padding=("padding", padding, 0, 4),
                            dilation=("dilation", dilation, 1, 3))
    row, col = _cell_sliders()
    controls["row"], controls["col"] = row, col
    outputs = {"input": _html("convlab-output"), "output": _html("convlab-output"),
               "kernel": _html("convlab-kernel"), "explain": _html("convlab-explain"),
               "info": _html("convlab-info"), "message": _html("convlab-message")}
    state = {}

    def update():
        state.clear()
        state["error"] = None
        n, k = controls["size"].value, controls["kernel_size"].value
        s, p, d = (controls["stride"].value, controls["padding"].value,
                   controls["dilation"].value)
        image = _teaching_grid(n, n, seed=20 + n)
        kernel = _teaching_kernel(k)
        try:
            result = convlab.correlate2d(image, kernel, stride=s, padding=p, dilation=d)
        except (ValueError, TypeError) as error:
            return _fail(str(error))
        _show(outputs["message"], False)
        for key in ("input", "output", "kernel"):
            _show(outputs[key], True)
        r, c = _pick_cell(row, col, result.shape)
        pads = ((p, p), (p, p))
        padded = convlab.pad2d(image, pads)
        kinds = _padded_kinds(image.shape, pads)
        mask = _window_mask(padded.shape, r, c, (k, k), (s, s), (d, d))
        extent = d * (k - 1) + 1
        span = np.zeros(padded.shape, dtype=bool)
        span[r * s:r * s + extent, c * s:c * s + extent] = True
        outputs["input"].value = _grid_html(
            padded, kinds=kinds, highlight=mask, dim=~span,
            title="input + padding ring (orange: the taps of the chosen output cell)")
        hl = np.zeros(result.shape, dtype=bool)
        hl[r, c] = True
        outputs["output"].value = _grid_html(result, highlight=hl, cmap="Purples",
                                             title="output")
        outputs["kernel"].value = _grid_html(kernel, cmap="Oranges", title="kernel")
        outputs["explain"].value = _explain_conv(padded, kinds, kernel, r, c, (s, s), (d, d),
                                                 result[r, c], state=state)
        o = convlab.output_size(n, k, stride=s, padding=p, dilation=d)
        formulas = [_formula(n, k, s, p, p, d, o),
                    f"dilated kernel extent k' = k + (k\u22121)(d\u22121) = {k} + "
                    f"{k - 1}\u00b7{d - 1} = {extent}"]
        rest = (n + 2 * p - extent) % s
        if rest:
            formulas.append(f"({n} + 2\u00b7{p} \u2212 {extent}) mod {s} = {rest}: the last "
                            f"{rest} row(s)/column(s) are never reached")
        call = f"F.conv2d(x, w, stride={s}, padding={p}, dilation={d})"
        outputs["info"].value = _info_html(
            f"{n}x{n} \u2192 {result.shape[0]}x{result.shape[1]}", formulas,
            _torch_snippet([f"x = torch.rand(1, 1, {n}, {n})", f"w = torch.rand(1, 1, {k}, {k})"],
                           call, (1, 1) + result.shape,
                           f"# or nn.Conv2d(1, 1, kernel_size={k}, stride={s}, padding={p}, "
                           f"dilation={d})"))
        state.update(output=result, shape=result.shape, formula=formulas, torch_call=call,
                     torch_inputs={"x": image[None, None], "w": kernel[None, None]},
                     input=image, kernel=kernel)

    def _fail(text):
        state["error"] = text
        outputs["message"].value = _message_html(text)
        _show(outputs["message"], True)
        for key in ("input", "output", "kernel"):
            _show(outputs[key], False)
        outputs["explain"].value = ""
        outputs["info"].value = ""
        _disable(row, col)

    w = _w()
    body = [_beside(controls.values(), outputs["info"]), outputs["message"],
            w.HBox([outputs["input"], outputs["kernel"], outputs["output"]]),
            outputs["explain"]]
    return _assemble("arithmetic-explorer", "Convolution arithmetic explorer",
                     controls, outputs, body, update, state)


# --------------------------------------------------------------------------- learning explorer

_LEARNING_RATES = [0.01, 0.03, 0.1, 0.3, 0.5, 1.0]
_LEARN_SIDE = 24                  # the training image is at most 24 pixels a side
_DIVERGED = 1e6                   # a loss this many times the first one counts as diverged


def _g(value, digits=3):
    """A number in ``%g`` style (small gradients stay visible), with a real minus sign."""
    value = float(value)
    if value == 0.0:
        return "0"
    return f"{value:.{digits}g}".replace("-", "\u2212")


def _curve_png(losses, width=260, height=130):
    """The loss curve (log scale) as PNG bytes, drawn with Pillow from the array."""
    from PIL import Image, ImageDraw

    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    pen = ImageDraw.Draw(canvas)
    left, right, top, bottom = 40, width - 8, 8, height - 22
    pen.line([(left, top), (left, bottom), (right, bottom)], fill=(120, 120, 120))
    values = np.log10(np.maximum(np.asarray(losses, dtype=float), 1e-30))
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    steps = max(len(values) - 1, 1)
    xs = left + (right - left) * np.arange(len(values)) / steps
    ys = bottom - (bottom - top) * (values - low) / (high - low)
    points = list(zip(xs.tolist(), ys.tolist()))
    if len(points) == 1:
        points = points * 2
    pen.line(points, fill=_HIGHLIGHT, width=2)
    grey = (90, 90, 90)
    pen.text((2, top - 2), f"1e{high:.0f}" if high == round(high) else f"{10 ** high:.1e}",
             fill=grey)
    pen.text((2, bottom - 10), f"{10 ** low:.0e}", fill=grey)
    pen.text((left, bottom + 4), "step 0", fill=grey)
    pen.text((right - 40, bottom + 4), f"{len(values) - 1}", fill=grey)
    pen.text((left + 60, bottom + 4), "loss (log scale)", fill=grey)
    buffer = io.BytesIO()
    canvas.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _torch_literal(kernel):
    """``torch.tensor(...)`` text for a (1, 1, k, k) kernel: small integers over a
    common denominator when the kernel has one (1/9, 1/16, ...), so it reads as the
    gallery's fractions; plain reprs otherwise."""
    for den in range(1, 257):
        scaled = kernel * den
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-9):
            rows = ", ".join("[" + ", ".join(f"{int(round(v))}." for v in r) + "]"
                             for r in scaled.tolist())
            return (f"torch.tensor([[[{rows}]]], dtype=x.dtype)"
                    + (f" / {den}" if den != 1 else ""))
    rows = ", ".join("[" + ", ".join(repr(float(v)) for v in r) + "]" for r in kernel.tolist())
    return f"torch.tensor([[[{rows}]]], dtype=x.dtype)"


def _learning_input(source, seed):
    if source == "photograph":
        from convlab import images

        return images.photograph(size=_LEARN_SIDE)
    return np.random.default_rng(seed).random((_LEARN_SIDE, _LEARN_SIDE))


def _initial_kernel(shape, seed):
    """A seeded random start, rounded to two decimals so the PyTorch snippet can spell it."""
    raw = np.random.default_rng(1000 + seed).normal(0.0, 0.5, size=shape)
    return np.array([[float(f"{v:.2f}") for v in row] for row in raw])


def _descend(columns, target_output, start, lr, steps):
    """Plain gradient descent on the mean squared error of a single-channel correlation.

    ``columns`` is the input's im2col matrix transposed, ``(N, k*k)``, so the
    learned kernel's output is ``columns @ w``: the same numbers as
    :func:`convlab.correlate2d`, and ``columns.T @ g`` the same as
    :func:`convlab.grad.conv2d_weight`. Returns ``(kernel, losses, steps done,
    diverged)``; ``losses[t]`` is the loss after ``t`` steps.
    """
    y = target_output.ravel()
    w = start.ravel().copy()
    scale = 2.0 / y.size
    losses = []
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            residual = columns @ w - y
            loss = float(residual @ residual) / y.size
            losses.append(loss)
            if not math.isfinite(loss) or loss > _DIVERGED * max(losses[0], 1e-12):
                diverged = True
                break
            w = w - lr * scale * (columns.T @ residual)
        else:
            residual = columns @ w - y
            losses.append(float(residual @ residual) / y.size)
    if diverged:
        losses.pop()
        # Go back to the last kernel whose loss was still finite and bounded.
        steps_done = len(losses) - 1
        return None, losses, steps_done, True
    return w.reshape(start.shape), losses, steps, diverged


def learning_explorer(target="sobel_x", learning_rate=0.3, steps=100, seed=0):
    """Gradient descent recovers a known kernel from input/output pairs.

    The target kernel (from :mod:`convlab.kernels`) makes the output of a
    small image; a second kernel, started from seeded random numbers, is
    moved step by step against the gradient of the mean squared difference
    between its output and the target's. Watch the learned numbers approach
    the target's, the loss fall (or blow up when the learning rate is too
    large), and see the gradient of one weight written out as a sum.

    Parameters
    ----------
    target : str, default 'sobel_x'
        A name from :func:`convlab.kernels.names`.
    learning_rate : float, default 0.3
        One of 0.01, 0.03, 0.1, 0.3, 0.5, 1.0.
    steps : int, default 100
        Gradient-descent steps, 0..200.
    seed : int, default 0
        Seeds the random start (and the random-pixel image), 0..9.

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``.controls``, ``.outputs`` and ``.state`` expose its parts
        (``state["kernel"]`` the learned kernel, ``state["losses"]`` the curve,
        ``state["gradient"]`` the gradient after the last step).

    Notes
    -----
    One move costs about ``steps`` small matrix-vector products on the
    ``(22*22, 9)`` im2col matrix of a 24x24 image (about 2 ms for 200 steps),
    the same numbers as :func:`convlab.correlate2d` and
    :func:`convlab.grad.conv2d_weight` compute.

    Examples
    --------
    >>> explorer = learning_explorer()
    >>> explorer.state["losses"][0] > 1000 * explorer.state["losses"][-1]
    True
    >>> import numpy as np
    >>> bool(np.allclose(explorer.state["kernel"], explorer.state["target"], atol=0.05))
    True
    """
    from convlab import grad as _grad
    from convlab.matrix import im2col

    names = list(_gallery.names())
    if target not in names:
        raise ValueError(f"target must be one of {names}, got {target!r}")
    if learning_rate not in _LEARNING_RATES:
        raise ValueError(f"learning_rate must be one of {_LEARNING_RATES}, got {learning_rate!r}")
    steps = _int_arg(steps, "steps", 0, 200)
    seed = _int_arg(seed, "seed", 0, 9)
    controls = {
        "target": _dropdown("target kernel", names, target),
        "source": _dropdown("input", ["random pixels", "photograph"], "random pixels"),
        "learning_rate": _dropdown("learning rate", _LEARNING_RATES, learning_rate),
        "steps": _slider("steps", steps, 0, 200),
        "seed": _slider("seed (random start)", seed, 0, 9),
    }
    row = _slider("explain weight row", 1, 0, 2)
    col = _slider("explain weight col", 0, 0, 2)
    controls["row"], controls["col"] = row, col
    curve = _image("convlab-curve")
    curve.layout.width, curve.layout.height = "260px", "130px"   # never stretched by its box
    outputs = {"kernels": _html("convlab-kernel"), "curve": curve,
               "input": _image(), "target_output": _image(), "output": _image(),
               "explain": _html("convlab-explain"), "info": _html("convlab-info"),
               "message": _html("convlab-message")}
    outputs["message"].layout.display = "none"
    state = {}
    cache = {}

    def prepared(source, seed_value, shape):
        key = (source, seed_value if source != "photograph" else None, shape)
        if key not in cache:
            image = _learning_input(source, seed_value)
            if len(cache) >= 8:             # a few inputs kept, so switching back is free
                cache.pop(next(iter(cache)))
            cache[key] = (image, np.ascontiguousarray(im2col(image, shape).T),
                          _auto_colorize(image))
        return cache[key]

    def update():
        state.clear()
        state["error"] = None
        name, source = controls["target"].value, controls["source"].value
        lr, n_steps = controls["learning_rate"].value, controls["steps"].value
        seed_value = controls["seed"].value
        target_kernel = _gallery.get(name)
        k = target_kernel.shape
        image, columns, image_rgb = prepared(source, seed_value, k)
        target_output = convlab.correlate2d(image, target_kernel)
        start = _initial_kernel(k, seed_value)
        learned, losses, done, diverged = _descend(columns, target_output, start, lr, n_steps)
        if diverged:
            # Replay up to the last bounded step, so every number shown is finite.
            learned, losses, done, _ = _descend(columns, target_output, start, lr, done)
        learned_output = convlab.correlate2d(image, learned)
        g = 2.0 * (learned_output - target_output) / target_output.size
        gradient = _grad.conv2d_weight(image[None], (1, 1) + k, g[None])[0, 0]
        a, b = _pick_cell(row, col, k)
        oh, ow = g.shape
        window = image[a:a + oh, b:b + ow]
        products = g * window
        total = float(products.sum())
        core_value = float(gradient[a, b])
        ok, mark = _verdict(total, core_value)
        state.update(output=learned_output, target_output=target_output, kernel=learned,
                     target=target_kernel, initial=start, losses=losses, steps_done=done,
                     diverged=diverged, gradient=gradient, grad_output=g, input=image,
                     cell=(a, b), window=window, products=products, explained_sum=total,
                     cell_value=core_value, explain_ok=ok, shape=learned_output.shape,
                     learning_rate=lr)
        # Pictures: one colour scale for both outputs, so "the same picture" means same numbers.
        low, high = _limits(target_output)
        view = 168
        outputs["input"].value = _picture(image, rgb=image_rgb, boxes=[(a, b, oh, ow)],
                                          view=view)
        outputs["target_output"].value = _picture(
            target_output, rgb=_colorize(target_output, "gray", low, high), view=view)
        outputs["output"].value = _picture(
            learned_output, rgb=_colorize(learned_output, "gray", low, high), view=view)
        outputs["curve"].value = _curve_png(losses)
        hl = np.zeros(k, dtype=bool)
        hl[a, b] = True
        outputs["kernels"].value = _row(
            _grid_html(target_kernel, cmap="Oranges", digits=3, title=f"target: {name}"),
            _grid_html(learned, cmap="Oranges", digits=3, highlight=hl,
                       title=f"learned after {done} step{'s' if done != 1 else ''}"),
            _grid_html(gradient, cmap="Greens", digits=4, highlight=hl,
                       title="gradient dL/dw now"))
        # Explain one weight's gradient as the sum of grad_output times input values.
        shown = 6
        terms = [f"{_g(gv) if gv >= 0 else '(' + _g(gv) + ')'}\u00b7{_g(xv)}" for gv, xv in
                 zip(g.ravel()[:shown].tolist(), window.ravel()[:shown].tolist())]
        more = g.size - shown
        new_weight = float(learned[a, b] - lr * core_value)
        outputs["explain"].value = (
            f'<div style="font:12px sans-serif">The gradient of weight w[{a}, {b}] adds, over '
            f"all {g.size} outputs, dL/dy[i, j] (how far each learned output is from the "
            f"target's, times 2/{g.size}) times the input pixel x[i+{a}, j+{b}] that weight "
            f"multiplied (the orange box on the input).</div>"
            f'<div style="font:12px monospace;margin-top:4px">dL/dw[{a}, {b}] = '
            f"\u03a3 dL/dy[i, j]\u00b7x[i+{a}, j+{b}] = {' + '.join(terms)} + \u2026 "
            f"({more} more terms)<br>= <b>{_g(total, 6)}</b>  (convlab.grad.conv2d_weight "
            f'gives <b class="convlab-explain-value" data-value="{core_value!r}">'
            f"{_g(core_value, 6)}</b>: {mark})<br>next step: w[{a}, {b}] \u2190 "
            f"{_g(learned[a, b], 5)} \u2212 {lr}\u00b7({_g(core_value, 4)}) = "
            f"{_g(new_weight, 5)}</div>")
        side = f"{image.shape[0]}x{image.shape[1]}"
        facts = [f"loss = mean over the {g.size} outputs of (learned \u2212 target)\u00b2: "
                 f"{_g(losses[0], 4)} at the start, {_g(losses[-1], 4)} after {done} "
                 f"step{'s' if done != 1 else ''}",
                 "one step: w \u2190 w \u2212 learning rate \u00b7 dL/dw, with dL/dw the "
                 "input correlated with dL/dy"]
        warning = ""
        if diverged:
            warning = _message_html(
                f"the learning rate {lr} is too large here: the loss grew from "
                f"{_g(losses[0], 3)} past {_DIVERGED:g} times that by step {done + 1} "
                f"(gradient descent overshoots and diverges); showing step {done}, lower "
                f"the learning rate")
        init = ", ".join("[" + ", ".join(repr(v) for v in r) + "]" for r in start.tolist())
        tgt = _torch_literal(target_kernel)
        x_line = (f"x = torch.rand(1, 1, {image.shape[0]}, {image.shape[1]})  # "
                  + ("random pixels" if source != "photograph"
                     else "stands in for the photograph: use your own image"))
        code = "\n".join([
            "import torch", "import torch.nn.functional as F", x_line,
            f"target = {tgt}  # {name}",
            "y = F.conv2d(x, target)  # the outputs to imitate",
            f"w = torch.tensor([[[{init}]]], dtype=x.dtype, requires_grad=True)  # seed "
            f"{seed_value}'s start",
            f"optimizer = torch.optim.SGD([w], lr={lr})",
            f"for step in range({done}):",
            "    optimizer.zero_grad()",
            "    loss = F.mse_loss(F.conv2d(x, w), y)",
            "    loss.backward()",
            "    optimizer.step()",
            "w  # the learned kernel"])
        outputs["info"].value = (
            f'<div style="font:13px sans-serif"><b>output shape:</b> <span class="convlab-shape">'
            f"{side} input \u2192 {g.shape[0]}x{g.shape[1]} output, {k[0]}x{k[1]} kernel"
            f"</span></div>"
            + "".join(f'<div style="font:12px monospace" class="convlab-formula">'
                      f"{html.escape(f)}</div>" for f in facts)
            + warning
            + '<div style="font:12px sans-serif;margin-top:4px"><b>the same in PyTorch:</b>'
            "</div>" + _pre(code))
        state.update(formula=facts, torch_code=code, torch_inputs={"x": image[None, None]})

    w = _w()
    captions = ["input (box: what the explained weight multiplies)", "target's output",
                "learned kernel's output"]
    pictures = w.HBox([w.VBox([w.HTML(value=f'<div style="font:12px sans-serif">{c}</div>'),
                               outputs[key]])
                       for c, key in zip(captions, ("input", "target_output", "output"))])
    body = [_beside(controls.values(), w.VBox([outputs["kernels"], outputs["curve"]])),
            outputs["message"], pictures, outputs["explain"], outputs["info"]]
    return _assemble("learning-explorer", "Learning explorer: gradient descent finds a kernel",
                     controls, outputs, body, update, state)


# --------------------------------------------------------------------------- transposed explorer

def _inserted_view(x, stride, pad_before, pad_after):
    """``x`` with ``stride - 1`` zeros between its pixels, padded (or cropped, when negative).

    Returns the values and the cell kinds ('in', 'zero' for inserted zeros,
    'pad' for the border), as :func:`_grid_html` draws them.
    """
    n_rows, n_cols = x.shape
    spread = np.zeros(((n_rows - 1) * stride + 1, (n_cols - 1) * stride + 1))
    spread[::stride, ::stride] = x
    kinds = np.full(spread.shape, "zero", dtype=object)
    kinds[::stride, ::stride] = "in"
    grow = ((max(pad_before, 0), max(pad_after, 0)),) * 2
    spread = np.pad(spread, grow)
    kinds = np.pad(kinds, grow, constant_values="pad")
    cut_before, cut_after = max(-pad_before, 0), max(-pad_after, 0)
    end_r, end_c = spread.shape[0] - cut_after, spread.shape[1] - cut_after
    return (spread[cut_before:end_r, cut_before:end_c],
            kinds[cut_before:end_r, cut_before:end_c])


def transposed_explorer(size=3, kernel_size=3, stride=2, padding=0, output_padding=0,
                        dilation=1):
    """Transposed convolution, cell by cell: stamps that overlap, and inserted zeros.

    Every input pixel stamps a scaled copy of the kernel into the output,
    ``stride`` cells apart; where stamps overlap they add up (the overlap
    counts show the checkerboard that ``kernel_size = 3, stride = 2``
    makes). The same numbers come from an ordinary convolution: insert
    ``stride - 1`` zeros between the input pixels, pad by ``d*(k-1) - p``
    (plus ``output_padding`` at the bottom/right) and slide the flipped
    kernel over it at stride 1. Pick an output cell to see both views of
    its sum.

    Parameters
    ----------
    size : int, default 3
        Input height and width, 1..6.
    kernel_size : int, default 3
        1..5.
    stride : int, default 2
        1..4 (the upsampling factor).
    padding : int, default 0
        0..4: cropped from every side of the full output.
    output_padding : int, default 0
        0..3: rows/columns added at the bottom/right; must be smaller than
        ``stride`` or ``dilation`` (a message says so otherwise).
    dilation : int, default 1
        1..3.

    Returns
    -------
    ipywidgets.VBox

    Examples
    --------
    >>> explorer = transposed_explorer()
    >>> explorer.state["shape"]
    (7, 7)
    >>> explorer.state["formula"][0].split(" = ")[2:]
    ['(3 − 1)·2 − 2·0 + 1·(3 − 1) + 0 + 1', '7']
    >>> explorer.state["counts"][:3, :3]     # stamps landing on each output cell
    array([[1., 1., 2.],
           [1., 1., 2.],
           [2., 2., 4.]])
    """
    controls = _int_sliders(size=("input size", size, 1, 6),
                            kernel_size=("kernel size", kernel_size, 1, 5),
                            stride=("stride", stride, 1, 4),
                            padding=("padding", padding, 0, 4),
                            output_padding=("output_padding", output_padding, 0, 3),
                            dilation=("dilation", dilation, 1, 3))
    row, col = _cell_sliders()
    controls["row"], controls["col"] = row, col
    outputs = {"input": _html("convlab-output"), "kernel": _html("convlab-kernel"),
               "inserted": _html("convlab-output"), "output": _html("convlab-output"),
               "counts": _html("convlab-output"), "explain": _html("convlab-explain"),
               "info": _html("convlab-info"), "message": _html("convlab-message")}
    state = {}

    def update():
        state.clear()
        state["error"] = None
        n, k = controls["size"].value, controls["kernel_size"].value
        s, p, op, d = (controls["stride"].value, controls["padding"].value,
                       controls["output_padding"].value, controls["dilation"].value)
        image = _teaching_grid(n, n, seed=40 + n, low=1, high=3)
        kernel = _teaching_grid(k, k, seed=50 + k, low=1, high=3)
        try:
            result = convlab.conv_transpose2d(image[None], kernel[None, None], stride=s,
                                              padding=p, output_padding=op, dilation=d)[0]
        except (ValueError, TypeError) as error:
            text = str(error)
            if "output_padding" in text:
                text += (": output_padding picks one of the stride's input sizes that a strided "
                         "convolution maps to the same output, so it stays below the stride "
                         "(or the dilation); raise the stride or lower output_padding")
            return _fail(text)
        counts = convlab.conv_transpose2d(np.ones((1, n, n)), np.ones((1, 1, k, k)), stride=s,
                                          padding=p, output_padding=op, dilation=d)[0]
        _show(outputs["message"], False)
        for key in ("input", "kernel", "inserted", "output", "counts"):
            _show(outputs[key], True)
        r, c = _pick_cell(row, col, result.shape)
        # Scatter view: the (input pixel, kernel tap) pairs that land on (r, c).
        terms = []
        for i in range(n):
            for a in range(k):
                if i * s + a * d - p != r:
                    continue
                for j in range(n):
                    for b in range(k):
                        if j * s + b * d - p == c:
                            terms.append((i, j, a, b))
        products = np.array([image[i, j] * kernel[a, b] for i, j, a, b in terms])
        total = float(products.sum()) if terms else 0.0
        core_value = float(result[r, c])
        ok, mark = _verdict(total, core_value)
        # Gather view: zeros inserted, padded by d(k-1) - p, the flipped kernel at stride 1.
        q = d * (k - 1) - p
        spread, kinds = _inserted_view(image, s, q, q + op)
        flipped = kernel[::-1, ::-1]
        window = _window(spread, r, c, (k, k), (1, 1), (d, d))
        window_sum = float((window * flipped).sum())
        state.update(output=result, shape=result.shape, counts=counts, input=image,
                     kernel=kernel, cell=(r, c), terms=terms, products=products,
                     explained_sum=total, cell_value=core_value, explain_ok=ok,
                     inserted=spread, window=window, window_sum=window_sum)
        sources = np.zeros(image.shape, dtype=bool)
        taps = np.zeros(kernel.shape, dtype=bool)
        for i, j, a, b in terms:
            sources[i, j] = True
            taps[a, b] = True
        outputs["input"].value = _grid_html(
            image, highlight=sources, title="input (orange: stamps reaching the cell)")
        outputs["kernel"].value = _grid_html(kernel, cmap="Oranges", highlight=taps,
                                             title="kernel (orange: taps used)")
        outputs["inserted"].value = _grid_html(
            spread, kinds=kinds, px=20,
            highlight=_window_mask(spread.shape, r, c, (k, k), (1, 1), (d, d)),
            title=f"{s - 1} zero(s) inserted, padded by d(k\u22121)\u2212p = {q}"
                  + (f" (+{op} bottom/right)" if op else "")
                  + "; flipped kernel's window in orange")
        hl = np.zeros(result.shape, dtype=bool)
        hl[r, c] = True
        outputs["output"].value = _grid_html(result, highlight=hl, cmap="Purples", px=22,
                                             title="output")
        outputs["counts"].value = _grid_html(counts, highlight=hl, cmap="Reds", px=22,
                                             title="stamps overlapping on each cell")
        if terms:
            written = " + ".join(
                f"x[{i},{j}]\u00b7w[{a},{b}]" for i, j, a, b in terms)
            numbers = " + ".join(f"{_fmt(image[i, j])}\u00b7{_fmt(kernel[a, b])}"
                                 for i, j, a, b in terms)
            scatter = f"{written}<br>= {numbers}"
        else:
            scatter = ("no stamp reaches this cell (it lies in a gap the stride leaves, or in "
                       "the output_padding strip): 0")
        outputs["explain"].value = (
            f'<div style="font:12px sans-serif">Scatter view: input pixel x[i, j] puts '
            f"x[i, j]\u00b7w[a, b] on output cell (i\u00b7{s} + a\u00b7{d} \u2212 {p}, "
            f"j\u00b7{s} + b\u00b7{d} \u2212 {p}); these land on ({r}, {c}):</div>"
            f'<div style="font:12px monospace;margin-top:2px">output[{r}, {c}] = {scatter}'
            f"<br>= <b>{_fmt(total, 4)}</b>  (convlab.conv_transpose2d gives "
            f'<b class="convlab-explain-value" data-value="{core_value!r}">'
            f"{_fmt(core_value, 4)}</b>: {mark})</div>"
            f'<div style="font:12px sans-serif;margin-top:6px">Gather view: the flipped '
            f"kernel over the zero-inserted input (every product with an inserted or padded "
            f"zero is 0):</div>"
            + _row(_grid_html(window, kinds=_window(kinds, r, c, (k, k), (1, 1), (d, d)),
                              title="window"), "\u2299",
                   _grid_html(flipped, cmap="Oranges", title="flipped kernel"), "=",
                   _grid_html(window * flipped, cmap="Greens", title="products"))
            + f'<div style="font:12px monospace">sum = {_fmt(window_sum, 4)}</div>')
        o = result.shape[0]
        formulas = [f"o = (i \u2212 1)\u00b7s \u2212 2\u00b7p + d\u00b7(k \u2212 1) + "
                    f"output_padding + 1 = ({n} \u2212 1)\u00b7{s} \u2212 2\u00b7{p} + "
                    f"{d}\u00b7({k} \u2212 1) + {op} + 1 = {o}",
                    f"inserted zeros: ({n} \u2212 1)\u00b7{s} + 1 = {(n - 1) * s + 1} wide; "
                    f"padded by {q} top/left and {q + op} bottom/right (negative: cropped) = "
                    f"{spread.shape[0]}; the {d * (k - 1) + 1}-wide "
                    f"(dilated) kernel fits {spread.shape[0]} \u2212 {d * (k - 1) + 1} + 1 = "
                    f"{o} times"]
        back = convlab.output_size(o, k, stride=s, padding=p, dilation=d)
        formulas.append(f"the convolution it transposes, conv2d(kernel {k}, stride {s}, "
                        f"padding {p}, dilation {d}), maps {o} back to {back}"
                        + ("" if back == n else f" (not {n}: output_padding {op} \u2265 "
                                                f"stride {s} adds a whole window)"))
        if op:
            formulas.append(f"output_padding = {op}: {op} extra row(s) at the bottom and "
                            f"column(s) at the right, never at the top or left")
        call = (f"F.conv_transpose2d(x, w, stride={s}, padding={p}, output_padding={op}, "
                f"dilation={d})")
        outputs["info"].value = _info_html(
            f"{n}x{n} \u2192 {o}x{result.shape[1]}", formulas,
            _torch_snippet([f"x = torch.rand(1, 1, {n}, {n})",
                            f"w = torch.rand(1, 1, {k}, {k})  # (C_in, C_out, kH, kW)"],
                           call, (1, 1) + result.shape,
                           f"# or nn.ConvTranspose2d(1, 1, kernel_size={k}, stride={s}, "
                           f"padding={p}, output_padding={op}, dilation={d})"))
        state.update(formula=formulas, torch_call=call,
                     torch_inputs={"x": image[None, None], "w": kernel[None, None]})

    def _fail(text):
        state["error"] = text
        outputs["message"].value = _message_html(text)
        _show(outputs["message"], True)
        for key in ("input", "kernel", "inserted", "output", "counts"):
            _show(outputs[key], False)
        outputs["explain"].value = ""
        outputs["info"].value = ""
        _disable(row, col)

    w = _w()
    body = [_beside(controls.values(), outputs["info"]), outputs["message"],
            w.HBox([outputs["input"], outputs["kernel"], outputs["output"],
                    outputs["counts"]]),
            outputs["inserted"], outputs["explain"]]
    return _assemble("transposed-explorer", "Transposed convolution explorer",
                     controls, outputs, body, update, state)
