"""Exercises of notebook 07_learning_kernels: weight and bias gradients, an SGD step.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge.
"""

from __future__ import annotations

import numpy as np

from .. import grad
from ._judging import (array_verdict, close, correct, fmt, number, number_array,
                       sum_of_products, wrong)
from ._registry import exercise, report

NOTEBOOK = "07_learning_kernels"

__all__ = ["weight_gradient_value", "bias_gradient", "gradient_step"]

# A 4x4 input and the gradient of its 2x2 correlation output (3x3 kernel); the
# gradient of a batch of two outputs; one SGD step.
_GRAD_INPUT = np.array([[1, 2, 0, 1],
                        [0, 1, 3, 2],
                        [2, 0, 1, 1],
                        [1, 3, 0, 2]], dtype=float)
_GRAD_OUTPUT = np.array([[1, 0],
                         [-1, 2]], dtype=float)
_BIAS_GRAD = np.array([[[[1, -2, 0], [3, 1, -1]]],
                       [[[0, 2, 1], [-1, 0, 4]]]], dtype=float)
_STEP_KERNEL = np.array([[0.5, -1.0], [2.0, 0.0]])
_STEP_GRADIENT = np.array([[1.0, -2.0], [0.5, 4.0]])


# 07.1 -------------------------------------------------------------------------------------

def weight_gradient_value(answer):
    """Check exercise 07.1 (the gradient of one kernel weight); prints the verdict."""
    report("weight_gradient_value", answer)


def _weight_by_hand(m):
    (a, b), image, g = m["position"], m["image"], m["grad_output"]
    return sum(g[i, j] * image[i + a, j + b] for i in range(2) for j in range(2))


def _weight_variant(rng, seed):
    while True:
        m = dict(image=rng.integers(0, 4, size=(4, 4)).astype(float),
                 grad_output=rng.integers(-2, 3, size=(2, 2)).astype(float), kernel_size=3,
                 position=tuple(int(v) for v in rng.integers(0, 3, size=2)))
        a, b = m["position"]
        window = m["image"][a:a + 2, b:b + 2]
        value = _weight_by_hand(m)
        mistakes = {_weight_by_hand(dict(m, position=(b, a))), window.sum(),
                    (window * m["grad_output"][::-1, ::-1]).sum()}
        if value != 0 and value not in mistakes and np.count_nonzero(m["grad_output"]) >= 3:
            return m


@exercise(
    weight_gradient_value, title="The gradient of one kernel weight", answer="a number",
    question=(
        "A {kernel_size}x{kernel_size} kernel w is correlated with the image\n{image}\n"
        "(no padding, stride 1), giving a 2x2 output y. Backpropagation hands the layer "
        "the gradient of the loss with respect to each output, dL/dy =\n{grad_output}\n"
        "What is dL/dw[{position[0]}, {position[1]}], the gradient with respect to the "
        "weight in row {position[0]}, column {position[1]}? Each output used that weight "
        "once, on one input pixel: add up dL/dy[i, j] times that pixel."),
    numbers=dict(image=lambda: _GRAD_INPUT.copy(), grad_output=lambda: _GRAD_OUTPUT.copy(),
                 kernel_size=3, position=(1, 2)),
    variant=_weight_variant, solve=_weight_by_hand,
    # Output (i, j) met w[1, 2] on image[i + 1, j + 2]: the block of rows 1-2,
    # columns 2-3, [[3, 2], [1, 1]], paired with dL/dy = [[1, 0], [-1, 2]].
    reference=1*3 + 0*2 + (-1)*1 + 2*1,                      # = 4
)
def _weight_gradient_value(m, answer):
    image, g, (a, b), k = m["image"], m["grad_output"], m["position"], m["kernel_size"]
    value = number(answer)
    dw = grad.conv2d_weight(image[None, None], (1, 1, k, k), g[None, None])[0, 0]
    gh, gw = g.shape
    window = image[a:a + gh, b:b + gw]
    if close(value, dw[a, b]):
        return correct(f"dL/dw[{a}, {b}] = {sum_of_products(window, g)} = "
                       f"{fmt(dw[a, b])}: weight ({a}, {b}) met input pixel "
                       f"(i + {a}, j + {b}) when making output (i, j). Those pixels form the "
                       "image correlated with dL/dy, which is grad.conv2d_weight; the "
                       "kernel's own values never enter.")
    if close(value, dw[b, a]):
        return wrong(f"that is dL/dw[{b}, {a}]: the first index is the row (down), the "
                     "second the column (across).")
    if close(value, window.sum()):
        return wrong("you added up the input pixels the weight met, but each one counts as "
                     "much as the gradient of the output it went into: multiply each by "
                     "its dL/dy first.")
    if close(value, (window * g[::-1, ::-1]).sum()):
        return wrong("the gradients are paired with the pixels in the wrong order (flipped): "
                     "output (i, j) used the pixel at (i + row, j + column) of the weight, "
                     "so dL/dy[0, 0] goes with the top-left pixel of the block.")
    return wrong(f"output (i, j) multiplied w[{a}, {b}] by image[i + {a}, j + {b}]. List "
                 "those pixels for the outputs (0, 0), (0, 1), (1, 0), (1, 1), multiply each "
                 "by that output's dL/dy and add the products.")


# 07.2 -------------------------------------------------------------------------------------

