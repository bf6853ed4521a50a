"""Size arithmetic: how big is the output, how much padding is 'same', what does a layer see.

Notation, per axis: input size ``i``, kernel size ``k``, stride ``s``, padding
``p_before`` and ``p_after``, dilation ``d``. A dilated kernel spans
``d*(k - 1) + 1`` input pixels, and the number of positions it can take is::

    o = floor((i + p_before + p_after - d*(k - 1) - 1) / s) + 1
"""

from __future__ import annotations

import math
from typing import NamedTuple

from ._checks import check_int, check_pair, check_shape, describe

__all__ = ["output_size", "same_padding", "resolve_axis_padding", "receptive_field",
           "ReceptiveField", "conv_cost", "ConvCost"]



def resolve_axis_padding(padding, input_size: int, kernel_size: int, stride: int = 1,
                         dilation: int = 1, name: str = "padding") -> tuple[int, int]:
    """One axis's padding spec as ``(before, after)`` amounts.

    ``padding`` is an int (both sides), a ``(before, after)`` pair, or one of
    ``'valid'`` (none), ``'same'`` (see :func:`same_padding`) and ``'full'``
    (``d*(k - 1)`` on both sides, so every partial overlap is an output).

    Examples
    --------
    >>> resolve_axis_padding('full', 5, 3)
    (2, 2)
    >>> resolve_axis_padding('same', 5, 4)
    (1, 2)
    """
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding == "same":
            return same_padding(input_size, kernel_size, stride, dilation)
        if padding == "full":
            extent = dilation * (kernel_size - 1)
            return extent, extent
        raise ValueError(
            f"{name} must be an int, a (before, after) pair or one of 'valid', 'same', 'full', "
            f"got {padding!r}"
        )
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ValueError(f"{name} as a pair must be (before, after), got {describe(padding)}")
        return (check_int(padding[0], f"{name} before", minimum=0),
                check_int(padding[1], f"{name} after", minimum=0))
    value = check_int(padding, name, minimum=0)
    return value, value


