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

import numbers

import numpy as np

from ._checks import check_explicit_padding, check_int, check_pair, describe, sum_dtype
from .convolution import check_layer, conv_padded, images_per_chunk

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


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1):
    """Transposed convolution (fractionally strided convolution): scatter instead of gather.

    Every input pixel ``x[n, c, i, j]`` adds ``x[n, c, i, j] * weight[c, o]`` to
    output channel ``o``, the kernel's top-left tap at ``(i*s, j*s)`` of the
    full output; overlaps add up. Then ``padding`` rows/columns are cropped
    from each side of the full output, ``output_padding`` added at the
    bottom/right, and ``bias[o]`` added. Same semantics as
    ``torch.nn.functional.conv_transpose2d`` (groups=1).

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
        A batch of images, or one image, channels first.
    weight : array_like, shape (C_in, C_out, kH, kW)
        Laid out as PyTorch's: the transpose of a ``conv2d`` weight
        ``(O, C, kH, kW)``, so ``conv_transpose2d(y, w)`` undoes the shape
        change of ``conv2d(x, w)``.
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
     out_hw) = check_transposed(x, weight, bias, stride, padding, output_padding, dilation)
    acc = sum_dtype(dtype)
    out = scatter_taps(x4.astype(acc, copy=False), weight.astype(acc, copy=False),
                       stride, dilation, pads, out_hw)
    if bias is not None:
        out += bias.astype(acc, copy=False)[:, None, None]
    out = out.astype(dtype, copy=False)
    return out if batched else out[0]


# The batch is processed a few images at a time so that the stamps of one chunk
# (kH*kW*C_out*H*W numbers per image) stay under about this many bytes: they are
# made and added up while still in cache, and no huge temporary is allocated.
_CHUNK_BYTES = 1 << 22


def scatter_taps(x4, weight, stride, dilation, pads, out_hw):
    """The engine of transposed convolution and of conv2d's input gradient.

    With stride 1 and no more input than output channels it hands over to
    :func:`_gather` (an ordinary convolution with the flipped kernel).

    ``x4`` is ``(N, C_in, H, W)``, ``weight`` ``(C_in, C_out, kH, kW)``, both
    of the compute dtype. Returns ``(N, C_out, *out_hw)``: the full scatter,
    cropped by ``pads[axis][0]`` before and extended with zeros as needed at
    the end.

    A chunk of images at a time: one matrix product makes every stamp of the
    chunk, laid out ``(kH, kW, C_out, image, H, W)``; then tap ``(a, b)``'s
    stamps are added into a strided slice of the output, only the rows and
    columns that land inside it (the crop is never computed). The first tap
    to fill a whole class of positions writes instead of adding.
    """
    n, c_in, h, w = x4.shape
    _, c_out, kh, kw = weight.shape
    if stride == (1, 1) and c_in <= c_out:
        return _gather(x4, weight, dilation, pads, out_hw)
    (top, _), (left, _) = pads
    # Per tap along each axis: which input rows land inside the output, and where.
    rows = [_landing(a, dilation[0], stride[0], top, out_hw[0], h) for a in range(kh)]
    cols = [_landing(b, dilation[1], stride[1], left, out_hw[1], w) for b in range(kw)]
    taps = [(a, b) for a in range(kh) for b in range(kw)
            if rows[a][0] is not None and cols[b][0] is not None]
    # With stride s, the output splits into s x s classes of positions (row and column
    # remainders); a tap's stamps land in one class. A tap that fills its whole class
    # goes first there and is written, not added; if every class has one, the output
    # is never zeroed.
    writers = {}
    for a, b in taps:
        rout, cout = rows[a][1], cols[b][1]
        if _fills_class(rout, out_hw[0]) and _fills_class(cout, out_hw[1]):
            writers.setdefault((rout.start, cout.start), (a, b))
    classes = min(stride[0], out_hw[0]) * min(stride[1], out_hw[1])
    first = set(writers.values())
    taps = sorted(taps, key=lambda tap: tap not in first)  # writers first, order kept
    wm = weight.transpose(2, 3, 1, 0).reshape(kh * kw * c_out, c_in)
    out = (np.empty if len(writers) == classes else np.zeros)(
        (n, c_out) + tuple(out_hw), dtype=np.result_type(x4, weight))
    chunk = images_per_chunk(n, kh * kw * c_out * h * w * out.itemsize, _CHUNK_BYTES)
    product = np.empty((kh * kw * c_out, chunk * h * w), dtype=out.dtype)  # reused per chunk
    for start in range(0, n, chunk):
        xb = x4[start:start + chunk]
        # One product for the chunk: (kH*kW*C_out, C_in) @ (C_in, images*H*W).
        xm = xb.reshape(c_in, h * w) if len(xb) == 1 else \
            np.ascontiguousarray(xb.transpose(1, 0, 2, 3)).reshape(c_in, -1)
        stamps = product[:, :xm.shape[1]]
        np.matmul(wm, xm, out=stamps)
        stamps = stamps.reshape(kh, kw, c_out, len(xb), h, w)
        target = out[start:start + chunk].transpose(1, 0, 2, 3)  # (C_out, images, ...)
        for a, b in taps:
            (rin, rout), (cin, cout) = rows[a], cols[b]
            if (a, b) in first:
                target[:, :, rout, cout] = stamps[a, b, :, :, rin, cin]
            else:
                target[:, :, rout, cout] += stamps[a, b, :, :, rin, cin]
    return out


def _gather(x4, weight, dilation, pads, out_hw):
    """Stride 1 as an ordinary convolution: the input padded by ``d*(k - 1) - padding``
    (cropped where that is negative), the kernel flipped, im2col and a product.

    The same numbers as the scatter, gathered instead: im2col copies
    ``C_in*kH*kW`` values per output pixel where the scatter adds ``C_out*kH*kW``,
    so :func:`scatter_taps` takes this path when ``C_in <= C_out``.
    """
    _, _, h, w = x4.shape
    _, _, kh, kw = weight.shape
    index, widths = [slice(None), slice(None)], [(0, 0), (0, 0)]
    for axis, (length, k, d, (top, _)) in enumerate(zip((h, w), (kh, kw), dilation, pads)):
        before = d * (k - 1) - top  # output row r reads padded rows r .. r + d*(k-1)
        after = out_hw[axis] + d * (k - 1) - length - before
        index.append(slice(max(0, -before), length - max(0, -after)))
        widths.append((max(0, before), max(0, after)))
    xp = np.pad(x4[tuple(index)], widths)
    flipped = np.ascontiguousarray(weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
    return conv_padded(xp, flipped, out_hw, (1, 1), dilation)


def _fills_class(landing, length):
    """Whether a tap's output slice is every position of its class in ``0 .. length-1``:
    it starts at its remainder (below the stride) and runs to the last one."""
    return landing.start < landing.step and landing.stop + landing.step > length


def _landing(tap, dilation, stride, before, out_len, in_len):
    """Input positions of one tap that land inside the output, and where: two slices.

    Input index ``i`` stamps tap ``tap`` at ``tap*dilation + i*stride - before``
    of the cropped output; ``(None, None)`` if no ``i`` lands in ``0 .. out_len-1``.
    """
    offset = tap * dilation - before
    first = max(0, -(offset // stride))          # smallest i with offset + i*stride >= 0
    last = min(in_len - 1, (out_len - 1 - offset) // stride)
    if last < first:
        return None, None
    start = offset + first * stride
    return slice(first, last + 1), slice(start, start + stride * (last - first) + 1, stride)
