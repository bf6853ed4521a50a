"""Shared argument validation: one place for clear error messages.

Every public function of the numeric core validates its arguments here, in one
block, before computing anything. A message names the argument, says what it
got and what was expected, so a learner can fix the call without reading code.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_array",
    "compute_dtype",
    "sum_dtype",
    "check_int",
    "check_pair",
    "check_choice",
    "check_explicit_padding",
    "check_fits",
    "check_ints",
    "check_layer",
    "check_filter",
    "check_shape",
    "check_grad_output",
    "check_pad_args",
    "check_pad_fits",
    "PADDING_MODES",
    "SPATIAL",
    "describe",
]


def describe(value) -> str:
    """A short description of ``value`` for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def compute_dtype(*dtypes) -> np.dtype:
    """The dtype a computation on arrays of ``dtypes`` returns: the dtype policy.

    - Floating inputs keep their precision: float32 stays float32, float16
      stays float16 (summed in float32 on the way, see :func:`sum_dtype`).
    - Integers and bools are read as float64, so uint8 images never overflow.
    - Mixed inputs are promoted, not refused: the result is numpy's
      ``np.result_type`` of the inputs' dtypes, each integer or bool read as
      float64 first. For floating inputs that is plain ``np.result_type``:
      a float32 image with a float64 kernel gives float64, float16 with
      float32 gives float32.

    >>> compute_dtype(np.float32, np.float64), compute_dtype(np.float16, np.float16)
    (dtype('float64'), dtype('float16'))
    >>> compute_dtype(np.uint8, np.float32)
    dtype('float64')
    """
    floats = [np.dtype(d) if np.issubdtype(d, np.floating) else np.dtype(np.float64)
              for d in dtypes]
    return np.result_type(*floats)


def sum_dtype(dtype) -> np.dtype:
    """The dtype sums of products run in for a result of ``dtype``.

    Half precision accumulates in float32 and is rounded to float16 once, at
    the end: a float16 running sum of a hundred products loses about two
    decimal digits (an error of 0.05 on 25.9), a float32 one rounds only the
    result (0.007). A product of two float16 numbers is exact in float32.
    Every other dtype sums in itself.

    >>> sum_dtype(np.float16), sum_dtype(np.float32), sum_dtype(np.float64)
    (dtype('float32'), dtype('float32'), dtype('float64'))
    """
    dtype = np.dtype(dtype)
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def as_array(value, name: str, ndims, *, what: str = "") -> np.ndarray:
    """``value`` as a real numeric ndarray with one of ``ndims`` dimensions.

    Raises ``TypeError`` for anything that is not a real number array (strings,
    objects, complex numbers) and ``ValueError`` for a wrong number of
    dimensions or an empty array. The dtype is kept as it is.
    """
    if isinstance(ndims, int):
        ndims = (ndims,)
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a numeric array, got {describe(value)}")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise TypeError(
            f"{name} must be a numeric array (a rectangular nested list or ndarray), "
            f"got {describe(value)}: {error}"
        ) from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
    ):
        raise TypeError(
            f"{name} must hold real numbers (int, float or bool), got dtype {array.dtype}"
        )
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got complex dtype {array.dtype}")
    if array.ndim not in ndims:
        shapes = " or ".join(_SHAPES[what][n] for n in ndims) if what in _SHAPES else ""
        raise ValueError(
            f"{name} must have {_or(ndims)} dimensions{' ' + shapes if shapes else ''}, "
            f"got {array.ndim} dimension{'s' if array.ndim != 1 else ''} (shape {array.shape})"
        )
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    return array


def _or(ndims) -> str:
    words = [str(n) for n in ndims]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


