"""Exercises of notebook 11_assignment_conv_layer: a convolution layer's forward and backward passes.

The graded coding assignment in the CS231n style: the learner writes
multi-channel ``conv2d`` (stride and zero padding) with loops, then its two
gradients under the names ``torch.nn.grad`` gives them, ``conv2d_input`` and
``conv2d_weight``. Each is a function exercise: the learner's function is
called on 25 small random cases (a seed picks other cases), its outputs are
compared with convlab's own :func:`convlab.conv2d` and
:mod:`convlab.grad` functions, which the judge calls and the notebook never
shows, and a function that calls a library convolution (convlab's, SciPy's or
PyTorch's, forward or gradient) is refused.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: the question, the default numbers, how a seed varies them, the
reference answer written as plain loops, and the judge.
"""

from __future__ import annotations

import numpy as np

from ..convolution import conv2d
from ..grad import conv2d_input as _library_input_gradient
from ..grad import conv2d_weight as _library_weight_gradient
from ._judging import close, correct, function_output, wrong
from ._concepts import choice
from ._registry import exercise, report

NOTEBOOK = "11_assignment_conv_layer"

__all__ = ["conv2d_forward", "conv2d_input_gradient", "conv2d_weight_gradient",
           "zero_gradient_pixels", "why_central_differences"]

_TRIALS = 25


# The test cases: small, so a plain Python loop checks all 25 in a blink -------------------

def _geometry(rng, index):
    """Shapes, stride and padding of one case; the first four cover every feature."""
    n = int(rng.integers(1, 3))
    c = int(rng.integers(1, 4))
    o = int(rng.integers(1, 4))
    stride = int(rng.integers(1, 4))
    padding = int(rng.integers(0, 3))
    if index == 0:                                   # stride, padding, channels, batch at once
        n, c, o, stride, padding = 2, 2, 3, 2, 1
    elif index == 1:                                 # a stride that leaves pixels unvisited
        n, stride, padding = 1, 2, 0
    elif index == 2:                                 # stride 1, no padding: the plain case
        stride, padding = 1, 0
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    h = int(rng.integers(max(kh - 2 * padding, 1) + 1, 8))
    w = int(rng.integers(max(kw - 2 * padding, 1) + 1, 8))
    if index == 1:                                   # (h - kh) not a multiple of the stride
        kh, kw, h, w = 2, 3, 7, 8
    if index == 0 and h == w:                        # not square, so swapped axes show
        w += 1
    return (n, c, h, w), (o, c, kh, kw), stride, padding


def _arrays(rng, x_shape, w_shape, stride, padding):
    x = rng.integers(-4, 5, size=x_shape).astype(float)
    weight = rng.integers(-3, 4, size=w_shape).astype(float)
    out_shape = conv2d(x, weight, stride=stride, padding=padding).shape
    grad_output = rng.integers(-3, 4, size=out_shape).astype(float)
    return x, weight, grad_output


def _all_cases(m):
    rng = np.random.default_rng(m["seed"])
    return [(*_arrays(rng, *shapes), *shapes[2:])
            for shapes in (_geometry(rng, k) for k in range(m["trials"]))]


def _forward_cases(m):
    return [(x, weight, stride, padding)
            for x, weight, _, stride, padding in _all_cases(m)]


def _input_cases(m):
    return [(tuple(x.shape), weight, grad_output, stride, padding)
            for x, weight, grad_output, stride, padding in _all_cases(m)]


def _weight_cases(m):
    return [(x, tuple(weight.shape), grad_output, stride, padding)
            for x, weight, grad_output, stride, padding in _all_cases(m)]


def _variant(rng, seed):
    return dict(trials=_TRIALS, seed=int(rng.integers(2**31)))


def _describe(x_shape, w_shape, stride, padding):
    return (f"x of shape {tuple(x_shape)}, a weight of shape {tuple(w_shape)}, "
            f"stride {stride} and padding {padding}")


def _swapped(mine, expected):
    """True when ``mine`` is ``expected`` with rows and columns exchanged."""
    turned = np.swapaxes(expected, -1, -2)
    return (expected.shape[-1] != expected.shape[-2] or not close(mine, expected)) and \
        mine.shape == turned.shape and close(mine, turned)


_SWAPPED = ("your result has rows and columns exchanged: the third axis is the row "
            "(height), the fourth the column (width), in the input, the weight and the "
            "output alike.")


# 11.1 -------------------------------------------------------------------------------------

def conv2d_forward(answer):
    """Check exercise 11.1 (your multi-channel conv2d forward pass, a function); prints the verdict."""
    report("conv2d_forward", answer)


