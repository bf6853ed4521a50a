"""Time conv_transpose2d and the gradients of convolution and pooling against PyTorch.

    python bench/bench_beyond.py [--repeat N] [--passes P] [--quick]

Same method as bench_core.py, the table of bench/_report.py:
implementations interleaved round-robin, medians, ratio = convlab / PyTorch,
targets as for conv2d (float32 <= 2.5x PyTorch, float64 <= 1.0x). PyTorch
runs with 2 threads (this machine's cores).

The gradients are compared with PyTorch's own backward functions:
``torch.nn.grad.conv2d_input`` / ``conv2d_weight``, and for pooling the aten
backward kernels. ``max_pool2d_input`` takes the forward input and finds
each window's winner itself, so its PyTorch row times
``max_pool2d_with_indices`` plus its backward (what autograd runs).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _report import ratio_table  # noqa: E402
from bench_core import torch  # noqa: E402  (torch with 2 threads)

import convlab  # noqa: E402
from convlab import grad  # noqa: E402

F = torch.nn.functional
aten = torch.ops.aten


def _target(dtype):
    return 2.5 if dtype == np.float32 else 1.0


def transposed_cases(quick):
    rng = np.random.default_rng(3)
    cases = [((8, 32, 16, 16), 16, 4, 2, 1, np.float32), ((8, 32, 16, 16), 16, 4, 2, 1, np.float64),
             ((8, 16, 32, 32), 16, 3, 1, 1, np.float32), ((1, 64, 32, 32), 32, 4, 2, 1, np.float32)]
    for shape, out_channels, k, s, p, dtype in cases[:2] if quick else cases:
        x = rng.standard_normal(shape).astype(dtype)
        w = rng.standard_normal((shape[1], out_channels, k, k)).astype(dtype)
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        name = f"conv_transpose2d {shape}->{out_channels} {k}x{k} s{s} p{p} {np.dtype(dtype).name}"
        yield name, _target(dtype), [
            ("convlab",
             lambda x=x, w=w, s=s, p=p: convlab.conv_transpose2d(x, w, stride=s, padding=p)),
            ("torch", lambda x=tx, w=tw, s=s, p=p: F.conv_transpose2d(x, w, stride=s, padding=p)),
        ]


def conv_grad_cases(quick):
    rng = np.random.default_rng(4)
    shapes = [((8, 16, 64, 64), 32, 1, np.float32), ((8, 16, 64, 64), 32, 1, np.float64),
              ((32, 32, 32, 32), 64, 1, np.float32), ((8, 16, 64, 64), 32, 2, np.float32)]
    for shape, out_channels, s, dtype in shapes[:2] if quick else shapes:
        x = rng.standard_normal(shape).astype(dtype)
        w = rng.standard_normal((out_channels, shape[1], 3, 3)).astype(dtype)
        g = rng.standard_normal(convlab.conv2d(x, w, stride=s, padding=1).shape).astype(dtype)
        tx, tw, tg = (torch.from_numpy(a) for a in (x, w, g))
        tail = f"{shape}->{out_channels} 3x3 s{s} pad1 {np.dtype(dtype).name}"
        yield f"conv2d_input {tail}", _target(dtype), [
            ("convlab", lambda x=x, w=w, g=g, s=s: grad.conv2d_input(x.shape, w, g, stride=s,
                                                                     padding=1)),
            ("torch", lambda tx=tx, tw=tw, tg=tg, s=s: torch.nn.grad.conv2d_input(
                tx.shape, tw, tg, stride=s, padding=1)),
        ]
        yield f"conv2d_weight {tail}", _target(dtype), [
            ("convlab", lambda x=x, w=w, g=g, s=s: grad.conv2d_weight(x, w.shape, g, stride=s,
                                                                      padding=1)),
            ("torch", lambda tx=tx, tw=tw, tg=tg, s=s: torch.nn.grad.conv2d_weight(
                tx, tw.shape, tg, stride=s, padding=1)),
        ]


def pool_grad_cases(quick):
    rng = np.random.default_rng(5)
    for dtype in (np.float32,) if quick else (np.float32, np.float64):
        x = rng.standard_normal((8, 16, 64, 64)).astype(dtype)
        tx = torch.from_numpy(x)
        for k, s in ((2, 2), (3, 2)):
            g = rng.standard_normal(convlab.max_pool2d(x, k, s).shape).astype(dtype)
            tg = torch.from_numpy(g)

            def torch_max(k=k, s=s, tg=tg, tx=tx):
                _, indices = aten.max_pool2d_with_indices(tx, [k, k], [s, s], [0, 0], [1, 1], False)
                return aten.max_pool2d_with_indices_backward(tg, tx, [k, k], [s, s], [0, 0],
                                                             [1, 1], False, indices)

            tail = f"(8,16,64,64) k{k} s{s} {np.dtype(dtype).name}"
            yield f"max_pool2d_input {tail}", _target(dtype), [
                ("convlab", lambda k=k, s=s, g=g, x=x: grad.max_pool2d_input(x, g, k, s)),
                ("torch", torch_max),
            ]
            yield f"avg_pool2d_input {tail}", _target(dtype), [
                ("convlab", lambda k=k, s=s, g=g, x=x: grad.avg_pool2d_input(x.shape, g, k, s)),
                ("torch", lambda k=k, s=s, tg=tg, tx=tx: aten.avg_pool2d_backward(
                    tg, tx, [k, k], [s, s], [0, 0], False, True, None)),
            ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed calls per implementation")
    parser.add_argument("--passes", type=int, default=1,
                        help="run the whole table this many times; report the median ratio "
                             "per case and its range (the machine's slow and fast spells are "
                             "then sampled by every case)")
    parser.add_argument("--quick", action="store_true", help="only the first cases")
    args = parser.parse_args(argv)
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)")
    cases = [case for make in (transposed_cases, conv_grad_cases, pool_grad_cases)
             for case in make(args.quick)]
    ratio_table(cases, args.repeat, args.passes)

if __name__ == "__main__":
    main()
