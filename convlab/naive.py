"""The loop reference: every operation written as explicit loops, as the course teaches it.

These functions take the same arguments as the fast ones in :mod:`convlab`,
refuse the same bad arguments with the same messages, and compute the same
numbers, one output cell at a time. Read them to see exactly what a
convolution or a pooling does; use the fast versions to compute.

They are a second route, not a copy of the first: the sizes, the padding and
the windows come from the formulas the notebooks teach, written out below
(never from the fast path's helpers), so that when the tests find that both
routes agree, a size or padding bug in either would have shown.

- output length: ``floor((i + p_before + p_after - d*(k - 1) - 1) / s) + 1``;
- ``'same'``: the TensorFlow rule, ``o = ceil(i / s)``, the odd pixel after;
- ``'full'``: ``d*(k - 1)`` on each side;
- pooling's ``ceil_mode``: round up, but a last window must start inside the
  input or its left padding;
- padding modes: which input pixel each padded position copies.
"""

from __future__ import annotations

import numpy as np

from . import grad
from ._checks import (PADDING_MODES, as_array, check_choice, check_explicit_padding, check_filter,
                      check_fits, check_int, check_ints, check_layer, check_pad_args,
                      check_pad_fits, check_pair, compute_dtype, describe, sum_dtype)
from ._windows import check_transposed

__all__ = ["pad2d", "correlate2d", "convolve2d", "apply_filter", "conv2d", "conv1d", "conv3d",
           "max_pool2d", "avg_pool2d", "conv_transpose2d", "conv2d_input", "conv2d_weight",
           "conv2d_bias", "conv1d_input", "conv1d_weight", "conv3d_input", "conv3d_weight",
           "max_pool2d_input", "avg_pool2d_input"]


# --- geometry: the formulas of the notebooks, one axis at a time ---

def _output_length(i, before, after, k, s, d):
    """``floor((i + p_before + p_after - d*(k - 1) - 1) / s) + 1`` positions."""
    return (i + before + after - d * (k - 1) - 1) // s + 1


