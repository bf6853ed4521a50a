"""The geometry of sliding windows, shared by convolution, pooling and their loop references.

Internal (see :mod:`convlab` on public and internal modules): validated
geometry (padding resolved, output sizes, windows that must fit) and the
strided views every fast path works on. Its names carry no underscore because
other convlab modules import them; none of them is course API.

A window of ``kh x kw`` taps, ``dilation`` apart, slides over a padded input in
steps of ``stride``. Tap ``(a, b)`` of every window, taken together, is a
strided slice of the input: ``xp[..., a*dh : ... : sh, b*dw : ... : sw]``. The
fast paths loop over the ``kh*kw`` taps and do whole-array arithmetic on
those views, so no window is ever copied out one at a time.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._checks import (PADDING_MODES, as_array, check_choice, check_explicit_padding, check_fits,
                      check_layer, check_pair, describe)
from .arithmetic import output_size
from .padding import pad2d, resolve_padding

__all__ = ["tap_view", "output_hw", "prepare", "conv_geometry", "check_transposed",
           "pool_geometry", "pad_for_windows", "first_inside_tap", "lowest", "window_counts"]


def output_hw(padded_hw, kernel_hw, stride, dilation):
    """Output (height, width) of windows sliding over an already padded input."""
    return tuple((padded_hw[a] - dilation[a] * (kernel_hw[a] - 1) - 1) // stride[a] + 1
                 for a in (0, 1))


def tap_view(xp, a, b, out_hw, stride, dilation):
    """View of tap ``(a, b)`` of every window: shape ``(..., out_h, out_w)``."""
    top = a * dilation[0]
    left = b * dilation[1]
    return xp[..., top:top + stride[0] * (out_hw[0] - 1) + 1:stride[0],
              left:left + stride[1] * (out_hw[1] - 1) + 1:stride[1]]


def prepare(x, kernel_hw, stride, padding, dilation, padding_mode, dtype, *,
            kernel_name="kernel", flip_same=False):
    """Validate the geometry, pad ``x`` and return ``(xp, (out_h, out_w), stride, dilation)``.

    Shared by every convolution here and in :mod:`convlab.naive` and
    :mod:`convlab.filters`, so they all accept and refuse the same arguments.
    ``flip_same`` puts the odd 'same' pixel before instead of after, which is
    where :func:`scipy.signal.convolve2d` puts it for a flipped kernel.
    """
    stride = check_pair(stride, "stride", minimum=1)
    dilation = check_pair(dilation, "dilation", minimum=1)
    check_choice(padding_mode, "padding_mode", tuple(m for m in PADDING_MODES if m != "constant"))
    input_hw = x.shape[-2:]
    pads = resolve_padding(padding, input_hw, kernel_hw, stride, dilation)
    if flip_same and padding == "same":
        pads = tuple((after, before) for before, after in pads)
    check_fits(input_hw, pads, kernel_hw, dilation, kernel_name)
    xp = x.astype(dtype, copy=False)
    if any(pads[0]) or any(pads[1]):
        xp = pad2d(xp, pads, mode=padding_mode)
    return xp, output_hw(xp.shape[-2:], kernel_hw, stride, dilation), stride, dilation


def conv_geometry(input_hw, kernel_hw, stride, padding, dilation):
    """``(pads, out_hw, stride, dilation)`` of a zero-padded convolution, validated."""
    stride = check_pair(stride, "stride", minimum=1)
    dilation = check_pair(dilation, "dilation", minimum=1)
    pads = resolve_padding(padding, input_hw, kernel_hw, stride, dilation)
    check_fits(input_hw, pads, kernel_hw, dilation, "weight")
    padded = (input_hw[0] + sum(pads[0]), input_hw[1] + sum(pads[1]))
    return pads, output_hw(padded, kernel_hw, stride, dilation), stride, dilation


def check_transposed(x, weight, bias, stride, padding, output_padding, dilation):
    """Validate a transposed convolution's arguments in one block.

    Returns ``(x4, weight, bias, batched, dtype, stride, pads, output_padding,
    dilation, out_hw)`` with ``x4`` 4-D, ``pads`` as ``((top, bottom), (left,
    right))`` and ``out_hw`` the output (height, width). Shared with
    :mod:`convlab.naive`, so both accept and refuse the same arguments.
    """
    x4, weight, bias, batched, dtype = check_layer(x, weight, bias, transposed=True)
    stride = check_pair(stride, "stride", minimum=1)
    dilation = check_pair(dilation, "dilation", minimum=1)
    output_padding = check_pair(output_padding, "output_padding", minimum=0)
    if isinstance(padding, str):
        raise ValueError(
            f"padding for a transposed convolution must be an int, a (height, width) pair or "
            f"((top, bottom), (left, right)), got {padding!r}: 'same' and 'full' describe the "
            f"forward convolution's input, which this call does not know; use "
            f"convlab.grad.conv2d_input(input_shape, ...) for the exact transpose of that "
            f"convolution"
        )
    if not isinstance(padding, (tuple, list, numbers.Integral)):
        raise TypeError(
            f"padding must be an int, a (height, width) pair or ((top, bottom), (left, right)), "
            f"got {describe(padding)}"
        )
    pads = check_explicit_padding(padding, "padding")
    for axis in (0, 1):
        if output_padding[axis] >= max(stride[axis], dilation[axis]):
            raise ValueError(
                f"output_padding must be smaller than either stride or dilation, got "
                f"output_padding {output_padding} with stride {stride} and dilation {dilation}"
            )
    kernel_hw = weight.shape[2:]
    out_hw = []
    for axis in (0, 1):
        full = (x4.shape[2 + axis] - 1) * stride[axis] + dilation[axis] * (kernel_hw[axis] - 1) + 1
        out = full - sum(pads[axis]) + output_padding[axis]
        if out < 1:
            raise ValueError(
                f"padding {pads[axis][0]}+{pads[axis][1]} along the "
                f"{('height', 'width')[axis]} crops the whole output away: the full output is "
                f"{full + output_padding[axis]} (input {x4.shape[2 + axis]}, kernel "
                f"{kernel_hw[axis]}, stride {stride[axis]}, dilation {dilation[axis]}); "
                f"use less padding"
            )
        out_hw.append(out)
    return (x4, weight, bias, batched, dtype, stride, pads, output_padding, dilation,
            tuple(out_hw))


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


def pad_for_windows(x, padding, out_hw, kernel, stride, dilation, fill):
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


def lowest(dtype):
    if np.issubdtype(dtype, np.floating):
        return -np.inf
    if dtype == np.bool_:
        return False
    return np.iinfo(dtype).min


def window_counts(size, kernel, stride, padding, out, count_include_pad):
    """How many pixels each window along one axis divides by (PyTorch's rule)."""
    start = np.arange(out) * stride - padding
    end = np.minimum(start + kernel, size + padding)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)
