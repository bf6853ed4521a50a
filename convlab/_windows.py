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
                      check_ints, check_layer, check_pad_fits, check_pair, describe)
from .arithmetic import output_size, resolve_axis_padding
from .padding import pad2d, resolve_padding

__all__ = ["tap_view", "tap_slices", "output_hw", "NUMPY_PAD_MODE", "resolve_pads", "pad_spatial",
           "prepare", "prepare_pads", "conv_geometry", "check_transposed",
           "pool_geometry", "pad_for_windows", "first_inside_tap", "lowest", "window_counts"]


def output_hw(padded_hw, kernel_hw, stride, dilation):
    """Output size per axis of windows sliding over an already padded input.

    Any number of axes: (height, width) for 2-D, one for 1-D, three for 3-D.
    """
    return tuple((padded_hw[a] - dilation[a] * (kernel_hw[a] - 1) - 1) // stride[a] + 1
                 for a in range(len(kernel_hw)))


def tap_slices(taps, out_shape, stride, dilation):
    """Slices of the last ``len(taps)`` axes that pick tap ``taps`` of every window."""
    return tuple(slice(t * d, t * d + s * (o - 1) + 1, s)
                 for t, o, s, d in zip(taps, out_shape, stride, dilation))


def tap_view(xp, a, b, out_hw, stride, dilation):
    """View of tap ``(a, b)`` of every window: shape ``(..., out_h, out_w)``."""
    top = a * dilation[0]
    left = b * dilation[1]
    return xp[..., top:top + stride[0] * (out_hw[0] - 1) + 1:stride[0],
              left:left + stride[1] * (out_hw[1] - 1) + 1:stride[1]]


#: numpy's names for the padding modes (PyTorch's names, as pad2d takes them).
NUMPY_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
                  "circular": "wrap"}


def resolve_pads(padding, input_shape, kernel_shape, stride, dilation, *, causal=False):
    """Any convolution padding spec, for any number of spatial axes, as (before, after) pairs.

    2-D takes :func:`convlab.padding.resolve_padding`'s specs and messages.
    Otherwise: an int (every side), a tuple of one int per axis, a tuple of
    one ``(before, after)`` pair per axis, or ``'valid'``/``'same'``/``'full'``;
    with ``causal`` also ``'causal'``: ``d*(k - 1)`` before, nothing after.
    """
    n = len(kernel_shape)
    if causal and padding == "causal":
        return tuple((dilation[a] * (kernel_shape[a] - 1), 0) for a in range(n))
    if n == 2:
        return resolve_padding(padding, input_shape, kernel_shape, stride, dilation)
    words = "'valid', 'same', 'full'" + (" or 'causal'" if causal else "")
    if isinstance(padding, str):
        if padding not in ("valid", "same", "full"):
            raise ValueError(f"padding must be an int, a tuple of {n} ints, a tuple of {n} "
                             f"(before, after) pairs or one of {words}, got {padding!r}")
        return tuple(resolve_axis_padding(padding, input_shape[a], kernel_shape[a], stride[a],
                                          dilation[a]) for a in range(n))
    if isinstance(padding, (tuple, list)) and len(padding) == n and all(
            isinstance(p, (tuple, list)) for p in padding):
        return tuple(resolve_axis_padding(tuple(p), input_shape[a], kernel_shape[a])
                     for a, p in enumerate(padding))
    if not isinstance(padding, (tuple, list, numbers.Integral)) or isinstance(padding, bool):
        raise TypeError(f"padding must be an int, a tuple of {n} ints, a tuple of {n} "
                        f"(before, after) pairs or one of {words}, got {describe(padding)}")
    amounts = check_ints(padding, "padding", n, minimum=0)
    return tuple((p, p) for p in amounts)