def output_size(input_size, kernel_size, stride=1, padding=0, dilation=1,
                ceil_mode=False) -> int:
    """Number of output positions along one axis of a convolution or pooling.

    Parameters
    ----------
    input_size : int
        Length of the input axis, ``i >= 1``.
    kernel_size : int
        Kernel (or pooling window) length ``k >= 1``.
    stride : int, default 1
        Step ``s >= 1`` between neighbouring windows.
    padding : int, (before, after) or {'valid', 'same', 'full'}, default 0
        Padding added to this one axis: an int pads both ends by that much; a
        pair is ``(before, after)``, the two ends of the axis (top and bottom,
        or left and right). Not to be confused with the pair of the 2-D
        functions (:func:`convlab.correlate2d`, :func:`convlab.pad2d`), which
        is ``(height, width)``: per-side padding of the rows and of the columns.
    dilation : int, default 1
        Spacing ``d >= 1`` between kernel taps (1 is an ordinary kernel).
    ceil_mode : bool, default False
        Round the division up, as pooling's ``ceil_mode`` does, but drop a last
        window that would start inside the after-padding (PyTorch's rule).

    Returns
    -------
    int
        ``floor((i + p_before + p_after - d*(k - 1) - 1) / s) + 1``.

    Raises
    ------
    ValueError
        If the dilated kernel does not fit in the padded input.

    Examples
    --------
    >>> output_size(5, 3)                # 3 positions for a 3-wide window in 5
    3
    >>> output_size(7, 3, stride=2, padding=1)
    4
    >>> output_size(5, 3, padding='full')
    7
    >>> output_size(5, 3, padding=(1, 2))    # 1 before + 2 after: 5 + 3 - 3 + 1
    6
    >>> output_size(6, 4, stride=2, padding='same')
    3
    >>> output_size(5, 2, stride=2), output_size(5, 2, stride=2, ceil_mode=True)
    (2, 3)
    """
    i = check_int(input_size, "input_size", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    s = check_int(stride, "stride", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    if not isinstance(ceil_mode, (bool, int)):
        raise TypeError(f"ceil_mode must be a bool, got {describe(ceil_mode)}")
    before, after = resolve_axis_padding(padding, i, k, s, d)
    extent = d * (k - 1) + 1
    span = i + before + after - extent
    if ceil_mode:
        # Round up, but a last window must start inside the input or its left padding
        # (PyTorch's rule); it may then hang over the end.
        out = (span + s - 1) // s + 1
        if (out - 1) * s >= i + before:
            out -= 1
    else:
        out = span // s + 1
    if out < 1:
        raise ValueError(
            f"kernel_size {k} (dilated extent {extent}) does not fit in the padded input "
            f"{i + before + after} (input_size {i} + padding {before}+{after}): "
            f"use more padding or a smaller kernel"
        )
    return out


def same_padding(input_size, kernel_size, stride=1, dilation=1) -> tuple[int, int]:
    """The ``(before, after)`` padding that makes the output ``ceil(i / s)`` long.

    The total is ``max(0, (o - 1)*s + d*(k - 1) + 1 - i)`` with ``o = ceil(i/s)``.
    When it is odd the extra pixel goes after (bottom/right), as in PyTorch's
    ``padding='same'`` and TensorFlow's ``'SAME'``.

    Examples
    --------
    >>> same_padding(5, 3)       # odd kernel: symmetric
    (1, 1)
    >>> same_padding(5, 4)       # even kernel: the extra pixel goes after
    (1, 2)
    >>> same_padding(7, 3, stride=2)
    (1, 1)
    >>> same_padding(6, 1, stride=2)
    (0, 0)
    """
    i = check_int(input_size, "input_size", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    s = check_int(stride, "stride", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    out = math.ceil(i / s)
    total = max(0, (out - 1) * s + d * (k - 1) + 1 - i)
    return total // 2, total - total // 2


class ReceptiveField(NamedTuple):
    """Where one output pixel of a layer looks in the original input."""

    size: int     #: input pixels spanned by one output pixel (per axis)
    jump: int     #: input pixels between neighbouring output pixels
    start: float  #: centre of the first output pixel's field, in input coordinates


def receptive_field(layers) -> list[ReceptiveField]:
    """Receptive field after each layer of a stack of convolutions and poolings.

    Parameters
    ----------
    layers : sequence of (kernel_size, stride[, padding[, dilation]])
        One tuple per layer, per axis, in input-to-output order.

    Returns
    -------
    list of ReceptiveField
        ``size_l = size_{l-1} + d_l*(k_l - 1)*jump_{l-1}``,
        ``jump_l = jump_{l-1}*s_l``, starting from size 1, jump 1.

    Examples
    --------
    Three stacked 3x3 convolutions see 7x7 of the input:

    >>> [r.size for r in receptive_field([(3, 1), (3, 1), (3, 1)])]
    [3, 5, 7]
    >>> receptive_field([(3, 1, 1), (2, 2)])[-1]
    ReceptiveField(size=4, jump=2, start=0.5)
    """
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers must be a sequence of (kernel_size, stride) tuples, "
                        f"got {describe(layers)}")
    size, jump, start = 1, 1, 0.0
    result = []
    for n, layer in enumerate(layers):
        if not isinstance(layer, (tuple, list)) or not 2 <= len(layer) <= 4:
            raise ValueError(
                f"layers[{n}] must be (kernel_size, stride[, padding[, dilation]]), "
                f"got {describe(layer)}"
            )
        k = check_int(layer[0], f"layers[{n}] kernel_size", minimum=1)
        s = check_int(layer[1], f"layers[{n}] stride", minimum=1)
        p = check_int(layer[2], f"layers[{n}] padding", minimum=0) if len(layer) > 2 else 0
        d = check_int(layer[3], f"layers[{n}] dilation", minimum=1) if len(layer) > 3 else 1
        start = start + ((d * (k - 1)) / 2 - p) * jump
        size = size + d * (k - 1) * jump
        jump = jump * s
        result.append(ReceptiveField(size, jump, start))
    return result


class ConvCost(NamedTuple):
    """What one convolution layer costs: its output, its weights, its work, its memory."""

    output_shape: tuple  #: ``(C_out, H', W')`` for one image
    parameters: int      #: weights plus biases, ``k_h*k_w*(C_in/groups)*C_out + C_out``
    multiplies: int      #: multiplications for one image, ``H'*W'*k_h*k_w*(C_in/groups)*C_out``
    activations: int     #: numbers in the output for one image, ``C_out*H'*W'``


def conv_cost(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1,
              groups=1, bias=True) -> ConvCost:
    """Output shape, parameter count, multiplications and output size of a convolution layer.

    The arithmetic of the CS231n layer tables, for one image through
    ``torch.nn.Conv2d(C_in, out_channels, kernel_size, stride, padding, dilation, groups,
    bias)``. A dense (fully connected) layer is the 1x1 case on a flattened
    input: ``conv_cost((n_in, 1, 1), n_out, 1)``.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(C_in, H, W)`` of one input image.
    out_channels : int
        Number of filters ``C_out``.
    kernel_size, stride, dilation : int or (int, int)
        As ``convlab.conv2d`` takes them; a pair is ``(height, width)``.
    padding : int, (ph, pw), ((top, bottom), (left, right)) or {'valid', 'same', 'full'}
        As ``convlab.conv2d`` takes it; a pair is ``(height, width)``, not
        ``(before, after)``.
    groups : int, default 1
        Input and output channels split into ``groups`` independent groups
        (``groups = C_in = C_out`` is a depthwise layer); must divide both.
    bias : bool, default True
        Whether the layer has one bias per filter.

    Returns
    -------
    ConvCost
        ``output_shape`` from :func:`output_size` per axis; ``parameters``
        ``k_h*k_w*(C_in/groups)*C_out`` weights plus ``C_out`` biases;
        ``multiplies`` one per weight per output position,
        ``H'*W'*k_h*k_w*(C_in/groups)*C_out`` (the bias adds are not counted);
        ``activations`` ``C_out*H'*W'`` output numbers (4 bytes each in float32).

    Raises
    ------
    ValueError, TypeError
        For shapes, sizes or group counts that do not fit, as :func:`output_size`.

    Examples
    --------
    The first layer of LeNet-5: six 5x5 filters over a 1x32x32 image.

    >>> conv_cost((1, 32, 32), 6, 5)
    ConvCost(output_shape=(6, 28, 28), parameters=156, multiplies=117600, activations=4704)

    A dense layer from 400 numbers to 120 is a 1x1 convolution on a 400x1x1 input:

    >>> conv_cost((400, 1, 1), 120, 1).parameters     # 400*120 + 120
    48120
    """
    c_in, height, width = check_shape(input_shape, "input_shape", (3,))
    c_out = check_int(out_channels, "out_channels", minimum=1)
    kh, kw = check_pair(kernel_size, "kernel_size", minimum=1)
    sh, sw = check_pair(stride, "stride", minimum=1)
    dh, dw = check_pair(dilation, "dilation", minimum=1)
    g = check_int(groups, "groups", minimum=1)
    if not isinstance(bias, (bool, int)):
        raise TypeError(f"bias must be a bool, got {describe(bias)}")
    if c_in % g or c_out % g:
        raise ValueError(f"groups={g} must divide both the input channels ({c_in}) "
                         f"and out_channels ({c_out})")
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ValueError(f"padding must be an int, a (height, width) pair or "
                             f"((top, bottom), (left, right)), got {describe(padding)}")
        pad_h, pad_w = padding
    else:
        pad_h = pad_w = padding
    out_h = output_size(height, kh, sh, pad_h, dh)
    out_w = output_size(width, kw, sw, pad_w, dw)
    weights = kh * kw * (c_in // g) * c_out
    return ConvCost((c_out, out_h, out_w), weights + (c_out if bias else 0),
                    out_h * out_w * weights, c_out * out_h * out_w)
