"""Convolution, the fast paths: a kernel sliding over an image, summing products.

``correlate2d`` is what deep learning calls convolution (no kernel flip);
``convolve2d`` flips the kernel first (the mathematical convolution);
``conv2d`` is a whole layer: many filters over a batch of multi-channel images,
``groups`` of channels apart if asked (grouped and depthwise convolution);
``conv1d`` and ``conv3d`` are the same layer over signals and volumes.
``correlate2d`` and ``convolve2d`` can also sum by two 1-D passes (a separable
kernel) or by the FFT (the convolution theorem): their ``method``.
The loop versions a learner can read line by line are in :mod:`convlab.naive`.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_choice, check_layer, compute_dtype, sum_dtype
from ._engine import conv_padded, fft_correlate, thread_pool, workers
from ._windows import pad_spatial, prepare, prepare_pads, tap_view
from .kernels import separate

__all__ = ["correlate2d", "convolve2d", "conv2d", "conv1d", "conv3d"]

# Row-block size (in output elements) for the single-channel shift-and-add: a band
# of rows per numpy call. Smaller bands keep more in cache but cost more calls, and
# two threads making many short calls wait on each other for the GIL: on the 2-core
# test machine 2^18 beat 2^16 by 10-30% at 1024x1024 (each timed after a PyTorch call).
_BLOCK_ELEMENTS = 1 << 18


def correlate2d(image, kernel, stride=1, padding=0, dilation=1, *, padding_mode="zeros",
                method="direct"):
    """Slide ``kernel`` over ``image`` and sum the element-wise products (cross-correlation).

    This is what deep-learning libraries call convolution: the kernel is not
    flipped. ``out[i, j] = sum_a sum_b x[i*s + a*d, j*s + b*d] * kernel[a, b]``
    on the padded input ``x``.

    Parameters
    ----------
    image : array_like, shape (H, W)
        A single-channel image.
    kernel : array_like, shape (kH, kW)
        The weights, also known as filter, mask or template.
    stride : int or (int, int), default 1
        Step between windows, per axis (rows, columns).
    padding : int, (ph, pw), ((top, bottom), (left, right)) or {'valid', 'same', 'full'}
        An int pads all four sides. A pair is ``(height, width)``: ``ph`` rows
        on the top and on the bottom, ``pw`` columns on the left and on the
        right (it is not ``(before, after)``, which is what a pair means to the
        one-axis :func:`convlab.output_size`). Pad the two sides of an axis
        differently with ``((top, bottom), (left, right))``.
        ``'same'`` keeps ``ceil(H/s) x ceil(W/s)`` with the odd pixel after
        (bottom/right); ``'full'`` pads ``d*(k - 1)`` on every side.
    dilation : int or (int, int), default 1
        Spacing between kernel taps; 1 is an ordinary kernel.
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        What the padding ring holds (see :func:`convlab.pad2d`).
    method : {'direct', 'separable', 'fft', 'auto'}, default 'direct'
        How the sums are computed; every method gives the same numbers, up to
        rounding. ``'direct'`` multiplies every tap (``kH*kW`` per output,
        summed in the loop reference's order, so the two agree to the last
        bit). ``'separable'`` runs a column pass and a row pass with the
        factors of :func:`convlab.kernels.separate` (``kH + kW`` per output;
        a kernel that is not rank 1 raises). ``'fft'`` uses the convolution
        theorem (about ``log(H*W)`` per output whatever the kernel size).
        ``'auto'`` picks the fastest of the three from the kernel's size and
        rank, by crossovers measured on a 2-core machine (see Notes). The
        default stays ``'direct'``, exact and predictable; ask for the others.

    Returns
    -------
    ndarray, shape (H', W')
        ``H' = floor((H + top + bottom - d*(kH - 1) - 1)/s) + 1``, likewise W'.
        float32 stays float32; integers and bools give float64.

    See Also
    --------
    convolve2d : the same with the kernel flipped.
    conv2d : many channels and filters at once.
    convlab.naive.correlate2d : the explicit loop version.

    Notes
    -----
    Shift-and-add: for each of the ``kH*kW`` taps, one strided view of the
    padded image times one weight is added to the output, a band of rows
    (about 2^18 outputs) at a time, the bands shared out between the cores.
    Cost ``kH*kW*H'*W'`` multiply-adds;
    memory one padded copy of the image plus the output. It sums the taps in
    the same order as :func:`convlab.naive.correlate2d`, so the two agree to
    the last bit. Matches ``scipy.signal.correlate2d`` for 'valid', 'same'
    and 'full' at stride 1, and ``torch.nn.functional.conv2d`` on one channel.

    ``method='auto'`` follows the crossovers ``bench/bench_variants.py``
    measured on 512x512 float64 images (2 busy cores, two runs; each
    threshold is the smallest size that won in both): the separable passes
    for a rank-1 kernel from 7x7 (49 taps; 4-9x faster than direct at 15x15)
    up to 25x25, where the FFT overtakes them; otherwise the FFT from 9x9 (81
    taps; 3-6x faster than direct at 15x15) on, a size the
    stride's area multiplies (with stride the direct path computes only the
    outputs it keeps, the FFT all of them); below that, direct.
    The FFT's error grows with the image's magnitude, about ``1e-16 *
    sum(|x|) * sum(|kernel|)`` in float64, where the direct sums are exact to
    a few units in the last place.

    Dtypes: float32 and float64 sum in their own precision; float16 sums in
    float32 and is rounded to float16 once, at the end (as SciPy's and
    PyTorch's results are). Mixed dtypes are promoted, not refused: the result
    is ``np.result_type`` of the two dtypes, integers and bools read as float64.

    Differences from SciPy (``scipy.signal.correlate2d``), all on purpose:

    - The second argument is always the kernel. SciPy's 'valid' swaps the two
      arrays when the second is at least as large in every dimension
      (scipy gh-5897); here a kernel larger than the padded image raises a
      ``ValueError`` that says how much padding would fit it.
    - 'same' with an even kernel follows ``scipy.signal.correlate2d`` (the
      odd padding pixel after, bottom/right). SciPy's N-dimensional
      ``scipy.signal.correlate`` centres it the other way, one pixel off.
    - The default ``padding=0`` is 'valid' (as PyTorch); SciPy's default mode
      is 'full'.
    - Empty images and kernels are refused with a ``ValueError``; SciPy
      returns an array anyway (a ``(0, 3)`` image with a 2x2 kernel gives
      shape ``(1, 4)`` in 'full').

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(9).reshape(3, 3)
    >>> x
    array([[0, 1, 2],
           [3, 4, 5],
           [6, 7, 8]])
    >>> correlate2d(x, [[0, 1], [2, 3]])      # 0*0 + 1*1 + 3*2 + 4*3 = 19
    array([[19., 25.],
           [37., 43.]])
    >>> correlate2d(np.ones((4, 4)), np.ones((3, 3)), padding='same')
    array([[4., 6., 6., 4.],
           [6., 9., 9., 6.],
           [6., 9., 9., 6.],
           [4., 6., 6., 4.]])
    >>> correlate2d(np.ones((5, 5)), np.ones((3, 3)), stride=2).shape
    (2, 2)
    >>> correlate2d(np.ones((5, 5)), np.ones((3, 3)), padding=(1, 2)).shape   # (height, width)
    (5, 7)
    >>> correlate2d(np.ones((5, 5)), np.ones((3, 3)), padding=((1, 2), (1, 2))).shape
    (6, 6)
    """
    image = as_array(image, "image", 2, what="image")
    kernel = as_array(kernel, "kernel", 2, what="kernel")
    check_choice(method, "method", METHODS)
    dtype = compute_dtype(image.dtype, kernel.dtype)
    acc = sum_dtype(dtype)
    xp, (oh, ow), stride, dilation = prepare(image, kernel.shape, stride, padding, dilation,
                                             padding_mode, acc)
    out = _correlate(xp, kernel.astype(acc, copy=False), (oh, ow), stride, dilation, method)
    return out.astype(dtype, copy=False)


#: The ways correlate2d and convolve2d can compute (their ``method``).
METHODS = ("direct", "separable", "fft", "auto")

# method='auto' (crossovers of bench/bench_variants.py, 512x512 float64, 2 cores; the
# smallest sizes that won in two runs, which put them at 7x7 or 3x3 and 9x9 or 7x7): the
# separable passes for a rank-1 kernel from 7x7 until the FFT overtakes them (25x25);
# otherwise the FFT from 9x9, times the stride's area (the direct path computes only
# the outputs it keeps, the FFT all of them).
_SEPARABLE_TAPS = 49
_SEPARABLE_FFT_TAPS = 625
_FFT_TAPS = 81


def _correlate(xp, kernel, out_hw, stride, dilation, method):
    """The valid correlation of a padded image with a kernel, by ``method``."""
    kh, kw = kernel.shape
    if method == "auto":
        taps = kh * kw
        if _SEPARABLE_TAPS <= taps < _SEPARABLE_FFT_TAPS and min(kh, kw) > 1 \
                and _rank_one(kernel):
            method = "separable"
        elif taps >= _FFT_TAPS * stride[0] * stride[1]:
            method = "fft"
        else:
            method = "direct"
    if method == "fft":
        return fft_correlate(xp, kernel, out_hw, stride, dilation)
    if method == "separable":
        column, row = separate(kernel)
        # rows first: only the kept rows, every padded column; then along the rows
        rows = _shift_and_add(xp, column.astype(kernel.dtype)[:, None], (out_hw[0], xp.shape[1]),
                              (stride[0], 1), (dilation[0], 1))
        return _shift_and_add(rows, row.astype(kernel.dtype)[None, :], out_hw, (1, stride[1]),
                              (1, dilation[1]))
    return _shift_and_add(xp, kernel, out_hw, stride, dilation)


def _rank_one(kernel):
    try:
        separate(kernel)
    except ValueError:
        return False
    return True


def _shift_and_add(xp, kernel, out_hw, stride, dilation):
    oh, ow = out_hw
    kh, kw = kernel.shape
    out = np.zeros((oh, ow), dtype=kernel.dtype)
    rows = max(1, _BLOCK_ELEMENTS // max(ow, 1))
    blocks = [(r0, min(oh, r0 + rows)) for r0 in range(0, oh, rows)]

    def run(chunk):
        scratch_rows = np.empty((rows, ow), dtype=kernel.dtype)
        for r0, r1 in chunk:
            block = out[r0:r1]
            scratch = scratch_rows[:r1 - r0]
            # Output rows r0..r1 read padded rows r0*s .. (r1-1)*s + dilated extent.
            band = xp[r0 * stride[0]:(r1 - 1) * stride[0] + dilation[0] * (kh - 1) + 1]
            for a in range(kh):
                for b in range(kw):
                    np.multiply(tap_view(band, a, b, (r1 - r0, ow), stride, dilation),
                                kernel[a, b], out=scratch)
                    block += scratch

    threads = workers()
    if threads > 1 and len(blocks) > 1 and oh * ow * kh * kw >= _THREADED_WORK:
        # numpy releases the GIL inside ufuncs: row bands run on every core at once.
        # Each band is summed in the same tap order, so the result does not change.
        chunks = [blocks[n::threads] for n in range(threads)]
        list(thread_pool().map(run, chunks))
    else:
        run(blocks)
    return out


# Multiply-adds above which the shift-and-add splits its row bands over threads.
_THREADED_WORK = 1 << 21


def convolve2d(image, kernel, stride=1, padding=0, dilation=1, *, padding_mode="zeros",
               method="direct"):
    """True (mathematical) 2-D convolution: flip the kernel, then correlate.

    ``out = correlate2d(image, kernel[::-1, ::-1], ...)``, with one difference
    for ``padding='same'`` and an even kernel: like ``scipy.signal.convolve2d``
    the odd padding pixel goes *before* (top/left) instead of after. SciPy centres
    'same' on the flipped kernel for convolution, and on the kernel itself for
    correlation, so the two disagree by one pixel on even kernels; this follows
    SciPy in both. For odd kernels there is no difference.

    The other differences from SciPy are those of :func:`correlate2d`: the
    second argument is always the kernel (SciPy's 'valid' swaps the arrays
    when the second is the larger, scipy gh-5897; here that raises); the
    default ``padding=0`` is 'valid' where SciPy's default is 'full'; empty
    inputs are refused. 'same' follows ``scipy.signal.convolve2d``, which for
    convolution agrees with the N-dimensional ``scipy.signal.convolve``.
    float16 sums in float32 and is rounded once; mixed dtypes give
    ``np.result_type`` of the two (integers and bools read as float64).

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    stride, padding, dilation, padding_mode
        As in :func:`correlate2d`.

    Returns
    -------
    ndarray, shape (H', W')
        Same shape rule as :func:`correlate2d`.

    See Also
    --------
    correlate2d : without the flip (what CNN layers compute).
    scipy.signal.convolve2d : the reference this matches at stride 1.

    Examples
    --------
    An asymmetric kernel shows the flip: correlation reads the kernel as it is,
    convolution reads it upside down and back to front.

    >>> import numpy as np
    >>> x = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    >>> k = np.array([[1, 2], [3, 4]])
    >>> correlate2d(x, k)
    array([[4., 3.],
           [2., 1.]])
    >>> convolve2d(x, k)
    array([[1., 2.],
           [3., 4.]])
    """
    image = as_array(image, "image", 2, what="image")
    kernel = as_array(kernel, "kernel", 2, what="kernel")
    check_choice(method, "method", METHODS)
    dtype = compute_dtype(image.dtype, kernel.dtype)
    acc = sum_dtype(dtype)
    xp, out_hw, stride, dilation = prepare(image, kernel.shape, stride, padding, dilation,
                                           padding_mode, acc, flip_same=True)
    flipped = np.ascontiguousarray(kernel[::-1, ::-1], dtype=acc)
    return _correlate(xp, flipped, out_hw, stride, dilation, method).astype(dtype, copy=False)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros"):
    """A convolution layer: every filter over every image of a batch.

    Filter ``o`` has one kernel per input channel; each kernel slides over its
    channel, the ``C`` results are summed and ``bias[o]`` added, giving output
    channel ``o``. Same semantics as ``torch.nn.functional.conv2d``.

    With ``groups=g`` the channels split into ``g`` groups: the first
    ``C/g`` input channels feed only the first ``O/g`` filters, and so on.
    ``groups=C`` is a depthwise convolution (one kernel per channel, as in
    MobileNet); ``groups=1`` is the ordinary layer.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        A batch of images, or one image, channels first.
    weight : array_like, shape (O, C/groups, kH, kW)
        ``O`` filters of ``C/groups`` kernels each.
    bias : array_like, shape (O,), optional
        One number added to each output channel.
    stride, padding, dilation, padding_mode
        As in :func:`convlab.correlate2d`.
    groups : int, default 1
        Must divide both ``C`` and ``O``.

    Returns
    -------
    ndarray, shape (N, O, H', W') or (O, H', W')
        Batched if ``x`` was; ``H'`` and ``W'`` as :func:`convlab.output_size`.

    See Also
    --------
    conv1d, conv3d : the same layer over signals and volumes.
    convlab.naive.conv2d : the explicit loop version.

    Notes
    -----
    im2col: the ``C*kH*kW`` taps of every window are copied into a matrix, one
    tap (a strided view) at a time, then one matrix product with the
    ``(O, C*kH*kW)`` weights gives every output of those images at once (with
    groups, one product per group). The product runs single-threaded BLAS on
    blocks of columns (or groups), one block per core, on convlab's own
    threads: many small products each split over BLAS threads stalled when
    the machine was busy (a 3x3 conv2d of (8, 16, 64, 64) took 605 ms that
    way on a loaded 2-core machine, 25 ms this way). A few images at a time,
    so that the column matrix (``C*kH*kW*H'*W'`` numbers per image) stays
    about 4 MB, in cache while it is multiplied. Cost ``N*O*(C/groups)*kH*kW*H'*W'``
    multiply-adds: groups divide it by ``groups``.

    Where it measured faster (stride 1 with outputs of 32x32 positions or
    more, and every depthwise layer) the same sums run on *frames* instead:
    padded planes flattened into rows, so that a tap of every window is one
    contiguous run of a row. A depthwise layer adds its taps over those
    runs, in the loop reference's order (no product to make); otherwise,
    image by image, the kernel's rows are gathered per cache-sized run and
    its columns become rows of a taller product, added up shifted.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(2 * 3 * 3).reshape(2, 3, 3)      # 2 channels, 3x3 each
    >>> w = np.ones((1, 2, 2, 2))                       # 1 filter, a 2x2 kernel per channel
    >>> conv2d(x, w, bias=[100.0])
    array([[[152., 160.],
            [176., 184.]]])

    Depthwise (``groups=2``): each channel keeps its own output, no sum across channels:

    >>> conv2d(x, np.ones((2, 1, 2, 2)), groups=2)     # 0+1+3+4 = 8, 9+10+12+13 = 44
    array([[[ 8., 12.],
            [20., 24.]],
    <BLANKLINE>
           [[44., 48.],
            [56., 60.]]])
    >>> conv2d(np.zeros((8, 3, 32, 32), np.float32), np.zeros((16, 3, 5, 5), np.float32),
    ...        stride=2, padding='same').shape
    (8, 16, 16, 16)
    """
    return _layer(x, weight, bias, stride, padding, dilation, groups, padding_mode, dims=2)


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros"):
    """A 1-D convolution layer: filters sliding along signals (audio, text, time series).

    Same semantics as ``torch.nn.functional.conv1d``, on the same engine as
    :func:`conv2d` (without groups one product per kernel tap, added over the
    taps; with groups im2col and one product per group; depthwise on frames).

    Parameters
    ----------
    x : array_like, shape (N, C, L) or (C, L)
        A batch of signals, or one signal, channels first.
    weight : array_like, shape (O, C/groups, kL)
    bias : array_like, shape (O,), optional
    stride, dilation : int or (int,), default 1
    padding : int, (int,), ((before, after),) or {'valid', 'same', 'full', 'causal'}
        ``'causal'`` puts all ``d*(kL - 1)`` padding before the signal, so
        output ``t`` sees only inputs ``<= t`` (WaveNet, temporal
        convolutional networks) and the output is as long as the input.
    groups : int, default 1
        Must divide both ``C`` and ``O``.
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}

    Returns
    -------
    ndarray, shape (N, O, L') or (O, L')
        ``L' = floor((L + before + after - d*(kL - 1) - 1)/s) + 1``.

    See Also
    --------
    conv2d, conv3d, convlab.naive.conv1d

    Examples
    --------
    >>> import numpy as np
    >>> signal = np.array([[1., 2., 3., 4.]])              # (C, L): one channel
    >>> conv1d(signal, [[[1., 1.]]])                        # sums of neighbours
    array([[3., 5., 7.]])
    >>> conv1d(signal, [[[1., 1.]]], padding='causal')     # 0+1, 1+2, 2+3, 3+4
    array([[1., 3., 5., 7.]])
    """
    return _layer(x, weight, bias, stride, padding, dilation, groups, padding_mode, dims=1)


def conv3d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros"):
    """A 3-D convolution layer: kernels sliding through volumes (video, CT and MRI scans).

    Same semantics as ``torch.nn.functional.conv3d``, on the same engine as
    :func:`conv2d`.

    Parameters
    ----------
    x : array_like, shape (N, C, D, H, W) or (C, D, H, W)
    weight : array_like, shape (O, C/groups, kD, kH, kW)
    bias : array_like, shape (O,), optional
    stride, dilation : int or (int, int, int), default 1
    padding : int, (pd, ph, pw), three (before, after) pairs, or {'valid', 'same', 'full'}
    groups : int, default 1
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}

    Returns
    -------
    ndarray, shape (N, O, D', H', W') or (O, D', H', W')
        Each axis as :func:`convlab.output_size`.

    See Also
    --------
    conv2d, conv1d, convlab.naive.conv3d

    Examples
    --------
    >>> import numpy as np
    >>> volume = np.arange(27.0).reshape(1, 3, 3, 3)      # (C, D, H, W)
    >>> conv3d(volume, np.ones((1, 1, 2, 2, 2)))          # sums of 2x2x2 blocks
    array([[[[ 52.,  60.],
             [ 76.,  84.]],
    <BLANKLINE>
            [[124., 132.],
             [148., 156.]]]])
    >>> conv3d(np.zeros((2, 3, 8, 16, 16)), np.zeros((4, 3, 3, 3, 3)), padding='same').shape
    (2, 4, 8, 16, 16)
    """
    return _layer(x, weight, bias, stride, padding, dilation, groups, padding_mode, dims=3)


def _layer(x, weight, bias, stride, padding, dilation, groups, padding_mode, dims):
    """conv1d, conv2d and conv3d: validate, pad, im2col and a product per group."""
    xb, weight, bias, batched, dtype, groups = check_layer(x, weight, bias, groups=groups,
                                                           dims=dims)
    acc = sum_dtype(dtype)
    x, pads, out_shape, stride, dilation = prepare_pads(
        xb, weight.shape[2:], stride, padding, dilation, padding_mode, acc, kernel_name="weight",
        causal=dims == 1)
    weight = weight.astype(acc, copy=False)
    if padding_mode == "zeros":  # the engine pads as it copies, where it copies
        out = conv_padded(x, weight, out_shape, stride, dilation, groups, pads=pads)
    else:
        out = conv_padded(pad_spatial(x, pads, padding_mode), weight, out_shape, stride,
                          dilation, groups)
    if bias is not None:
        out += bias.astype(acc, copy=False).reshape((-1,) + (1,) * dims)
    out = out.astype(dtype, copy=False)
    return out if batched else out[0]