def bias_gradient(answer):
    """Check exercise 07.2 (the gradient of a bias over a batch); prints the verdict."""
    report("bias_gradient", answer)


def _bias_variant(rng, seed):
    while True:
        g = rng.integers(-3, 5, size=(2, 1, 2, 3)).astype(float)
        total = g.sum()
        if total not in (g[0].sum(), g[1].sum(), g.mean(), g.size) and total != 0:
            return dict(grad_output=g, first=g[0, 0].copy(), second=g[1, 0].copy())


@exercise(
    bias_gradient, title="The gradient of a bias", answer="a number",
    question=(
        "A convolution layer with one output channel processed a batch of two images. "
        "The gradient of the loss with respect to its output, shape (N, C, H, W) = "
        "(2, 1, 2, 3), is, for the first image,\n{first}\nand for the second\n{second}\n"
        "The bias b was added to every output pixel of every image. What is dL/db?"),
    numbers=dict(grad_output=lambda: _BIAS_GRAD.copy(), first=lambda: _BIAS_GRAD[0, 0].copy(),
                 second=lambda: _BIAS_GRAD[1, 0].copy()),
    variant=_bias_variant,
    solve=lambda m: sum(float(v) for v in m["grad_output"].ravel()),
    # dy/db = 1 for every output: add everything, both images.
    reference=(1 - 2 + 0 + 3 + 1 - 1) + (0 + 2 + 1 - 1 + 0 + 4),   # = 2 + 6 = 8
)
def _bias_gradient(m, answer):
    g = m["grad_output"]
    value = number(answer)
    expected = grad.conv2d_bias(g)[0]
    if close(value, expected):
        parts = " + ".join(f"({fmt(g[n].sum())})" if g[n].sum() < 0 else fmt(g[n].sum())
                           for n in range(len(g)))
        return correct(f"every output pixel was y = (...) + b, so dy/db = 1 and dL/db is the "
                       f"sum of all of dL/dy: {parts} = {fmt(expected)} (one image, then "
                       "the other); grad.conv2d_bias sums over every axis but the channel.")
    if any(close(value, g[n].sum()) for n in range(len(g))):
        return wrong("that is one image's sum: the same bias served both images of the "
                     "batch, so add both.")
    if close(value, g.mean()):
        return wrong("that is the mean; the bias gradient is the sum (each output adds its "
                     "own gradient, times dy/db = 1).")
    if close(value, g.size):
        return wrong("that counts the outputs; each contributes its own gradient "
                     "dL/dy times dy/db = 1, not 1.")
    return wrong("dy/db = 1 for every output pixel, so each contributes exactly its dL/dy: "
                 "add up every number in the gradient, in both images.")


# 07.3 -------------------------------------------------------------------------------------

def gradient_step(answer):
    """Check exercise 07.3 (one step of gradient descent); prints the verdict."""
    report("gradient_step", answer)


def _step_variant(rng, seed):
    while True:
        kernel = rng.choice([-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0], size=(2, 2))
        gradient = rng.choice([-4.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 4.0], size=(2, 2))
        lr = float(rng.choice([0.1, 0.2, 0.5]))
        if not np.allclose(kernel, lr * gradient):      # the answer is not all zeros
            return dict(kernel=kernel, gradient=gradient, lr=lr)


@exercise(
    gradient_step, title="One step of gradient descent", answer="a 2x2 array (the new kernel)",
    question=(
        "A 2x2 kernel\n{kernel}\nhas the loss gradient\n{gradient}\nOne step of plain "
        "gradient descent (SGD without momentum) with learning rate {lr}: what is the new "
        "kernel?"),
    numbers=dict(kernel=lambda: _STEP_KERNEL.copy(), gradient=lambda: _STEP_GRADIENT.copy(),
                 lr=0.1),
    variant=_step_variant,
    solve=lambda m: [[m["kernel"][i][j] - m["lr"] * m["gradient"][i][j] for j in range(2)]
                     for i in range(2)],
    # kernel - 0.1 * gradient, entry by entry.
    reference=[[0.5 - 0.1*1.0, -1.0 - 0.1*(-2.0)],
               [2.0 - 0.1*0.5, 0.0 - 0.1*4.0]],              # = [[0.4, -0.8], [1.95, -0.4]]
)
def _gradient_step(m, answer):
    kernel, gradient, lr = m["kernel"], m["gradient"], m["lr"]
    expected = kernel - lr * gradient
    mine = number_array(answer, expected.shape, "2x2 array")
    return array_verdict(
        mine, expected,
        f"new = kernel - lr * gradient, entry by entry: for instance {fmt(kernel[0, 0])} - "
        f"{fmt(lr)}*{fmt(gradient[0, 0])} = {fmt(expected[0, 0])}. Each weight moves "
        "against its gradient, downhill, by a step proportional to how steep it is.",
        hints=[(kernel + lr * gradient, "that step goes uphill: the gradient points where the "
                "loss grows, so subtract it."),
               (kernel - gradient, "the gradient is scaled by the learning rate before it is "
                "subtracted."),
               (-lr * gradient, "that is the step alone; add it to the old kernel."),
               (lr * gradient, "that is the step alone (and with the wrong sign); the new "
                "kernel is the old one minus it.")],
        advice="for each entry, new = old - learning rate * gradient; watch the signs.")
