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

The same for :func:`convlab.conv1d` and :func:`convlab.conv3d`
(``conv1d_input``, ``conv3d_weight``, ...), groups included.

Named and laid out as ``torch.nn.grad`` (``conv2d_input``, ``conv2d_weight``);
imported by name: ``from convlab import grad``.
"""

from __future__ import annotations

import numpy as np

from ._checks import (as_array, check_grad_output, check_int, check_shape, compute_dtype,
                      describe, sum_dtype)
from ._engine import (columns, conv_padded, crop, grouped_matmul, in_blocks, lone_class,
                      max_pool_winners_exact, max_pool_winners_fast, plane_blocks,
                      scatter_taps, spread, weight_frames)
from ._windows import conv_geometry, lowest, pad_for_windows, pool_geometry, window_counts

__all__ = ["conv2d_input", "conv2d_weight", "conv2d_bias", "conv1d_input", "conv1d_weight",
           "conv3d_input", "conv3d_weight", "max_pool2d_input", "avg_pool2d_input"]


def conv2d_input(input_shape, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Gradient of :func:`convlab.conv2d` with respect to its input.

    Parameters
    ----------
    input_shape : tuple of int, (N, C, H, W) or (C, H, W)
        Shape of the forward input ``x``.
    weight : array_like, shape (O, C/groups, kH, kW)
        The forward weight.
    grad_output : array_like, shape (N, O, H', W') or (O, H', W')
        Derivative of the loss with respect to the forward output.
    stride, padding, dilation, groups
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
    groups = _check_groups(groups, shape4[1], weight.shape, "weight", "input_shape", shape)
    pads, out_hw, stride, dilation = conv_geometry(shape4[2:], weight.shape[2:], stride,
                                                   padding, dilation)
    expected = (shape4[0], weight.shape[0]) + out_hw
    grad_output = check_grad_output(grad_output, expected if batched else expected[1:])
    dtype = compute_dtype(weight.dtype, grad_output.dtype)
    acc = sum_dtype(dtype)
    g4 = grad_output if batched else grad_output[None]
    out = scatter_taps(g4.astype(acc, copy=False), weight.astype(acc, copy=False),
                       stride, dilation, pads, shape4[2:], groups).astype(dtype, copy=False)
    return out if batched else out[0]


def conv2d_weight(x, weight_shape, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Gradient of :func:`convlab.conv2d` with respect to its weight.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        The forward input.
    weight_shape : tuple of int, (O, C/groups, kH, kW)
        Shape of the forward weight.
    grad_output : array_like, shape (N, O, H', W') or (O, H', W')
    stride, padding, dilation, groups
        The forward call's (zero padding).

    Returns
    -------
    ndarray, shape weight_shape
        ``dL/dw[o, c, a, b] = sum over (n, i, j) of grad_output[n, o, i, j] *
        x_padded[n, c, i*s_h + a*d_h, j*s_w + b*d_w]``: the input correlated
        with the output gradient, summed over the batch.

    Notes
    -----
    At stride 1, on frames (every image's padded plane of a channel in one
    row): per group and tap a product ``(O/groups, run) @ (run, C/groups)``
    of the gradient with the input shifted by the tap, run by cache-sized
    run (a dot product per channel and tap when depthwise). Otherwise im2col
    of the padded input (the columns the forward pass multiplies), then one
    ``(O, N*H'*W') @ (N*H'*W', C*kH*kW)`` product.

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
    return _weight_gradient(x, weight_shape, grad_output, stride, padding, dilation, groups, 2)


def conv1d_input(input_shape, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Gradient of :func:`convlab.conv1d` with respect to its input.

    As :func:`conv2d_input`, along one axis: ``input_shape`` is ``(N, C, L)``
    or ``(C, L)``, ``weight`` ``(O, C/groups, kL)``, ``grad_output``
    ``(N, O, L')``; ``padding='causal'`` too. ``torch.nn.grad.conv1d_input``.

    Examples
    --------
    >>> import numpy as np
    >>> conv1d_input((1, 4), np.array([[[1., 2.]]]), np.ones((1, 3)))   # 1, 1+2, 1+2, 2
    array([[1., 3., 3., 2.]])
    """
    return _input_gradient(input_shape, weight, grad_output, stride, padding, dilation, groups,
                           1)


