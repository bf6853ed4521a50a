"""Filters: one kernel per input channel, summed into one output channel.

A colour image has three channels (red, green, blue). A *filter* for it is a
stack of three kernels, one for each channel. Each kernel slides over its own
channel; the three results are added, element by element, and a bias is
added once: the filter's single output channel.
"""

from __future__ import annotations

from ._checks import check_filter, sum_dtype
from ._engine import conv_padded
from ._windows import prepare

__all__ = ["apply_filter"]


def apply_filter(image, filt, bias=0.0, stride=1, padding=0, dilation=1, *,
                 padding_mode="zeros"):
    """Apply one filter to a multi-channel image: one output channel.

    ``out = sum_c correlate2d(image[c], filt[c]) + bias``.

    Parameters
    ----------
    image : array_like, shape (C, H, W)
        Channels first, e.g. ``(3, H, W)`` for RGB (see :func:`convlab.to_chw`).
    filt : array_like, shape (C, kH, kW)
        One kernel per input channel.
    bias : float, default 0.0
        Added once to every output pixel.
    stride, padding, dilation, padding_mode
        As in :func:`convlab.correlate2d`.

    Returns
    -------
    ndarray, shape (H', W')
        One channel, whatever ``C`` is.

    See Also
    --------
    conv2d : many filters at once (this is ``conv2d`` with one filter).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.stack([np.full((3, 3), 1.0), np.full((3, 3), 2.0), np.full((3, 3), 3.0)])
    >>> filt = np.stack([np.ones((2, 2)), np.zeros((2, 2)), -np.ones((2, 2))])
    >>> apply_filter(image, filt, bias=0.5)      # 4*1 + 0*2 - 4*3 + 0.5
    array([[-7.5, -7.5],
           [-7.5, -7.5]])
    """
    image, filt, bias, dtype = check_filter(image, filt, bias)
    acc = sum_dtype(dtype)
    xp, out_hw, stride, dilation = prepare(image[None], filt.shape[1:], stride, padding,
                                           dilation, padding_mode, acc, kernel_name="filt")
    out = conv_padded(xp, filt[None].astype(acc, copy=False), out_hw, stride, dilation)[0, 0]
    if bias:
        out += acc.type(bias)
    return out.astype(dtype, copy=False)
