"""Transposed convolution: every input pixel stamps a scaled copy of the kernel.

Also known as fractionally strided convolution, or (wrongly) deconvolution.
Where a convolution gathers a window of inputs into one output, a transposed
convolution scatters one input into a window of outputs: pixel ``x[i, j]``
adds ``x[i, j] * kernel`` to the output, its top-left tap at
``(i*stride, j*stride)``, and overlapping stamps add up. It is the transpose
(the adjoint) of a convolution with the same kernel, stride, padding and
dilation, which is why it is also the gradient of that convolution with
respect to its input (:func:`convlab.grad.conv2d_input`), and why it upsamples:
stride 2 turns ``H x W`` into about ``2H x 2W``.

Equivalently, it is an ordinary convolution of the input with ``stride - 1``
zeros inserted between its pixels, padded by ``d*(k - 1) - padding``, with
the kernel flipped: the "convolution with inserted zeros" picture.
"""

from __future__ import annotations

from ._checks import check_int, describe, sum_dtype
from ._engine import scatter_taps
from ._windows import check_transposed

__all__ = ["conv_transpose2d", "transposed_output_size"]


def transposed_output_size(input_size, kernel_size, stride=1, padding=0, output_padding=0,
                           dilation=1) -> int:
    """Length of one output axis of a transposed convolution.

    The inverse of :func:`convlab.output_size`: a convolution with these
    arguments maps an input of the returned length back to ``input_size``.
    Because a strided convolution rounds down, ``stride`` different lengths
    map to the same ``input_size``; ``output_padding`` (in ``0 .. stride-1``)
    picks which one by adding rows at the bottom/right.

    This is a separate function rather than a ``transposed=True`` flag on
    :func:`convlab.output_size`: the two formulas take different arguments
    (``output_padding`` means nothing for a convolution, ``ceil_mode`` nothing
    here), and a flag would make both signatures harder to read.

    Parameters
    ----------
    input_size : int
        Length ``i >= 1`` of the transposed convolution's input axis.
    kernel_size : int
        Kernel length ``k >= 1``.
    stride : int, default 1
        Spacing ``s >= 1`` of the stamps in the output.
    padding : int or (before, after), default 0
        Rows cropped from each end of the full output (the padding of the
        convolution this one transposes).
    output_padding : int, default 0
        Extra rows added at the end; must be smaller than ``stride`` or
        ``dilation`` (as PyTorch).
    dilation : int, default 1
        Spacing ``d >= 1`` between kernel taps.

    Returns
    -------
    int
        ``o = (i - 1)*s - (p_before + p_after) + d*(k - 1) + output_padding + 1``
        (``- 2p`` for an int padding, PyTorch's formula).

    Raises
    ------
    ValueError
        If the padding crops the whole output away (``o < 1``), or if
        ``output_padding`` is too large.

    Examples
    --------
    >>> transposed_output_size(3, 3)               # 'full' growth: 3 + 3 - 1
    5
    >>> transposed_output_size(4, 3, stride=2, padding=1)
    7
    >>> transposed_output_size(4, 3, stride=2, padding=1, output_padding=1)   # 2 * 4
    8
    >>> from convlab import output_size
    >>> output_size(8, 3, stride=2, padding=1), output_size(7, 3, stride=2, padding=1)
    (4, 4)
    """
    i = check_int(input_size, "input_size", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    s = check_int(stride, "stride", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    op = check_int(output_padding, "output_padding", minimum=0)
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ValueError(f"padding as a pair must be (before, after), got {describe(padding)}")
        before = check_int(padding[0], "padding before", minimum=0)
        after = check_int(padding[1], "padding after", minimum=0)
    else:
        if isinstance(padding, str):
            raise ValueError(f"padding must be an int or a (before, after) pair here, "
                             f"got {padding!r}")
        before = after = check_int(padding, "padding", minimum=0)
    if op >= max(s, d):
        raise ValueError(
            f"output_padding must be smaller than either stride or dilation, got "
            f"output_padding {op} with stride {s} and dilation {d}"
        )
    out = (i - 1) * s - before - after + d * (k - 1) + op + 1
    if out < 1:
        raise ValueError(
            f"padding {before}+{after} crops the whole output away: the full output is "
            f"{(i - 1) * s + d * (k - 1) + 1 + op} long (input_size {i}, kernel_size {k}, "
            f"stride {s}, dilation {d}), which leaves {out}; use less padding"
        )
    return out


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed convolution (fractionally strided convolution): scatter instead of gather.

    Every input pixel ``x[n, c, i, j]`` adds ``x[n, c, i, j] * weight[c, o]`` to
    output channel ``o``, the kernel's top-left tap at ``(i*s, j*s)`` of the
    full output; overlaps add up. Then ``padding`` rows/columns are cropped
    from each side of the full output, ``output_padding`` added at the
    bottom/right, and ``bias[o]`` added. Same semantics as
    ``torch.nn.functional.conv_transpose2d``, argument order included
    (``groups`` before ``dilation``). With ``groups=g``, input channel ``c``
    stamps only the ``C_out/g`` output channels of its group.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
        A batch of images, or one image, channels first.
    weight : array_like, shape (C_in, C_out/groups, kH, kW)
        Laid out as PyTorch's: the transpose of a ``conv2d`` weight
        ``(O, C/groups, kH, kW)``, so ``conv_transpose2d(y, w, groups=g)``
        undoes the shape change of ``conv2d(x, w, groups=g)``.
    bias : array_like, shape (C_out,), optional
        One number added to each output channel.
    stride : int or (int, int), default 1
        Spacing of the stamps in the output (the upsampling factor).
    padding : int, (ph, pw) or ((top, bottom), (left, right)), default 0
        Cropped from the full output: the padding of the convolution this
        one transposes. Strings are refused (see Raises).
    output_padding : int or (int, int), default 0
        Rows/columns added at the bottom/right, to pick among the input sizes
        a strided convolution maps to the same output size.
    groups : int, default 1
        Must divide ``C_in``; the output has ``C_out/groups * groups`` channels.
    dilation : int or (int, int), default 1
        Spacing between kernel taps.

    Returns
    -------
    ndarray, shape (N, C_out, H', W') or (C_out, H', W')
        ``H' = (H - 1)*s - (top + bottom) + d*(kH - 1) + output_padding + 1``
        (:func:`transposed_output_size`). float32 stays float32; integers
        and bools give float64.

    Raises
    ------
    ValueError
        For ``output_padding >= max(stride, dilation)``, a padding that
        crops everything, channel mismatches, and a string padding: 'same'
        and 'full' depend on the forward convolution's input size, so use
        :func:`convlab.grad.conv2d_input`, which takes that size.

    See Also
    --------
    transposed_output_size : the output-size rule.
    convlab.grad.conv2d_input : the same scatter, as the gradient of conv2d.
    convlab.matrix.conv_matrix : the matrix whose transpose this applies.
    convlab.naive.conv_transpose2d : the explicit loop version.

    Notes
    -----
    A few images at a time (about 4 MB of stamps per chunk, so they are
    still in cache when used): one matrix product ``(kH*kW*C_out, C_in) @
    (C_in, H*W)`` per image makes every stamp at once (col2im's columns);
    then, tap by tap, the ``C_out*H*W`` values of one kernel tap are added
    into a strided slice of the output (a whole-array add, no ``np.add.at``),
    only where they land inside it. Cost ``N*C_in*C_out*kH*kW*H*W``
    multiply-adds; memory the output plus one chunk of stamps.

    Examples
    --------
    One pixel stamps the kernel; two pixels with stride 2 stamp it twice,
    overlapping in the middle column:

    >>> import numpy as np
    >>> k = np.arange(1, 10).reshape(1, 1, 3, 3)      # (C_in, C_out, kH, kW)
    >>> conv_transpose2d(np.ones((1, 1, 1)), k)
    array([[[1., 2., 3.],
            [4., 5., 6.],
            [7., 8., 9.]]])
    >>> conv_transpose2d(np.ones((1, 1, 2)), k, stride=2)
    array([[[ 1.,  2.,  4.,  2.,  3.],
            [ 4.,  5., 10.,  5.,  6.],
            [ 7.,  8., 16.,  8.,  9.]]])
    >>> conv_transpose2d(np.zeros((8, 16, 16, 16), np.float32),
    ...                  np.zeros((16, 3, 4, 4), np.float32), stride=2, padding=1).shape
    (8, 3, 32, 32)
    """
    (x4, weight, bias, batched, dtype, stride, pads, output_padding, dilation,
     out_hw, groups) = check_transposed(x, weight, bias, stride, padding, output_padding,
                                        dilation, groups)
    acc = sum_dtype(dtype)
    out = scatter_taps(x4.astype(acc, copy=False), weight.astype(acc, copy=False),
                       stride, dilation, pads, out_hw, groups)
    if bias is not None:
        out += bias.astype(acc, copy=False)[:, None, None]
    out = out.astype(dtype, copy=False)
    return out if batched else out[0]