def conv1d_weight(x, weight_shape, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Gradient of :func:`convlab.conv1d` with respect to its weight.

    As :func:`conv2d_weight`, along one axis. ``torch.nn.grad.conv1d_weight``.

    Examples
    --------
    >>> import numpy as np
    >>> conv1d_weight(np.array([[1., 2., 3.]]), (1, 1, 2), np.ones((1, 2)))   # 1+2, 2+3
    array([[[3., 5.]]])
    """
    return _weight_gradient(x, weight_shape, grad_output, stride, padding, dilation, groups, 1)


def conv3d_input(input_shape, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Gradient of :func:`convlab.conv3d` with respect to its input.

    As :func:`conv2d_input`, over volumes ``(N, C, D, H, W)``.
    ``torch.nn.grad.conv3d_input``.

    Examples
    --------
    >>> import numpy as np
    >>> conv3d_input((1, 2, 2, 2), np.ones((1, 1, 2, 2, 2)), np.ones((1, 1, 1, 1)))[0, 0]
    array([[1., 1.],
           [1., 1.]])
    """
    return _input_gradient(input_shape, weight, grad_output, stride, padding, dilation, groups,
                           3)


def conv3d_weight(x, weight_shape, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Gradient of :func:`convlab.conv3d` with respect to its weight.

    As :func:`conv2d_weight`, over volumes. ``torch.nn.grad.conv3d_weight``.

    Examples
    --------
    >>> import numpy as np
    >>> conv3d_weight(np.arange(8.0).reshape(1, 2, 2, 2), (1, 1, 2, 2, 2),
    ...               np.ones((1, 1, 1, 1)))[0, 0, 1]
    array([[4., 5.],
           [6., 7.]])
    """
    return _weight_gradient(x, weight_shape, grad_output, stride, padding, dilation, groups, 3)


def _input_gradient(input_shape, weight, grad_output, stride, padding, dilation, groups, dims):
    """conv1d_input and conv3d_input: a gather on the im2col engine.

    ``grad_output`` with ``stride - 1`` zeros between its values, padded by
    ``d*(k - 1)``, correlated with each group's kernels transposed and
    flipped, gives the gradient of the padded input, which is cropped.
    """
    shape = check_shape(input_shape, "input_shape", (dims + 1, dims + 2))
    weight = as_array(weight, "weight", dims + 2, what=f"kernel{dims}d")
    batched = len(shape) == dims + 2
    full_shape = shape if batched else (1,) + shape
    groups = _check_groups(groups, full_shape[1], weight.shape, "weight", "input_shape", shape)
    spatial, kernel = full_shape[2:], weight.shape[2:]
    pads, out_shape, stride, dilation = conv_geometry(spatial, kernel, stride, padding, dilation)
    expected = (full_shape[0], weight.shape[0]) + out_shape
    grad_output = check_grad_output(grad_output, expected if batched else expected[1:])
    dtype = compute_dtype(weight.dtype, grad_output.dtype)
    acc = sum_dtype(dtype)
    g = (grad_output if batched else grad_output[None]).astype(acc, copy=False)
    padded = tuple(spatial[a] + sum(pads[a]) for a in range(dims))
    spread = np.zeros(g.shape[:2] + tuple((o - 1) * s + 1 for o, s in zip(out_shape, stride)),
                      dtype=acc)
    spread[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)] = g
    widths = [(0, 0), (0, 0)] + [(d * (k - 1), p - z) for d, k, p, z in
                                 zip(dilation, kernel, padded, spread.shape[2:])]
    o, per_group = weight.shape[:2]
    # (O, C/groups, k) -> (C, O/groups, k) group by group, flipped along every axis
    flipped = weight.astype(acc, copy=False).reshape((groups, o // groups, per_group) + kernel) \
        .swapaxes(1, 2).reshape((groups * per_group, o // groups) + kernel)
    flipped = np.ascontiguousarray(flipped[(slice(None), slice(None))
                                           + (slice(None, None, -1),) * dims])
    out = conv_padded(spread, flipped, padded, (1,) * dims, dilation, groups,
                      pads=tuple(widths[2:]))
    out = out[(slice(None), slice(None)) + tuple(slice(p[0], p[0] + n)
                                                 for p, n in zip(pads, spatial))]
    out = np.ascontiguousarray(out, dtype=dtype)
    return out if batched else out[0]


def _weight_gradient(x, weight_shape, grad_output, stride, padding, dilation, groups, dims):
    """conv1d/2d/3d_weight: im2col of the padded input times the output gradient."""
    suffix = "" if dims == 2 else f"{dims}d"
    x = as_array(x, "x", (dims + 1, dims + 2), what="image" + suffix)
    wshape = check_shape(weight_shape, "weight_shape", (dims + 2,))
    batched = x.ndim == dims + 2
    xb = x if batched else x[None]
    groups = _check_groups(groups, xb.shape[1], wshape, "weight_shape", "x", x.shape)
    pads, out_hw, stride, dilation = conv_geometry(xb.shape[2:], wshape[2:], stride, padding,
                                                   dilation)
    expected = (xb.shape[0], wshape[0]) + out_hw
    grad_output = check_grad_output(grad_output, expected if batched else expected[1:])
    dtype = compute_dtype(x.dtype, grad_output.dtype)
    acc = sum_dtype(dtype)
    g = (grad_output if batched else grad_output[None]).astype(acc, copy=False)
    if all(s == 1 for s in stride):
        result = weight_frames(xb.astype(acc, copy=False), g, pads, wshape[2:], dilation, groups)
        if np.isfinite(result).all():  # else an inf or NaN met a zero: the columns decide
            return result.astype(dtype, copy=False)
    xp = xb.astype(acc, copy=False)
    if any(before or after for before, after in pads):
        xp = np.pad(xp, ((0, 0), (0, 0)) + tuple(pads))
    cols = columns(xp, wshape[2:], out_hw, stride, dilation)
    gm = g.swapaxes(0, 1).reshape(groups, wshape[0] // groups, -1)
    # Per group (C/groups*k, K) @ (K, O/groups), transposed after: BLAS runs this
    # layout several times faster than (O, K) @ (K, C*k) when K = N*H'*W' is long.
    cm = cols.reshape(groups, -1, gm.shape[2])
    product = grouped_matmul(cm, gm.transpose(0, 2, 1))
    return np.ascontiguousarray(product.transpose(0, 2, 1), dtype=dtype).reshape(wshape)


def _check_groups(groups, channels, wshape, wname, xname, xshape):
    """``groups`` as an int that divides the channels and matches the weight's shape."""
    groups = check_int(groups, "groups", minimum=1)
    if channels % groups or wshape[0] % groups:
        raise ValueError(
            f"groups={groups} must divide both the input channels ({channels}, {xname} of "
            f"shape {tuple(xshape)}) and the output channels ({wshape[0]}, {wname} "
            f"{tuple(wshape)}, (O, C/groups, kH, kW))"
        )
    if wshape[1] * groups != channels:
        per_group = f" per group, {wshape[1] * groups} in all" if groups > 1 else ""
        raise ValueError(
            f"{wname} expects {wshape[1]} input channels{per_group} ({tuple(wshape)}, "
            f"(O, C{'/groups' if groups > 1 else ''}, kH, kW)), but {xname} has {channels} "
            f"channels ({tuple(xshape)}): the C axes must match"
        )
    return groups


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
    return grad_output.sum(axis=axes, dtype=sum_dtype(dtype)).astype(dtype, copy=False)


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
    The planes (the leading axes flattened) are split into one block per
    core (more if a block would pass 4 MB), run on threads. Each window's winner is found
    separably, with whole-array operations on strided views: along the rows,
    each window's first-largest column tap; then, over those row maxima, its
    first-largest row tap (columns first, so a tie goes to the first pixel in
    reading order). Every window's gradient then goes to its winner's flat
    index: a plain scatter when windows do not overlap, ``np.add.at`` (in
    window order, as PyTorch adds them) when they do. No copy of the windows.
    A block whose windows hold NaN or nothing above the lowest value (-inf,
    padding) is decided by an exact tap-by-tap pass.

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
    grad_output = check_grad_output(grad_output, x.shape[:-2] + out_hw)
    dtype = compute_dtype(grad_output.dtype)
    acc = sum_dtype(dtype)  # overlapping windows add up
    reach = tuple((out_hw[a] - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1 for a in (0, 1))
    if padding == (0, 0) and reach[0] <= x.shape[-2] and reach[1] <= x.shape[-1]:
        xp = x  # every window lies inside: no padded copy
    else:
        xp = pad_for_windows(x, padding, out_hw, kernel, stride, dilation, lowest(x.dtype))
    # Leading axes flattened into one axis of planes, processed a block of planes at a time.
    xp3 = xp.reshape((-1,) + xp.shape[-2:])
    g3 = grad_output.astype(acc, copy=False).reshape((-1,) + out_hw)
    width = xp3.shape[2]
    # Flat index (into all planes) of every window's top-left pixel, to which each
    # window's winning tap offset is added.
    corners = ((np.arange(xp3.shape[0]) * (xp3.shape[1] * width))[:, None, None]
               + (np.arange(out_hw[0]) * (stride[0] * width))[:, None]
               + np.arange(out_hw[1]) * stride[1])
    geometry = (kernel, stride, dilation, out_hw)
    disjoint = all(stride[a] >= dilation[a] * (kernel[a] - 1) + 1 for a in (0, 1))
    buf = np.empty(xp3.shape, dtype=acc)

    def block(rows):
        xb = xp3[rows]
        winners = max_pool_winners_fast(xb, geometry)
        if winners is None:  # NaN, or a window of only the lowest value: the exact rule
            winners = max_pool_winners_exact(xb, geometry, padding)
        row, col = winners
        flat = corners[rows]  # in place: each block owns its planes' corners
        if row is not None:
            flat += row * np.intp(dilation[0] * width)
        if col is not None:
            flat += col * np.intp(dilation[1])
        buf[rows] = 0
        if disjoint:  # each pixel wins at most one window: a plain scatter
            buf.reshape(-1)[flat.reshape(-1)] = g3[rows].reshape(-1)
        else:  # a scatter-add, in window order as PyTorch adds (each block its own planes)
            np.add.at(buf.reshape(-1), flat.reshape(-1), g3[rows].reshape(-1))

    in_blocks(block, plane_blocks(xp3.shape[0], xp3[0].nbytes))
    return crop(buf.reshape(xp.shape), padding, x.shape).astype(dtype, copy=False)


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
    windows separably, a block of planes per core: along each window's
    ``kW`` columns into rows, then down its ``kH`` rows. The taps that land
    on one class of positions (a remainder mod the stride) are summed into
    it in one pass, written rather than added, so the output is never zeroed
    first; when one row tap alone reaches a class of rows, the rows are built
    right there in the output. Where windows overlap, a pixel's shares are
    summed columns first, so the result can differ from a window-by-window
    sum in the last bit. Memory: the output plus the shares.

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
    grad_output = check_grad_output(grad_output, shape[:-2] + out_hw)
    dtype = compute_dtype(grad_output.dtype)
    acc = sum_dtype(dtype)
    inside = all(padding[a] == 0 and (out_hw[a] - 1) * stride[a] + kernel[a] <= shape[-2 + a]
                 for a in (0, 1))
    if inside:  # every window lies inside the input: all divide by the window's size
        divisor = acc.type(kernel[0] * kernel[1])
    else:
        counts = [window_counts(shape[-2 + axis], kernel[axis], stride[axis], padding[axis],
                                 out_hw[axis], count_include_pad) for axis in (0, 1)]
        divisor = (counts[0][:, None] * counts[1][None, :]).astype(acc)
        if (divisor == divisor[0, 0]).all():
            divisor = divisor[0, 0]  # one number: a scalar division is faster
    g3 = grad_output.astype(acc, copy=False).reshape((-1,) + out_hw)
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_hw
    # Room for every window, a ceil_mode overhang included; cropped at the end.
    padded_hw = tuple(max(shape[-2 + axis] + 2 * padding[axis],
                          (out_hw[axis] - 1) * stride[axis] + kernel[axis]) for axis in (0, 1))
    reach = ((oh - 1) * sh + kh, (ow - 1) * sw + kw)
    gaps = sh > kh or sw > kw  # pixels between windows get nothing
    buf = (np.zeros if gaps else np.empty)(g3.shape[:1] + padded_hw, dtype=acc)

    # A class of output rows that only one row tap reaches holds the column-spread
    # rows as they are: the other rows are sums of them, so they are built there.
    lone = lone_class(kh, sh)

    def block(planes):
        out = buf[planes]
        share = g3[planes] / divisor  # as PyTorch: each window's gradient over its divisor
        # Separable spread: along each window's columns into rows, then down its rows.
        if lone is None:
            rows = (np.zeros if gaps else np.empty)((len(out), oh, reach[1]), dtype=acc)
        else:
            rows = out[:, lone:lone + sh * (oh - 1) + 1:sh, :reach[1]]
        spread(share, rows, kw, sw, axis=2)
        spread(rows, out[:, :, :reach[1]], kh, sh, axis=1, held=lone)
        if not gaps:  # the rows and columns past the last window
            out[:, reach[0]:] = 0
            out[:, :, reach[1]:] = 0

    in_blocks(block, plane_blocks(g3.shape[0], 2 * padded_hw[0] * padded_hw[1] * acc.itemsize))
    return crop(buf.reshape(shape[:-2] + padded_hw), padding, shape).astype(dtype, copy=False)