def _same_pads(i, k, s, d):
    """TensorFlow's 'same': ``o = ceil(i / s)`` outputs, the odd padding pixel after."""
    o = -(-i // s)
    total = max(0, (o - 1) * s + d * (k - 1) + 1 - i)
    return total // 2, total - total // 2


def _pads(padding, input_hw, kernel_hw, stride, dilation, *, flip_same=False):
    """A convolution's padding spec as ``((top, bottom), (left, right))``.

    ``flip_same`` puts the odd 'same' pixel before, where
    :func:`scipy.signal.convolve2d` puts it for the flipped kernel.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "full":
            return tuple((dilation[a] * (kernel_hw[a] - 1),) * 2 for a in (0, 1))
        if padding == "same":
            pads = tuple(_same_pads(input_hw[a], kernel_hw[a], stride[a], dilation[a])
                         for a in (0, 1))
            return tuple(p[::-1] for p in pads) if flip_same else pads
        raise ValueError(
            "padding must be an int, a (height, width) pair, ((top, bottom), (left, right)) "
            f"or one of 'valid', 'same', 'full', got {padding!r}"
        )
    return check_explicit_padding(padding, "padding")


def _conv_geometry(input_hw, kernel_hw, stride, padding, dilation, padding_mode="zeros", *,
                   kernel_name="kernel", flip_same=False):
    """Validate a convolution's geometry; return ``(pads, out_hw, stride, dilation)``."""
    stride = check_pair(stride, "stride", minimum=1)
    dilation = check_pair(dilation, "dilation", minimum=1)
    check_choice(padding_mode, "padding_mode", tuple(m for m in PADDING_MODES if m != "constant"))
    pads = _pads(padding, input_hw, kernel_hw, stride, dilation, flip_same=flip_same)
    check_fits(input_hw, pads, kernel_hw, dilation, kernel_name)
    if padding_mode in ("reflect", "circular"):  # the padding's own limits, checked as pad2d does
        check_pad_args(np.broadcast_to(np.zeros(1), tuple(input_hw)), pads, padding_mode, 0.0)
    out_hw = tuple(_output_length(input_hw[a], *pads[a], kernel_hw[a], stride[a], dilation[a])
                   for a in (0, 1))
    return pads, out_hw, stride, dilation


def _pool_output_length(i, k, s, p, d, ceil_mode):
    """Windows along one axis of a pooling, with ``ceil_mode``'s drop rule."""
    span = i + 2 * p - d * (k - 1) - 1
    if not ceil_mode:
        return span // s + 1
    o = -(-span // s) + 1
    # the last window must start inside the input or the left padding
    if (o - 1) * s >= i + p:
        o -= 1
    return o


def _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Validate pooling arguments; return ``(x, kernel, stride, padding, dilation, out_hw)``."""
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
        if padding[axis] > kernel[axis] // 2:
            raise ValueError(
                f"padding {padding[axis]} along the {name} is more than half the pooling window "
                f"({kernel[axis]} wide): padding must be <= {kernel[axis] // 2}"
            )
    out_hw = tuple(_pool_output_length(x.shape[-2 + a], kernel[a], stride[a], padding[a],
                                       dilation[a], ceil_mode) for a in (0, 1))
    if min(out_hw) < 1:
        padded = tuple(x.shape[-2 + a] + 2 * padding[a] for a in (0, 1))
        extent = tuple(dilation[a] * (kernel[a] - 1) + 1 for a in (0, 1))
        raise ValueError(
            f"kernel_size {kernel[0]}x{kernel[1]} (dilated {extent[0]}x{extent[1]}) "
            f"does not fit in the padded input {padded[0]}x{padded[1]}: "
            f"use a smaller window or more padding"
        )
    return x, kernel, stride, padding, dilation, out_hw


def _source(index, size, mode):
    """Which input index a position ``index`` (may be outside ``0..size-1``) copies.

    None means a constant (zeros, or pad2d's ``value``).
    """
    if 0 <= index < size:
        return index
    if mode in ("zeros", "constant"):
        return None
    if mode == "replicate":       # the edge pixel, repeated
        return 0 if index < 0 else size - 1
    if mode == "circular":        # wrap around
        return index % size
    if mode == "reflect":         # mirror about the edge pixel, not repeating it
        return -index if index < 0 else 2 * (size - 1) - index
    raise ValueError(f"unknown padding mode {mode!r}")


def _padded(x, pads, mode, fill=0):
    """``x`` (..., H, W) padded by ``((top, bottom), (left, right))``, one pixel at a time."""
    (top, bottom), (left, right) = pads
    height, width = x.shape[-2:]
    out = np.full(x.shape[:-2] + (top + height + bottom, left + width + right), fill,
                  dtype=x.dtype)
    for i in range(out.shape[-2]):
        for j in range(out.shape[-1]):
            source_i = _source(i - top, height, mode)
            source_j = _source(j - left, width, mode)
            if source_i is not None and source_j is not None:
                out[..., i, j] = x[..., source_i, source_j]
    return out


def _planes(x):
    """``x`` viewed as a stack of (H, W) planes, and a function that undoes it."""
    shape = x.shape
    return x.reshape((-1,) + shape[-2:]), (lambda y: y.reshape(shape[:-2] + y.shape[-2:]))


# --- padding ---

def pad2d(x, padding, mode="zeros", value=0.0):
    """Loop version of :func:`convlab.pad2d`: each output pixel says where it comes from.

    Examples
    --------
    >>> pad2d(np.array([[1, 2, 3]]), ((0, 0), (2, 2)), mode="reflect")
    array([[3, 2, 1, 2, 3, 2, 1]])
    """
    x, pads = check_pad_args(x, padding, mode, value)
    return _padded(x, pads, mode, fill=value if mode == "constant" else 0)


# --- convolution ---

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
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    pads, (out_h, out_w), (sh, sw), (dh, dw) = _conv_geometry(
        image.shape, kernel.shape, stride, padding, dilation, padding_mode)
    x = _padded(image.astype(acc), pads, padding_mode)
    k = kernel.astype(acc)
    kh, kw = k.shape
    out = np.zeros((out_h, out_w), dtype=dtype)
    for i in range(out_h):
        for j in range(out_w):
            total = acc.type(0)
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
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    pads, (out_h, out_w), (sh, sw), (dh, dw) = _conv_geometry(
        image.shape, kernel.shape, stride, padding, dilation, padding_mode, flip_same=True)
    x = _padded(image.astype(acc), pads, padding_mode)
    k = kernel.astype(acc)
    kh, kw = k.shape
    out = np.zeros((out_h, out_w), dtype=dtype)
    for i in range(out_h):
        for j in range(out_w):
            total = acc.type(0)
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
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    pads, (out_h, out_w), (sh, sw), (dh, dw) = _conv_geometry(
        image.shape[1:], filt.shape[1:], stride, padding, dilation, padding_mode,
        kernel_name="filt")
    x = _padded(image.astype(acc), pads, padding_mode)
    k = filt.astype(acc)
    channels, kh, kw = k.shape
    out = np.zeros((out_h, out_w), dtype=dtype)
    for i in range(out_h):
        for j in range(out_w):
            total = acc.type(0)
            for c in range(channels):
                for a in range(kh):
                    for b in range(kw):
                        total += x[c, i * sh + a * dh, j * sw + b * dw] * k[c, a, b]
            out[i, j] = total + acc.type(bias)
    return out


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros"):
    """Loop version of :func:`convlab.conv2d`: for every image, filter and output cell.

    With ``groups``, filter ``o`` belongs to group ``o // (O/groups)`` and reads
    only that group's ``C/groups`` input channels.

    Examples
    --------
    >>> conv2d(np.arange(18).reshape(2, 3, 3), np.ones((1, 2, 2, 2)), bias=[100.0])
    array([[[152., 160.],
            [176., 184.]]])
    """
    x4, weight, bias, batched, dtype, groups = check_layer(x, weight, bias, groups=groups)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    pads, (out_h, out_w), (sh, sw), (dh, dw) = _conv_geometry(
        x4.shape[2:], weight.shape[2:], stride, padding, dilation, padding_mode,
        kernel_name="weight")
    xp = _padded(x4.astype(acc), pads, padding_mode)
    w = weight.astype(acc)
    n_images = x4.shape[0]
    n_filters, channels, kh, kw = w.shape          # channels: C/groups per filter
    out = np.zeros((n_images, n_filters, out_h, out_w), dtype=dtype)
    for n in range(n_images):
        for o in range(n_filters):
            first = (o // (n_filters // groups)) * channels   # the group's first input channel
            for i in range(out_h):
                for j in range(out_w):
                    total = acc.type(0)
                    for c in range(channels):
                        for a in range(kh):
                            for b in range(kw):
                                total += (xp[n, first + c, i * sh + a * dh, j * sw + b * dw]
                                          * w[o, c, a, b])
                    if bias is not None:
                        total += acc.type(bias[o])
                    out[n, o, i, j] = total
    return out if batched else out[0]


# --- 1-D and 3-D convolution: the same loops, one axis fewer or one more ---

def _axes_geometry(input_shape, kernel_shape, stride, padding, dilation, padding_mode, *,
                   causal=False):
    """conv1d's and conv3d's geometry, axis by axis: ``(pads, out_shape, stride, dilation)``."""
    n = len(kernel_shape)
    stride = check_ints(stride, "stride", n, minimum=1)
    dilation = check_ints(dilation, "dilation", n, minimum=1)
    check_choice(padding_mode, "padding_mode", tuple(m for m in PADDING_MODES if m != "constant"))
    extent = [dilation[a] * (kernel_shape[a] - 1) for a in range(n)]
    words = "'valid', 'same', 'full'" + (" or 'causal'" if causal else "")
    if padding == "causal" and causal:
        pads = tuple((extent[a], 0) for a in range(n))      # everything before: t sees <= t
    elif isinstance(padding, str):
        if padding not in ("valid", "same", "full"):
            raise ValueError(f"padding must be an int, a tuple of {n} ints, a tuple of {n} "
                             f"(before, after) pairs or one of {words}, got {padding!r}")
        pads = tuple((0, 0) if padding == "valid" else (extent[a], extent[a])
                     if padding == "full" else
                     _same_pads(input_shape[a], kernel_shape[a], stride[a], dilation[a])
                     for a in range(n))
    elif isinstance(padding, (tuple, list)) and len(padding) == n and all(
            isinstance(p, (tuple, list)) for p in padding):
        pads = tuple((check_int(p[0], "padding before", minimum=0),
                      check_int(p[1], "padding after", minimum=0)) for p in padding)
    else:
        if not isinstance(padding, (tuple, list, int)) or isinstance(padding, bool):
            raise TypeError(f"padding must be an int, a tuple of {n} ints, a tuple of {n} "
                            f"(before, after) pairs or one of {words}, got {describe(padding)}")
        pads = tuple((p, p) for p in check_ints(padding, "padding", n, minimum=0))
    check_fits(input_shape, pads, kernel_shape, dilation, "weight")
    if padding_mode in ("reflect", "circular"):
        names = ("length",) if n == 1 else ("depth", "height", "width")
        for (before, after), size, axis in zip(pads, input_shape, names):
            check_pad_fits(before, after, size, axis, padding_mode,
                           strict=padding_mode == "reflect")
    out_shape = tuple(_output_length(input_shape[a], *pads[a], kernel_shape[a], stride[a],
                                     dilation[a]) for a in range(n))
    return pads, out_shape, stride, dilation


def _padded_axes(x, pads, mode):
    """``x`` (N, C, *spatial) padded on its spatial axes, one position at a time."""
    spatial = x.shape[2:]
    shape = tuple(before + size + after for (before, after), size in zip(pads, spatial))
    out = np.zeros(x.shape[:2] + shape, dtype=x.dtype)
    for position in np.ndindex(*shape):
        source = tuple(_source(p - before, size, mode)
                       for p, (before, _), size in zip(position, pads, spatial))
        if None not in source:
            out[(slice(None), slice(None)) + position] = x[(slice(None), slice(None)) + source]
    return out


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros"):
    """Loop version of :func:`convlab.conv1d`: for every signal, filter and output step.

    Examples
    --------
    >>> conv1d([[1., 2., 3., 4.]], [[[1., 1.]]], padding="causal")    # 0+1, 1+2, 2+3, 3+4
    array([[1., 3., 5., 7.]])
    """
    xb, weight, bias, batched, dtype, groups = check_layer(x, weight, bias, groups=groups,
                                                           dims=1)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    pads, (out_len,), (s,), (d,) = _axes_geometry(xb.shape[2:], weight.shape[2:], stride,
                                                  padding, dilation, padding_mode, causal=True)
    xp = _padded_axes(xb.astype(acc), pads, padding_mode)
    w = weight.astype(acc)
    n_filters, channels, k = w.shape                # channels: C/groups per filter
    out = np.zeros((xb.shape[0], n_filters, out_len), dtype=dtype)
    for n in range(xb.shape[0]):
        for o in range(n_filters):
            first = (o // (n_filters // groups)) * channels   # the group's first input channel
            for t in range(out_len):
                total = acc.type(0)
                for c in range(channels):
                    for a in range(k):
                        total += xp[n, first + c, t * s + a * d] * w[o, c, a]
                if bias is not None:
                    total += acc.type(bias[o])
                out[n, o, t] = total
    return out if batched else out[0]


def conv3d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros"):
    """Loop version of :func:`convlab.conv3d`: for every volume, filter and output voxel.

    Examples
    --------
    >>> conv3d(np.arange(8.0).reshape(1, 2, 2, 2), np.ones((1, 1, 2, 2, 2)))   # 0+1+...+7
    array([[[[28.]]]])
    """
    xb, weight, bias, batched, dtype, groups = check_layer(x, weight, bias, groups=groups,
                                                           dims=3)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    pads, (out_d, out_h, out_w), (sd, sh, sw), (dd, dh, dw) = _axes_geometry(
        xb.shape[2:], weight.shape[2:], stride, padding, dilation, padding_mode)
    xp = _padded_axes(xb.astype(acc), pads, padding_mode)
    w = weight.astype(acc)
    n_filters, channels, kd, kh, kw = w.shape       # channels: C/groups per filter
    out = np.zeros((xb.shape[0], n_filters, out_d, out_h, out_w), dtype=dtype)
    for n in range(xb.shape[0]):
        for o in range(n_filters):
            first = (o // (n_filters // groups)) * channels   # the group's first input channel
            for v in range(out_d):
                for i in range(out_h):
                    for j in range(out_w):
                        total = acc.type(0)
                        for c in range(channels):
                            for e in range(kd):
                                for a in range(kh):
                                    for b in range(kw):
                                        total += (xp[n, first + c, v * sd + e * dd,
                                                     i * sh + a * dh, j * sw + b * dw]
                                                  * w[o, c, e, a, b])
                        if bias is not None:
                            total += acc.type(bias[o])
                        out[n, o, v, i, j] = total
    return out if batched else out[0]


# --- pooling ---

def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Loop version of :func:`convlab.max_pool2d`: keep the largest value of each window.

    Windows may hang over the padding; only taps inside the input are compared.
    On a tie the first maximum in reading order wins; a NaN beats everything.

    Examples
    --------
    >>> max_pool2d(np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [3, 2, 1, 1]]), 2)
    array([[4, 5],
           [3, 7]])
    """
    x, (kh, kw), (sh, sw), (ph, pw), (dh, dw), (out_h, out_w) = _pool_geometry(
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
                # the first tap past the top/left padding, reported (as PyTorch does)
                # when nothing in the window beats the lowest value
                a, b = 0, 0
                while top + a * dh < 0:
                    a += 1
                while left + b * dw < 0:
                    b += 1
                best, best_r, best_c = lowest, top + a * dh, left + b * dw
                for a in range(kh):
                    for b in range(kw):
                        r, c = top + a * dh, left + b * dw
                        if 0 <= r < height and 0 <= c < width:
                            value = planes[p, r, c]
                            if value > best or (floating and np.isnan(value)):
                                best, best_r, best_c = value, r, c
                out[p, i, j] = best
                where[p, i, j] = best_r * width + best_c
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
    x, (kh, kw), (sh, sw), (ph, pw), _, (out_h, out_w) = _pool_geometry(
        x, kernel_size, stride, padding, 1, ceil_mode)
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"count_include_pad must be a bool, got {describe(count_include_pad)}")
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float64)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    planes, restore = _planes(x.astype(acc))
    height, width = x.shape[-2:]
    out = np.zeros((planes.shape[0], out_h, out_w), dtype=dtype)
    for p in range(planes.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * sh - ph, j * sw - pw
                # the window, clipped to the padded input (a ceil_mode overhang is not counted)
                bottom, right = min(top + kh, height + ph), min(left + kw, width + pw)
                # column by column: each column's sum, then the columns' (the order the
                # fast path adds in, so the two agree to the last bit)
                total, real = acc.type(0), 0
                for c in range(left, right):
                    column = acc.type(0)
                    for r in range(top, bottom):
                        if 0 <= r < height and 0 <= c < width:
                            column += planes[p, r, c]
                            real += 1
                    total += column
                size = (bottom - top) * (right - left) if count_include_pad else real
                out[p, i, j] = total / acc.type(size)
    return restore(out)


# --- transposed convolution ---

def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Loop version of :func:`convlab.conv_transpose2d`: every input pixel stamps the kernel.

    With ``groups``, input channel ``c`` stamps only the ``C_out/groups``
    output channels of its group, ``c // (C_in/groups)``.

    The full output is ``(i - 1)*s + d*(k - 1) + 1`` long; ``padding`` crops
    it at each end and ``output_padding`` adds rows after.

    Examples
    --------
    >>> conv_transpose2d(np.ones((1, 1, 2)), np.arange(1, 5).reshape(1, 1, 2, 2), stride=2)
    array([[[1., 2., 1., 2.],
            [3., 4., 3., 4.]]])
    """
    # the fast version's checks, so both refuse the same arguments; the sizes are ours
    x4, weight, bias, batched, dtype, (sh, sw), pads, output_padding, (dh, dw), _, groups = \
        check_transposed(x, weight, bias, stride, padding, output_padding, dilation, groups)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    x4, w = x4.astype(acc), weight.astype(acc)
    n_images, channels_in, height, width = x4.shape
    _, per_group, kh, kw = w.shape                  # per_group: C_out/groups
    channels_out = per_group * groups
    (top, bottom), (left, right) = pads
    out_h = (height - 1) * sh + dh * (kh - 1) + 1 - top - bottom + output_padding[0]
    out_w = (width - 1) * sw + dw * (kw - 1) + 1 - left - right + output_padding[1]
    out = np.zeros((n_images, channels_out, out_h, out_w), dtype=acc)
    for n in range(n_images):
        for c in range(channels_in):
            first = (c // (channels_in // groups)) * per_group  # the group's first output
            for i in range(height):
                for j in range(width):
                    for o in range(per_group):
                        for a in range(kh):
                            for b in range(kw):
                                # where tap (a, b) of the stamp lands, after cropping
                                r, s = i * sh + a * dh - top, j * sw + b * dw - left
                                if 0 <= r < out_h and 0 <= s < out_w:
                                    out[n, first + o, r, s] += x4[n, c, i, j] * w[c, o, a, b]
    if bias is not None:
        for o in range(channels_out):
            out[:, o] += acc.type(bias[o])
    out = out.astype(dtype)
    return out if batched else out[0]


# --- gradients ---
# Each is validated by calling the fast version (so both refuse the same
# arguments); the loops below take nothing else from it.

def conv2d_input(input_shape, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Loop version of :func:`convlab.grad.conv2d_input`: each output's gradient goes
    back to the inputs its window read (its group's channels), times the weight that
    read them.

    Examples
    --------
    >>> conv2d_input((1, 3, 3), np.array([[[[1., 2.], [3., 4.]]]]), np.ones((1, 2, 2)))
    array([[[ 1.,  3.,  2.],
            [ 4., 10.,  6.],
            [ 3.,  7.,  4.]]])
    """
    grad.conv2d_input(input_shape, weight, grad_output, stride, padding, dilation,
                      groups)  # checks
    shape = tuple(int(s) for s in input_shape)
    batched = len(shape) == 4
    weight = np.asarray(weight)
    grad_output = np.asarray(grad_output)
    shape4 = shape if batched else (1,) + shape
    g = grad_output if batched else grad_output[None]
    dtype = compute_dtype(weight.dtype, grad_output.dtype)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    ((top, _), (left, _)), (out_h, out_w), (sh, sw), (dh, dw) = _conv_geometry(
        shape4[2:], weight.shape[2:], stride, padding, dilation)
    w, g = weight.astype(acc), g.astype(acc)
    n_filters, channels, kh, kw = w.shape          # channels: C/groups per filter
    out = np.zeros(shape4, dtype=acc)
    for n in range(shape4[0]):
        for o in range(n_filters):
            first = (o // (n_filters // groups)) * channels   # the group's first input channel
            for i in range(out_h):
                for j in range(out_w):
                    for c in range(channels):
                        for a in range(kh):
                            for b in range(kw):
                                r, s = i * sh + a * dh - top, j * sw + b * dw - left
                                if 0 <= r < shape4[2] and 0 <= s < shape4[3]:
                                    out[n, first + c, r, s] += g[n, o, i, j] * w[o, c, a, b]
    out = out.astype(dtype)
    return out if batched else out[0]


def conv2d_weight(x, weight_shape, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Loop version of :func:`convlab.grad.conv2d_weight`: each weight collects
    output gradient times the input pixel it met, over every window and image.

    Examples
    --------
    >>> conv2d_weight(np.arange(9.0).reshape(1, 3, 3), (1, 1, 2, 2),
    ...               np.array([[[0., 0.], [0., 1.]]]))
    array([[[[4., 5.],
             [7., 8.]]]])
    """
    grad.conv2d_weight(x, weight_shape, grad_output, stride, padding, dilation,
                       groups)  # checks
    x = np.asarray(x)
    grad_output = np.asarray(grad_output)
    x4 = x if x.ndim == 4 else x[None]
    g = grad_output if x.ndim == 4 else grad_output[None]
    dtype = compute_dtype(x.dtype, grad_output.dtype)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    shape = tuple(int(s) for s in weight_shape)
    ((top, _), (left, _)), (out_h, out_w), (sh, sw), (dh, dw) = _conv_geometry(
        x4.shape[2:], shape[2:], stride, padding, dilation)
    x4, g = x4.astype(acc), g.astype(acc)
    out = np.zeros(shape, dtype=dtype)
    n_filters, channels, kh, kw = shape             # channels: C/groups per filter
    for o in range(n_filters):
        first = (o // (n_filters // groups)) * channels   # the group's first input channel
        for c in range(channels):
            for a in range(kh):
                for b in range(kw):
                    total = acc.type(0)
                    for n in range(x4.shape[0]):
                        for i in range(out_h):
                            for j in range(out_w):
                                r, s = i * sh + a * dh - top, j * sw + b * dw - left
                                if 0 <= r < x4.shape[2] and 0 <= s < x4.shape[3]:
                                    total += g[n, o, i, j] * x4[n, first + c, r, s]
                    out[o, c, a, b] = total
    return out


def conv1d_input(input_shape, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Loop version of :func:`convlab.grad.conv1d_input`.

    Examples
    --------
    >>> conv1d_input((1, 4), np.array([[[1., 2.]]]), np.ones((1, 3)))
    array([[1., 3., 3., 2.]])
    """
    return _input_gradient_loops(input_shape, weight, grad_output, stride, padding, dilation,
                                 groups, 1)


def conv1d_weight(x, weight_shape, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Loop version of :func:`convlab.grad.conv1d_weight`.

    Examples
    --------
    >>> conv1d_weight(np.array([[1., 2., 3.]]), (1, 1, 2), np.ones((1, 2)))
    array([[[3., 5.]]])
    """
    return _weight_gradient_loops(x, weight_shape, grad_output, stride, padding, dilation,
                                  groups, 1)


def conv3d_input(input_shape, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Loop version of :func:`convlab.grad.conv3d_input`.

    Examples
    --------
    >>> conv3d_input((1, 1, 1, 2), np.ones((1, 1, 1, 1, 2)), np.ones((1, 1, 1, 1)))
    array([[[[1., 1.]]]])
    """
    return _input_gradient_loops(input_shape, weight, grad_output, stride, padding, dilation,
                                 groups, 3)


def conv3d_weight(x, weight_shape, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Loop version of :func:`convlab.grad.conv3d_weight`.

    Examples
    --------
    >>> conv3d_weight(np.ones((1, 1, 1, 2)), (1, 1, 1, 1, 2), np.ones((1, 1, 1, 1)))
    array([[[[[1., 1.]]]]])
    """
    return _weight_gradient_loops(x, weight_shape, grad_output, stride, padding, dilation,
                                  groups, 3)


def _read_at(position, taps, stride, dilation, pads):
    """The input index that tap ``taps`` of the window at output ``position`` reads."""
    return tuple(p * s + t * d - before
                 for p, t, s, d, (before, _) in zip(position, taps, stride, dilation, pads))


def _input_gradient_loops(input_shape, weight, grad_output, stride, padding, dilation, groups,
                          dims):
    """conv1d_input / conv3d_input: each output's gradient goes back to the inputs its
    window read (its group's channels), times the weight that read them."""
    getattr(grad, f"conv{dims}d_input")(input_shape, weight, grad_output, stride, padding,
                                        dilation, groups)  # checks
    shape = tuple(int(s) for s in input_shape)
    batched = len(shape) == dims + 2
    shape = shape if batched else (1,) + shape
    weight, g = np.asarray(weight), np.asarray(grad_output)
    g = g if batched else g[None]
    dtype = compute_dtype(weight.dtype, g.dtype)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    pads, out_shape, stride, dilation = _axes_geometry(shape[2:], weight.shape[2:], stride,
                                                       padding, dilation, "zeros",
                                                       causal=dims == 1)
    w, g = weight.astype(acc), g.astype(acc)
    n_filters, channels = w.shape[:2]               # channels: C/groups per filter
    out = np.zeros(shape, dtype=acc)
    for n in range(shape[0]):
        for o in range(n_filters):
            first = (o // (n_filters // groups)) * channels   # the group's first input channel
            for position in np.ndindex(*out_shape):
                for c in range(channels):
                    for taps in np.ndindex(*w.shape[2:]):
                        r = _read_at(position, taps, stride, dilation, pads)
                        if all(0 <= i < size for i, size in zip(r, shape[2:])):
                            out[(n, first + c) + r] += g[(n, o) + position] * w[(o, c) + taps]
    out = out.astype(dtype)
    return out if batched else out[0]


def _weight_gradient_loops(x, weight_shape, grad_output, stride, padding, dilation, groups,
                           dims):
    """conv1d_weight / conv3d_weight: each weight collects output gradient times the
    input pixel it met, over every window and every signal or volume."""
    getattr(grad, f"conv{dims}d_weight")(x, weight_shape, grad_output, stride, padding,
                                         dilation, groups)  # checks
    x, g = np.asarray(x), np.asarray(grad_output)
    batched = x.ndim == dims + 2
    x, g = (x, g) if batched else (x[None], g[None])
    dtype = compute_dtype(x.dtype, g.dtype)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    shape = tuple(int(s) for s in weight_shape)
    pads, out_shape, stride, dilation = _axes_geometry(x.shape[2:], shape[2:], stride, padding,
                                                       dilation, "zeros", causal=dims == 1)
    x, g = x.astype(acc), g.astype(acc)
    n_filters, channels = shape[:2]                 # channels: C/groups per filter
    out = np.zeros(shape, dtype=dtype)
    for o in range(n_filters):
        first = (o // (n_filters // groups)) * channels   # the group's first input channel
        for c in range(channels):
            for taps in np.ndindex(*shape[2:]):
                total = acc.type(0)
                for n in range(x.shape[0]):
                    for position in np.ndindex(*out_shape):
                        r = _read_at(position, taps, stride, dilation, pads)
                        if all(0 <= i < size for i, size in zip(r, x.shape[2:])):
                            total += g[(n, o) + position] * x[(n, first + c) + r]
                out[(o, c) + taps] = total
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
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    out = np.zeros(g.shape[1], dtype=acc)
    for n in range(g.shape[0]):
        for o in range(g.shape[1]):
            for i in range(g.shape[2]):
                for j in range(g.shape[3]):
                    out[o] += g[n, o, i, j]
    return out.astype(dtype)


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
    grad.max_pool2d_input(x, grad_output, kernel_size, stride, padding, dilation,
                          ceil_mode)  # checks
    _, where = max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode,
                          return_indices=True)
    x = np.asarray(x)
    grad_output = np.asarray(grad_output)
    dtype = compute_dtype(grad_output.dtype)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    g_planes, _ = _planes(grad_output.astype(acc))
    where_planes, _ = _planes(where)
    width = x.shape[-1]
    out = np.zeros((g_planes.shape[0],) + x.shape[-2:], dtype=acc)
    for p in range(g_planes.shape[0]):
        for i in range(g_planes.shape[1]):
            for j in range(g_planes.shape[2]):
                winner = where_planes[p, i, j]      # flat index h*W + w in its plane
                out[p, winner // width, winner % width] += g_planes[p, i, j]
    return out.reshape(x.shape).astype(dtype)


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
    grad.avg_pool2d_input(input_shape, grad_output, kernel_size, stride, padding, ceil_mode,
                          count_include_pad)  # checks
    shape = tuple(int(s) for s in input_shape)
    _, (kh, kw), (sh, sw), (ph, pw), _, (out_h, out_w) = _pool_geometry(
        np.broadcast_to(np.zeros(1), shape), kernel_size, stride, padding, 1, ceil_mode)
    grad_output = np.asarray(grad_output)
    dtype = compute_dtype(grad_output.dtype)
    acc = sum_dtype(dtype)  # float16 sums in float32, rounded once when stored
    g_planes, _ = _planes(grad_output.astype(acc))
    height, width = shape[-2:]
    out = np.zeros((g_planes.shape[0], height, width), dtype=acc)
    for p in range(g_planes.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * sh - ph, j * sw - pw
                bottom, right = min(top + kh, height + ph), min(left + kw, width + pw)
                inside = [(r, c) for r in range(top, bottom) for c in range(left, right)
                          if 0 <= r < height and 0 <= c < width]
                size = (bottom - top) * (right - left) if count_include_pad else len(inside)
                for r, c in inside:
                    out[p, r, c] += g_planes[p, i, j] / acc.type(size)
    return out.reshape(shape).astype(dtype)
