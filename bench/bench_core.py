"""Time convlab's fast paths against PyTorch and SciPy on the same inputs, in one process.

    python bench/bench_core.py [--repeat N] [--quick]

Each case runs every implementation in turn, interleaved (convlab, torch,
scipy, convlab, torch, ...), so a slow moment of the machine hits all of them;
the table shows medians and the ratio of convlab to its reference. A ratio
below 1.0 means convlab is faster. PyTorch runs with 2 threads (this
machine's cores); numpy and SciPy run as installed.

PyTorch's OpenMP threads are told to sleep when idle (``OMP_WAIT_POLICY=
PASSIVE``, set before torch is imported unless you set it yourself). By
default they spin for milliseconds after each call, holding a core that the
next timed call (convlab's, in an interleaved run) then has to share; a
program that does not call PyTorch never pays that. PyTorch's own times are
no slower with it: run with ``OMP_WAIT_POLICY=ACTIVE`` to compare (on the
2-core test machine every torch row of bench_beyond.py was as fast or faster
with PASSIVE, e.g. conv_transpose2d float32 2.1 -> 1.3 ms).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

import convlab

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _report import median_times  # noqa: E402  (shared with bench_beyond and bench_variants)

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads libgomp

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - the benchmark needs both
    sys.exit("bench_core.py needs PyTorch: pip install torch")
import scipy.ndimage

torch.set_num_threads(2)


def single_channel_cases(quick):
    rng = np.random.default_rng(0)
    sizes = (256,) if quick else (256, 1024)
    for size in sizes:
        image = rng.standard_normal((size, size)).astype(np.float32)
        timage = torch.from_numpy(image)[None, None]
        for k in (3, 7):
            kernel = rng.standard_normal((k, k)).astype(np.float32)
            tkernel = torch.from_numpy(kernel)[None, None]
            for padding in ("valid", "same"):
                target = 1.0 if size >= 1024 else 2.0
                yield (f"correlate2d {size}x{size} k{k} {padding}", target, [
                    ("convlab", lambda i=image, w=kernel, p=padding: convlab.correlate2d(i, w, padding=p)),
                    ("torch", lambda i=timage, w=tkernel, p=padding: F.conv2d(i, w, padding=p)),
                    ("ndimage", lambda i=image, w=kernel: scipy.ndimage.correlate(i, w, mode="constant")),
                ])


def layer_cases(quick):
    rng = np.random.default_rng(1)
    shapes = [((1, 3, 224, 224), 16, np.float32), ((8, 16, 64, 64), 32, np.float32),
              ((32, 32, 32, 32), 64, np.float32), ((8, 16, 64, 64), 32, np.float64)]
    if quick:
        shapes = shapes[:2]
    for shape, out_channels, dtype in shapes:
        x = rng.standard_normal(shape).astype(dtype)
        w = rng.standard_normal((out_channels, shape[1], 3, 3)).astype(dtype)
        b = rng.standard_normal(out_channels).astype(dtype)
        tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))
        target = 2.5 if dtype == np.float32 else 1.0
        name = f"conv2d {shape}->{out_channels} 3x3 pad1 {np.dtype(dtype).name}"
        yield (name, target, [
            ("convlab", lambda x=x, w=w, b=b: convlab.conv2d(x, w, b, padding=1)),
            ("torch", lambda x=tx, w=tw, b=tb: F.conv2d(x, w, b, padding=1)),
        ])


def pooling_cases(quick):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 16, 64, 64)).astype(np.float32)
    tx = torch.from_numpy(x)
    for k, s in ((2, 2), (3, 2)):
        yield (f"max_pool2d (8,16,64,64) k{k} s{s} float32", 1.0, [
            ("convlab", lambda k=k, s=s: convlab.max_pool2d(x, k, s)),
            ("torch", lambda k=k, s=s: F.max_pool2d(tx, k, s)),
        ])
        yield (f"avg_pool2d (8,16,64,64) k{k} s{s} float32", 1.0, [
            ("convlab", lambda k=k, s=s: convlab.avg_pool2d(x, k, s)),
            ("torch", lambda k=k, s=s: F.avg_pool2d(tx, k, s)),
        ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed calls per implementation")
    parser.add_argument("--quick", action="store_true", help="only the small cases")
    args = parser.parse_args(argv)
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"scipy {scipy.__version__}")
    header = f"{'case':<52} {'convlab ms':>10} {'torch ms':>9} {'ndimage ms':>10} {'ratio':>6} {'target':>6}  ok"
    print(header)
    print("-" * len(header))
    misses = 0
    for cases in (single_channel_cases, layer_cases, pooling_cases):
        for name, target, impls in cases(args.quick):
            medians = dict(zip([n for n, _ in impls],
                               median_times([f for _, f in impls], args.repeat)))
            reference = min(v for n, v in medians.items() if n != "convlab")
            ratio = medians["convlab"] / reference
            ok = ratio <= target
            misses += not ok
            ndimage = f"{medians['ndimage'] * 1e3:10.2f}" if "ndimage" in medians else f"{'':>10}"
            print(f"{name:<52} {medians['convlab'] * 1e3:10.2f} {medians['torch'] * 1e3:9.2f} "
                  f"{ndimage} {ratio:6.2f} {target:6.1f}  {'yes' if ok else 'NO'}", flush=True)
    print(f"\nratio = convlab / the faster reference (torch or ndimage); {misses} case(s) over target")


if __name__ == "__main__":
    main()