_SHAPES = {
    "image": {2: "(H, W)", 3: "(C, H, W)", 4: "(N, C, H, W)"},
    "kernel": {2: "(kH, kW)", 3: "(C, kH, kW)", 4: "(O, C, kH, kW)"},
    "hwc": {3: "(H, W, C)"},
    "grid": {2: "(rows, cols)"},
    "transposed_kernel": {4: "(C_in, C_out, kH, kW)"},
    "image1d": {2: "(C, L)", 3: "(N, C, L)"},
    "kernel1d": {3: "(O, C, kL)"},
    "transposed_kernel1d": {3: "(C_in, C_out, kL)"},
    "image3d": {4: "(C, D, H, W)", 5: "(N, C, D, H, W)"},
    "kernel3d": {5: "(O, C, kD, kH, kW)"},
    "transposed_kernel3d": {5: "(C_in, C_out, kD, kH, kW)"},
}


def check_int(value, name: str, *, minimum: int | None = None,
              maximum: int | None = None) -> int:
    """``value`` as a Python int, refusing floats, bools and strings.

    With ``minimum`` and ``maximum`` both given, a value outside them is
    "between minimum and maximum".
    """
    if type(value) is not int:  # a plain int (not a bool) skips the slower ABC checks
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {describe(value)}")
        value = int(value)
    if maximum is not None:
        if minimum is not None and not minimum <= value <= maximum:
            raise ValueError(f"{name} must be between {minimum} and {maximum}, got {value}")
        if value > maximum:
            raise ValueError(f"{name} must be <= {maximum}, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_pair(value, name: str, *, minimum: int | None = None) -> tuple[int, int]:
    """An int or a (height, width) pair of ints, widened to a pair."""
    if isinstance(value, (tuple, list, np.ndarray)):
        items = list(value)
        if len(items) != 2:
            raise ValueError(
                f"{name} must be an int or a (height, width) pair, got {describe(value)}"
            )
        return (check_int(items[0], f"{name}[0]", minimum=minimum),
                check_int(items[1], f"{name}[1]", minimum=minimum))
    value = check_int(value, name, minimum=minimum)
    return value, value


def check_choice(value, name: str, choices) -> str:
    """``value`` if it is one of ``choices`` (strings), else a clear error."""
    listed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listed}, got {describe(value)}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


def check_explicit_padding(padding, name: str = "padding") -> tuple[tuple[int, int], tuple[int, int]]:
    """An explicit padding spec widened to ``((top, bottom), (left, right))``.

    Accepts an int (all four sides), an ``(ph, pw)`` pair (both sides of each
    axis) or a pair of ``(before, after)`` pairs. Every amount must be >= 0.
    """
    if isinstance(padding, (tuple, list)) and len(padding) == 2 and all(
        isinstance(p, (tuple, list)) for p in padding
    ):
        rows, cols = padding
        if len(rows) != 2 or len(cols) != 2:
            raise ValueError(
                f"{name} given as pairs must be ((top, bottom), (left, right)), "
                f"got {describe(padding)}"
            )
        return ((check_int(rows[0], f"{name} top", minimum=0),
                 check_int(rows[1], f"{name} bottom", minimum=0)),
                (check_int(cols[0], f"{name} left", minimum=0),
                 check_int(cols[1], f"{name} right", minimum=0)))
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2 or any(isinstance(p, (tuple, list)) for p in padding):
            raise ValueError(
                f"{name} must be an int, a (height, width) pair or "
                f"((top, bottom), (left, right)), got {describe(padding)}"
            )
    if isinstance(padding, str):
        raise ValueError(
            f"{name} must be an int, a (height, width) pair or ((top, bottom), (left, right)) "
            f"here, got {padding!r}"
        )
    if not isinstance(padding, (tuple, list)) and not isinstance(padding, numbers.Integral):
        raise TypeError(
            f"{name} must be an int, a (height, width) pair or ((top, bottom), (left, right)), "
            f"got {describe(padding)}"
        )
    ph, pw = check_pair(padding, name, minimum=0)
    return (ph, ph), (pw, pw)


