"""Padding: a border of extra pixels around an image, and the padding specs.

``pad2d`` pads the last two axes of an array the way ``torch.nn.functional.pad``
does; ``resolve_padding`` turns any padding spec a convolution accepts (an int,
a pair, explicit pairs, ``'valid'``, ``'same'``, ``'full'``) into explicit
``((top, bottom), (left, right))`` amounts.
"""

from __future__ import annotations

import numpy as np

from ._checks import PADDING_MODES, check_explicit_padding, check_pad_args
from .arithmetic import resolve_axis_padding

__all__ = ["pad2d", "resolve_padding", "PADDING_MODES"]

_NUMPY_MODE = {"zeros": "constant", "constant": "constant", "reflect": "reflect",
               "replicate": "edge", "circular": "wrap"}


def resolve_padding(padding, input_hw, kernel_hw, stride=(1, 1), dilation=(1, 1)):
    """Any padding spec as explicit ``((top, bottom), (left, right))`` amounts.

    Parameters
    ----------
    padding : int, (ph, pw), ((top, bottom), (left, right)) or {'valid', 'same', 'full'}
        An int pads all four sides; a pair pads both sides of each axis.
    input_hw, kernel_hw, stride, dilation : (int, int)
        The sizes the word specs depend on.

    Examples
    --------
    >>> resolve_padding(1, (5, 5), (3, 3))
    ((1, 1), (1, 1))
    >>> resolve_padding('same', (5, 6), (4, 3))
    ((1, 2), (1, 1))
    >>> resolve_padding('full', (5, 5), (3, 2), dilation=(2, 1))
    ((4, 4), (1, 1))
    """
    if isinstance(padding, str):
        if padding not in ("valid", "same", "full"):
            raise ValueError(
                "padding must be an int, a (height, width) pair, ((top, bottom), (left, right)) "
                f"or one of 'valid', 'same', 'full', got {padding!r}"
            )
        return tuple(resolve_axis_padding(padding, input_hw[a], kernel_hw[a], stride[a],
                                          dilation[a]) for a in (0, 1))
    return check_explicit_padding(padding, "padding")


def pad2d(x, padding, mode="zeros", value=0.0):
    """Pad the last two axes (height, width) of an array.

    Parameters
    ----------
    x : array_like, shape (..., H, W)
        Anything with at least two axes; leading axes are left alone.
    padding : int, (ph, pw) or ((top, bottom), (left, right))
        Pixels to add on each side. Amounts must be >= 0. An int pads all four
        sides; a pair is ``(height, width)``: ``ph`` rows on the top and on the
        bottom, ``pw`` columns on the left and on the right (not
        ``(before, after)``, the meaning of a pair in the one-axis
        :func:`convlab.output_size`); the nested form pads each side its own
        amount.
    mode : {'zeros', 'constant', 'reflect', 'replicate', 'circular'}
        What the new pixels hold, as in ``torch.nn.functional.pad``:
        ``zeros`` is 0; ``constant`` is ``value``; ``reflect`` mirrors about
        the edge pixel without repeating it (``c b | a b c | b a``);
        ``replicate`` repeats the edge pixel; ``circular`` wraps around.
    value : float, default 0.0
        Fill value for ``mode='constant'``.

    Returns
    -------
    ndarray, shape (..., H + top + bottom, W + left + right)
        Same dtype as ``x``.

    Raises
    ------
    ValueError
        For ``reflect`` a pad must be smaller than the axis; for ``circular``
        at most the axis (as PyTorch).

    Examples
    --------
    >>> import numpy as np
    >>> row = np.array([[1, 2, 3]])
    >>> pad2d(row, ((0, 0), (2, 2)))
    array([[0, 0, 1, 2, 3, 0, 0]])
    >>> pad2d(row, (1, 2)).shape       # (height, width): 1 row above and below, 2 columns each side
    (3, 7)
    >>> pad2d(row, ((0, 0), (2, 2)), mode='reflect')
    array([[3, 2, 1, 2, 3, 2, 1]])
    >>> pad2d(row, ((0, 0), (2, 2)), mode='replicate')
    array([[1, 1, 1, 2, 3, 3, 3]])
    >>> pad2d(row, ((0, 0), (2, 2)), mode='circular')
    array([[2, 3, 1, 2, 3, 1, 2]])
    """
    array, ((top, bottom), (left, right)) = check_pad_args(x, padding, mode, value)
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    if mode in ("zeros", "constant"):
        fill = 0 if mode == "zeros" else value
        return np.pad(array, widths, mode="constant", constant_values=fill)
    return np.pad(array, widths, mode=_NUMPY_MODE[mode])