def pad_spatial(x, pads, mode):
    """Pad the last ``len(pads)`` axes of ``x`` with a padding mode, as PyTorch does.

    ``reflect`` needs every pad smaller than its axis, ``circular`` at most
    the axis (the same rule and message as :func:`convlab.pad2d`).
    """
    if not any(before or after for before, after in pads):
        return x
    if len(pads) == 2:
        return pad2d(x, pads, mode=mode)
    if mode in ("reflect", "circular"):
        names = ("length",) if len(pads) == 1 else ("depth", "height", "width")
        for (before, after), size, axis in zip(pads, x.shape[-len(pads):], names):
            check_pad_fits(before, after, size, axis, mode, strict=mode == "reflect")
    widths = [(0, 0)] * (x.ndim - len(pads)) + [tuple(p) for p in pads]
    return np.pad(x, widths, mode=NUMPY_PAD_MODE[mode])


def prepare(x, kernel_hw, stride, padding, dilation, padding_mode, dtype, *,
            kernel_name="kernel", flip_same=False, causal=False):
    """Validate the geometry, pad ``x`` and return ``(xp, out_shape, stride, dilation)``.

    The spatial axes are the last ``len(kernel_hw)`` axes of ``x`` (one for
    conv1d, two for the 2-D functions, three for conv3d). Shared by every
    convolution, so they all accept and refuse the same arguments.
    ``flip_same`` puts the odd 'same' pixel before instead of after, which is
    where :func:`scipy.signal.convolve2d` puts it for a flipped kernel;
    ``causal`` allows ``padding='causal'`` (1-D).
    """
    x, pads, out_shape, stride, dilation = prepare_pads(
        x, kernel_hw, stride, padding, dilation, padding_mode, dtype, kernel_name=kernel_name,
        flip_same=flip_same, causal=causal)
    return pad_spatial(x, pads, padding_mode), out_shape, stride, dilation


def prepare_pads(x, kernel_hw, stride, padding, dilation, padding_mode, dtype, *,
                 kernel_name="kernel", flip_same=False, causal=False):
    """:func:`prepare` without the padding: ``(x, pads, out_shape, stride, dilation)``,
    ``x`` cast to ``dtype`` and ``pads`` one ``(before, after)`` pair per spatial axis,
    for a caller that pads as it copies (the frames of :mod:`convlab._engine`)."""
    n = len(kernel_hw)
    stride = check_ints(stride, "stride", n, minimum=1)
    dilation = check_ints(dilation, "dilation", n, minimum=1)
    check_choice(padding_mode, "padding_mode", tuple(m for m in PADDING_MODES if m != "constant"))
    input_hw = x.shape[-n:]
    pads = resolve_pads(padding, input_hw, kernel_hw, stride, dilation, causal=causal)
    if flip_same and padding == "same":
        pads = tuple((after, before) for before, after in pads)
    check_fits(input_hw, pads, kernel_hw, dilation, kernel_name)
    padded = tuple(size + before + after for size, (before, after) in zip(input_hw, pads))
    return (x.astype(dtype, copy=False), pads, output_hw(padded, kernel_hw, stride, dilation),
            stride, dilation)


def conv_geometry(input_hw, kernel_hw, stride, padding, dilation):
    """``(pads, out_shape, stride, dilation)`` of a zero-padded convolution, validated.

    Any number of spatial axes (``'causal'`` padding for one).
    """
    n = len(kernel_hw)
    stride = check_ints(stride, "stride", n, minimum=1)
    dilation = check_ints(dilation, "dilation", n, minimum=1)
    pads = resolve_pads(padding, input_hw, kernel_hw, stride, dilation, causal=n == 1)
    check_fits(input_hw, pads, kernel_hw, dilation, "weight")
    padded = tuple(input_hw[a] + sum(pads[a]) for a in range(n))
    return pads, output_hw(padded, kernel_hw, stride, dilation), stride, dilation


def check_transposed(x, weight, bias, stride, padding, output_padding, dilation, groups=1):
    """Validate a transposed convolution's arguments in one block.

    Returns ``(x4, weight, bias, batched, dtype, stride, pads, output_padding,
    dilation, out_hw, groups)`` with ``x4`` 4-D, ``pads`` as ``((top, bottom), (left,
    right))`` and ``out_hw`` the output (height, width). Shared with
    :mod:`convlab.naive`, so both accept and refuse the same arguments.
    """
    x4, weight, bias, batched, dtype, groups = check_layer(x, weight, bias, transposed=True,
                                                           groups=groups)
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
            tuple(out_hw), groups)


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
