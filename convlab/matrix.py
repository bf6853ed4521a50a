"""Convolution as a matrix: the linear map a kernel defines, written out.

A convolution is linear in its input, so for a fixed kernel, stride, padding
and dilation there is a matrix ``C`` with ``correlate2d(x, kernel).ravel() ==
C @ x.ravel()``. Row ``r`` of ``C`` is output pixel ``r``'s window: the
kernel's weights placed where that window sits in the flattened input, zeros
elsewhere (a doubly block-Toeplitz matrix at stride 1). Its transpose
``C.T`` maps outputs back to inputs: that is the transposed convolution.

:func:`im2col` is the other way to see the same product: the windows as the
columns of a matrix, multiplied by the kernel as a row. It is what
:func:`convlab.conv2d` builds and multiplies.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_fits, check_pair, compute_dtype, describe
from ._windows import output_hw
from ._engine import columns
from .padding import resolve_padding

__all__ = ["conv_matrix", "im2col"]


def _check_hw(input_shape, name="input_shape"):
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise TypeError(f"{name} must be an (H, W) pair of ints, got {describe(input_shape)}")
    return check_pair(tuple(input_shape), name, minimum=1)


def conv_matrix(input_shape, kernel, stride=1, padding=0, dilation=1, *, sparse=False):
    """The matrix ``C`` of a single-channel convolution (cross-correlation).

    ``C @ x.ravel()`` equals ``correlate2d(x, kernel, stride, padding,
    dilation).ravel()`` for every image ``x`` of shape ``input_shape``, and
    ``C.T @ y.ravel()`` equals the transposed convolution of ``y`` (with the
    ``output_padding`` that gives back ``input_shape``), also known as the
    adjoint, or the gradient of the convolution with respect to its input.

    Parameters
    ----------
    input_shape : (int, int)
        ``(H, W)`` of the images the matrix applies to.
    kernel : array_like, shape (kH, kW)
    stride, padding, dilation
        As in :func:`convlab.correlate2d` (zero padding; ``'valid'``,
        ``'same'``, ``'full'``, ints, pairs or explicit pairs).
    sparse : bool, default False
        Return a ``scipy.sparse.csr_array`` instead of a dense ndarray. Needs
        SciPy (not a dependency of convlab); raises ImportError without it.

    Returns
    -------
    ndarray or scipy.sparse.csr_array, shape (H' * W', H * W)
        Row ``i*W' + j`` is output pixel ``(i, j)``; column ``r*W + c`` is
        input pixel ``(r, c)``. Taps that fall on padding have no column (the
        padding is zeros). float32 kernels give float32; integers float64.

    See Also
    --------
    convlab.correlate2d : what ``C @ x.ravel()`` computes, without the matrix.
    convlab.conv_transpose2d : what ``C.T @ y.ravel()`` computes.
    im2col : the windows as columns, the layout conv2d multiplies.

    Notes
    -----
    ``C`` has ``H'*W'*H*W`` entries but at most ``kH*kW`` nonzeros per row:
    for a 28x28 image and a 3x3 kernel with padding 1, the dense matrix is
    784x784 (615k numbers, 4.9 MB in float64) holding 6.7k nonzeros, hence
    ``sparse=True`` for anything bigger than a picture for a slide.

    Examples
    --------
    A 2x2 kernel on a 3x3 image: four windows, four rows, each holding the
    kernel's four weights where its window sits.

    >>> import numpy as np
    >>> C = conv_matrix((3, 3), [[1, 2], [3, 4]])
    >>> C
    array([[1., 2., 0., 3., 4., 0., 0., 0., 0.],
           [0., 1., 2., 0., 3., 4., 0., 0., 0.],
           [0., 0., 0., 1., 2., 0., 3., 4., 0.],
           [0., 0., 0., 0., 1., 2., 0., 3., 4.]])
    >>> x = np.arange(9).reshape(3, 3)
    >>> from convlab import correlate2d
    >>> (C @ x.ravel()).reshape(2, 2), correlate2d(x, [[1, 2], [3, 4]])
    (array([[27., 37.],
           [57., 67.]]), array([[27., 37.],
           [57., 67.]]))
    >>> conv_matrix((28, 28), np.ones((3, 3)), padding=1).shape
    (784, 784)
    """
    hw = _check_hw(input_shape)
    kernel = as_array(kernel, "kernel", 2, what="kernel")
    if not isinstance(sparse, (bool, np.bool_)):
        raise TypeError(f"sparse must be a bool, got {describe(sparse)}")
    stride = check_pair(stride, "stride", minimum=1)
    dilation = check_pair(dilation, "dilation", minimum=1)
    pads = resolve_padding(padding, hw, kernel.shape, stride, dilation)
    check_fits(hw, pads, kernel.shape, dilation)
    if sparse:
        try:
            import scipy.sparse
        except ImportError:
            raise ImportError(
                "conv_matrix(..., sparse=True) needs SciPy, which convlab does not install: "
                "pip install scipy, or call it with sparse=False for a dense ndarray"
            ) from None
    dtype = compute_dtype(kernel.dtype)
    padded = (hw[0] + sum(pads[0]), hw[1] + sum(pads[1]))
    oh, ow = output_hw(padded, kernel.shape, stride, dilation)
    kh, kw = kernel.shape
    # For every (output pixel, tap): the input row and column the tap reads.
    i, j, a, b = np.meshgrid(np.arange(oh), np.arange(ow), np.arange(kh), np.arange(kw),
                             indexing="ij")
    r = i * stride[0] + a * dilation[0] - pads[0][0]
    c = j * stride[1] + b * dilation[1] - pads[1][0]
    inside = (r >= 0) & (r < hw[0]) & (c >= 0) & (c < hw[1])
    rows = (i * ow + j)[inside]
    cols = (r * hw[1] + c)[inside]
    values = np.broadcast_to(kernel.astype(dtype, copy=False), inside.shape)[inside]
    shape = (oh * ow, hw[0] * hw[1])
    if sparse:
        return scipy.sparse.csr_array((values, (rows, cols)), shape=shape)
    matrix = np.zeros(shape, dtype=dtype)
    matrix[rows, cols] = values  # the taps of one window read distinct pixels: no clashes
    return matrix


def im2col(x, kernel_size, stride=1, padding=0, dilation=1):
    """The windows of a convolution as the columns of a matrix (im2col).

    Column ``n*H'*W' + i*W' + j`` holds the window under output pixel
    ``(i, j)`` of image ``n``, read channel by channel, row by row:
    row ``c*kH*kW + a*kW + b`` is tap ``(a, b)`` of channel ``c``. A
    convolution is then one matrix product, the layout :func:`convlab.conv2d`
    uses::

        conv2d(x, w) == (w.reshape(O, C*kH*kW) @ im2col(x, ...))
                        .reshape(O, N, H', W').transpose(1, 0, 2, 3)

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
    kernel_size : int or (int, int)
    stride, padding, dilation
        As in :func:`convlab.conv2d` (zero padding).

    Returns
    -------
    ndarray, shape (C * kH * kW, N * H' * W')
        ``C = 1`` for an (H, W) image and ``N = 1`` for unbatched input.
        float32 stays float32; integers and bools give float64.

    Notes
    -----
    Every input pixel is copied once per window that covers it, about
    ``kH*kW/s^2`` times: a float32 (32, 32, 32, 32) input with 3x3
    windows and padding 1 gives a 37.7 MB matrix from a 4.2 MB input.

    Examples
    --------
    >>> import numpy as np
    >>> x = 10 * np.arange(3)[:, None] + np.arange(3)        # value 10*row + column
    >>> im2col(x, 2)                                         # 4 windows of 2x2
    array([[ 0.,  1., 10., 11.],
           [ 1.,  2., 11., 12.],
           [10., 11., 20., 21.],
           [11., 12., 21., 22.]])
    >>> k = np.array([[1, 2], [3, 4]])
    >>> k.reshape(1, 4) @ im2col(x, 2)       # 0*1 + 1*2 + 10*3 + 11*4 = 76, and so on
    array([[ 76.,  86., 176., 186.]])
    """
    x = as_array(x, "x", (2, 3, 4), what="image")
    x4 = x.reshape((1,) * (4 - x.ndim) + x.shape)
    kernel = check_pair(kernel_size, "kernel_size", minimum=1)
    stride = check_pair(stride, "stride", minimum=1)
    dilation = check_pair(dilation, "dilation", minimum=1)
    pads = resolve_padding(padding, x4.shape[2:], kernel, stride, dilation)
    check_fits(x4.shape[2:], pads, kernel, dilation, "kernel_size")
    dtype = compute_dtype(x.dtype)
    xp = x4.astype(dtype, copy=False)
    if any(pads[0]) or any(pads[1]):
        xp = np.pad(xp, ((0, 0), (0, 0)) + pads)
    out_hw = output_hw(xp.shape[2:], kernel, stride, dilation)
    cols = columns(xp, kernel, out_hw, stride, dilation)
    return cols.reshape(x4.shape[1] * kernel[0] * kernel[1], -1)
