"""Step-by-step animations of the sliding window: convolution, channels, pooling.

Each frame shows the window on the (padded) input and the output cell it
fills; the output fills up as the window slides left to right, top to bottom.
Every number is computed by convlab's core (``correlate2d``, ``apply_filter``,
``max_pool2d``, ``avg_pool2d``, ``pad2d``, ``output_size``) before the first
frame is drawn, and invalid parameters raise the core's ``ValueError`` or
``TypeError`` before any figure exists.

Public API
----------
:class:`Animation`
    What every function returns: ``.save(path)`` writes a GIF with Pillow,
    ``.frame(k)`` draws frame k and returns the figure, ``.save_frame(k, path)``
    writes one frame as PNG, ``.n_frames``, ``.to_jshtml()``; in a notebook it
    shows as a JavaScript player with play/pause and a frame scrubber, its
    picture at frame 0 before any click, and its output also carries the GIF
    (``image/gif``) for readers that show no scripts.
:func:`convolution`
    The kernel sliding over the input (one row per channel when channels > 1).
:func:`channel_sum`
    The per-channel partial maps added element by element, plus the bias, into one output.
:func:`volume`
    The whole-volume view: a (C, H, W) input, a (C, k, k) filter, one output channel.
:func:`pooling`
    The pooling window sliding over a feature map, the winner circled (max) or the mean (avg).

Frame rule
----------
``n_frames == out_h * out_w``: one frame per output cell, in row-major
order; frame k shows output cell ``divmod(k, out_w)`` being filled. ``hold``
seconds are added to the last frame's duration in the GIF (the frame count
does not change), so a looping GIF pauses on the finished output.
"""

from __future__ import annotations

import hashlib
import html as _html
import itertools
import re

import numpy as np

import convlab
from convlab._checks import check_int, check_pair
from convlab._grids import (ACCENT, MULT, Cells, auto_format, channel_cmaps, channel_names,
                            draw_box, frame_axes, kernel_limits, number_label, pool_text,
                            products_text, set_title, white_background)
from convlab.padding import pad2d, resolve_padding

_PLAYERS = itertools.count()  # how many players this process made (see to_jshtml)

__all__ = ["Animation", "convolution", "channel_sum", "volume", "pooling", "Geometry"]


# --------------------------------------------------------------------------- player + writer


def _new_figure(figsize, dpi):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # A bare Figure (not pyplot): nothing is registered globally, nothing leaks,
    # and a notebook shows the player only, not a stray static copy.
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    white_background(fig)
    return fig


