"""Exercises of notebook 08_training_a_tiny_cnn: the gradient through max pooling, parameters, batches.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge.
"""

from __future__ import annotations

import numpy as np

from .. import grad, learn
from ._judging import (array_verdict, cells, correct, number_array, whole_number, wrong)
from ._concepts import choice
from ._registry import exercise, report

NOTEBOOK = "08_training_a_tiny_cnn"

__all__ = ["max_pool_gradient_route", "tiny_cnn_parameter_count", "why_batches"]

# A pooled gradient to route back through a 2x2 max pooling of a 4x4 input.
_ROUTE_GRAD = np.array([[1, -2], [3, 5]], dtype=float)
_POOL_INPUT = np.array([[1, 3, 2, 0],
                        [4, 6, 1, 1],
                        [0, 2, 5, 7],
                        [3, 1, 8, 2]], dtype=float)


# 08.1 -------------------------------------------------------------------------------------

def max_pool_gradient_route(answer):
    """Check exercise 08.1 (where max pooling sends the gradient); prints the verdict."""
    report("max_pool_gradient_route", answer)


def _route_variant(rng, seed):
    image = rng.choice(20, size=16, replace=False).reshape(4, 4).astype(float)
    values = rng.choice([v for v in range(-5, 7) if v not in (0, 1)], size=4, replace=False)
    return dict(image=image, grad_output=values.reshape(2, 2).astype(float), kernel_size=2)


def _route_by_hand(m):
    image, g, k = m["image"], m["grad_output"], m["kernel_size"]
    out = [[0.0] * image.shape[1] for _ in range(image.shape[0])]
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            block = [(image[i * k + a, j * k + b], i * k + a, j * k + b)
                     for a in range(k) for b in range(k)]
            _, r, c = max(block)
            out[r][c] = g[i, j]
    return out


@exercise(
    max_pool_gradient_route, title="Where max pooling sends the gradient",
    answer="a 4x4 array (the gradient with respect to the input)",
    question=(
        "The input\n{image}\nwent through max pooling with a {kernel_size}x{kernel_size} "
        "window (stride {kernel_size}), and the gradient with respect to the pooled "
        "output is\n{grad_output}\nWhat is the gradient with respect to the input (the "
        "whole array, zeros included)?"),
    numbers=dict(image=lambda: _POOL_INPUT.copy(), grad_output=lambda: _ROUTE_GRAD.copy(),
                 kernel_size=2),
    variant=_route_variant, solve=_route_by_hand,
    # The winners are 6 at (1, 1), 2 at (0, 2), 3 at (3, 0) and 8 at (3, 2).
    reference=[[0, 0, -2, 0],
               [0, 1, 0, 0],
               [0, 0, 0, 0],
               [3, 0, 5, 0]],
)
def _max_pool_gradient_route(m, answer):
    image, g, k = m["image"], m["grad_output"], m["kernel_size"]
    expected = grad.max_pool2d_input(image, g, k)
    mine = number_array(answer, expected.shape, "4x4 array")
    winners = cells(expected != 0)
    spread = np.kron(g, np.ones((k, k)))
    return array_verdict(
        mine, expected,
        f"each window's gradient goes to the pixel that won it, at {winners}; the other "
        "pixels did not affect the output, so their gradient is 0. "
        "grad.max_pool2d_input does this routing.",
        hints=[((expected != 0).astype(float), "those are the right places; now put each "
                "window's gradient value there instead of 1."),
               (spread / (k * k), "that spreads each gradient evenly over its window, which "
                "is average pooling's gradient. Max pooling passes it only to the winner."),
               (spread, "every pixel of a window gets its gradient there, but only the "
                "maximum affected the output: the others get 0."),
               (grad.max_pool2d_input(-image, g, k), "those are the smallest pixels of each "
                "window; the gradient goes to the largest.")],
        advice=f"in each {k}x{k} window, the pixel that won the max gets that window's "
               "gradient and every other pixel gets 0.")


# 08.2 -------------------------------------------------------------------------------------

def tiny_cnn_parameter_count(answer):
    """Check exercise 08.2 (the learnable numbers of the tiny CNN); prints the verdict."""
    report("tiny_cnn_parameter_count", answer)


def _cnn_variant(rng, seed):
    size = int(rng.choice([8, 12, 16, 20, 24, 32]))
    channels = (int(rng.choice([4, 6, 8, 12])), int(rng.choice([10, 16, 24, 32])))
    classes = int(rng.choice([3, 4, 5, 10]))
    model = learn.tiny_cnn(size=size, channels=channels, classes=classes)
    return dict(call=f"convlab.learn.tiny_cnn(size={size}, channels={channels}, "
                     f"classes={classes})",
                model=repr(model), size=size, channels=channels, classes=classes)


