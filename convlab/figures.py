"""Regenerate the course's figures: ``python -m convlab.figures [--out DIR] [--only NAME ...]``.

Writes the essay's eight figures and the course's own two (``pointwise.png``,
``ceil_mode.png``), each computed by convlab at run time, deterministically
(fixed seeds; no timestamp in PNG or GIF metadata), with a progress line per
figure:

========================  ===================================================================
``cnn.png``               the CNN pipeline diagram, shapes from ``convlab.output_size``
``kertypes.png``          the kernel gallery: operation, kernel, effect on the photograph
``rgb.gif``               a filter's three 3x3 kernels striding over a 5x5 RGB image, stride 1
``rgb2.gif``              the three per-channel outputs added element by element, plus bias
``convo.gif``             the volume view: 3-channel input, 3-kernel filter, one output channel
``pooling_layer.gif``     3x3 max pooling (stride 2) sliding over a 7x7 feature map
``max_pool_avg.png``      max and average pooling of the same input, side by side
``same_padding.gif``      'same' padding: zero ring, kernel sliding, output as large as input
``pointwise.png``         a 1x1 convolution as a dense layer applied to one pixel's channels
``ceil_mode.png``         ceil_mode's last window: dropped if it starts in the right padding
========================  ===================================================================

Public API
----------
FIGURES : dict
    ``name -> (file name, function(path) -> path)`` for every figure.
GIF_PARAMETERS : dict
    The sizes each GIF is made with (tests derive the expected frame counts from them).
POINTWISE, CEIL_MODE_ROWS : dict, tuple
    The numbers ``pointwise.png`` and ``ceil_mode.png`` are drawn with (tests check them).
build(name, out_dir) -> pathlib.Path
    Write one figure into ``out_dir`` and return its path.
main(argv=None) -> int
    The command line; ``--out`` defaults to ``fig`` in the current directory.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

from convlab import images

__all__ = ["FIGURES", "GIF_PARAMETERS", "POINTWISE", "CEIL_MODE_ROWS", "build", "main"]

# Every GIF's parameters, in one place: the animations are built from them and
# the tests compute the expected frame count from them with convlab.output_size.
GIF_PARAMETERS = {
    "rgb": dict(input_size=5, kernel_size=3, stride=1, padding=1, channels=3),
    "rgb2": dict(input_size=5, kernel_size=3, stride=1, padding=1, channels=3),
    "convo": dict(input_size=5, kernel_size=3, stride=1, padding=1, channels=3),
    "pooling_layer": dict(input_size=7, kernel_size=3, stride=2),
    "same_padding": dict(input_size=5, kernel_size=3, stride=1, padding="same"),
}

_SEED = 7
_PNG_META = {"Software": None}  # no matplotlib version stamp; PNGs hold no date either
_DPI_PNG = 100
_DPI_GIF = 80


def _rgb_filter():
    """A fixed 3x3x3 filter of small integers (seeded), and its bias."""
    rng = np.random.default_rng(_SEED)
    return rng.integers(-1, 2, size=(3, 3, 3)), 1.0


def _save_pyplot(fig, path, dpi=_DPI_PNG):
    import matplotlib.pyplot as plt

    try:
        fig.savefig(path, dpi=dpi, metadata=_PNG_META, facecolor="white")
    finally:
        plt.close(fig)
    return path


def _figure(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    return fig


def cnn_png(path):
    from convlab import draw

    fig = _figure((13, 4.4))
    ax = fig.add_axes([0.01, 0.01, 0.98, 0.98])
    draw.cnn(ax, input_shape=(3, 32, 32))
    fig.savefig(path, dpi=_DPI_PNG, metadata=_PNG_META, facecolor="white")
    return path


def kertypes_png(path):
    from convlab import draw

    image = images.photograph(size=180)
    axes = draw.kernel_gallery(image)
    return _save_pyplot(axes[0, 0].figure, path, dpi=80)


def max_pool_avg_png(path):
    from convlab import draw

    x = np.random.default_rng(_SEED).integers(0, 10, size=(4, 4))
    axes = draw.pooling_comparison(x, 2)
    return _save_pyplot(axes[0].figure, path)


def _gif(make, path):
    anim = make()
    try:
        anim.save(path)
    finally:
        anim.close()
    return path


def rgb_gif(path):
    from convlab import animate

    filt, _ = _rgb_filter()
    return _gif(lambda: animate.convolution(**GIF_PARAMETERS["rgb"], image=images.rgb_example(),
                                            kernel=filt, show_sum=False, dpi=_DPI_GIF,
                                            fps=1.5), path)


def rgb2_gif(path):
    from convlab import animate

    filt, bias = _rgb_filter()
    return _gif(lambda: animate.channel_sum(**GIF_PARAMETERS["rgb2"], image=images.rgb_example(),
                                            kernel=filt, bias=bias, dpi=_DPI_GIF, fps=1.5), path)


def convo_gif(path):
    from convlab import animate

    filt, bias = _rgb_filter()
    return _gif(lambda: animate.volume(**GIF_PARAMETERS["convo"], image=images.rgb_example(),
                                       kernel=filt, bias=bias, dpi=_DPI_GIF, fps=1.5), path)


def pooling_layer_gif(path):
    from convlab import animate

    # a feature map as a ReLU leaves it: small non-negative integers (seeded)
    size = GIF_PARAMETERS["pooling_layer"]["input_size"]
    feature_map = np.random.default_rng(_SEED).integers(0, 10, size=(size, size))
    return _gif(lambda: animate.pooling(**GIF_PARAMETERS["pooling_layer"], image=feature_map,
                                        mode="max", dpi=_DPI_GIF, fps=1.2), path)


def same_padding_gif(path):
    from convlab import animate

    return _gif(lambda: animate.convolution(**GIF_PARAMETERS["same_padding"],
                                            image=images.worked_example(),
                                            kernel=images.worked_kernel(), dpi=_DPI_GIF,
                                            fps=2.0), path)


#: The 1x1 convolution of pointwise.png: two output channels from the RGB example, one
#: pixel written out. Row 0 is red minus blue, row 1 the sum of the three channels.
POINTWISE = dict(weight=[[1, 0, -1], [1, 1, 1]], bias=[1, -1], position=(1, 2))

#: The two rows of ceil_mode.png, (input_size, kernel_size, stride, padding): the last
#: window of the first starts in the right padding (dropped, 3 windows, not 4); that of
#: the second starts on the last input pixel and hangs over the end (kept, 4 windows).
CEIL_MODE_ROWS = ((5, 2, 2, 1), (6, 3, 2, 1))


def pointwise_png(path):
    from convlab import draw

    fig = _figure((10, 7))
    ax = fig.add_axes([0.01, 0.01, 0.98, 0.92])
    draw.pointwise(images.rgb_example(), ax=ax, **POINTWISE)
    fig.savefig(path, dpi=_DPI_PNG, metadata=_PNG_META, facecolor="white")
    return path


def ceil_mode_png(path):
    from convlab import draw

    fig = _figure((9, 6.4))
    for n, row in enumerate(CEIL_MODE_ROWS):
        ax = fig.add_axes([0.01, 0.52 - 0.5 * n, 0.98, 0.44])
        draw.ceil_mode_windows(*row, ax=ax)
    fig.savefig(path, dpi=_DPI_PNG, metadata=_PNG_META, facecolor="white")
    return path


FIGURES = {
    "cnn": ("cnn.png", cnn_png),
    "kertypes": ("kertypes.png", kertypes_png),
    "rgb": ("rgb.gif", rgb_gif),
    "rgb2": ("rgb2.gif", rgb2_gif),
    "convo": ("convo.gif", convo_gif),
    "pooling_layer": ("pooling_layer.gif", pooling_layer_gif),
    "max_pool_avg": ("max_pool_avg.png", max_pool_avg_png),
    "same_padding": ("same_padding.gif", same_padding_gif),
    "pointwise": ("pointwise.png", pointwise_png),
    "ceil_mode": ("ceil_mode.png", ceil_mode_png),
}


def build(name, out_dir):
    """Write figure ``name`` (a key of :data:`FIGURES`) into ``out_dir``; returns its path.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     build("max_pool_avg", folder).name
    'max_pool_avg.png'
    """
    if name not in FIGURES:
        raise ValueError(f"name must be one of {', '.join(FIGURES)}, got {name!r}")
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    file_name, make = FIGURES[name]
    path = out_dir / file_name
    make(path)
    return path


def main(argv=None):
    """Regenerate the figures; prints one progress line per figure and a total.

    The command line ``python -m convlab.figures [--out DIR] [--only NAME ...]``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     status = main(["--out", folder, "--only", "cnn"])        # doctest: +ELLIPSIS
    [1/1] ...cnn.png ...
    wrote 1 figure(s) to ... in ... s
    """
    parser = argparse.ArgumentParser(prog="python -m convlab.figures",
                                     description="Regenerate the course's figures from convlab.")
    parser.add_argument("--out", default="fig", help="output folder (default: ./fig)")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=sorted(FIGURES),
                        help="only these figures: " + ", ".join(FIGURES))
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")  # a command-line program: never open windows
    names = args.only or list(FIGURES)
    start = time.perf_counter()
    for n, name in enumerate(names, 1):
        t0 = time.perf_counter()
        path = build(name, args.out)
        size = path.stat().st_size / 1024
        print(f"[{n}/{len(names)}] {path}  {size:,.0f} KB  {time.perf_counter() - t0:.1f} s",
              flush=True)
    print(f"wrote {len(names)} figure(s) to {args.out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