class Animation:
    """A sequence of frames drawn on one matplotlib figure.

    Parameters
    ----------
    fig : matplotlib Figure
    update : callable
        ``update(k)`` puts the figure's artists in the state of frame ``k``.
    n_frames : int
    dynamic : sequence of Artists, optional
        The artists ``update`` changes. Everything else is drawn once and
        reused, so a frame costs only its moving parts.
    fps : float
        Frames per second of the GIF and the player.
    hold : float
        Extra seconds the last frame stays in the GIF.
    alt : str, optional
        What the animation shows, in words, for readers who cannot see it: the
        player's picture carries it as its ``alt`` text and the GIF's output
        metadata as ``alt``. Every function of this module writes one.
    """

    def __init__(self, fig, update, n_frames, *, dynamic=(), fps=2.0, hold=2.0, alt=None):
        self.fig = fig
        self.alt = str(alt) if alt else f"An animation of {int(n_frames)} frames."
        self._update = update
        self.n_frames = int(n_frames)
        self.fps = float(fps)
        self.hold = float(hold)
        self._dynamic = sorted(dynamic, key=lambda a: a.get_zorder())
        self._background = None
        update(0)

    def __len__(self):
        return self.n_frames

    def __repr__(self):
        w, h = self.fig.get_size_inches() * self.fig.dpi
        return f"<convlab Animation: {self.n_frames} frames, {w:.0f}x{h:.0f} px, {self.fps:g} fps>"

    def _check_index(self, k):
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"frame index must be an int, got {type(k).__name__}")
        if not -self.n_frames <= k < self.n_frames:
            raise ValueError(f"frame index must be in [0, {self.n_frames}), got {k}")
        return int(k) % self.n_frames

    def frame(self, k):
        """Put the figure in the state of frame ``k`` (negative counts from the end); return it."""
        self._update(self._check_index(k))
        return self.fig

    def render(self, k):
        """Frame ``k`` as a Pillow RGB image (the static part is drawn once and cached)."""
        from PIL import Image

        k = self._check_index(k)
        canvas = self.fig.canvas
        if self._background is None:
            for artist in self._dynamic:
                artist.set_animated(True)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            for artist in self._dynamic:
                artist.set_animated(False)
        self._update(k)
        if self._dynamic:
            canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            for artist in self._dynamic:
                if artist.get_visible():
                    artist.draw(renderer)
        else:
            canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        return Image.fromarray(np.ascontiguousarray(rgba[..., :3]))

    def save_frame(self, k, path):
        """Write frame ``k`` as a PNG (no timestamp metadata); returns ``path``."""
        self.render(k).save(path, format="png")
        return path

    def durations(self):
        """Milliseconds each GIF frame is shown: ``1000/fps``, plus ``hold`` on the last."""
        base = int(round(1000 / self.fps))
        out = [base] * self.n_frames
        out[-1] += int(round(1000 * self.hold))
        return out

    def _frames(self):
        """Every frame on one palette: ``(rgb frames, colours)``, rendered once."""
        frames = [self.render(k) for k in range(self.n_frames)]
        return frames, _shared_palette(frames)

    def _gif_bytes(self, rendered=None):
        """The looping GIF as bytes (what :meth:`save` writes)."""
        from io import BytesIO

        frames, colours = rendered or self._frames()
        out = BytesIO()
        paletted = [_to_palette(f, colours) for f in frames]
        paletted[0].save(out, format="gif", save_all=True, append_images=paletted[1:],
                         duration=self.durations(), loop=0)
        return out.getvalue()

    def save(self, path):
        """Write a looping GIF (one shared palette, Pillow); returns ``path``.

        Deterministic: the same parameters give the same bytes (GIF holds no timestamp).
        """
        import pathlib

        pathlib.Path(path).write_bytes(self._gif_bytes())
        return path

    def to_jshtml(self, *, default_mode="loop"):
        """HTML with matplotlib's JavaScript player (play/pause, step, frame scrubber).

        The frames are PNGs on the GIF's palette (less than half the size of
        full-colour ones), and the player's picture shows frame 0 from the start,
        before its script runs (and where scripts are stripped: GitHub, nbconvert
        without them).
        """
        return self._jshtml(self._frames(), default_mode)

    def _jshtml(self, rendered, default_mode="loop"):
        """The player's HTML from ``rendered`` = :meth:`_frames`'s ``(frames, colours)``."""
        import pathlib
        import tempfile

        frames, colours = rendered
        writer = _html_writer(fps=self.fps, embed_frames=True, default_mode=default_mode)
        size = self.fig.get_size_inches().copy()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                path = pathlib.Path(tmp, "animation.html")
                with writer.saving(self.fig, str(path), self.fig.dpi):
                    for frame in frames:
                        writer.add_image(_to_palette(frame, colours))
                html = path.read_text()
        finally:
            # the writer rounds the figure to even pixel sizes (a video codec's rule);
            # the frames are already drawn, and the cached background keeps its size
            self.fig.set_size_inches(size)
        first = writer._saved_frames[0].replace("\n", "")
        # matplotlib names the player's elements with a random uuid; name them from the
        # content and a per-process count instead, so re-running a notebook without
        # changes writes the same bytes (and two players on one page stay distinct).
        match = re.search(r"_anim_img([0-9a-f]{32})", html)
        if match:
            content = html.replace(match.group(1), "")
            stable = hashlib.sha256(f"{next(_PLAYERS)}:{content}".encode()).hexdigest()[:32]
            html = html.replace(match.group(1), stable)
        width, height = frames[0].size
        alt = _html.escape(f"{self.alt} (Frame 1 of {self.n_frames} shown; the player's buttons "
                           "step through the others.)", quote=True)
        html, found = re.subn(r'<img id="(_anim_img[0-9a-f]+)">',
                              lambda m: f'<img id="{m.group(1)}" width="{width}" height="{height}" '
                                        f'alt="{alt}" role="img" '
                                        f'src="data:image/png;base64,{first}">', html, count=1)
        if found != 1:  # pragma: no cover - matplotlib changed its template
            raise RuntimeError("matplotlib's player template has no <img id=\"_anim_img...\">")
        return html

    def _repr_html_(self):
        return self.to_jshtml()

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The player (text/html) and the looping GIF (image/gif) beside it.

        Front ends that run scripts (JupyterLab, Notebook 7, VS Code) rank HTML
        first and show the player; a reader that shows only pictures gets the GIF.
        """
        import base64

        rendered = self._frames()
        data = {"text/html": self._jshtml(rendered),
                "image/gif": base64.b64encode(self._gif_bytes(rendered)).decode("ascii"),
                "text/plain": repr(self)}
        return data, {"image/gif": {"alt": self.alt}}

    def close(self):
        """Release the figure's memory (the Animation cannot draw afterwards)."""
        self._background = None
        self.fig.clear()


def _to_palette(image, colours):
    """``image`` (RGB) as a P image on ``colours``, each pixel on its exactly nearest entry.

    (Pillow's own palette mapping goes through a coarse colour cache and turns
    white into light grey.)
    """
    from PIL import Image

    rgb = np.asarray(image, dtype=np.int64).reshape(-1, 3)
    keys = (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    unique, inverse = np.unique(keys, return_inverse=True)
    u = np.stack([(unique >> 16) & 255, (unique >> 8) & 255, unique & 255], axis=1)
    u = u.astype(np.float64)
    p = colours.astype(np.float64)
    distance = (u * u).sum(1)[:, None] - 2 * u @ p.T + (p * p).sum(1)[None, :]
    lut = distance.argmin(axis=1).astype(np.uint8)
    out = Image.frombytes("P", image.size, lut[inverse.ravel()].tobytes())
    out.putpalette(colours.ravel().tolist())
    return out


def _shared_palette(frames):
    """One palette (256 RGB rows) for every frame, from the first and the last frame.

    Unchanged pixels stay identical from frame to frame, so a GIF stores only
    what moved. Median cut averages colours: the lightest and darkest entries are
    made exact white and black again (the background and the text).
    """
    from PIL import Image

    first, last = frames[0], frames[-1]
    both = Image.new("RGB", (first.width, first.height * 2))
    both.paste(first, (0, 0))
    both.paste(last, (0, first.height))
    palette = both.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                            dither=Image.Dither.NONE)
    colours = np.array(palette.getpalette(), dtype=np.int64).reshape(-1, 3)
    brightness = colours.sum(axis=1)
    colours[int(np.argmax(brightness))] = 255
    colours[int(np.argmin(brightness))] = 0
    return colours


def _html_writer(**kwargs):
    """matplotlib's HTML writer, fed with pre-rendered frames."""
    import base64
    from io import BytesIO

    from matplotlib.animation import HTMLWriter

    class FrameHTMLWriter(HTMLWriter):
        def add_image(self, image):
            buf = BytesIO()
            image.save(buf, format="png")
            self._saved_frames.append(base64.encodebytes(buf.getvalue()).decode("ascii"))

    return FrameHTMLWriter(**kwargs)


