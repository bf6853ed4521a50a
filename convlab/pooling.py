"""Pooling: shrink a feature map by summarising each window with one number.

Max pooling keeps the largest value of each window (the strongest response);
average pooling keeps the mean. The window slides like a kernel, but by
default with a stride equal to its size, so windows do not overlap.
"""

from __future__ import annotations

import numpy as np

from ._checks import compute_dtype, describe, sum_dtype
from ._windows import (first_inside_tap, lowest, pad_for_windows, pool_geometry, tap_slices,
                       tap_view, window_counts)

__all__ = ["max_pool2d", "avg_pool2d"]


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max pooling: the largest value in each window.

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
        Every 2-D plane is pooled on its own.
    kernel_size : int or (int, int)
        Window size.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size`` (no overlap).
    padding : int or (int, int), default 0
        Implicit -inf padding on both sides, at most half the window.
    dilation : int or (int, int), default 1
        Spacing between the window's taps.
    ceil_mode : bool, default False
        Round the output size up, keeping a last partial window, unless it
        would start in the right/bottom padding (as PyTorch).
    return_indices : bool, default False
        Also return where each maximum came from, as a flat index
        ``h*W + w`` into its own ``(H, W)`` plane (PyTorch's convention).

    Returns
    -------
    out : ndarray, shape (..., H', W')
        Same dtype as ``x`` (integers stay integers).
    indices : ndarray of int64, same shape, only if ``return_indices``

    Notes
    -----
    One ``np.maximum(..., out=)`` per window tap over strided views: cost
    ``kH*kW*H'*W'`` comparisons, no copy of the windows. NaN wins, as in PyTorch.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 3, 2, 0],
    ...               [4, 2, 1, 5],
    ...               [0, 1, 7, 2],
    ...               [3, 2, 1, 1]])
    >>> max_pool2d(x, 2)
    array([[4, 5],
           [3, 7]])
    >>> out, where = max_pool2d(x, 2, return_indices=True)
    >>> where                                 # 4 is at h=1, w=0: 1*4 + 0
    array([[ 4,  7],
           [12, 10]])
    >>> max_pool2d(x, 3, stride=2, ceil_mode=True)
    array([[7, 7],
           [7, 7]])
    """
    x, kernel, stride, padding, dilation, out_hw = pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode)
    bottom = lowest(x.dtype)
    xp = pad_for_windows(x, padding, out_hw, kernel, stride, dilation, bottom)
    taps = [(a, b) for a in range(kernel[0]) for b in range(kernel[1])]
    if not return_indices:
        out = tap_view(xp, 0, 0, out_hw, stride, dilation).copy()
        for a, b in taps[1:]:
            np.maximum(out, tap_view(xp, a, b, out_hw, stride, dilation), out=out)
        return out
    out = np.full(x.shape[:-2] + out_hw, bottom, dtype=x.dtype)
    width = x.shape[-1]
    # Start each window at its first tap inside the input, as PyTorch does.
    first = [np.arange(out_hw[axis]) * stride[axis] - padding[axis]
             + first_inside_tap(out_hw[axis], stride[axis], padding[axis], dilation[axis])
             * dilation[axis] for axis in (0, 1)]
    indices = np.broadcast_to(first[0][:, None] * width + first[1][None, :], out.shape).copy()
    floating = np.issubdtype(x.dtype, np.floating)
    rows = np.arange(out_hw[0]) * stride[0] - padding[0]
    cols = np.arange(out_hw[1]) * stride[1] - padding[1]
    for a, b in taps:
        view = tap_view(xp, a, b, out_hw, stride, dilation)
        wins = view > out
        if floating:
            wins |= np.isnan(view)
        if wins.any():
            out[wins] = view[wins]
            flat = (rows[:, None] + a * dilation[0]) * width + (cols[None, :] + b * dilation[1])
            indices[wins] = np.broadcast_to(flat, out.shape)[wins]
    return out, indices


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Average pooling: the mean of each window.

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        Zero padding on both sides, at most half the window.
    ceil_mode : bool, default False
        As in :func:`max_pool2d`.
    count_include_pad : bool, default True
        Divide by the window's size including the zero padding it covers
        (PyTorch's default); if False, by the number of real input pixels.
        A ``ceil_mode`` overhang past the padding is never counted.

    Returns
    -------
    ndarray, shape (..., H', W')
        float32 stays float32; integers and bools give float64.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 3, 2, 0],
    ...               [4, 2, 1, 5],
    ...               [0, 1, 7, 2],
    ...               [3, 2, 1, 1]])
    >>> avg_pool2d(x, 2)                      # (1 + 3 + 4 + 2) / 4 = 2.5
    array([[2.5 , 2.  ],
           [1.5 , 2.75]])
    >>> avg_pool2d(np.ones((2, 2)), 2, padding=1)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    >>> avg_pool2d(np.ones((2, 2)), 2, padding=1, count_include_pad=False)
    array([[1., 1.],
           [1., 1.]])
    """
    x, kernel, stride, padding, dilation, out_hw = pool_geometry(
        x, kernel_size, stride, padding, 1, ceil_mode)
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"count_include_pad must be a bool, got {describe(count_include_pad)}")
    dtype = compute_dtype(x.dtype)
    acc = sum_dtype(dtype)
    xp = pad_for_windows(x.astype(acc, copy=False), padding, out_hw, kernel, stride,
                          dilation, 0)
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_hw
    # Each window's columns first, whole padded rows at a time (row a of every window:
    # contiguous rows, no stride inside them), then each window's kw column sums: an add
    # per kernel row and column instead of one strided add per tap (k3 s2 of (8, 16, 64,
    # 64) float32 took 0.65 of the time on the 2-core test machine, 0.38 ms against 0.57,
    # timed interleaved). naive.avg_pool2d sums in the same order, so both agree to the
    # last bit.
    def row(a):  # kernel row a of every window, whole padded rows
        return xp[(Ellipsis,) + tap_slices((a,), (oh,), (sh,), (1,)) + (slice(None),)]

    def column(b):  # kernel column b of every window's column sums
        return columns[(Ellipsis,) + tap_slices((b,), (ow,), (sw,), (1,))]

    columns = row(0).copy()
    for a in range(1, kh):
        columns += row(a)
    out = column(0).copy()
    for b in range(1, kw):
        out += column(b)
    counts = [window_counts(x.shape[-2 + axis], kernel[axis], stride[axis], padding[axis],
                             out_hw[axis], count_include_pad) for axis in (0, 1)]
    out /= (counts[0][:, None] * counts[1][None, :]).astype(acc)
    return out.astype(dtype, copy=False)

