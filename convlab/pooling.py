"""Pooling: shrink a feature map by summarising each window with one number.

Max pooling keeps the largest value of each window (the strongest response);
average pooling keeps the mean. The window slides like a kernel, but by
default with a stride equal to its size, so windows do not overlap.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_pair, compute_dtype, describe, sum_dtype
from ._windows import tap_view
from .arithmetic import output_size

__all__ = ["max_pool2d", "avg_pool2d"]


def pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Validate pooling arguments; return ``(x, kernel, stride, padding, dilation, out_hw)``.

    Padding may be at most half the window (``kernel_size // 2``), as in
    PyTorch, so every window holds at least one real pixel. Shared with
    :mod:`convlab.naive`.
    """
    x = as_array(x, "x", (2, 3, 4), what="image")
    kernel = check_pair(kernel_size, "kernel_size", minimum=1)
    stride = kernel if stride is None else check_pair(stride, "stride", minimum=1)
    if isinstance(padding, str):
        raise ValueError(f"padding for pooling must be an int or a (height, width) pair, "
                         f"got {padding!r}")
    padding = check_pair(padding, "padding", minimum=0)
    dilation = check_pair(dilation, "dilation", minimum=1)
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode must be a bool, got {describe(ceil_mode)}")
    for axis, name in ((0, "height"), (1, "width")):
        limit = kernel[axis] // 2
        if padding[axis] > limit:
            raise ValueError(
                f"padding {padding[axis]} along the {name} is more than half the pooling window "
                f"({kernel[axis]} wide): padding must be <= {limit}"
            )
    out_hw = []
    for axis in (0, 1):
        try:
            out_hw.append(output_size(x.shape[-2 + axis], kernel[axis], stride[axis],
                                      padding[axis], dilation[axis], bool(ceil_mode)))
        except ValueError:
            padded = tuple(x.shape[-2 + a] + 2 * padding[a] for a in (0, 1))
            raise ValueError(
                f"kernel_size {kernel[0]}x{kernel[1]} (dilated "
                f"{dilation[0] * (kernel[0] - 1) + 1}x{dilation[1] * (kernel[1] - 1) + 1}) "
                f"does not fit in the padded input {padded[0]}x{padded[1]}: "
                f"use a smaller window or more padding"
            ) from None
    return x, kernel, stride, padding, dilation, tuple(out_hw)


def _pad_for_windows(x, padding, out_hw, kernel, stride, dilation, fill):
    """Pad so that every window, including a ceil_mode overhang, lies inside."""
    widths = [(0, 0)] * (x.ndim - 2)
    for axis in (0, 1):
        needed = (out_hw[axis] - 1) * stride[axis] + dilation[axis] * (kernel[axis] - 1) + 1
        after = max(padding[axis], needed - x.shape[-2 + axis] - padding[axis])
        widths.append((padding[axis], after))
    if not any(before or after for before, after in widths):
        return x  # every window lies inside: no copy
    return np.pad(x, widths, mode="constant", constant_values=fill)


def first_inside_tap(out_len, stride, padding, dilation):
    """Per window along one axis: the index of its first tap inside the input."""
    start = np.arange(out_len) * stride - padding
    return np.where(start < 0, -(start // dilation), 0)


def _lowest(dtype):
    if np.issubdtype(dtype, np.floating):
        return -np.inf
    if dtype == np.bool_:
        return False
    return np.iinfo(dtype).min


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
    lowest = _lowest(x.dtype)
    xp = _pad_for_windows(x, padding, out_hw, kernel, stride, dilation, lowest)
    taps = [(a, b) for a in range(kernel[0]) for b in range(kernel[1])]
    if not return_indices:
        out = tap_view(xp, 0, 0, out_hw, stride, dilation).copy()
        for a, b in taps[1:]:
            np.maximum(out, tap_view(xp, a, b, out_hw, stride, dilation), out=out)
        return out
    out = np.full(x.shape[:-2] + out_hw, lowest, dtype=x.dtype)
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
    xp = _pad_for_windows(x.astype(acc, copy=False), padding, out_hw, kernel, stride,
                          dilation, 0)
    out = tap_view(xp, 0, 0, out_hw, stride, dilation).copy()
    for a in range(kernel[0]):
        for b in range(kernel[1]):
            if a or b:
                out += tap_view(xp, a, b, out_hw, stride, dilation)
    counts = [_window_counts(x.shape[-2 + axis], kernel[axis], stride[axis], padding[axis],
                             out_hw[axis], count_include_pad) for axis in (0, 1)]
    out /= (counts[0][:, None] * counts[1][None, :]).astype(acc)
    return out.astype(dtype, copy=False)


def _window_counts(size, kernel, stride, padding, out, count_include_pad):
    """How many pixels each window along one axis divides by (PyTorch's rule)."""
    start = np.arange(out) * stride - padding
    end = np.minimum(start + kernel, size + padding)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)
