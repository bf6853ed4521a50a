"""Time groups, conv1d and conv3d against PyTorch; find the separable and FFT crossovers.

    python bench/bench_variants.py [--repeat N] [--passes P] [--quick] [--only layers|methods]

Same method and table as bench_beyond.py (both from bench/_report.py):
implementations interleaved round-robin, medians, ratio = convlab / PyTorch,
targets as for conv2d (float32 <= 2.5x PyTorch, float64 <= 1.0x),
PyTorch with 2 threads. With ``--passes P`` the whole table runs P times and
each row reports the median ratio and its range.

The second table times ``correlate2d`` on one 512x512 float64 image with
``method='direct'``, ``'separable'`` and ``'fft'`` for square kernels of
growing size (a Gaussian, which is rank 1, so all three apply), and reports
the first size from which the separable passes and the FFT beat the direct
sum: the crossovers behind ``method='auto'``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _report import median_times, ratio_table  # noqa: E402
from bench_core import torch  # noqa: E402  (torch with 2 threads)

import convlab  # noqa: E402
from convlab import grad  # noqa: E402

F = torch.nn.functional


def _target(dtype):
    return 2.5 if dtype == np.float32 else 1.0


LAYERS = [  # name, x shape, weight shape, groups, stride, padding
    ("conv2d depthwise 3x3", (8, 64, 32, 32), (64, 1, 3, 3), 64, 1, 1),
    ("conv2d grouped g4 3x3", (8, 64, 32, 32), (64, 16, 3, 3), 4, 1, 1),
    ("conv2d depthwise 3x3 s2", (8, 32, 64, 64), (32, 1, 3, 3), 32, 2, 1),
    ("conv1d k5", (8, 32, 1024), (64, 32, 5), 1, 1, 2),
    ("conv1d depthwise k5", (8, 64, 1024), (64, 1, 5), 64, 1, 2),
    ("conv3d 3x3x3", (2, 8, 16, 32, 32), (16, 8, 3, 3, 3), 1, 1, 1),
    ("conv3d grouped g2 3x3x3", (2, 8, 16, 32, 32), (16, 4, 3, 3, 3), 2, 1, 1),
]


def layer_cases(quick):
    rng = np.random.default_rng(7)
    for name, xs, ws, groups, stride, padding in LAYERS[:3] if quick else LAYERS:
        dims = len(xs) - 2
        ours = getattr(convlab, f"conv{dims}d")
        theirs = getattr(F, f"conv{dims}d")
        for dtype in (np.float32, np.float64):
            x = rng.standard_normal(xs).astype(dtype)
            w = rng.standard_normal(ws).astype(dtype)
            tx, tw = torch.from_numpy(x), torch.from_numpy(w)
            label = f"{name} {xs}->{ws[0]} {np.dtype(dtype).name}"
            yield label, _target(dtype), [
                ("convlab", lambda x=x, w=w, s=stride, p=padding, g=groups, f=ours:
                    f(x, w, stride=s, padding=p, groups=g)),
                ("torch", lambda x=tx, w=tw, s=stride, p=padding, g=groups, f=theirs:
                    f(x, w, stride=s, padding=p, groups=g)),
            ]


def gradient_cases(quick):
    rng = np.random.default_rng(8)
    cases = [((8, 64, 32, 32), (64, 16, 3, 3), 4), ((8, 64, 32, 32), (64, 1, 3, 3), 64)]
    for xs, ws, groups in cases[:1] if quick else cases:
        for dtype in (np.float32, np.float64):
            x = rng.standard_normal(xs).astype(dtype)
            w = rng.standard_normal(ws).astype(dtype)
            g = rng.standard_normal(convlab.conv2d(x, w, padding=1, groups=groups).shape)
            g = g.astype(dtype)
            tx, tw, tg = (torch.from_numpy(a) for a in (x, w, g))
            tail = f"{xs}->{ws[0]} g{groups} 3x3 {np.dtype(dtype).name}"
            yield f"conv2d_input {tail}", _target(dtype), [
                ("convlab", lambda x=x, w=w, g=g, k=groups: grad.conv2d_input(
                    x.shape, w, g, padding=1, groups=k)),
                ("torch", lambda tx=tx, tw=tw, tg=tg, k=groups: torch.nn.grad.conv2d_input(
                    tx.shape, tw, tg, padding=1, groups=k)),
            ]
            yield f"conv2d_weight {tail}", _target(dtype), [
                ("convlab", lambda x=x, w=w, g=g, k=groups: grad.conv2d_weight(
                    x, w.shape, g, padding=1, groups=k)),
                ("torch", lambda tx=tx, tw=tw, tg=tg, k=groups: torch.nn.grad.conv2d_weight(
                    tx, tw.shape, tg, padding=1, groups=k)),
            ]


def gaussian(k):
    """A k x k Gaussian-like kernel (binomial weights): rank 1, so every method applies."""
    row = np.array([1.0])
    for _ in range(k - 1):
        row = np.convolve(row, [1.0, 1.0])
    return np.outer(row, row) / row.sum() ** 2


def method_table(repeat, passes, quick):
    rng = np.random.default_rng(9)
    image = rng.standard_normal((512, 512))
    sizes = (3, 7, 11, 15) if quick else (3, 5, 7, 9, 11, 13, 15, 19, 25, 31)
    methods = ("direct", "separable", "fft")
    times = {k: [] for k in sizes}
    for done in range(passes):
        if passes > 1:
            print(f"pass {done + 1} of {passes}", flush=True)
        for k in sizes:
            kernel = gaussian(k)
            times[k].append(median_times(
                [lambda m=m, w=kernel: convlab.correlate2d(image, w, padding="same", method=m)
                 for m in methods], repeat))
    print(f"\ncorrelate2d 512x512 float64 'same', a k x k Gaussian (median over {passes} "
          f"pass(es)):")
    header = (f"{'k':>3} {'taps':>5} {'direct ms':>10} {'separable ms':>13} {'fft ms':>8} "
              f"{'direct/separable':>17} {'direct/fft':>11}  mults direct/separable")
    print(header)
    print("-" * len(header))
    first = {"separable": None, "fft": None}
    for k in sizes:
        direct, separable, fft = (statistics.median(t[i] for t in times[k]) for i in range(3))
        for name, value in (("separable", separable), ("fft", fft)):
            if first[name] is None and value < direct:
                first[name] = k
        print(f"{k:3d} {k * k:5d} {direct * 1e3:10.2f} {separable * 1e3:13.2f} {fft * 1e3:8.2f} "
              f"{direct / separable:17.2f} {direct / fft:11.2f}  {k * k}/{2 * k}")
    for name, k in first.items():
        where = f"{k}x{k} ({k * k} taps)" if k else "none of these sizes"
        print(f"{name} beats direct from {where}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11, help="timed calls per implementation")
    parser.add_argument("--passes", type=int, default=1,
                        help="run each table this many times; report medians and ranges")
    parser.add_argument("--quick", action="store_true", help="only the first cases")
    parser.add_argument("--only", choices=("layers", "methods"),
                        help="only the PyTorch table, or only the method crossovers")
    args = parser.parse_args(argv)
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)")
    if args.only != "methods":
        cases = [c for make in (layer_cases, gradient_cases) for c in make(args.quick)]
        ratio_table(cases, args.repeat, args.passes)
    if args.only != "layers":
        method_table(args.repeat, args.passes, args.quick)


if __name__ == "__main__":
    main()
