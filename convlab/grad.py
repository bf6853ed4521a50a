"""Gradients of convolution and pooling: how a network learns its kernels.

Backpropagation hands every layer ``grad_output``, the derivative of the loss
with respect to the layer's output, and asks for the derivatives with respect
to its input and weights. For a convolution both are convolutions again:

- ``conv2d_input``: each output's gradient flows back to the inputs its
  window read, weighted by the kernel: a transposed convolution of
  ``grad_output`` (:func:`convlab.conv_transpose2d`).
- ``conv2d_weight``: each kernel weight met one input pixel per window, so its
  gradient is the correlation of the input with ``grad_output``.
- ``conv2d_bias``: the bias was added to every output pixel: the sum.

Pooling passes gradients back through its windows: max pooling to the one
pixel that won each window, average pooling equally to every pixel of it.

Named and laid out as ``torch.nn.grad`` (``conv2d_input``, ``conv2d_weight``);
imported by name: ``from convlab import grad``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_fits, check_int, check_pair, compute_dtype, describe
from ._windows import output_hw, tap_view
from .convolution import _pool, _workers, columns
from .padding import resolve_padding
from .pooling import (_lowest, _pad_for_windows, _window_counts, first_inside_tap,
                      pool_geometry)
from .transposed import scatter_taps

__all__ = ["conv2d_input", "conv2d_weight", "conv2d_bias", "max_pool2d_input",
           "avg_pool2d_input"]

# Pooling gradients run a block of planes (the flattened leading axes) at a time:
# about this many bytes of input per block, on two threads above _THREADED_BYTES.
_BLOCK_BYTES = 1 << 20
_THREADED_BYTES = 1 << 19


def check_shape(shape, name, ndims):
    """``shape`` as a tuple of ints >= 1 with one of ``ndims`` entries."""
    if isinstance(shape, np.ndarray):
        shape = tuple(shape.tolist())
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of ints (a shape), got {describe(shape)}")
    if len(shape) not in ndims:
        raise ValueError(
            f"{name} must have {' or '.join(str(n) for n in ndims)} entries, "
            f"got {len(shape)} ({tuple(shape)})"
        )
    return tuple(check_int(s, f"{name}[{k}]", minimum=1) for k, s in enumerate(shape))


def _check_grad_output(grad_output, expected, name="grad_output"):
    grad_output = as_array(grad_output, name, len(expected))
    if grad_output.shape != tuple(expected):
        raise ValueError(
            f"{name} must have the shape of the forward output, {tuple(expected)}, "
            f"got {grad_output.shape}"
        )
    return grad_output


def conv_geometry(input_hw, kernel_hw, stride, padding, dilation):
    """``(pads, out_hw, stride, dilation)`` of a zero-padded convolution, validated."""
    stride = check_pair(stride, "stride", minimum=1)
    dilation = check_pair(dilation, "dilation", minimum=1)
    pads = resolve_padding(padding, input_hw, kernel_hw, stride, dilation)
    check_fits(input_hw, pads, kernel_hw, dilation, "weight")
    padded = (input_hw[0] + sum(pads[0]), input_hw[1] + sum(pads[1]))
    return pads, output_hw(padded, kernel_hw, stride, dilation), stride, dilation


def conv2d_input(input_shape, weight, grad_output, stride=1, padding=0, dilation=1):
    """Gradient of :func:`convlab.conv2d` with respect to its input.

    Parameters
    ----------
    input_shape : tuple of int, (N, C, H, W) or (C, H, W)
        Shape of the forward input ``x``.
    weight : array_like, shape (O, C, kH, kW)
        The forward weight.
    grad_output : array_like, shape (N, O, H', W') or (O, H', W')
        Derivative of the loss with respect to the forward output.
    stride, padding, dilation
        The forward call's, as in :func:`convlab.conv2d` (zero padding:
        ints, pairs, explicit pairs, ``'valid'``, ``'same'``, ``'full'``).

    Returns
    -------
    ndarray, shape input_shape
        ``dL/dx[n, c, r, s] = sum over (o, i, j, a, b) with r = i*s_h + a*d_h
        - top (likewise s) of grad_output[n, o, i, j] * weight[o, c, a, b]``.
        Pixels no window reached (a stride remainder) get 0.

    See Also
    --------
    convlab.conv_transpose2d : the same scatter, for an output size of your choice.
    conv2d_weight, conv2d_bias : the other two gradients.

    Notes
    -----
    A transposed convolution computed in the padded frame, then cropped to
    the input: one ``(kH*kW*C, O) @ (O, N*H'*W')`` product and ``kH*kW``
    strided adds. Cost as the forward conv2d.

    Examples
    --------
    A 2x2 kernel over a 3x3 image: the centre pixel sits in all four windows,
    so with every output gradient 1 it collects all four weights.

    >>> import numpy as np
    >>> w = np.array([[[[1., 2.], [3., 4.]]]])
    >>> conv2d_input((1, 3, 3), w, np.ones((1, 2, 2)))
    array([[[ 1.,  3.,  2.],
            [ 4., 10.,  6.],
            [ 3.,  7.,  4.]]])
    """
    shape = check_shape(input_shape, "input_shape", (3, 4))
    weight = as_array(weight, "weight", 4, what="kernel")
    batched = len(shape) == 4
    shape4 = shape if batched else (1,) + shape
    if weight.shape[1] != shape4[1]:
        raise ValueError(
            f"weight expects {weight.shape[1]} input channels (shape {weight.shape}, "
            f"(O, C, kH, kW)), but input_shape has {shape4[1]} channels ({shape}): "
            f"the C axes must match"
        )
    pads, out_hw, stride, dilation = conv_geometry(shape4[2:], weight.shape[2:], stride,
                                                   padding, dilation)
    expected = (shape4[0], weight.shape[0]) + out_hw
    grad_output = _check_grad_output(grad_output, expected if batched else expected[1:])
    dtype = compute_dtype(weight.dtype, grad_output.dtype)
    g4 = grad_output if batched else grad_output[None]
    out = scatter_taps(g4.astype(dtype, copy=False), weight.astype(dtype, copy=False),
                       stride, dilation, pads, shape4[2:])
    return out if batched else out[0]


def conv2d_weight(x, weight_shape, grad_output, stride=1, padding=0, dilation=1):
    """Gradient of :func:`convlab.conv2d` with respect to its weight.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        The forward input.
    weight_shape : tuple of int, (O, C, kH, kW)
        Shape of the forward weight.
    grad_output : array_like, shape (N, O, H', W') or (O, H', W')
    stride, padding, dilation
        The forward call's (zero padding).

    Returns
    -------
    ndarray, shape weight_shape
        ``dL/dw[o, c, a, b] = sum over (n, i, j) of grad_output[n, o, i, j] *
        x_padded[n, c, i*s_h + a*d_h, j*s_w + b*d_w]``: the input correlated
        with the output gradient, summed over the batch.

    Notes
    -----
    im2col of the padded input (the columns the forward pass multiplies),
    then one ``(O, N*H'*W') @ (N*H'*W', C*kH*kW)`` product.

    Examples
    --------
    With a single output gradient of 1, the weight gradient is the window
    that output read:

    >>> import numpy as np
    >>> x = np.arange(9.0).reshape(1, 3, 3)
    >>> conv2d_weight(x, (1, 1, 2, 2), np.array([[[0., 0.], [0., 1.]]]))
    array([[[[4., 5.],
             [7., 8.]]]])
    """
    x = as_array(x, "x", (3, 4), what="image")
    wshape = check_shape(weight_shape, "weight_shape", (4,))
    batched = x.ndim == 4
    x4 = x if batched else x[None]
    if wshape[1] != x4.shape[1]:
        raise ValueError(
            f"weight_shape expects {wshape[1]} input channels ({wshape}, (O, C, kH, kW)), "
            f"but x has {x4.shape[1]} channels (shape {x.shape}): the C axes must match"
        )
    pads, out_hw, stride, dilation = conv_geometry(x4.shape[2:], wshape[2:], stride, padding,
                                                   dilation)
    expected = (x4.shape[0], wshape[0]) + out_hw
    grad_output = _check_grad_output(grad_output, expected if batched else expected[1:])
    dtype = compute_dtype(x.dtype, grad_output.dtype)
    xp = x4.astype(dtype, copy=False)
    if any(pads[0]) or any(pads[1]):
        xp = np.pad(xp, ((0, 0), (0, 0)) + pads)
    cols = columns(xp, wshape[2:], out_hw, stride, dilation)
    g4 = grad_output if batched else grad_output[None]
    gm = g4.astype(dtype, copy=False).transpose(1, 0, 2, 3).reshape(wshape[0], -1)
    # (C*kH*kW, K) @ (K, O), transposed after: BLAS runs this layout several times
    # faster than (O, K) @ (K, C*kH*kW) when K = N*H'*W' is long.
    product = cols.reshape(-1, gm.shape[1]) @ gm.T
    return np.ascontiguousarray(product.T).reshape(wshape)


def conv2d_bias(grad_output):
    """Gradient of :func:`convlab.conv2d` with respect to its bias.

    Parameters
    ----------
    grad_output : array_like, shape (N, O, H', W') or (O, H', W')

    Returns
    -------
    ndarray, shape (O,)
        ``grad_output`` summed over every axis but the channel: the bias was
        added to each of those outputs once.

    Examples
    --------
    >>> import numpy as np
    >>> conv2d_bias(np.ones((2, 3, 4, 4)))
    array([32., 32., 32.])
    """
    grad_output = as_array(grad_output, "grad_output", (3, 4))
    dtype = compute_dtype(grad_output.dtype)
    axes = (0, 2, 3) if grad_output.ndim == 4 else (1, 2)
    return grad_output.astype(dtype, copy=False).sum(axis=axes)


def max_pool2d_input(x, grad_output, kernel_size, stride=None, padding=0, dilation=1,
                     ceil_mode=False):
    """Gradient of :func:`convlab.max_pool2d` with respect to its input.

    Each window's gradient goes to the one pixel that was its maximum (the
    first in reading order on ties, the last NaN if any, as PyTorch); pixels
    that won several overlapping windows collect all of them; the rest get 0.

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
        The forward input (needed to know which pixel won).
    grad_output : array_like, shape (..., H', W')
        Same leading axes as ``x``.
    kernel_size, stride, padding, dilation, ceil_mode
        The forward call's, as in :func:`convlab.max_pool2d`.

    Returns
    -------
    ndarray, shape of x
        Dtype of ``grad_output`` (integers give float64).

    Notes
    -----
    A block of planes (the leading axes flattened, about 1 MB of input) at a
    time, two blocks at once on two threads. Each window's maximum is taken
    over its rows (whole rows, strided views), then its columns; then each of
    the ``kH*kW`` taps, a strided view, is compared with it and the gradient
    of the windows it won is written (windows that do not overlap) or added
    into that tap's strided slice of the output. No ``np.add.at``, no copy of
    the windows; memory one output plus a few window-sized temporaries per
    block. A block whose windows hold NaN, only the lowest value, or a tie
    (two taps equal to the maximum) is redone by an exact pass that tracks
    the winning tap, so ties go to the first tap as stated above.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 3, 2, 0],
    ...               [4, 2, 1, 5],
    ...               [0, 1, 7, 2],
    ...               [3, 2, 1, 1]])
    >>> max_pool2d_input(x, [[10., 20.], [30., 40.]], 2)
    array([[ 0.,  0.,  0.,  0.],
           [10.,  0.,  0., 20.],
           [ 0.,  0., 40.,  0.],
           [30.,  0.,  0.,  0.]])
    """
    x, kernel, stride, padding, dilation, out_hw = pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode)
    grad_output = _check_grad_output(grad_output, x.shape[:-2] + out_hw)
    dtype = compute_dtype(grad_output.dtype)
    reach = tuple((out_hw[a] - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1 for a in (0, 1))
    if padding == (0, 0) and reach[0] <= x.shape[-2] and reach[1] <= x.shape[-1]:
        xp = x  # every window lies inside: no padded copy
    else:
        xp = _pad_for_windows(x, padding, out_hw, kernel, stride, dilation, _lowest(x.dtype))
    # Leading axes flattened into one axis of planes, processed a block of planes at a time.
    xp3 = xp.reshape((-1,) + xp.shape[-2:])
    g3 = grad_output.astype(dtype, copy=False).reshape((-1,) + out_hw)
    buf = np.zeros(xp3.shape, dtype=dtype)
    geometry = (kernel, stride, dilation, out_hw)
    # g * (tap won) instead of np.where: a third faster, but inf * 0 is NaN.
    finite = bool(np.isfinite(g3.sum()))

    def block(rows):
        xb, gb, bb = xp3[rows], g3[rows], buf[rows]
        if not (np.issubdtype(x.dtype, np.floating)
                and _max_pool_block_fast(xb, gb, bb, geometry, finite)):
            bb[...] = 0
            _max_pool_block_exact(xb, gb, bb, geometry, padding)

    _in_blocks(block, xp3.shape[0], xp3[0].nbytes)
    return _crop(buf.reshape(xp.shape), padding, x.shape)


def _in_blocks(work, planes, plane_bytes):
    """Run ``work(slice)`` over blocks of planes, on the thread pool when worth it.

    A block of about 1 MB keeps the tap loop in cache; numpy releases the GIL
    inside its loops, so two blocks run on two cores at once.
    """
    size = max(1, min(planes, _BLOCK_BYTES // max(plane_bytes, 1)))
    blocks = [slice(p, min(planes, p + size)) for p in range(0, planes, size)]
    if len(blocks) > 1 and _workers() > 1 and planes * plane_bytes >= _THREADED_BYTES:
        list(_pool().map(work, blocks))
    else:
        for rows in blocks:
            work(rows)


def _max_pool_block_fast(xb, gb, bb, geometry, finite):
    """Max-pool gradient of one block of planes when every winner is unique.

    Returns False, having written part of ``bb`` or nothing, when a window
    holds NaN, only the lowest value, or a tie: then the exact pass decides.
    """
    (kh, kw), stride, dilation, (oh, ow) = geometry
    # Each window's maximum: over its rows first (whole rows, contiguous), then columns.
    rows = [xb[:, a * dilation[0]:a * dilation[0] + stride[0] * (oh - 1) + 1:stride[0]]
            for a in range(kh)]
    rmax = rows[0] if kh == 1 else np.maximum(rows[0], rows[1])
    for row in rows[2:]:
        np.maximum(rmax, row, out=rmax)
    cols = [rmax[..., b * dilation[1]:b * dilation[1] + stride[1] * (ow - 1) + 1:stride[1]]
            for b in range(kw)]
    best = cols[0].copy() if kw == 1 else np.maximum(cols[0], cols[1])
    for col in cols[2:]:
        np.maximum(best, col, out=best)
    if not best.min() > _lowest(xb.dtype):  # also False for NaN
        return False
    disjoint = all(stride[a] >= dilation[a] * ((kh, kw)[a] - 1) + 1 for a in (0, 1))
    winners = 0
    zero = gb.dtype.type(0)
    for a in range(kh):
        for b in range(kw):
            mine = tap_view(xb, a, b, (oh, ow), stride, dilation) == best
            winners += np.count_nonzero(mine)
            target = tap_view(bb, a, b, (oh, ow), stride, dilation)
            if disjoint:  # windows own disjoint pixels: a plain write, not an add
                target[...] = np.where(mine, gb, zero)
            elif finite:  # + g*0 adds 0 or -0, which leaves every value as it was
                target += gb * mine
            else:  # np.where: a NaN or inf gradient must not leak where its tap lost
                target += np.where(mine, gb, zero)
    return winners == best.size  # one winner per window: no ties


def _max_pool_block_exact(xb, gb, bb, geometry, padding):
    """The exact rule: first strict maximum wins, the last NaN beats all, and a
    window where nothing beats the lowest value credits its first tap inside."""
    (kh, kw), stride, dilation, out_hw = geometry
    lowest = _lowest(xb.dtype)
    floating = np.issubdtype(xb.dtype, np.floating)
    first_r = first_inside_tap(out_hw[0], stride[0], padding[0], dilation[0])
    first_c = first_inside_tap(out_hw[1], stride[1], padding[1], dilation[1])
    winner = np.broadcast_to(first_r[:, None] * kw + first_c[None, :],
                             xb.shape[:-2] + out_hw).astype(np.intp)
    best = np.full(xb.shape[:-2] + out_hw, lowest, dtype=xb.dtype)
    taps = [(tap // kw, tap % kw) for tap in range(kh * kw)]
    for tap, (a, b) in enumerate(taps):
        view = tap_view(xb, a, b, out_hw, stride, dilation)
        wins = view > best
        if floating:
            wins |= np.isnan(view)
        np.copyto(best, view, where=wins)
        np.copyto(winner, tap, where=wins)
    for tap, (a, b) in enumerate(taps):
        target = tap_view(bb, a, b, out_hw, stride, dilation)
        np.add(target, gb, out=target, where=winner == tap)


def _crop(buf, padding, shape):
    """The input's part of a padded gradient buffer, as a new array."""
    if buf.shape == tuple(shape):
        return buf
    return buf[..., padding[0]:padding[0] + shape[-2], padding[1]:padding[1] + shape[-1]].copy()