# --------------------------------------------------------------------------- validation


def _check_rate(fps, hold):
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not fps > 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    if isinstance(hold, bool) or not isinstance(hold, (int, float)) or hold < 0:
        raise ValueError(f"hold must be a number of seconds >= 0, got {hold!r}")


class Geometry:
    """Sizes of one sliding-window operation, validated by the core.

    Attributes: ``input_hw``, ``kernel_hw``, ``stride``, ``dilation``,
    ``pads`` (``((top, bottom), (left, right))``), ``out_hw`` (from
    ``convlab.output_size``), ``n_frames``.

    >>> g = Geometry(5, 3, 1, "same", 1)
    >>> g.pads, g.out_hw, g.n_frames
    (((1, 1), (1, 1)), (5, 5), 25)
    """

    def __init__(self, input_size, kernel_size, stride=1, padding=0, dilation=1):
        ih, iw = check_pair(input_size, "input_size", minimum=1)
        kh, kw = check_pair(kernel_size, "kernel_size", minimum=1)
        sh, sw = check_pair(stride, "stride", minimum=1)
        dh, dw = check_pair(dilation, "dilation", minimum=1)
        # the core validates every number (types, >= 1, kernel fits) and names the argument
        oh = convlab.output_size(ih, kh, sh, _axis_padding(padding, 0), dh)
        ow = convlab.output_size(iw, kw, sw, _axis_padding(padding, 1), dw)
        self.input_hw = (int(ih), int(iw))
        self.kernel_hw = (int(kh), int(kw))
        self.stride = (int(sh), int(sw))
        self.dilation = (int(dh), int(dw))
        pads = resolve_padding(padding, self.input_hw, self.kernel_hw, self.stride,
                               self.dilation)
        self.pads = tuple(tuple(int(v) for v in p) for p in pads)
        self.out_hw = (int(oh), int(ow))
        self.n_frames = self.out_hw[0] * self.out_hw[1]
        self.padding = padding

    def cells(self, k):
        """Output cell of frame ``k`` and the padded-input cells its window taps."""
        i, j = divmod(k, self.out_hw[1])
        top, left = i * self.stride[0], j * self.stride[1]
        taps = [(top + a * self.dilation[0], left + b * self.dilation[1])
                for a in range(self.kernel_hw[0]) for b in range(self.kernel_hw[1])]
        return (i, j), taps

    def padded_hw(self):
        (t, b), (l, r) = self.pads
        return self.input_hw[0] + t + b, self.input_hw[1] + l + r

    def ring(self):
        """Boolean mask of the padding cells in the padded input."""
        ph, pw = self.padded_hw()
        mask = np.ones((ph, pw), bool)
        (t, _), (l, _) = self.pads
        mask[t:t + self.input_hw[0], l:l + self.input_hw[1]] = False
        return mask

    def describe(self):
        (t, b), (l, r) = self.pads
        pad = str(t) if t == b == l == r else f"({t},{b}),({l},{r})"
        if isinstance(self.padding, str):
            pad = f"'{self.padding}' = {pad}"
        parts = [f"input {self.input_hw[0]}{MULT}{self.input_hw[1]}",
                 f"kernel {self.kernel_hw[0]}{MULT}{self.kernel_hw[1]}",
                 f"stride {_pt(self.stride)}", f"padding {pad}"]
        if self.dilation != (1, 1):
            parts.append(f"dilation {_pt(self.dilation)}")
        return ", ".join(parts) + f"  \u2192  output {self.out_hw[0]}{MULT}{self.out_hw[1]}"


def _axis_padding(padding, axis):
    """One axis's part of a padding spec, for ``convlab.output_size``."""
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ValueError(f"padding as a pair must be (height, width) or "
                             f"((top, bottom), (left, right)), got {padding!r}")
        return padding[axis]
    return padding


def _pt(pair):
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}{MULT}{pair[1]}"


def _given(array, name, shape, meaning):
    """A given image or kernel as ``(C, ...)``, one channel added to a 2-D array."""
    array = np.asarray(array)
    if array.ndim == 2:
        array = array[None]
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape} {meaning}, got {array.shape}")
    return array


def _data(geom, channels, image, kernel, seed):
    """Input (C, H, W) and filter (C, kH, kW): given, or small integers from ``seed``."""
    rng = np.random.default_rng(seed)
    c = channels
    image = (rng.integers(0, 10, size=(c,) + geom.input_hw) if image is None
             else _given(image, "image", (c,) + geom.input_hw, "(channels, input_size)"))
    kernel = (rng.integers(-1, 2, size=(c,) + geom.kernel_hw) if kernel is None
              else _given(kernel, "kernel", (c,) + geom.kernel_hw, "(channels, kernel_size)"))
    return image, kernel


def _prepare(input_size, kernel_size, stride, padding, dilation, channels, image, kernel, seed,
             fps, hold, padding_mode, bias):
    channels = check_int(channels, "channels", minimum=1)
    _check_rate(fps, hold)
    geom = Geometry(input_size, kernel_size, stride, padding, dilation)
    image, kernel = _data(geom, channels, image, kernel, seed)
    # the core computes every number shown (and re-validates dtype, bias, mode)
    partials = np.stack([convlab.correlate2d(image[c], kernel[c], geom.stride, geom.pads,
                                             geom.dilation, padding_mode=padding_mode)
                         for c in range(channels)])
    out = convlab.apply_filter(image, kernel, bias, geom.stride, geom.pads, geom.dilation,
                               padding_mode=padding_mode)
    padded = pad2d(image, geom.pads, mode=padding_mode)
    return geom, image.astype(float), kernel.astype(float), partials, np.asarray(out), padded