def check_fits(input_hw, pads, kernel_hw, dilation, name: str = "kernel") -> tuple[int, ...]:
    """Dilated kernel extent per axis, or a clear error if it does not fit the padded input.

    ``pads`` is ``((top, bottom), (left, right))`` (one ``(before, after)``
    pair per spatial axis: one for 1-D, three for 3-D). Stride is applied by
    the caller; this checks only that the dilated kernel fits at least once.
    """
    axes = range(len(kernel_hw))
    padded = tuple(input_hw[a] + pads[a][0] + pads[a][1] for a in axes)
    extent = tuple(dilation[a] * (kernel_hw[a] - 1) + 1 for a in axes)
    if any(extent[a] > padded[a] for a in axes):
        need = max(-(-(extent[a] - input_hw[a]) // 2) for a in axes)
        raise ValueError(
            f"{name} of size {_by(kernel_hw)} (dilated {_by(extent)}) "
            f"does not fit in the padded input {_by(padded)}: "
            f"use padding >= {need} or a smaller {name}"
        )
    return extent


def _by(sizes) -> str:
    return "x".join(str(s) for s in sizes)


#: How the spatial axes of a layer are named, by their number.
SPATIAL = {1: "(L)", 2: "(H, W)", 3: "(D, H, W)"}
_AXES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def check_ints(value, name: str, n: int, *, minimum: int | None = None) -> tuple[int, ...]:
    """An int or a tuple of ``n`` ints (one per spatial axis), widened to the tuple.

    For ``n == 2`` this is :func:`check_pair`, with its messages.
    """
    if n == 2:
        return check_pair(value, name, minimum=minimum)
    if isinstance(value, (tuple, list, np.ndarray)):
        items = list(value)
        if len(items) != n:
            axes = ", ".join(_AXES[n])
            raise ValueError(f"{name} must be an int or a tuple of {n} ints ({axes}), "
                             f"got {describe(value)}")
        return tuple(check_int(v, f"{name}[{k}]", minimum=minimum) for k, v in enumerate(items))
    return (check_int(value, name, minimum=minimum),) * n


def check_layer(x, weight, bias, *, transposed=False, groups=1, dims=2):
    """Validate a layer's input, weight, bias and groups; return them as arrays.

    ``x`` is ``(N, C, *spatial)`` or ``(C, *spatial)`` with ``dims`` spatial
    axes; ``weight`` is ``(O, C/groups, *k)``, or ``(C_in, C_out/groups, *k)``
    for a transposed convolution (PyTorch's layouts); ``bias`` is None or one
    value per output channel. ``groups`` must divide both channel counts.
    Returns ``(x_batched, weight, bias, batched, dtype, groups)`` with
    ``x_batched`` always ``(N, C, *spatial)``.
    """
    suffix = "" if dims == 2 else f"{dims}d"
    x = as_array(x, "x", (dims + 1, dims + 2), what="image" + suffix)
    weight = as_array(weight, "weight", dims + 2,
                      what=("transposed_kernel" if transposed else "kernel") + suffix)
    groups = check_int(groups, "groups", minimum=1)
    layout = _SHAPES[("transposed_kernel" if transposed else "kernel") + suffix][dims + 2]
    if groups > 1:
        layout = layout.replace("C_out", "C_out/groups").replace("O, C,", "O, C/groups,")
    batched = x.ndim == dims + 2
    xb = x if batched else x[None]
    channels = xb.shape[1]
    if transposed:
        c_in, c_out = weight.shape[0], weight.shape[1] * groups
    else:
        c_in, c_out = weight.shape[1] * groups, weight.shape[0]
    if channels % groups or c_out % groups:
        raise ValueError(
            f"groups={groups} must divide both the input channels ({channels}, x of shape "
            f"{x.shape}) and the output channels ({c_out}, weight of shape {weight.shape}, "
            f"{layout}): each group maps C/groups inputs to O/groups outputs"
        )
    if c_in != channels:
        if transposed:
            hint = (" (a transposed convolution's weight is laid out (C_in, C_out, kH, kW), the "
                    "transpose of conv2d's (O, C, kH, kW))")
        elif groups > 1:
            hint = (f" (with groups={groups}, weight's second axis holds C/groups = "
                    f"{channels // groups} channels if C = {channels})")
        else:
            hint = ""
        raise ValueError(
            f"weight expects {c_in} input channels (shape {weight.shape}, {layout}"
            f"{f', groups={groups}' if groups > 1 else ''}), but x has {channels} channels "
            f"(shape {x.shape}): the {'C_in' if transposed else 'C'} axes must match{hint}"
        )
    dtypes = [x.dtype, weight.dtype]
    if bias is not None:
        bias = as_array(bias, "bias", 1)
        if bias.shape[0] != c_out:
            raise ValueError(
                f"bias must have one value per output channel, shape ({c_out},), "
                f"got shape {bias.shape}"
            )
        dtypes.append(bias.dtype)
    return xb, weight, bias, batched, compute_dtype(*dtypes), groups


def check_filter(image, filt, bias):
    """Validate a multi-channel image, a filter and a scalar bias."""
    image = as_array(image, "image", 3, what="image")
    filt = as_array(filt, "filt", 3, what="kernel")
    if filt.shape[0] != image.shape[0]:
        raise ValueError(
            f"filt has {filt.shape[0]} kernels (shape {filt.shape}, (C, kH, kW)) but image has "
            f"{image.shape[0]} channels (shape {image.shape}): a filter needs one kernel per "
            f"input channel"
        )
    if isinstance(bias, (bool, np.bool_)) or not isinstance(bias, numbers.Real):
        raise TypeError(f"bias must be a real number, got {describe(bias)}")
    return image, filt, float(bias), compute_dtype(image.dtype, filt.dtype)


def check_shape(shape, name, ndims):
    """``shape`` as a tuple of ints >= 1 with one of ``ndims`` entries."""
    if isinstance(shape, np.ndarray):
        shape = tuple(shape.tolist())
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of ints (a shape), got {describe(shape)}")
    if len(shape) not in ndims:
        raise ValueError(
            f"{name} must have {' or '.join(str(n) for n in ndims)} entries, "
            f"got {len(shape)} ({tuple(shape)})"
        )
    return tuple(check_int(s, f"{name}[{k}]", minimum=1) for k, s in enumerate(shape))


def check_grad_output(grad_output, expected, name="grad_output"):
    grad_output = as_array(grad_output, name, len(expected))
    if grad_output.shape != tuple(expected):
        raise ValueError(
            f"{name} must have the shape of the forward output, {tuple(expected)}, "
            f"got {grad_output.shape}"
        )
    return grad_output


#: Padding modes, named as in PyTorch (``'zeros'`` is ``'constant'`` with 0).
PADDING_MODES = ("zeros", "constant", "reflect", "replicate", "circular")


def check_pad_args(x, padding, mode, value):
    """Validate :func:`pad2d`'s arguments; return the array and explicit padding.

    Shared with :func:`convlab.naive.pad2d`. ``reflect`` needs every pad
    smaller than its axis and ``circular`` at most the axis, as in PyTorch.
    """
    array = as_array(x, "x", (2, 3, 4, 5))
    pads = check_explicit_padding(padding, "padding")
    check_choice(mode, "mode", PADDING_MODES)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a real number, got {describe(value)}")
    if mode in ("reflect", "circular"):
        for (before, after), size, axis in zip(pads, array.shape[-2:], ("height", "width")):
            check_pad_fits(before, after, size, axis, mode, strict=mode == "reflect")
    return array, pads


def check_pad_fits(before, after, size, axis, mode, strict):
    """Refuse a ``reflect`` pad (``strict``) of the axis size or more, a ``circular`` one
    larger than the axis (PyTorch's rules); ``axis`` names it in the message."""
    largest = max(before, after)
    if (largest >= size) if strict else (largest > size):
        bound = f"< {size}" if strict else f"<= {size}"
        raise ValueError(
            f"padding {largest} along the {axis} is too large for mode {mode!r} on an input "
            f"of {axis} {size}: {mode} padding must be {bound}"
        )