def avg_pool2d_input(input_shape, grad_output, kernel_size, stride=None, padding=0,
                     ceil_mode=False, count_include_pad=True):
    """Gradient of :func:`convlab.avg_pool2d` with respect to its input.

    Each window's gradient, divided by the number the forward pass divided
    by, goes to every pixel of the window; overlapping windows add up.

    Parameters
    ----------
    input_shape : tuple of int, (H, W), (C, H, W) or (N, C, H, W)
        Shape of the forward input.
    grad_output : array_like, shape (..., H', W')
    kernel_size, stride, padding, ceil_mode, count_include_pad
        The forward call's, as in :func:`convlab.avg_pool2d`.

    Returns
    -------
    ndarray, shape input_shape
        Dtype of ``grad_output`` (integers give float64).

    Notes
    -----
    ``grad_output / divisor`` (the division PyTorch does) is spread over the
    windows separably, a block of planes at a time: along each window's
    ``kW`` columns into rows, then down its ``kH`` rows; strided writes when
    the windows tile the input (stride == kernel_size), strided adds when
    they overlap, where a pixel's shares are summed columns first, so the
    result can differ from a window-by-window sum in the last bit. Memory:
    the output plus a ``(..., H', W)`` temporary per block.

    Examples
    --------
    >>> import numpy as np
    >>> avg_pool2d_input((2, 4), [[4., 8.]], 2)
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.]])
    """
    shape = check_shape(input_shape, "input_shape", (2, 3, 4))
    # A zero-memory stand-in for x, so pooling's own validation runs unchanged.
    probe = np.broadcast_to(np.zeros(1), shape)
    _, kernel, stride, padding, _, out_hw = pool_geometry(probe, kernel_size, stride, padding,
                                                          1, ceil_mode)
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"count_include_pad must be a bool, got {describe(count_include_pad)}")
    grad_output = _check_grad_output(grad_output, shape[:-2] + out_hw)
    dtype = compute_dtype(grad_output.dtype)
    counts = [_window_counts(shape[-2 + axis], kernel[axis], stride[axis], padding[axis],
                             out_hw[axis], count_include_pad) for axis in (0, 1)]
    divisor = (counts[0][:, None] * counts[1][None, :]).astype(dtype)
    if (divisor == divisor[0, 0]).all():
        divisor = divisor[0, 0]  # one number: a scalar division is faster
    g3 = grad_output.astype(dtype, copy=False).reshape((-1,) + out_hw)
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_hw
    # Room for every window, a ceil_mode overhang included; cropped at the end.
    padded_hw = tuple(max(shape[-2 + axis] + 2 * padding[axis],
                          (out_hw[axis] - 1) * stride[axis] + kernel[axis]) for axis in (0, 1))
    buf = np.zeros(g3.shape[:1] + padded_hw, dtype=dtype)
    tiled = (sh, sw) == (kh, kw)  # windows do not overlap: writes instead of adds

    def block(planes):
        share = g3[planes] / divisor  # as PyTorch: each window's gradient over its divisor
        # Separable spread: along each window's columns into rows, then down its rows,
        # over the columns the windows reach.
        reach = (ow - 1) * sw + kw
        rows = (np.empty if tiled else np.zeros)(share.shape[:-1] + (reach,), dtype=dtype)
        for b in range(kw):
            target = rows[..., b:b + sw * (ow - 1) + 1:sw]
            if tiled:
                target[...] = share
            else:
                target += share
        out = buf[planes]
        for a in range(kh):
            target = out[:, a:a + sh * (oh - 1) + 1:sh, :reach]
            if tiled:
                target[...] = rows
            else:
                target += rows

    _in_blocks(block, g3.shape[0], 2 * padded_hw[0] * padded_hw[1] * dtype.itemsize)
    return _crop(buf.reshape(shape[:-2] + padded_hw), padding, shape)
