"""Exercises of notebook 07_learning_kernels: gradients, an SGD step, the loop, two "why"s.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge.
"""

from __future__ import annotations

import numpy as np

from .. import grad, learn
from ..convolution import correlate2d
from ..matrix import im2col
from ._concepts import choice
from ._judging import (Untouched, array_verdict, close, correct, fmt, function_output,
                       number, number_array, sum_of_products, wrong)
from ._registry import exercise, report
from ._shortcuts import refuse

NOTEBOOK = "07_learning_kernels"

__all__ = ["weight_gradient_value", "bias_gradient", "gradient_step", "descent_loop",
           "learning_rate_diverges", "flat_direction"]

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


# 07.4 -------------------------------------------------------------------------------------

def descent_loop(answer):
    """Check exercise 07.4 (write the gradient descent loop, a function); prints the verdict."""
    report("descent_loop", answer)


# The learner's loop may call the correlation it learns a kernel for (and grad's
# gradients): the shortcut is convlab's own descent, fit_kernel, or its training loop.
refuse("descent_loop", {"convlab.learn": ("fit_kernel", "train")})

#: The first case of 07.4, shown in the question: a 5x5 image, a 2x2 kernel from zeros.
_DESCENT_IMAGE = np.array([[1, 0, 2, 1, 0],
                           [0, 1, 1, 2, 1],
                           [2, 1, 0, 1, 1],
                           [1, 2, 1, 0, 2],
                           [0, 1, 2, 1, 1]], dtype=float)
_DESCENT_SECRET = np.array([[1.0, -1.0], [0.0, 2.0]])


def _reference_descent(image, target, kernel, learning_rate, steps):
    """Gradient descent on the mean squared error of correlate2d(image, kernel) vs target."""
    import convlab

    kernel = np.array(kernel, dtype=float)
    for _ in range(steps):
        error = convlab.correlate2d(image, kernel) - target      # y-hat - y
        grad_output = 2 * error / error.size                      # dL/dy-hat
        gradient = convlab.correlate2d(image, grad_output)        # dL/dw: input (*) grad_output
        kernel = kernel - learning_rate * gradient                # one step downhill
    return kernel