def _dynamic(*items):
    """Flatten windows, markers, cell grids and plain artists into one list of artists."""
    out = []
    for item in items:
        if isinstance(item, _Window):
            out += item.artists()
        elif isinstance(item, Cells):
            out += [item.image] + item.lines + list(item.texts.ravel())
        elif hasattr(item, "patch"):
            out.append(item.patch)
        elif isinstance(item, (list, tuple)):
            out += _dynamic(*item)
        else:
            out.append(item)
    return out


def _filled(k, shape):
    mask = np.zeros(shape, bool)
    mask.ravel()[:k + 1] = True
    return mask


class _Window:
    """Outline patches of one window (tapped cells + the dilated span) on a panel."""

    def __init__(self, ax, geom, offset=(0, 0), linestyle="-", zorder=6):
        from matplotlib.patches import Rectangle

        self.ax, self.geom, self.offset = ax, geom, offset
        n = geom.kernel_hw[0] * geom.kernel_hw[1]
        self.taps = [Rectangle((0, 0), 1, 1, fill=False, edgecolor=ACCENT, linewidth=2.6,
                               linestyle=linestyle, zorder=zorder) for _ in range(n)]
        for p in self.taps:
            ax.add_patch(p)
        kh, kw = geom.kernel_hw
        dh, dw = geom.dilation
        self.span = Rectangle((0, 0), dw * (kw - 1) + 1, dh * (kh - 1) + 1, fill=False,
                              edgecolor=ACCENT, linewidth=1.2, linestyle=(0, (3, 2)),
                              zorder=zorder, visible=geom.dilation != (1, 1))
        ax.add_patch(self.span)

    def artists(self):
        return self.taps + [self.span]

    def move(self, k):
        r0, c0 = self.offset
        _, taps = self.geom.cells(k)
        for p, (r, c) in zip(self.taps, taps):
            p.set_xy((c0 + c - 0.5, r0 + r - 0.5))
        r, c = taps[0]
        self.span.set_xy((c0 + c - 0.5, r0 + r - 0.5))
        return taps


def _cell_marker(ax, offset=(0, 0), zorder=6):
    from matplotlib.patches import Rectangle

    patch = Rectangle((0, 0), 1, 1, fill=False, edgecolor=ACCENT, linewidth=3, zorder=zorder)
    ax.add_patch(patch)

    def move(i, j):
        patch.set_xy((offset[1] + j - 0.5, offset[0] + i - 0.5))

    move.patch = patch
    return move


def _alt(geom, what):
    """An animation's alt text: ``what`` it shows (``{k}`` is the kernel's size), then its sizes."""
    k = f"{geom.kernel_hw[0]}x{geom.kernel_hw[1]}"
    sizes = geom.describe().replace(MULT, "x").replace("  \u2192  ", ", giving ")
    return (f"Animation in {geom.n_frames} frames, one per output cell, left to right and top to "
            f"bottom: {what.format(k=k)} ({sizes}).")


def _caption(fig, y=0.03, size=10):
    return fig.text(0.5, y, "", ha="center", va="bottom", fontsize=size, color="black",
                    family="DejaVu Sans", linespacing=1.35)


# --------------------------------------------------------------------------- convolution


def convolution(input_size=5, kernel_size=3, stride=1, padding=0, dilation=1, channels=1, *,
                image=None, kernel=None, bias=0.0, padding_mode="zeros", show_sum=True, seed=0,
                fps=2.0, hold=2.0, dpi=80):
    """Animate a kernel sliding over an input, filling the output one cell a frame.

    Parameters
    ----------
    input_size, kernel_size, stride, dilation : int or (int, int)
    padding : int, pair, ((top, bottom), (left, right)) or {'valid', 'same', 'full'}
        The ring is drawn hatched grey with its values (``padding_mode``).
    channels : int, default 1
        With more than one channel each row shows one channel, its kernel and
        its partial map; ``show_sum`` adds the output channel (sum + bias).
    image : array_like, shape (channels, H, W) or (H, W), optional
        Default: integers 0..9 drawn with ``seed``.
    kernel : array_like, shape (channels, kH, kW) or (kH, kW), optional
        Default: integers -1..1 drawn with ``seed``.
    bias : float, default 0.0
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}, default 'zeros'
    show_sum : bool, default True
        For channels > 1: also show the output channel.
    seed : int, default 0
    fps : float, default 2.0
    hold : float, default 2.0
        Extra seconds on the last frame of the GIF.
    dpi : int, default 80

    Returns
    -------
    Animation
        ``n_frames`` = number of output cells (see the module's frame rule).

    Raises
    ------
    ValueError, TypeError
        From ``convlab.output_size`` / ``correlate2d`` when the parameters do
        not make a valid convolution, before anything is drawn.

    Examples
    --------
    >>> anim = convolution(5, 3, padding="same")
    >>> anim.n_frames
    25
    >>> convolution(4, 5)
    Traceback (most recent call last):
    ...
    ValueError: kernel_size 5 (dilated extent 5) does not fit in the padded input 4 ...
    """
    geom, image, kernel, partials, out, padded = _prepare(
        input_size, kernel_size, stride, padding, dilation, channels, image, kernel, seed, fps,
        hold, padding_mode, bias)
    if channels == 1:
        return _single(geom, image[0], kernel[0], out, padded[0], bias, fps, hold, dpi)
    return _multi(geom, image, kernel, partials, out, padded, bias, show_sum, fps, hold, dpi)


def _sizes(geom):
    ph, pw = geom.padded_hw()
    kh, kw = geom.kernel_hw
    oh, ow = geom.out_hw
    return ph, pw, kh, kw, oh, ow


