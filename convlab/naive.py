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


# --- gradients and transposed convolution (issue 6) ---
# Loop references for convlab.conv_transpose2d and convlab.grad: each output
# cell or each window visited one at a time, validated by the fast versions'
# own checks. (Imports here keep this block self-contained.)

from . import grad as _grad  # noqa: E402
from .transposed import check_transposed  # noqa: E402

__all__ += ["conv_transpose2d", "conv2d_input", "conv2d_weight", "conv2d_bias",
            "max_pool2d_input", "avg_pool2d_input"]


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1):
    """Loop version of :func:`convlab.conv_transpose2d`: every input pixel stamps the kernel.

    Examples
    --------
    >>> conv_transpose2d(np.ones((1, 1, 2)), np.arange(1, 5).reshape(1, 1, 2, 2), stride=2)
    array([[[1., 2., 1., 2.],
            [3., 4., 3., 4.]]])
    """
    (x4, weight, bias, batched, dtype, (sh, sw), ((top, _), (left, _)), _, (dh, dw),
     (out_h, out_w)) = check_transposed(x, weight, bias, stride, padding, output_padding,
                                        dilation)
    x4, w = x4.astype(dtype), weight.astype(dtype)
    n_images, channels_in, height, width = x4.shape
    _, channels_out, kh, kw = w.shape
    out = np.zeros((n_images, channels_out, out_h, out_w), dtype=dtype)
    for n in range(n_images):
        for c in range(channels_in):
            for i in range(height):
                for j in range(width):
                    for o in range(channels_out):
                        for a in range(kh):
                            for b in range(kw):
                                # where tap (a, b) of the stamp lands, after cropping
                                r, s = i * sh + a * dh - top, j * sw + b * dw - left
                                if 0 <= r < out_h and 0 <= s < out_w:
                                    out[n, o, r, s] += x4[n, c, i, j] * w[c, o, a, b]
    if bias is not None:
        for o in range(channels_out):
            out[:, o] += dtype.type(bias[o])
    return out if batched else out[0]


def conv2d_input(input_shape, weight, grad_output, stride=1, padding=0, dilation=1):
    """Loop version of :func:`convlab.grad.conv2d_input`: each output's gradient goes
    back to the inputs its window read, times the weight that read them.

    Examples
    --------
    >>> conv2d_input((1, 3, 3), np.array([[[[1., 2.], [3., 4.]]]]), np.ones((1, 2, 2)))
    array([[[ 1.,  3.,  2.],
            [ 4., 10.,  6.],
            [ 3.,  7.,  4.]]])
    """
    shape = _grad.check_shape(input_shape, "input_shape", (3, 4))
    batched = len(shape) == 4
    weight = as_array(weight, "weight", 4, what="kernel")
    grad_output = as_array(grad_output, "grad_output", len(shape))
    # the fast version's checks, so both refuse the same arguments
    _grad.conv2d_input(shape, weight, grad_output, stride, padding, dilation)
    shape4 = shape if batched else (1,) + shape
    g = (grad_output if batched else grad_output[None])
    dtype = compute_dtype(weight.dtype, grad_output.dtype)
    ((top, _), (left, _)), (out_h, out_w), (sh, sw), (dh, dw) = _grad.conv_geometry(
        shape4[2:], weight.shape[2:], stride, padding, dilation)
    w, g = weight.astype(dtype), g.astype(dtype)
    n_filters, channels, kh, kw = w.shape
    out = np.zeros(shape4, dtype=dtype)
    for n in range(shape4[0]):
        for o in range(n_filters):
            for i in range(out_h):
                for j in range(out_w):
                    for c in range(channels):
                        for a in range(kh):
                            for b in range(kw):
                                r, s = i * sh + a * dh - top, j * sw + b * dw - left
                                if 0 <= r < shape4[2] and 0 <= s < shape4[3]:
                                    out[n, c, r, s] += g[n, o, i, j] * w[o, c, a, b]
    return out if batched else out[0]


