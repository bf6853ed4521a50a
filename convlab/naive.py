"""The loop reference: every operation written as explicit loops, as the course teaches it.

These functions take the same arguments as the fast ones in :mod:`convlab`,
validate them the same way, and compute the same numbers, one output cell at
a time. Read them to see exactly what a convolution or a pooling does; use the
fast versions to compute. The tests check that both give the same results.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, compute_dtype
from .convolution import check_layer, prepare
from .filters import check_filter
from .padding import check_pad_args
from .pooling import pool_geometry

__all__ = ["correlate2d", "convolve2d", "apply_filter", "conv2d", "max_pool2d",
           "avg_pool2d", "pad2d"]


def pad2d(x, padding, mode="zeros", value=0.0):
    """Loop version of :func:`convlab.pad2d`: each output pixel says where it comes from.

    Examples
    --------
    >>> pad2d(np.array([[1, 2, 3]]), ((0, 0), (2, 2)), mode="reflect")
    array([[3, 2, 1, 2, 3, 2, 1]])
    """
    x, ((top, bottom), (left, right)) = check_pad_args(x, padding, mode, value)
    height, width = x.shape[-2:]
    fill = value if mode == "constant" else 0
    out = np.full(x.shape[:-2] + (top + height + bottom, left + width + right), fill,
                  dtype=x.dtype)
    for i in range(out.shape[-2]):
        for j in range(out.shape[-1]):
            source_i = _source(i - top, height, mode)
            source_j = _source(j - left, width, mode)
            if source_i is not None and source_j is not None:
                out[..., i, j] = x[..., source_i, source_j]
    return out


def _source(index, size, mode):
    """Which input index a padded position copies, or None for a constant."""
    if 0 <= index < size:
        return index
    if mode in ("zeros", "constant"):
        return None
    if mode == "replicate":
        return 0 if index < 0 else size - 1
    if mode == "circular":
        return index % size
    if mode == "reflect":
        return -index if index < 0 else 2 * (size - 1) - index
    raise ValueError(f"unknown padding mode {mode!r}")


def correlate2d(image, kernel, stride=1, padding=0, dilation=1, *, padding_mode="zeros"):
    """Loop version of :func:`convlab.correlate2d`.

    For every output cell ``(i, j)``, add up ``input * kernel`` over the
    window whose top-left corner is at ``(i*stride, j*stride)`` of the padded
    input, the taps ``dilation`` apart.

    Examples
    --------
    >>> correlate2d(np.arange(9).reshape(3, 3), [[0, 1], [2, 3]])
    array([[19., 25.],
           [37., 43.]])
    """
    image = as_array(image, "image", 2, what="image")
    kernel = as_array(kernel, "kernel", 2, what="kernel")
    dtype = compute_dtype(image.dtype, kernel.dtype)
    x, (out_h, out_w), (sh, sw), (dh, dw) = prepare(image, kernel.shape, stride, padding,
                                                    dilation, padding_mode, dtype)
    k = kernel.astype(dtype)
    kh, kw = k.shape
    out = np.zeros((out_h, out_w), dtype=dtype)
    for i in range(out_h):
        for j in range(out_w):
            total = dtype.type(0)
            for a in range(kh):
                for b in range(kw):
                    total += x[i * sh + a * dh, j * sw + b * dw] * k[a, b]
            out[i, j] = total
    return out


def convolve2d(image, kernel, stride=1, padding=0, dilation=1, *, padding_mode="zeros"):
    """Loop version of :func:`convlab.convolve2d`: the kernel read flipped.

    Examples
    --------
    >>> convolve2d([[0, 0, 0], [0, 1, 0], [0, 0, 0]], [[1, 2], [3, 4]])
    array([[1., 2.],
           [3., 4.]])
    """
    image = as_array(image, "image", 2, what="image")
    kernel = as_array(kernel, "kernel", 2, what="kernel")
    dtype = compute_dtype(image.dtype, kernel.dtype)
    x, (out_h, out_w), (sh, sw), (dh, dw) = prepare(image, kernel.shape, stride, padding,
                                                    dilation, padding_mode, dtype,
                                                    flip_same=True)
    k = kernel.astype(dtype)
    kh, kw = k.shape
    out = np.zeros((out_h, out_w), dtype=dtype)
    for i in range(out_h):
        for j in range(out_w):
            total = dtype.type(0)
            for a in range(kh):
                for b in range(kw):
                    # tap (a, b) of the window meets the kernel's opposite corner
                    total += x[i * sh + a * dh, j * sw + b * dw] * k[kh - 1 - a, kw - 1 - b]
            out[i, j] = total
    return out


def apply_filter(image, filt, bias=0.0, stride=1, padding=0, dilation=1, *,
                 padding_mode="zeros"):
    """Loop version of :func:`convlab.apply_filter`: per channel, then summed, plus bias.

    Examples
    --------
    >>> image = np.stack([np.full((3, 3), 1.0), np.full((3, 3), 2.0)])
    >>> apply_filter(image, np.ones((2, 2, 2)), bias=1.0)     # 4*1 + 4*2 + 1
    array([[13., 13.],
           [13., 13.]])
    """
    image, filt, bias, dtype = check_filter(image, filt, bias)
    x, (out_h, out_w), (sh, sw), (dh, dw) = prepare(image, filt.shape[1:], stride, padding,
                                                    dilation, padding_mode, dtype,
                                                    kernel_name="filt")
    k = filt.astype(dtype)
    channels, kh, kw = k.shape
    out = np.zeros((out_h, out_w), dtype=dtype)
    for i in range(out_h):
        for j in range(out_w):
            total = dtype.type(0)
            for c in range(channels):
                for a in range(kh):
                    for b in range(kw):
                        total += x[c, i * sh + a * dh, j * sw + b * dw] * k[c, a, b]
            out[i, j] = total + dtype.type(bias)
    return out


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, *, padding_mode="zeros"):
    """Loop version of :func:`convlab.conv2d`: for every image, filter and output cell.

    Examples
    --------
    >>> conv2d(np.arange(18).reshape(2, 3, 3), np.ones((1, 2, 2, 2)), bias=[100.0])
    array([[[152., 160.],
            [176., 184.]]])
    """
    x4, weight, bias, batched, dtype = check_layer(x, weight, bias)
    xp, (out_h, out_w), (sh, sw), (dh, dw) = prepare(x4, weight.shape[2:], stride, padding,
                                                     dilation, padding_mode, dtype,
                                                     kernel_name="weight")
    w = weight.astype(dtype)
    n_images, channels = x4.shape[:2]
    n_filters, _, kh, kw = w.shape
    out = np.zeros((n_images, n_filters, out_h, out_w), dtype=dtype)
    for n in range(n_images):
        for o in range(n_filters):
            for i in range(out_h):
                for j in range(out_w):
                    total = dtype.type(0)
                    for c in range(channels):
                        for a in range(kh):
                            for b in range(kw):
                                total += xp[n, c, i * sh + a * dh, j * sw + b * dw] * w[o, c, a, b]
                    if bias is not None:
                        total += dtype.type(bias[o])
                    out[n, o, i, j] = total
    return out if batched else out[0]


def _planes(x):
    """``x`` viewed as a stack of (H, W) planes, and a function that undoes it."""
    shape = x.shape
    return x.reshape((-1,) + shape[-2:]), (lambda y: y.reshape(shape[:-2] + y.shape[-2:]))


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Loop version of :func:`convlab.max_pool2d`: keep the largest value of each window.

    Windows may hang over the padding; only taps inside the input are compared.

    Examples
    --------
    >>> max_pool2d(np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [3, 2, 1, 1]]), 2)
    array([[4, 5],
           [3, 7]])
    """
    x, (kh, kw), (sh, sw), (ph, pw), (dh, dw), (out_h, out_w) = pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode)
    planes, restore = _planes(x)
    height, width = x.shape[-2:]
    floating = np.issubdtype(x.dtype, np.floating)
    lowest = -np.inf if floating else (False if x.dtype == np.bool_ else np.iinfo(x.dtype).min)
    out = np.zeros((planes.shape[0], out_h, out_w), dtype=x.dtype)
    where = np.zeros((planes.shape[0], out_h, out_w), dtype=np.int64)
    for p in range(planes.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * sh - ph, j * sw - pw
                # first tap inside the input (PyTorch reports it if nothing beats -inf)
                first_r = top + max(0, -(top // dh)) * dh if top < 0 else top
                first_c = left + max(0, -(left // dw)) * dw if left < 0 else left
                best, best_at = lowest, first_r * width + first_c
                for a in range(kh):
                    for b in range(kw):
                        r, c = top + a * dh, left + b * dw
                        if 0 <= r < height and 0 <= c < width:
                            value = planes[p, r, c]
                            if value > best or (floating and np.isnan(value)):
                                best, best_at = value, r * width + c
                out[p, i, j] = best
                where[p, i, j] = best_at
    if return_indices:
        return restore(out), restore(where)
    return restore(out)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Loop version of :func:`convlab.avg_pool2d`: the mean of each window.

    Examples
    --------
    >>> avg_pool2d(np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [3, 2, 1, 1]]), 2)
    array([[2.5 , 2.  ],
           [1.5 , 2.75]])
    """
    x, (kh, kw), (sh, sw), (ph, pw), _, (out_h, out_w) = pool_geometry(
        x, kernel_size, stride, padding, 1, ceil_mode)
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"count_include_pad must be a bool, got {count_include_pad!r}")
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float64)
    planes, restore = _planes(x.astype(dtype))
    height, width = x.shape[-2:]
    out = np.zeros((planes.shape[0], out_h, out_w), dtype=dtype)
    for p in range(planes.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * sh - ph, j * sw - pw
                # the window, clipped to the padded input (a ceil_mode overhang is not counted)
                bottom, right = min(top + kh, height + ph), min(left + kw, width + pw)
                total, real = dtype.type(0), 0
                for r in range(top, bottom):
                    for c in range(left, right):
                        if 0 <= r < height and 0 <= c < width:
                            total += planes[p, r, c]
                            real += 1
                size = (bottom - top) * (right - left) if count_include_pad else real
                out[p, i, j] = total / dtype.type(size)
    return restore(out)