def _descent_cases(m):
    rng = np.random.default_rng(m["seed"])
    first = np.asarray(m["first_image"], dtype=float)
    cases = [(first, correlate2d(first, m["first_secret"]), np.zeros((2, 2)), m["first_lr"],
              m["first_steps"])]
    # then: one step, none, and random sizes; noise images keep the safe rate near 0.5
    plan = [1, 0] + [int(rng.integers(2, 7)) for _ in range(m["trials"] - 3)]
    for steps in plan:
        h, w = (int(v) for v in rng.integers(4, 9, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        image = rng.standard_normal((h, w)).round(2)
        target = (correlate2d(image, rng.integers(-2, 3, size=(kh, kw)).astype(float))
                  + 0.1 * rng.standard_normal((h - kh + 1, w - kw + 1))).round(2)
        start = rng.integers(-2, 3, size=(kh, kw)).astype(float)
        cases.append((image, target, start, float(rng.choice([0.02, 0.05, 0.1])), steps))
    return cases


def _descent_variant(rng, seed):
    image = rng.integers(0, 3, size=(5, 5)).astype(float)
    secret = rng.integers(-2, 3, size=(2, 2)).astype(float)
    while not secret.any():
        secret = rng.integers(-2, 3, size=(2, 2)).astype(float)
    return dict(trials=25, seed=int(rng.integers(2**31)), first_image=image,
                first_secret=secret, first_lr=0.02, first_steps=3)


def _descend(image, target, kernel, lr, steps, *, sign=-1.0, scale=None, frozen=False,
             flipped=False):
    """A descent with one known mistake switched on (for the hints); plain numpy."""
    from ..convolution import convolve2d

    kernel = np.array(kernel, dtype=float)
    gradient = None
    for _ in range(steps):
        if gradient is None or not frozen:
            error = correlate2d(image, kernel) - target
            g = error * (2 / error.size if scale is None else scale)
            gradient = (convolve2d if flipped else correlate2d)(image, g)
        kernel = kernel + sign * lr * gradient
    return kernel


@exercise(
    descent_loop, title="Write the gradient descent loop", kind="function",
    answer="a function my_descent(image, target, kernel, learning_rate, steps) returning the "
           "kernel after the steps",
    question=(
        "Write a function my_descent(image, target, kernel, learning_rate, steps) that learns "
        "a kernel by plain gradient descent, as `descend` above does for a batch. The loss is "
        "the mean squared error L = mean((correlate2d(image, kernel) - target)^2) over the "
        "output pixels (no padding, stride 1). Each of the `steps` steps computes the output "
        "y-hat of the current kernel, dL/dy-hat = 2 (y-hat - y) / (number of output pixels), "
        "the kernel's gradient (the input correlated with dL/dy-hat: convlab.correlate2d "
        "may do both correlations), and moves the kernel by -learning_rate times it. Return "
        "the kernel after the last step. Pass the function itself to the check; it is "
        "compared with convlab's own descent on {trials} cases (images up to 8x8, kernels up "
        "to 3x3, 0 to 6 steps), the first a 5x5 image\n{first_image}\nthe target made from "
        "it by a hidden 2x2 kernel, the start all zeros, learning rate {first_lr} and "
        "{first_steps} steps."),
    numbers=dict(trials=25, seed=707, first_image=lambda: _DESCENT_IMAGE.copy(),
                 first_secret=lambda: _DESCENT_SECRET.copy(), first_lr=0.02, first_steps=3),
    variant=_descent_variant, cases=_descent_cases, solve=None,
    present=lambda m: {k: v for k, v in m.items() if k != "first_secret"},
    reference=_reference_descent,
)
def _descent_loop(m, cases, outputs):
    for (image, target, kernel, lr, steps), output in zip(cases, outputs):
        description = (f"a {image.shape[0]}x{image.shape[1]} image, a "
                       f"{kernel.shape[0]}x{kernel.shape[1]} kernel, learning rate {fmt(lr)} "
                       f"and {steps} step{'s' * (steps != 1)}")
        if output is None:
            raise Untouched("your function returns None: write the loop and return the "
                            "kernel after the last step.")
        mine = function_output(output, description)
        expected, _, _, _ = learn.fit_kernel(image, target, kernel, learning_rate=lr,
                                             steps=steps, diverged=np.inf)
        if mine.shape == expected.shape and close(mine, expected):
            continue
        if mine.shape != expected.shape:
            if mine.shape == target.shape:
                return wrong(f"for {description} your function returns an array the shape "
                             "of the output; return the kernel after the steps instead.")
            return wrong(f"for {description} your function returns shape {mine.shape}; "
                         "return the kernel after the steps, the shape of the kernel it "
                         "was given.")
        if steps and close(mine, kernel):
            return wrong(f"for {description} your function returns the kernel it was "
                         "given: each step must change the kernel and the next step start "
                         "from the changed one.")
        def made_by(taken=steps, **mistake):
            return close(mine, _descend(image, target, kernel, lr, taken, **mistake))

        if made_by(sign=1.0):
            return wrong(f"for {description} your steps go uphill: the gradient points where "
                         "the loss grows, so the step is kernel - learning_rate * gradient.")
        if made_by(scale=2.0):
            return wrong(f"for {description} your gradient is that of the sum of the squared "
                         "errors, not their mean: dL/dy-hat is 2 (y-hat - y) divided by the "
                         "number of output pixels.")
        if made_by(scale=1 / target.size):
            return wrong(f"for {description} your gradient leaves out the 2 of the square: "
                         "the derivative of (y-hat - y)^2 is 2 (y-hat - y).")
        if made_by(frozen=True):
            return wrong(f"for {description} your kernel moves by the same step every time: "
                         "compute the prediction and the gradient inside the loop, from the "
                         "current kernel, at every step.")
        if made_by(flipped=True):
            return wrong(f"for {description} your weight gradient flips the input (a true "
                         "convolution): w[a, b] met x[i + a, j + b], so dL/dw is the input "
                         "correlated with dL/dy-hat.")
        if made_by(steps + 1) or made_by(max(steps - 1, 0)):
            return wrong(f"for {description} your loop takes a different number of steps "
                         "from the one asked: range(steps) makes exactly steps of them.")
        # Which weights are off, and by how much, is the hidden test's answer.
        return wrong(f"for {description} your kernel is not the one the descent reaches. "
                     "At every step: y-hat = correlate2d(image, kernel); dL/dy-hat = "
                     "2 (y-hat - target) / y-hat.size; gradient = correlate2d(image, "
                     "dL/dy-hat); kernel = kernel - learning_rate * gradient.")
    return correct(f"your loop agrees with convlab.learn.fit_kernel on all {len(cases)} "
                   "cases, including 0 steps and 1 step. Forward, gradient of the loss, step "
                   "against it, repeat: that loop, on every kernel of every layer at once, is "
                   "all that training a network is (notebook 08).")


# 07.5 Check your understanding --------------------------------------------------------------

def learning_rate_diverges(answer):
    """Check question 07.5 (predict whether a learning rate diverges); prints the verdict."""
    report("learning_rate_diverges", answer)


def _noise_images(scale=1.0):
    """The eight 16x16 noise images of notebook 07 (seed 0), every pixel times ``scale``."""
    return scale * np.random.default_rng(0).standard_normal((8, 1, 16, 16))


def _largest_curvature(images):
    """The largest eigenvalue of the Hessian of L(w) = mean((conv(x, w) - y)^2), 3x3 w.

    L is quadratic in the nine weights: with X the matrix of every 3x3 window (one row
    per output pixel, convlab's im2col), its Hessian is 2 X^T X / M, whatever the target.
    """
    windows = np.concatenate([im2col(image[0], (3, 3)).T for image in images])
    return float(np.linalg.eigvalsh(2 * windows.T @ windows / len(windows))[-1])


_CONVERGES = ("it converges: the loss falls step after step towards 0, and the kernel "
              "approaches Sobel x")
_DIVERGES = ("it diverges: each step overshoots the minimum by more than the last, and the "
             "loss grows without bound")


def _divergence_truth(m):
    """Converge or diverge for the question's numbers, from the Hessian (computed with convlab)."""
    base = _largest_curvature(_noise_images())
    eigenvalue = _largest_curvature(_noise_images(m["scale"]))
    limit = 2 / eigenvalue
    factor = abs(1 - m["lr"] * eigenvalue)
    diverges = m["lr"] > limit
    return dict(true_outcome=_DIVERGES if diverges else _CONVERGES,
                false_outcome=_CONVERGES if diverges else _DIVERGES,
                base=round(base, 2), base_limit=round(2 / base, 2),
                eigenvalue=round(eigenvalue, 2), limit=float(f"{limit:.3g}"),
                factor=round(factor, 2), side="above" if diverges else "below",
                fate="grows" if diverges else "shrinks")


def _divergence_variant(rng, seed):
    scale = float(rng.choice([0.5, 2.0, 3.0, 4.0, 5.0]))
    # a rate well away from the limit 0.9 / scale^2 (the notebook's rule of thumb, 1 /
    # scale^2, is 10% off it): 0.4 or 0.6 of it converges, 1.5 or 2.5 of it diverges
    ratio = float(rng.choice([0.4, 0.6, 1.5, 2.5]))
    return dict(scale=scale, lr=float(f"{ratio / scale ** 2:.2g}"))


choice(
    learning_rate_diverges, title="Predict: does this learning rate diverge?",
    question=(
        "The loss of the kernel recovery above is a quadratic in the nine weights, so "
        "gradient descent diverges exactly when the learning rate exceeds 2 / (the largest "
        "eigenvalue of the loss's Hessian, its matrix of second derivatives). For the eight "
        "noise images that eigenvalue is {base} (about 2: the 2 of the square times pixels of "
        "variance 1), so the limit is 2 / {base} = {base_limit}. Now multiply every pixel of the eight "
        "images by {scale} and make the targets from them with the same Sobel x kernel. "
        "Starting from zeros, with learning rate {lr}, what do 30 steps of descent do?"),
    numbers=dict(scale=2.0, lr=0.3),
    variant=_divergence_variant, derive=_divergence_truth,
    right="{true_outcome}",
    wrong={
        "{false_outcome}":
            "the limit {base_limit} belongs to pixels of scale 1. Multiplying every pixel by "
            "{scale} multiplies every output by {scale} and the loss's curvature, its "
            "Hessian, by {scale} squared; the limit 2 / (largest eigenvalue) moves with it.",
        "it stalls: a step that large makes no progress, and the loss stays where it started":
            "a step moves the kernel by the learning rate times the gradient, which is 0 "
            "only at the minimum: every step either shrinks the distance to the minimum or "
            "overshoots it.",
        "it converges, but to Sobel x divided by {scale}, to make up for the scaled "
        "pixels":
            "the targets were made from the scaled images by Sobel x itself, so Sobel x "
            "still gives loss 0: scaling the images does not move the minimum, only the "
            "curvature around it.",
    },
    why=("scaling every pixel by {scale} scales the Hessian by {scale} squared: its largest "
         "eigenvalue becomes {eigenvalue}, and the limit 2 / {eigenvalue} = {limit}. The "
         "learning rate {lr} is {side} it: along the steepest direction each step multiplies "
         "the error by |1 - {lr} x {eigenvalue}| = {factor}, so the error {fate} step after "
         "step."),
    reference="b",      # 2.22 x 2^2 = 8.87, and 2 / 8.87 = 0.225 < 0.3: it diverges
)


# 07.6 Check your understanding --------------------------------------------------------------

def flat_direction(answer):
    """Check question 07.6 (why the photograph leaves the kernel off); prints the verdict."""
    report("flat_direction", answer)


choice(
    flat_direction, title="Why the photograph leaves the kernel off",
    question=(
        "On eight patches of the photograph the loss fell by almost a factor of 1000 in 100 "
        "steps, yet the learned kernel was still visibly off Sobel x, by a pattern +1, -2, +1 "
        "down its rows. Why did gradient descent stop short there?"),
    right=("neighbouring pixels of a photograph are nearly equal, so adding that pattern to "
           "the kernel barely changes any output: the loss is almost flat in that direction, "
           "and its gradient there is tiny"),
    wrong={
        "the learning rate was too small for the kernel to be learned at all":
            "the loss did fall a thousandfold, so the steep directions were learned; and a "
            "larger rate does not help, since the steep directions diverge first.",
        "eight 16x16 patches are too few examples to determine nine weights":
            "they give 8 x 14 x 14 = 1568 outputs, equations, for 9 unknowns; the trouble "
            "is not how many there are but that they hardly tell some kernels apart.",
        "gradient descent finds a kernel only up to a flip, so it settled near a flipped "
        "Sobel x":
            "a flipped kernel gives different outputs, so its loss is not 0; and the error "
            "left over was a +1, -2, +1 pattern down the rows, not a flip.",
    },
    why=("a kernel with rows +1, -2, +1 computes a second difference down the image, top - "
         "2 middle + bottom, which is almost 0 wherever the image is smooth. So the outputs, "
         "and the loss, hardly change when that pattern is added or removed: the loss's "
         "curvature in that direction is tiny, the gradient along it too, and descent "
         "crawls. Varied training images, many of them, pin such directions down."),
    reference="c",
)