def _reference_conv2d(x, weight, stride, padding):
    """conv2d forward with explicit loops: zero padding, stride, channels summed."""
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    n_images, channels, height, width = x.shape
    filters, _, kh, kw = weight.shape
    padded = np.zeros((n_images, channels, height + 2 * padding, width + 2 * padding))
    padded[:, :, padding:padding + height, padding:padding + width] = x
    out_h = (height + 2 * padding - kh) // stride + 1
    out_w = (width + 2 * padding - kw) // stride + 1
    out = np.zeros((n_images, filters, out_h, out_w))
    for n in range(n_images):
        for o in range(filters):
            for i in range(out_h):
                for j in range(out_w):
                    total = 0.0
                    for c in range(channels):
                        for a in range(kh):
                            for b in range(kw):
                                total += (weight[o, c, a, b]
                                          * padded[n, c, i * stride + a, j * stride + b])
                    out[n, o, i, j] = total
    return out


@exercise(
    conv2d_forward, title="A convolution layer, forward", kind="function", points=4,
    answer="a function my_conv2d(x, weight, stride, padding) returning a 4-D array",
    question=(
        "Write my_conv2d(x, weight, stride, padding) with explicit loops. x has shape "
        "(N, C, H, W), weight (O, C, kH, kW); stride and padding are whole numbers (the "
        "same along both axes, zero padding on every side). Return the (N, O, H', W') "
        "output, H' = floor((H + 2*padding - kH) / stride) + 1 (W' likewise), where "
        "out[n, o, i, j] sums weight[o, c, a, b] * x_padded[n, c, i*stride + a, "
        "j*stride + b] over every channel c and every kernel position (a, b): "
        "correlation, the kernel not flipped, and no bias. Pass the function itself; it "
        "is checked on {trials} small random layers, against a reference the notebook "
        "does not show. Calling a library convolution does not count."),
    numbers=dict(trials=_TRIALS, seed=1111),
    variant=_variant, cases=_forward_cases, solve=None,
    reference=_reference_conv2d,
)
def _conv2d_forward(m, cases, outputs):
    for (x, weight, stride, padding), output in zip(cases, outputs):
        description = _describe(x.shape, weight.shape, stride, padding)
        mine = function_output(output, f"{description}")
        expected = conv2d(x, weight, stride=stride, padding=padding)
        if mine.shape == expected.shape and close(mine, expected):
            continue
        if _swapped(mine, expected):
            return wrong(f"for {description}: " + _SWAPPED)
        if mine.shape != expected.shape:
            if stride > 1 and mine.shape == conv2d(x, weight, padding=padding).shape:
                return wrong(f"for {description} your output has the size of a stride-1 "
                             "output: the windows start every stride pixels, at "
                             "i*stride, so there are floor((H + 2*padding - kH) / stride) "
                             "+ 1 of them along the rows.")
            if padding > 0 and mine.shape[-2:] == tuple(
                    (s - k) // stride + 1 for s, k in zip(x.shape[2:], weight.shape[2:])):
                return wrong(f"for {description} your output has the size of an "
                             "unpadded one: pad x with padding zeros on every side first.")
            return wrong(f"for {description} your output has shape {mine.shape}; it "
                         "should be (N, O, H', W'): one plane per image and per filter, "
                         "H' = floor((H + 2*padding - kH) / stride) + 1 and W' likewise.")
        if close(mine, conv2d(x, weight[:, :, ::-1, ::-1], stride=stride, padding=padding)):
            return wrong("your loop flips the kernel (true convolution); a convolution "
                         "layer correlates: weight[o, c, a, b] multiplies "
                         "x_padded[n, c, i*stride + a, j*stride + b].")
        if x.shape[1] > 1 and close(mine, conv2d(x[:, :1], weight[:, :1], stride=stride,
                                                 padding=padding)):
            return wrong(f"for {description} your output uses only the first input "
                         "channel: a filter sums its products over every channel c.")
        return wrong(f"for {description} your output has the right shape but not the "
                     "right values. Check where the window of out[n, o, i, j] starts "
                     "(row i*stride, column j*stride of the padded input) and that you "
                     "add the products over every c, a and b.")
    return correct(f"your loops agree with the reference on all {len(cases)} layers "
                   "(batches of 1 or 2, 1 to 3 channels and filters, strides 1 to 3, "
                   "padding 0 to 2). Six nested loops are the whole definition; a fast "
                   "version only reorders the same multiply-adds.")


# 11.2 -------------------------------------------------------------------------------------

def conv2d_input_gradient(answer):
    """Check exercise 11.2 (your gradient with respect to the input, a function); prints the verdict."""
    report("conv2d_input_gradient", answer)


def _reference_conv2d_input(input_shape, weight, grad_output, stride, padding):
    """dL/dx with explicit loops: each output's gradient goes back to its window's pixels."""
    weight = np.asarray(weight, dtype=float)
    grad_output = np.asarray(grad_output, dtype=float)
    n_images, channels, height, width = input_shape
    filters, _, kh, kw = weight.shape
    _, _, out_h, out_w = grad_output.shape
    grad_padded = np.zeros((n_images, channels, height + 2 * padding, width + 2 * padding))
    for n in range(n_images):
        for o in range(filters):
            for i in range(out_h):
                for j in range(out_w):
                    for c in range(channels):
                        for a in range(kh):
                            for b in range(kw):
                                grad_padded[n, c, i * stride + a, j * stride + b] += (
                                    weight[o, c, a, b] * grad_output[n, o, i, j])
    return grad_padded[:, :, padding:padding + height, padding:padding + width]


@exercise(
    conv2d_input_gradient, title="The gradient with respect to the input", kind="function",
    points=3,
    answer=("a function my_conv2d_input(input_shape, weight, grad_output, stride, padding) "
            "returning a 4-D array"),
    question=(
        "Write my_conv2d_input(input_shape, weight, grad_output, stride, padding), the "
        "gradient of the loss with respect to x (torch.nn.grad.conv2d_input). "
        "input_shape is x's shape (N, C, H, W), weight (O, C, kH, kW) and grad_output "
        "(N, O, H', W') the loss's gradient with respect to the forward output. Return "
        "an array of shape input_shape: every output out[n, o, i, j] read the padded "
        "pixel x_padded[n, c, i*stride + a, j*stride + b] through weight[o, c, a, b], so "
        "that pixel's gradient collects weight[o, c, a, b] * grad_output[n, o, i, j]. "
        "Padding pixels are not part of x, and pixels no window reached get 0. Check "
        "it with the numerical gradient first; then it is checked on {trials} random "
        "layers."),
    numbers=dict(trials=_TRIALS, seed=2222),
    variant=_variant, cases=_input_cases, solve=None,
    reference=_reference_conv2d_input,
)
def _conv2d_input_gradient(m, cases, outputs):
    for (shape, weight, grad_output, stride, padding), output in zip(cases, outputs):
        description = _describe(shape, weight.shape, stride, padding)
        mine = function_output(output, description)
        expected = _library_input_gradient(shape, weight, grad_output, stride=stride,
                                           padding=padding)
        if mine.shape == expected.shape and close(mine, expected):
            continue
        if _swapped(mine, expected):
            return wrong(f"for {description}: " + _SWAPPED)
        if mine.shape != expected.shape:
            n, c, h, w = shape
            if padding > 0 and mine.shape == (n, c, h + 2 * padding, w + 2 * padding):
                return wrong(f"for {description} you return the gradient of the padded "
                             "input: the padding zeros are not part of x, so crop "
                             "padding rows and columns from every side.")
            return wrong(f"for {description} your gradient has shape {mine.shape}: the "
                         "gradient with respect to x has x's shape, input_shape.")
        flipped = _library_input_gradient(shape, weight[:, :, ::-1, ::-1], grad_output,
                                          stride=stride, padding=padding)
        if not close(flipped, expected) and close(mine, flipped):
            return wrong("your gradient uses the kernel turned by half a turn. As a "
                         "scatter it needs no flip: the gradient of x_padded[n, c, "
                         "i*stride + a, j*stride + b] collects weight[o, c, a, b] * "
                         "grad_output[n, o, i, j]. (Written as a full convolution of "
                         "grad_output, it is the flip that makes it right.)")
        return wrong(f"for {description} your gradient has the right shape but not the "
                     "right values. Compare it with the numerical gradient on a small "
                     "case with this stride and padding: each output's gradient goes "
                     "back, through each weight, to the pixel that weight multiplied.")
    return correct(f"your gradient agrees with the reference on all {len(cases)} layers, "
                   "strides and paddings included. The same scatter is a transposed "
                   "convolution (notebook 09): the backward pass of a convolution.")


# 11.3 -------------------------------------------------------------------------------------

def conv2d_weight_gradient(answer):
    """Check exercise 11.3 (your gradient with respect to the weight, a function); prints the verdict."""
    report("conv2d_weight_gradient", answer)


def _reference_conv2d_weight(x, weight_shape, grad_output, stride, padding):
    """dL/dweight with explicit loops: every window's pixels times its output's gradient."""
    x = np.asarray(x, dtype=float)
    grad_output = np.asarray(grad_output, dtype=float)
    n_images, channels, height, width = x.shape
    filters, _, kh, kw = weight_shape
    _, _, out_h, out_w = grad_output.shape
    padded = np.zeros((n_images, channels, height + 2 * padding, width + 2 * padding))
    padded[:, :, padding:padding + height, padding:padding + width] = x
    grad_weight = np.zeros((filters, channels, kh, kw))
    for n in range(n_images):
        for o in range(filters):
            for i in range(out_h):
                for j in range(out_w):
                    for c in range(channels):
                        for a in range(kh):
                            for b in range(kw):
                                grad_weight[o, c, a, b] += (
                                    padded[n, c, i * stride + a, j * stride + b]
                                    * grad_output[n, o, i, j])
    return grad_weight


@exercise(
    conv2d_weight_gradient, title="The gradient with respect to the weight",
    kind="function", points=3,
    answer=("a function my_conv2d_weight(x, weight_shape, grad_output, stride, padding) "
            "returning a 4-D array"),
    question=(
        "Write my_conv2d_weight(x, weight_shape, grad_output, stride, padding), the "
        "gradient of the loss with respect to the weight (torch.nn.grad.conv2d_weight). "
        "x has shape (N, C, H, W), weight_shape is (O, C, kH, kW) and grad_output "
        "(N, O, H', W'). Return an array of shape weight_shape: weight[o, c, a, b] "
        "multiplied x_padded[n, c, i*stride + a, j*stride + b] in every output "
        "out[n, o, i, j], so its gradient adds up those pixels times grad_output[n, o, "
        "i, j], over every image n and every output position (i, j). Check it with the "
        "numerical gradient first; then it is checked on {trials} random layers."),
    numbers=dict(trials=_TRIALS, seed=3333),
    variant=_variant, cases=_weight_cases, solve=None,
    reference=_reference_conv2d_weight,
)
def _conv2d_weight_gradient(m, cases, outputs):
    for (x, shape, grad_output, stride, padding), output in zip(cases, outputs):
        description = _describe(x.shape, shape, stride, padding)
        mine = function_output(output, description)
        expected = _library_weight_gradient(x, shape, grad_output, stride=stride,
                                            padding=padding)
        if mine.shape == expected.shape and close(mine, expected):
            continue
        if _swapped(mine, expected):
            return wrong(f"for {description}: " + _SWAPPED)
        if mine.shape != expected.shape:
            return wrong(f"for {description} your gradient has shape {mine.shape}: the "
                         "gradient with respect to the weight has the weight's shape, "
                         "weight_shape (O, C, kH, kW).")
        turned = expected[:, :, ::-1, ::-1]
        if not close(turned, expected) and close(mine, turned):
            return wrong("your gradient comes out turned by half a turn: weight[o, c, a, "
                         "b] multiplied x_padded[n, c, i*stride + a, j*stride + b], so "
                         "that pixel (not its mirror image) goes into its gradient.")
        if x.shape[0] > 1:
            first = _library_weight_gradient(x[:1], shape, grad_output[:1], stride=stride,
                                             padding=padding)
            if not close(first, expected) and close(mine, first):
                return wrong(f"for {description} your gradient uses only the first "
                             "image: the weight is shared by the whole batch, so its "
                             "gradient adds up over every image n.")
        return wrong(f"for {description} your gradient has the right shape but not the "
                     "right values. Compare it with the numerical gradient on a small "
                     "case with this stride and padding: each weight's gradient adds, "
                     "over every output, the pixel it multiplied times that output's "
                     "gradient.")
    return correct(f"your gradient agrees with the reference on all {len(cases)} layers. "
                   "It is a correlation of the input with grad_output: the same sliding "
                   "window again, with the output's gradient as the kernel.")


# 11.4: check your understanding -----------------------------------------------------------

def zero_gradient_pixels(answer):
    """Check question 11.4 (predict which input pixels always get a zero gradient)."""
    report("zero_gradient_pixels", answer)


def _unread_variant(rng, seed):
    while True:
        stride = int(rng.choice([2, 3]))
        kernel = stride + int(rng.integers(0, 2))             # wide enough to skip nothing
        size = int(rng.integers(kernel + 2, 12))
        if (size - kernel) % stride:
            return dict(kernel_size=kernel, stride=stride, size=size)


def _unread(m):
    """How many last rows no window reads, from convlab's input gradient of all-ones."""
    k, s, i = m["kernel_size"], m["stride"], m["size"]
    o = (i - k) // s + 1
    grad = _library_input_gradient((1, 1, i, i), np.ones((1, 1, k, k)),
                                   np.ones((1, 1, o, o)), stride=s)[0, 0]
    unread = int(np.sum(~grad.any(axis=1)))
    lines = "row and column" if unread == 1 else f"{unread} rows and {unread} columns"
    return dict(unread=lines, outputs=o, every={2: "other", 3: "third"}[s])


choice(
    zero_gradient_pixels, title="Predict: pixels with no gradient",
    question=(
        "A layer with a {kernel_size}x{kernel_size} kernel at stride {stride}, no padding, "
        "reads a square input, {size}x{size}. Predict: which input pixels always get a gradient of "
        "exactly zero from my_conv2d_input, whatever the weights and grad_output are?"),
    numbers=dict(kernel_size=2, stride=2, size=7),
    variant=_unread_variant, derive=_unread,
    right="the last {unread}: no window reads them",
    wrong={
        "none: every pixel feeds some output, so every pixel gets a gradient":
            "a pixel's gradient is a sum over the windows that read it, and at a stride "
            "above 1 not every pixel need be read: find where each window starts and "
            "ends.",
        "every {every} row and column: the stride skips them":
            "the windows start {stride} apart but are {kernel_size} pixels wide, at least "
            "the stride, so between one window and the next no pixel is skipped.",
        "the first {unread}":
            "the first window starts at row 0, column 0: those pixels are always read.",
        "the pixels on the border: fewer windows read them":
            "fewer windows means a sum of fewer terms, not zero: a pixel read by even one "
            "window gets that window's weight times its output's gradient.",
    },
    why=("{outputs} windows fit along each axis, starting {stride} apart at 0, and the last "
         "one stops before the edge: floor(({size} - {kernel_size}) / {stride}) + 1 = "
         "{outputs}. The pixels after it, the last {unread}, are read by no window, so the "
         "loss does not depend on them and their gradient is 0; that is also why "
         "conv_transpose2d needs output_padding to give back the input's shape."),
    reference="d",
)


# 11.5 -------------------------------------------------------------------------------------

def why_central_differences(answer):
    """Check question 11.5 (why the gradient check nudges both ways); prints the verdict."""
    report("why_central_differences", answer)


def _difference_errors(m):
    """The errors of both differences of f(v) = v**3 at v, computed (the truth per seed)."""
    v, h = m["at"], m["h"]
    f, exact = (lambda u: u ** 3), 3 * v ** 2
    one_sided = abs((f(v + h) - f(v)) / h - exact)
    central = abs((f(v + h) - f(v - h)) / (2 * h) - exact)
    return dict(one_sided=f"{one_sided:.1e}", central=f"{central:.1e}")


choice(
    why_central_differences, title="Why nudge both ways",
    question=(
        "The gradient check of this notebook nudges each entry up and down, "
        "(L(v + h) - L(v - h)) / 2h, where (L(v + h) - L(v)) / h would need only one nudge. "
        "Why the two-sided version? (The cell after the checker measures both on "
        "f(v) = v^3 at v = {at}, with h = {h}.)"),
    numbers=dict(at=1.0, h=1e-3),
    variant=lambda rng, seed: dict(at=float(rng.choice([0.5, 1.0, 2.0, 3.0])),
                                   h=float(rng.choice([1e-2, 1e-3, 1e-4]))),
    derive=_difference_errors,
    right=("its error shrinks like h^2 instead of h, so at the same h it agrees with the "
           "true gradient to many more digits"),
    wrong={
        "the one-sided difference is wrong even for a loss that is linear in v":
            "for a linear loss both differences are exact, up to rounding: they differ "
            "only where the loss curves. (The layer's loss here is linear in x and in the "
            "weight, so either would do for it.)",
        "nudging both ways cancels the rounding errors of floating point":
            "rounding errors do not cancel between the two evaluations; they grow as h "
            "shrinks, for both formulas alike.",
        "it needs fewer evaluations of the loss":
            "it needs two per entry, L(v + h) and L(v - h); the one-sided version computes "
            "L(v) once and then one more per entry, about half as many.",
    },
    why=("by Taylor, L(v + h) = L(v) + h L'(v) + h^2/2 L''(v) + ..., so the one-sided "
         "difference is off by about h/2 L''(v), while in the two-sided one the h^2 terms "
         "cancel and the error is about h^2/6 L'''(v). For f(v) = v^3 at v = {at} with "
         "h = {h}: one-sided error {one_sided}, two-sided {central}."),
    reference="a",
)