def _single(geom, image, kernel, out, padded, bias, fps, hold, dpi):
    ph, pw, kh, kw, oh, ow = _sizes(geom)
    cell = 0.42
    caption_h = 0.2 * kh + 0.25
    width = cell * (pw + kw + ow) + 2.4
    height = cell * max(ph, kh, oh) + 0.9 + caption_h
    fig = _new_figure((max(width, 7.0), height), dpi)
    bottom = caption_h / height
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [pw, kw, ow], "wspace": 0.25})
    fig.subplots_adjust(left=0.02, right=0.98, top=1 - 0.65 / height, bottom=bottom + 0.02)
    a_in, a_k, a_out = axes
    ring = geom.ring()
    inner = padded[~ring] if (~ring).any() else padded
    frame_axes(a_in, ph, pw)
    Cells(a_in, padded, cmap="Blues", vmin=float(inner.min()), vmax=float(inner.max()),
           fmt=auto_format(padded), pad_mask=ring)
    set_title(a_in, "input" + (" + padding" if ring.any() else ""))
    frame_axes(a_k, kh, kw)
    lo, hi = kernel_limits(kernel)
    Cells(a_k, kernel, cmap="PuOr", vmin=lo, vmax=hi, fmt=auto_format(kernel))
    set_title(a_k, "kernel")
    frame_axes(a_out, oh, ow)
    out_cells = Cells(a_out, out, cmap="Greens", fmt=auto_format(out),
                       visible=np.zeros(out.shape, bool))
    set_title(a_out, "output")
    fig.suptitle(geom.describe(), fontsize=11, color="black", y=1 - 0.12 / height, va="top")
    win = _Window(a_in, geom)
    mark = _cell_marker(a_out)
    caption = _caption(fig, 0.015)
    fmt_w, fmt_k, fmt_o = auto_format(padded), auto_format(kernel), auto_format(out)
    bias_text = ("" if bias == 0
                 else f" + {number_label(bias, auto_format(np.array([bias])))} (bias)")

    def update(k):
        (i, j), taps = geom.cells(k)
        win.move(k)
        mark(i, j)
        out_cells.show_only(_filled(k, out.shape))
        values = np.array([padded[r, c] for r, c in taps]).reshape(kh, kw)
        text = products_text(values, kernel, out[i, j] - bias, fmt_w, fmt_k, fmt_o)
        if bias_text:
            text = text.replace(" = ", f"{bias_text} = ")
            text = text.rsplit(" = ", 1)[0] + f" = {number_label(out[i, j], fmt_o)}"
        caption.set_text(f"output[{i}, {j}] = " + text.replace("\n", "\n" + " " * 0))

    return Animation(fig, update, geom.n_frames, dynamic=_dynamic(win, mark, out_cells, caption), fps=fps,
                     hold=hold,
                     alt=_alt(geom, "a {k} kernel slides over the input; each frame outlines one window, writes "
                          "its sum of products and fills the output cell it makes"))


