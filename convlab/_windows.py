"""The one sliding-window engine behind convolution and pooling.

A window of ``kh x kw`` taps, ``dilation`` apart, slides over a padded input in
steps of ``stride``. Tap ``(a, b)`` of every window, taken together, is a
strided slice of the input: ``xp[..., a*dh : ... : sh, b*dw : ... : sw]``. The
fast paths loop over the ``kh*kw`` taps and do whole-array arithmetic on
those views, so no window is ever copied out one at a time.
"""

from __future__ import annotations

__all__ = ["tap_view", "output_hw"]


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