def _cnn_by_hand(m):
    c1, c2 = m.get("channels", (8, 16))
    classes, size = m.get("classes", 4), m["size"]
    return (c1 * 1 * 9 + c1) + (c2 * c1 * 9 + c2) + (classes * c2 * (size // 4) ** 2 + classes)


@exercise(
    tiny_cnn_parameter_count, title="Parameters of the tiny CNN", answer="a whole number",
    question=(
        "{call} takes 1-channel {size}x{size} images and is\n{model}\n"
        "('same' padding keeps the size, each MaxPool2d(2) halves it.) How many learnable "
        "numbers (weights and biases) does it hold in all?"),
    numbers=dict(call="convlab.learn.tiny_cnn()", model=lambda: repr(learn.tiny_cnn()), size=16),
    variant=_cnn_variant, solve=_cnn_by_hand,
    # conv 1->8: 8*1*3*3 + 8; conv 8->16: 16*8*3*3 + 16; dense: 16 channels of
    # 4x4 after two poolings, 256 inputs, 4 outputs: 4*256 + 4.
    reference=(8*1*9 + 8) + (16*8*9 + 16) + (4*256 + 4),     # = 2276
)
def _tiny_cnn_parameter_count(m, answer):
    mine = whole_number(answer)
    params = learn.tiny_cnn(size=m["size"], channels=m.get("channels", (8, 16)),
                            classes=m.get("classes", 4)).parameters()
    expected = sum(p.value.size for p in params)
    shapes = [p.value.shape for p in params]
    weights = sum(p.value.size for p in params if p.value.ndim > 1)
    if mine == expected:
        parts = " + ".join(f"{'*'.join(map(str, s))}" for s in shapes)
        side = m["size"] // 4
        return correct(f"{parts} = {expected}: per conv layer out*in*3*3 weights plus one "
                       f"bias per filter, and the dense layer sees {shapes[2][0]} channels of "
                       f"{side}x{side} after two poolings.")
    if mine == weights:
        return wrong("you counted the weights; every filter and every output of the dense "
                     "layer has a bias too.")
    conv2 = shapes[2]
    if mine == expected - conv2[0] * conv2[1] * 9 + conv2[0] * 9:
        return wrong("the second convolution's filters each hold one 3x3 kernel per input "
                     "channel, and its input has as many channels as the first layer has "
                     "filters.")
    dense_in = shapes[4][1]
    for factor, where in ((16, "pooled at all"), (4, "pooled twice")):
        if mine == expected + (factor - 1) * dense_in * shapes[4][0]:
            return wrong(f"the input of the dense layer is smaller than that: each "
                         f"MaxPool2d(2) halves the rows and columns (has the image been "
                         f"{where}?).")
    return wrong("count layer by layer: a Conv2d(c_in, c_out, 3) holds c_out*c_in*3*3 "
                 "weights and c_out biases, a Linear(n_in, n_out) n_out*n_in weights and "
                 "n_out biases; ReLU, pooling and Flatten hold none.")


# 08.3 Check your understanding --------------------------------------------------------------

def why_batches(answer):
    """Check question 08.3 (why training steps on batches); prints the verdict."""
    report("why_batches", answer)


def _batch_numbers(m):
    """Steps per epoch and the cost ratio of a full gradient to a batch's (ceil division)."""
    steps = -(-m["images"] // m["batch"])
    return dict(steps=steps, cheaper=m["images"] // m["batch"])


choice(
    why_batches, title="Why train on batches?",
    question=(
        "A network is trained on {images} images. Each step of learn.train computes the loss "
        "and its gradient on a batch of {batch} of them, so one epoch is {steps} steps. Why "
        "not compute the exact gradient, on all {images} images, at every step?"),
    numbers=dict(images=2000, batch=32),
    variant=lambda rng, seed: dict(images=int(rng.choice([2000, 3000, 5000, 6000])),
                                   batch=int(rng.choice([16, 32, 64, 128]))),
    derive=_batch_numbers,
    right=("a batch's gradient is a noisy estimate of the full one at about 1/{cheaper} of "
           "the cost, and many cheap steps make more progress than a few exact ones"),
    wrong={
        "the gradient over all {images} images cannot be computed: backpropagation works "
        "on one batch at a time":
            "the loss over all the images is the mean of the images' losses, so its gradient "
            "is the mean of their gradients and can be computed; it only costs as much as "
            "every batch of the epoch together, for one step.",
        "a batch's gradient is more exact than the full one, because {images} images would "
        "average away what each one teaches":
            "it is the other way round: the full gradient is the exact one, and a batch's is "
            "an estimate of it, noisy because it sees only some of the images.",
        "each batch trains its own copy of the network, and the {steps} copies are averaged "
        "at the end of the epoch":
            "there is one network: every batch's step changes the same weights, one step "
            "after the other, and the next batch starts from the weights the last one left.",
    },
    why=("the loss over all the images is the mean of their losses, and a batch of {batch} "
         "estimates its gradient at {batch}/{images} of the cost: one epoch of {steps} batch "
         "steps costs about as much as one exact step. The estimate is noisy, but pointing "
         "roughly downhill {steps} times beats pointing exactly downhill once (stochastic, "
         "or minibatch, gradient descent)."),
    reference="a",
)