def conv2d_weight(x, weight_shape, grad_output, stride=1, padding=0, dilation=1):
    """Loop version of :func:`convlab.grad.conv2d_weight`: each weight collects
    output gradient times the input pixel it met, over every window and image.

    Examples
    --------
    >>> conv2d_weight(np.arange(9.0).reshape(1, 3, 3), (1, 1, 2, 2),
    ...               np.array([[[0., 0.], [0., 1.]]]))
    array([[[[4., 5.],
             [7., 8.]]]])
    """
    _grad.conv2d_weight(x, weight_shape, grad_output, stride, padding, dilation)  # checks
    x = as_array(x, "x", (3, 4), what="image")
    grad_output = as_array(grad_output, "grad_output", x.ndim)
    x4 = x if x.ndim == 4 else x[None]
    g = grad_output if x.ndim == 4 else grad_output[None]
    dtype = compute_dtype(x.dtype, grad_output.dtype)
    shape = tuple(int(s) for s in weight_shape)
    ((top, _), (left, _)), (out_h, out_w), (sh, sw), (dh, dw) = _grad.conv_geometry(
        x4.shape[2:], shape[2:], stride, padding, dilation)
    x4, g = x4.astype(dtype), g.astype(dtype)
    out = np.zeros(shape, dtype=dtype)
    n_filters, channels, kh, kw = shape
    for o in range(n_filters):
        for c in range(channels):
            for a in range(kh):
                for b in range(kw):
                    total = dtype.type(0)
                    for n in range(x4.shape[0]):
                        for i in range(out_h):
                            for j in range(out_w):
                                r, s = i * sh + a * dh - top, j * sw + b * dw - left
                                if 0 <= r < x4.shape[2] and 0 <= s < x4.shape[3]:
                                    total += g[n, o, i, j] * x4[n, c, r, s]
                    out[o, c, a, b] = total
    return out


def conv2d_bias(grad_output):
    """Loop version of :func:`convlab.grad.conv2d_bias`: add up each channel's gradients.

    Examples
    --------
    >>> conv2d_bias(np.ones((2, 3, 4, 4)))
    array([32., 32., 32.])
    """
    grad_output = as_array(grad_output, "grad_output", (3, 4))
    g = grad_output if grad_output.ndim == 4 else grad_output[None]
    dtype = compute_dtype(grad_output.dtype)
    out = np.zeros(g.shape[1], dtype=dtype)
    for n in range(g.shape[0]):
        for o in range(g.shape[1]):
            for i in range(g.shape[2]):
                for j in range(g.shape[3]):
                    out[o] += g[n, o, i, j]
    return out


def max_pool2d_input(x, grad_output, kernel_size, stride=None, padding=0, dilation=1,
                     ceil_mode=False):
    """Loop version of :func:`convlab.grad.max_pool2d_input`: each window's gradient
    goes to the pixel that won it.

    Examples
    --------
    >>> max_pool2d_input(np.array([[1, 3], [4, 2]]), [[5.0]], 2)
    array([[0., 0.],
           [5., 0.]])
    """
    _grad.max_pool2d_input(x, grad_output, kernel_size, stride, padding, dilation, ceil_mode)
    _, where = max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode,
                          return_indices=True)
    x = np.asarray(x)
    grad_output = np.asarray(grad_output)
    dtype = compute_dtype(grad_output.dtype)
    g_planes, _ = _planes(grad_output.astype(dtype))
    where_planes, _ = _planes(where)
    width = x.shape[-1]
    out = np.zeros((g_planes.shape[0],) + x.shape[-2:], dtype=dtype)
    for p in range(g_planes.shape[0]):
        for i in range(g_planes.shape[1]):
            for j in range(g_planes.shape[2]):
                winner = where_planes[p, i, j]      # flat index h*W + w in its plane
                out[p, winner // width, winner % width] += g_planes[p, i, j]
    return out.reshape(x.shape)


def avg_pool2d_input(input_shape, grad_output, kernel_size, stride=None, padding=0,
                     ceil_mode=False, count_include_pad=True):
    """Loop version of :func:`convlab.grad.avg_pool2d_input`: each window's gradient,
    divided as the forward mean divided, goes to every real pixel of the window.

    Examples
    --------
    >>> avg_pool2d_input((2, 4), [[4., 8.]], 2)
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.]])
    """
    _grad.avg_pool2d_input(input_shape, grad_output, kernel_size, stride, padding, ceil_mode,
                           count_include_pad)
    shape = tuple(int(s) for s in input_shape)
    probe = np.broadcast_to(np.zeros(1), shape)
    _, (kh, kw), (sh, sw), (ph, pw), _, (out_h, out_w) = pool_geometry(
        probe, kernel_size, stride, padding, 1, ceil_mode)
    grad_output = np.asarray(grad_output)
    dtype = compute_dtype(grad_output.dtype)
    g_planes, _ = _planes(grad_output.astype(dtype))
    height, width = shape[-2:]
    out = np.zeros((g_planes.shape[0], height, width), dtype=dtype)
    for p in range(g_planes.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * sh - ph, j * sw - pw
                bottom, right = min(top + kh, height + ph), min(left + kw, width + pw)
                inside = [(r, c) for r in range(top, bottom) for c in range(left, right)
                          if 0 <= r < height and 0 <= c < width]
                size = (bottom - top) * (right - left) if count_include_pad else len(inside)
                for r, c in inside:
                    out[p, r, c] += g_planes[p, i, j] / dtype.type(size)
    return out.reshape(shape)