def _multi(geom, image, kernel, partials, out, padded, bias, show_sum, fps, hold, dpi):
    ph, pw, kh, kw, oh, ow = _sizes(geom)
    n = image.shape[0]
    cell = 0.34
    ncol = 4 if show_sum else 3
    width = cell * (pw + kw + ow + (ow if show_sum else 0)) + 2.6
    row_h = cell * ph + 0.45
    height = n * row_h + 1.2
    fig = _new_figure((max(width, 6.5), height), dpi)
    widths = [pw, kw, ow] + ([ow] if show_sum else [])
    axes = fig.subplots(n, ncol, gridspec_kw={"width_ratios": widths, "wspace": 0.3,
                                              "hspace": 0.3}, squeeze=False)
    fig.subplots_adjust(left=0.02, right=0.98, top=1 - 0.6 / height, bottom=0.6 / height)
    names = channel_names(n)
    cmaps = channel_cmaps(n)
    ring = geom.ring()
    plo, phi = float(partials.min()), float(partials.max())
    fmt_p = auto_format(partials)
    wins, marks, parts = [], [], []
    lo, hi = kernel_limits(kernel)
    for c in range(n):
        a_in, a_k, a_p = axes[c, :3]
        inner = padded[c][~ring] if (~ring).any() else padded[c]
        frame_axes(a_in, ph, pw)
        Cells(a_in, padded[c], cmap=cmaps[c], vmin=float(inner.min()), vmax=float(inner.max()),
               fmt=auto_format(padded), pad_mask=ring)
        set_title(a_in, f"input {names[c]}", 10)
        frame_axes(a_k, kh, kw)
        Cells(a_k, kernel[c], cmap="PuOr", vmin=lo, vmax=hi, fmt=auto_format(kernel))
        set_title(a_k, f"kernel {names[c]}", 10)
        frame_axes(a_p, oh, ow)
        parts.append(Cells(a_p, partials[c], cmap=cmaps[c], vmin=plo, vmax=phi, fmt=fmt_p,
                            visible=np.zeros(partials[c].shape, bool)))
        set_title(a_p, f"output of kernel {names[c]}", 10)
        wins.append(_Window(a_in, geom))
        marks.append(_cell_marker(a_p))
    out_cells = None
    if show_sum:
        for c in range(n):
            axes[c, 3].set_visible(c == n // 2)
        a_out = axes[n // 2, 3]
        frame_axes(a_out, oh, ow)
        out_cells = Cells(a_out, out, cmap="Greens", fmt=auto_format(out),
                           visible=np.zeros(out.shape, bool))
        set_title(a_out, "sum + bias", 10)
        marks.append(_cell_marker(a_out))
    fig.suptitle(f"{n} channels, one kernel each: " + geom.describe(), fontsize=10.5,
                 color="black", y=1 - 0.1 / height, va="top")
    caption = _caption(fig, 0.2 / height)
    fmt_o = auto_format(out)
    bias_label = number_label(bias, auto_format(np.array([bias])))

    def update(k):
        (i, j), _ = geom.cells(k)
        shown = _filled(k, out.shape)
        for w in wins:
            w.move(k)
        for m in marks:
            m(i, j)
        for p in parts:
            p.show_only(shown)
        terms = [f"{number_label(partials[c, i, j], fmt_p)} ({names[c]})" for c in range(n)]
        if out_cells is not None:
            out_cells.show_only(shown)
            caption.set_text(f"output[{i}, {j}] = " + " + ".join(terms)
                             + f" + {bias_label} (bias) = {number_label(out[i, j], fmt_o)}")
        else:
            caption.set_text(f"position [{i}, {j}]: each kernel's sum of products fills its own "
                             "output: " + ", ".join(terms))

    return Animation(fig, update, geom.n_frames, dynamic=_dynamic(wins, marks, parts, out_cells or [], caption), fps=fps,
                     hold=hold,
                     alt=_alt(geom, f"one {{k}} kernel per channel ({len(kernel)} channels) slides over its own "
                          "input channel; each frame outlines the windows at one position and "
                          "fills each channel's output cell there" + (", then their sum" if show_sum else "")))


# --------------------------------------------------------------------------- channel sum


def channel_sum(input_size=5, kernel_size=3, stride=1, padding=0, dilation=1, channels=3, *,
                image=None, kernel=None, bias=0.0, padding_mode="zeros", seed=0, fps=2.0,
                hold=2.0, dpi=80):
    """Animate the per-channel outputs being added, cell by cell, into the filter's one output.

    The partial maps are ``correlate2d(image[c], kernel[c])``; the output is
    ``apply_filter(image, kernel, bias)``. Parameters as :func:`convolution`.

    Returns
    -------
    Animation
        ``n_frames`` = number of output cells.

    Examples
    --------
    >>> channel_sum(5, 3, padding=1, bias=1).n_frames
    25
    """
    geom, image, kernel, partials, out, padded = _prepare(
        input_size, kernel_size, stride, padding, dilation, channels, image, kernel, seed, fps,
        hold, padding_mode, bias)
    n = partials.shape[0]
    oh, ow = geom.out_hw
    names = channel_names(n)
    cmaps = channel_cmaps(n)
    cell = 0.42
    op_w = 0.9
    width = n * cell * ow + (n + 1) * op_w + cell * ow + 0.8
    height = cell * oh + 1.9
    fig = _new_figure((width, height), dpi)
    ratios = []
    for c in range(n):
        ratios += [ow, op_w / cell]
    ratios[-1] = op_w / cell * 1.6
    ratios += [ow]
    axes = fig.subplots(1, len(ratios), gridspec_kw={"width_ratios": ratios, "wspace": 0.05})
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.75 / height, bottom=0.75 / height)
    plo, phi = float(partials.min()), float(partials.max())
    fmt_p = auto_format(partials)
    marks = []
    bias_label = number_label(bias, auto_format(np.array([bias])))
    for c in range(n):
        a = axes[2 * c]
        frame_axes(a, oh, ow)
        Cells(a, partials[c], cmap=cmaps[c], vmin=plo, vmax=phi, fmt=fmt_p)
        set_title(a, f"output of kernel {names[c]}", 10)
        marks.append(_cell_marker(a))
        op = axes[2 * c + 1]
        op.set_axis_off()
        sign = "+" if c < n - 1 else f"+ {bias_label}\n(bias)\n="
        op.text(0.5, 0.5, sign, ha="center", va="center", fontsize=16 if c < n - 1 else 13,
                color="black", transform=op.transAxes)
    a_out = axes[-1]
    frame_axes(a_out, oh, ow)
    out_cells = Cells(a_out, out, cmap="Greens", fmt=auto_format(out),
                       visible=np.zeros(out.shape, bool))
    set_title(a_out, "filter output", 10)
    marks.append(_cell_marker(a_out))
    fig.suptitle("the outputs of the three kernels are added element by element, plus the bias"
                 if n == 3 else f"the {n} per-channel outputs are added element by element, "
                 "plus the bias", fontsize=11, color="black", y=1 - 0.12 / height, va="top")
    caption = _caption(fig, 0.2 / height, 11)
    fmt_o = auto_format(out)

    def update(k):
        i, j = divmod(k, ow)
        for m in marks:
            m(i, j)
        out_cells.show_only(_filled(k, out.shape))
        terms = " + ".join(number_label(partials[c, i, j], fmt_p) for c in range(n))
        caption.set_text(f"output[{i}, {j}] = {terms} + {bias_label} = "
                         f"{number_label(out[i, j], fmt_o)}")

    return Animation(fig, update, geom.n_frames, dynamic=_dynamic(marks, out_cells, caption), fps=fps,
                     hold=hold,
                     alt=_alt(geom, f"the {n} per-channel partial maps are added cell by cell, plus the bias, "
                          "into one output channel; each frame marks one cell in every partial map "
                          "and writes their sum"))


# --------------------------------------------------------------------------- volume view


def volume(input_size=5, kernel_size=3, stride=1, padding=0, dilation=1, channels=3, *,
           image=None, kernel=None, bias=0.0, padding_mode="zeros", seed=0, fps=2.0, hold=2.0,
           dpi=80):
    """Animate the whole-volume view: a (C, H, W) input, a (C, k, k) filter, one output channel.

    The channels are drawn as stacked sheets (front: the first channel); the
    window is a box through all of them, and each frame fills one output cell
    with ``apply_filter``'s value. Parameters as :func:`convolution`.

    Returns
    -------
    Animation
        ``n_frames`` = number of output cells.

    Examples
    --------
    >>> volume(5, 3, padding=1).n_frames
    25
    """
    geom, image, kernel, partials, out, padded = _prepare(
        input_size, kernel_size, stride, padding, dilation, channels, image, kernel, seed, fps,
        hold, padding_mode, bias)
    n = image.shape[0]
    ph, pw, kh, kw, oh, ow = _sizes(geom)
    names = channel_names(n)
    cmaps = channel_cmaps(n)
    step = 0.8  # how far each deeper sheet is shifted up and right, in cells
    depth = step * (n - 1)
    gap = 3.2
    in_top = depth + 1.5
    k_left = pw + depth + gap
    k_top = in_top
    out_left = k_left + kw + depth + gap
    out_top = in_top + (ph - oh) / 2  # centred beside the front input sheet
    width_cells = out_left + max(ow, 6) + 0.6  # room for the output's title
    height_cells = in_top + max(ph, oh) + 0.5
    cell = 0.36
    caption_h = 0.7
    fig = _new_figure((cell * width_cells + 0.4, cell * height_cells + caption_h + 0.3), dpi)
    ax = fig.add_axes([0.01, caption_h / (cell * height_cells + caption_h + 0.3), 0.98,
                       1 - (caption_h + 0.05) / (cell * height_cells + caption_h + 0.3)])
    ax.set_xlim(-0.6, width_cells - 0.5)
    ax.set_ylim(height_cells - 0.5, -0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ring = geom.ring()
    lo, hi = kernel_limits(kernel)
    fs = None
    for c in reversed(range(n)):  # back sheets first
        z = 1 + 3 * (n - c)
        off_in = (in_top - c * step, c * step)
        inner = padded[c][~ring] if (~ring).any() else padded[c]
        sheet = Cells(ax, padded[c], cmap=cmaps[c], vmin=float(inner.min()),
                       vmax=float(inner.max()), fmt=auto_format(padded), pad_mask=ring,
                       offset=off_in, zorder=z, fontsize=fs)
        fs = sheet.fontsize
        off_k = (k_top - c * step, k_left + c * step)
        kern = Cells(ax, kernel[c], cmap="PuOr", vmin=lo, vmax=hi, fmt=auto_format(kernel),
                      offset=off_k, zorder=z, fontsize=fs)
        if c > 0:  # only the front sheet's numbers are readable; the others peek out
            for t in list(sheet.texts.ravel()) + list(kern.texts.ravel()):
                t.set_visible(False)
        # the name sits in the step between this sheet's bottom-right corner and the next one's
        ax.text(c * step + pw - 0.5 + 0.1, in_top - c * step + ph - 0.5 - 0.05, names[c],
                fontsize=8, color="black", ha="left", va="bottom", zorder=z + 0.5)
    ax.text((pw - 1 + depth) / 2, 0.2, f"input {n}{MULT}{ph}{MULT}{pw} (with padding)"
            if ring.any() else f"input {n}{MULT}{ph}{MULT}{pw}", ha="center", va="top",
            fontsize=10, color="black")
    ax.text(k_left + (kw - 1 + depth) / 2, 0.2, f"filter: {n} kernels {kh}{MULT}{kw}",
            ha="center", va="top", fontsize=10, color="black")
    out_cells = Cells(ax, out, cmap="Greens", fmt=auto_format(out), offset=(out_top, out_left),
                       visible=np.zeros(out.shape, bool), zorder=3, fontsize=fs)
    ax.text(out_left + (ow - 1) / 2, out_top - 0.9, f"output {oh}{MULT}{ow} (one channel)",
            ha="center", va="bottom", fontsize=10, color="black")
    ax.text(k_left - gap / 2 - 0.5, k_top + kh / 2, "\u2297", fontsize=18, ha="center",
            va="center", color="black")
    ax.text(out_left - gap / 2 - 0.5, k_top + kh / 2, "=", fontsize=18, ha="center",
            va="center", color="black")
    # the window: its outline on the front and the back sheet, joined into a box
    zt = 4 + 3 * n
    front = _Window(ax, geom, offset=(in_top, 0), zorder=zt)
    back_box = draw_box(ax, 0, 0, 1, 1, linewidth=1.6, zorder=zt, linestyle=(0, (3, 2)))
    from matplotlib.lines import Line2D

    edges = [Line2D([], [], color=ACCENT, linewidth=1.6, zorder=zt) for _ in range(2)]
    rays = [Line2D([], [], color=ACCENT, linewidth=1.0, alpha=0.8, zorder=zt) for _ in range(2)]
    for line in edges + rays:
        ax.add_line(line)
    draw_box(ax, k_top - depth, k_left, kh + depth, kw + depth, color="#636363",
               linewidth=0.8, linestyle=(0, (2, 2)), zorder=zt)
    mark = _cell_marker(ax, offset=(out_top, out_left), zorder=zt)
    caption = _caption(fig, 0.12 / (cell * height_cells + caption_h + 0.3), 10.5)
    fmt_p, fmt_o = auto_format(partials), auto_format(out)
    bias_label = number_label(bias, auto_format(np.array([bias])))
    span_h = geom.dilation[0] * (kh - 1) + 1
    span_w = geom.dilation[1] * (kw - 1) + 1

    def update(k):
        (i, j), taps = geom.cells(k)
        front.move(k)
        top, left = taps[0]
        y0, x0 = in_top + top - 0.5, left - 0.5
        back_box.set_xy((x0 + depth, y0 - depth))
        back_box.set_width(span_w)
        back_box.set_height(span_h)
        edges[0].set_data([x0 + span_w, x0 + span_w + depth], [y0, y0 - depth])
        edges[1].set_data([x0 + span_w, x0 + span_w + depth], [y0 + span_h, y0 + span_h - depth])
        oy, ox = out_top + i - 0.5, out_left + j - 0.5
        rays[0].set_data([x0 + span_w + depth, ox], [y0 - depth, oy])
        rays[1].set_data([x0 + span_w, ox], [y0 + span_h, oy + 1])
        mark(i, j)
        out_cells.show_only(_filled(k, out.shape))
        terms = " + ".join(f"{number_label(partials[c, i, j], fmt_p)} ({names[c]})"
                           for c in range(n))
        caption.set_text(f"output[{i}, {j}] = sum over all {n} channels of window {MULT} kernel"
                         f" + bias = {terms} + {bias_label} = {number_label(out[i, j], fmt_o)}")

    return Animation(fig, update, geom.n_frames, dynamic=_dynamic(front, back_box, edges, rays, mark, out_cells, caption), fps=fps,
                     hold=hold,
                     alt=_alt(geom, f"the {n}-channel input is drawn as a block and the filter as a block as deep "
                          "as the input, with a {k} face; the filter slides over the input and each "
                          "frame fills one cell of the single output channel"))


# --------------------------------------------------------------------------- pooling


def pooling(input_size=6, kernel_size=2, stride=None, mode="max", *, image=None, seed=0,
            fps=2.0, hold=2.0, dpi=80):
    """Animate a pooling window sliding over a feature map.

    Parameters
    ----------
    input_size, kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``, as in PyTorch.
    mode : {'max', 'avg'}, default 'max'
        Max pooling circles the winner (``convlab.max_pool2d``'s index); average
        pooling writes the mean (``convlab.avg_pool2d``).
    image : array_like, shape (H, W), optional
        Default: integers 0..9 drawn with ``seed``.
    seed, fps, hold, dpi
        As :func:`convolution`.

    Returns
    -------
    Animation
        ``n_frames`` = number of output cells.

    Examples
    --------
    >>> pooling(7, 3, 2).n_frames
    9
    >>> pooling(4, 2, mode="median")
    Traceback (most recent call last):
    ...
    ValueError: mode must be 'max' or 'avg', got 'median'
    """
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    _check_rate(fps, hold)
    geom = Geometry(input_size, kernel_size, kernel_size if stride is None else stride, 0, 1)
    if image is None:
        image = np.random.default_rng(seed).integers(0, 10, size=geom.input_hw)
    x = np.asarray(image)
    if x.shape != geom.input_hw:
        raise ValueError(f"image must have shape {geom.input_hw} (input_size), got {x.shape}")
    if mode == "max":
        out, idx = convlab.max_pool2d(x, geom.kernel_hw, geom.stride, return_indices=True)
        out, idx = np.asarray(out, float), np.asarray(idx)
    else:
        out, idx = np.asarray(convlab.avg_pool2d(x, geom.kernel_hw, geom.stride), float), None
    x = x.astype(float)
    (h, w), (kh, kw), (oh, ow) = geom.input_hw, geom.kernel_hw, geom.out_hw
    cell = 0.45
    height = cell * h + 1.7
    fig = _new_figure((max(cell * (w + ow) + 2.0, 6.0), height), dpi)
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [w, ow], "wspace": 0.25})
    fig.subplots_adjust(left=0.03, right=0.97, top=1 - 0.75 / height, bottom=0.75 / height)
    a_in, a_out = axes
    frame_axes(a_in, h, w)
    in_cells = Cells(a_in, x, cmap="Blues", fmt=auto_format(x))
    set_title(a_in, f"feature map {h}{MULT}{w}")
    frame_axes(a_out, oh, ow)
    fmt_o = "{:.2f}" if mode == "avg" and auto_format(out) != "{:.0f}" else auto_format(out)
    out_cells = Cells(a_out, out, cmap="Greens", fmt=fmt_o, visible=np.zeros(out.shape, bool))
    name = "max" if mode == "max" else "average"
    set_title(a_out, f"{name} pooled {oh}{MULT}{ow}")
    fig.suptitle(f"{name} pooling {kh}{MULT}{kw}, stride {_pt(geom.stride)}: "
                 f"{h}{MULT}{w} \u2192 {oh}{MULT}{ow}", fontsize=11, color="black",
                 y=1 - 0.1 / height, va="top")
    box = draw_box(a_in, 0, 0, kh, kw, linewidth=3, zorder=6)
    mark = _cell_marker(a_out)
    from matplotlib.patches import Circle

    from matplotlib.patheffects import withStroke

    # black ring with a white halo: it reads on the darkest cells too
    ring = Circle((0, 0), 0.38, fill=False, edgecolor="black", linewidth=2.0, zorder=7,
                  visible=mode == "max", path_effects=[withStroke(linewidth=4.5,
                                                                  foreground="white")])
    a_in.add_patch(ring)
    caption = _caption(fig, 0.2 / height, 10.5)
    bold = [None]

    def update(k):
        (i, j), taps = geom.cells(k)
        top, left = taps[0]
        box.set_xy((left - 0.5, top - 0.5))
        mark(i, j)
        out_cells.show_only(_filled(k, out.shape))
        if bold[0] is not None:
            bold[0].set_fontweight("normal")
        if idx is not None:
            r, c = divmod(int(idx[i, j]), w)
            ring.center = (c, r)
            bold[0] = in_cells.texts[r, c]
            bold[0].set_fontweight("bold")
        window = x[top:top + kh, left:left + kw]
        caption.set_text(f"output[{i}, {j}] = " + pool_text(window, out[i, j], mode))

    return Animation(fig, update, geom.n_frames, dynamic=_dynamic(box, mark, out_cells, ring, in_cells, caption), fps=fps,
                     hold=hold,
                     alt=_alt(geom, "a {k} " + ("max" if mode == "max" else "average")
                              + " pooling window slides over the feature map; each frame outlines "
                              "one window, " + ("circles its largest value" if mode == "max"
                                                else "writes its mean")
                              + " and fills the output cell it makes"))
