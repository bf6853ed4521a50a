"""Arrays to pictures: PNG bytes and HTML number grids for the explorers.

No matplotlib figure is built per move (that costs 80-160 ms): a picture is an
array turned into colours through a cached colour lookup table, upscaled and
encoded by Pillow; a small grid of numbers is an HTML table. This module
imports no ipywidgets: it returns bytes and strings.
"""

from __future__ import annotations

import functools
import html
import io
import math

import numpy as np

__all__ = ["HIGHLIGHT", "GRID_CMAP", "VIEW_PX", "lut", "limits", "colorize", "picture",
           "fmt", "fmt_g", "grid_html", "row", "pre", "message_html", "curve_png"]

#: The window / selected cell, orange (RGB).
HIGHLIGHT = (230, 85, 13)
#: Colormap of the number grids.
GRID_CMAP = "Blues"
#: On-screen size of a picture, in screen pixels.
VIEW_PX = 240
# (PNG encoding is most of a move's cost: a 96-pixel photograph is upscaled 2x, not 3x.)


@functools.lru_cache(maxsize=None)
def lut(name):
    """256x3 uint8 colour table of a matplotlib colormap, made once."""
    import matplotlib

    table = matplotlib.colormaps[name](np.linspace(0.0, 1.0, 256))[:, :3]
    return np.round(table * 255).astype(np.uint8)


def limits(values, vmin=None, vmax=None, symmetric=False):
    """The (low, high) range a colour scale spans: the finite values' range unless given."""
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


def colorize(values, cmap="gray", vmin=None, vmax=None, symmetric=False):
    """(H, W) numbers -> (H, W, 3) uint8 colours through the cached table.

    Grey from the smallest (black) to the largest value (white) by default.
    """
    values = np.asarray(values, dtype=float)
    low, high = limits(values, vmin, vmax, symmetric)
    return lut(cmap)[_indices(values, low, high)]


def _scale_for(shape, view=VIEW_PX):
    return max(1, int(view // max(shape[0], shape[1])))


def _upscale(rgb, factor):
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1)


def _draw_box(big, top, left, height, width, factor, color=HIGHLIGHT, thickness=2):
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


def picture(values, *, boxes=(), rgb=None, view=VIEW_PX):
    """Numbers (or ready colours) -> upscaled PNG bytes, with optional outlined boxes.

    ``boxes`` holds ``(top, left, height, width)`` in cell units.
    """
    colours = colorize(values) if rgb is None else rgb
    factor = _scale_for(colours.shape, view)
    big = _upscale(colours, factor)
    for top, left, height, width in boxes:
        _draw_box(big, top, left, height, width, factor)
    return _png(big)


def fmt(value, digits=3):
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


def fmt_g(value, digits=3):
    """A number in ``%g`` style (small gradients stay visible), with a real minus sign."""
    value = float(value)
    if value == 0.0:
        return "0"
    return f"{value:.{digits}g}".replace("-", "\u2212")


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


def grid_html(values, *, kinds=None, highlight=None, dim=None, cmap=GRID_CMAP, px=26,
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
    low, high = limits(values[real] if real.any() else values)
    # Only the lighter two thirds of the colormap, so the numbers stay readable.
    colours = lut(cmap)[_indices(np.clip(values, low, high), low, high + (high - low) * 0.35)]
    light = colours @ np.array([0.299, 0.587, 0.114]) > 140
    texts = [[fmt(v, digits) for v in line] for line in values.tolist()]
    longest = max(len(t) for line in texts for t in line)
    base = _CELL.format(px=max(px, 7 * longest + 6))
    mark = "box-shadow:inset 0 0 0 3px rgb({},{},{});font-weight:bold;".format(*HIGHLIGHT)
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


def row(*parts, gap=14):
    """HTML pieces side by side, wrapping when too wide."""
    return (f'<div style="display:flex;flex-wrap:wrap;gap:{gap}px;align-items:center">'
            + "".join(f"<div>{p}</div>" for p in parts) + "</div>")


def pre(text, css="convlab-code"):
    """A block of code as HTML."""
    return (f'<pre class="{css}" style="font:12px monospace;background:#f6f6f6;padding:6px;'
            f'margin:2px 0;white-space:pre-wrap">{html.escape(text)}</pre>')


def message_html(text):
    """A warning box: what an explorer shows instead of a picture it cannot compute."""
    return ('<div style="color:#8a1c00;background:#fff3ee;border:1px solid #e6550d;'
            f'padding:8px;font:13px sans-serif">\u26a0 {html.escape(str(text))}</div>')


def curve_png(losses, width=260, height=130):
    """A loss curve (log scale) as PNG bytes, drawn with Pillow from the array."""
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
    pen.line(points, fill=HIGHLIGHT, width=2)
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
