"""Exercises of notebook 06_putting_it_together: dilation, fields, pipelines, the shape quiz.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge. The random shape quiz keeps
its own seeded questions (:func:`shape_quiz_settings`).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._checks import describe
from ..arithmetic import output_size, receptive_field
from ._judging import Malformed, check_filled, correct, whole_number, whole_numbers, wrong
from ._concepts import choice
from ._registry import exercise, lookup, report, verdict

NOTEBOOK = "06_putting_it_together"

__all__ = ["dilated_output_size", "receptive_field_stack", "pipeline_shapes",
           "stacked_3x3_weights", "shape_quiz", "shape_quiz_answer", "shape_quiz_settings",
           "quiz_question", "quiz_expected", "dilation_convention", "pytorch_layers",
           "why_stacked_3x3"]

_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


# 06.1 -------------------------------------------------------------------------------------

def dilated_output_size(answer):
    """Check exercise 06.1 (output size with dilation); prints the verdict."""
    report("dilated_output_size", answer)


def _dilated_variant(rng, seed):
    while True:
        i, k, d = int(rng.integers(10, 31)), int(rng.integers(2, 6)), int(rng.integers(2, 5))
        expected = output_size(i, k, dilation=d) if d * (k - 1) + 1 <= i else 0
        if expected >= 2 and expected not in (output_size(i, k), i - k * d + 1):
            return dict(input_size=i, kernel_size=k, dilation=d)


def _dilated_by_hand(m):
    i, k, d = m["input_size"], m["kernel_size"], m["dilation"]
    return len([start for start in range(i) if start + d * (k - 1) < i])


@exercise(
    dilated_output_size, title="Output size with dilation", answer="a whole number",
    question=(
        "A {kernel_size}-tap kernel with dilation {dilation} slides over a row of "
        "{input_size} pixels, stride 1, no padding. How many outputs?"),
    numbers=dict(input_size=15, kernel_size=3, dilation=2),
    variant=_dilated_variant, solve=_dilated_by_hand,
    # Three taps two apart span 2*(3 - 1) + 1 = 5 pixels.
    reference=15 - (2 * (3 - 1) + 1) + 1,                    # = 11
)
def _dilated_output_size(m, answer):
    i, k, d = m["input_size"], m["kernel_size"], m["dilation"]
    mine = whole_number(answer)
    expected = output_size(i, k, dilation=d)
    extent = d * (k - 1) + 1
    if mine == expected:
        return correct(f"with dilation {d} the {k} taps span d*(k - 1) + 1 = {extent} "
                       f"pixels, so {i} - {extent} + 1 = {expected} positions.")
    if mine == output_size(i, k):
        return wrong("that ignores the dilation: the taps are spread out, so the kernel "
                     "covers more pixels than it has weights.")
    if mine == i - k * d + 1:
        return wrong(f"close: {k} taps spaced {d} apart span from the first tap to the "
                     f"last, d*(k - 1) + 1 pixels, not k*d.")
    return wrong("find the span of the dilated kernel (first tap to last tap), then count "
                 "the positions where that span fits.")


# 06.2 -------------------------------------------------------------------------------------

def receptive_field_stack(answer):
    """Check exercise 06.2 (the receptive field of a stack of layers); prints the verdict."""
    report("receptive_field_stack", answer)


def _field_variant(rng, seed):
    while True:
        layers = []
        for _ in range(int(rng.integers(3, 6))):
            kind = str(rng.choice(["conv", "conv", "max pool"]))
            layers.append(("max pool", 2, 2) if kind == "max pool"
                          else ("conv", int(rng.choice([3, 5])), int(rng.choice([1, 1, 2]))))
        # A stride before the last layer, so the jump matters.
        if any(s > 1 for _, _, s in layers[:-1]):
            return dict(layers=tuple(layers))


def _field_by_hand(m):
    size, jump = 1, 1
    for _, k, s in m["layers"]:
        size += (k - 1) * jump
        jump *= s
    return size


@exercise(
    receptive_field_stack, title="Receptive field of a stack", answer="a whole number",
    question=(
        "A stack of layers, input first, each given as (kind, kernel size, stride), no "
        "dilation:\n{layers}\nOne pixel of the last layer's output depends on a square "
        "of the input image. How many pixels wide is that square (the receptive field)?"),
    numbers=dict(layers=(("conv", 3, 1), ("conv", 3, 1), ("max pool", 2, 2), ("conv", 3, 1))),
    variant=_field_variant, solve=_field_by_hand,
    # size += (k - 1) * jump, then jump *= stride:
    # 1 -> 3 -> 5 -> 6 (jump becomes 2) -> 6 + 2*2 = 10.
    reference=1 + 2*1 + 2*1 + 1*1 + 2*2,                     # = 10
)
def _receptive_field_stack(m, answer):
    mine = whole_number(answer)
    fields = receptive_field([(k, s) for _, k, s in m["layers"]])
    expected = fields[-1].size
    if mine == expected:
        steps, jump = ["1"], 1
        for (_, k, stride), field in zip(m["layers"], fields):
            steps.append(f"{field.size} (+{k - 1}*{jump})")
            jump = field.jump
        return correct(f"start from 1 pixel; each layer adds (k - 1) * jump, where the jump "
                       f"is the product of the strides before it: {', '.join(steps)}. After "
                       "a stride-s layer each step of a kernel moves s times as far in the "
                       "input.")
    ignoring_jump = 1 + sum(k - 1 for _, k, _ in m["layers"])
    if mine == ignoring_jump:
        return wrong("you added k - 1 per layer, which is right before any stride. After "
                     "a stride-2 layer, neighbouring pixels are 2 input pixels apart, so "
                     "later kernels reach twice as far.")
    return wrong("track two numbers layer by layer: the field size r and the jump j (input "
                 "pixels between neighbouring outputs). Each layer does r += (k - 1) * j, "
                 "then j *= s.")


# 06.3 -------------------------------------------------------------------------------------

def pipeline_shapes(answer):
    """Check exercise 06.3 (the shape after each layer of a pipeline); prints the verdict."""
    report("pipeline_shapes", answer)


def _pipeline_code(spec, in_channels):
    """The PyTorch modules of a pipeline spec ``(kind, out_channels, k, s, p)``."""
    lines = []
    for kind, out, k, s, p in spec:
        if kind == "conv":
            lines.append(f"Conv2d({in_channels}, {out}, kernel_size={k}"
                         + (f", stride={s}" if s != 1 else "")
                         + (f", padding={p}" if p else "") + ")")
            in_channels = out
        else:
            lines.append(f"MaxPool2d({k}" + (f", stride={s}" if s != k else "")
                         + (f", padding={p}" if p else "") + ")")
    return tuple(lines)


def _pipeline_variant(rng, seed):
    size = int(rng.integers(32, 97))
    c1, c2 = int(rng.choice([8, 16, 24])), int(rng.choice([32, 48, 64]))
    k1 = int(rng.choice([3, 5, 7]))
    spec = (("conv", c1, k1, 1, int(rng.integers(0, k1 // 2 + 1))),
            ("pool", None, 2, 2, 0),
            ("conv", c2, 3, int(rng.choice([1, 2])), int(rng.integers(0, 2))),
            ("pool", None, int(rng.choice([2, 3])), 2, 0))
    return dict(input_shape=(3, size, size), spec=spec)


def _trace_by_hand(m):
    c, h, w = m["input_shape"]
    shapes = []
    for kind, out, k, s, p in m["spec"]:
        h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        c = out if kind == "conv" else c
        shapes.append((c, h, w))
    return shapes


@exercise(
    pipeline_shapes, title="Shapes through a pipeline",
    answer="a list of four (channels, rows, columns) tuples",
    question=(
        "An image of shape {input_shape} (channels, rows, columns) goes through\n"
        "{spec}\nGive the shape after each of the four layers."),
    numbers=dict(input_shape=(3, 64, 64),
                 spec=(("conv", 16, 5, 1, 2), ("pool", None, 2, 2, 0),
                       ("conv", 32, 3, 2, 1), ("pool", None, 3, 2, 0))),
    variant=_pipeline_variant, solve=_trace_by_hand,
    present=lambda m: dict(m, spec=_pipeline_code(m["spec"], m["input_shape"][0])),
    # 64 + 2*2 - 5 + 1 = 64; 64 / 2 = 32; (32 + 2 - 3) // 2 + 1 = 16; (16 - 3) // 2 + 1 = 7.
    reference=[(16, 64, 64), (16, 32, 32), (32, 16, 16), (32, 7, 7)],
)
def _pipeline_shapes(m, answer):
    c, h, w = m["input_shape"]
    expected = []
    for kind, out, k, s, p in m["spec"]:
        h, w = output_size(h, k, stride=s, padding=p), output_size(w, k, stride=s, padding=p)
        c = out if kind == "conv" else c
        expected.append((c, h, w))
    check_filled(answer)
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)) \
            or len(answer) != len(expected):
        raise Malformed(f"the answer should be a list of {len(expected)} shapes, one after "
                        f"each layer, such as [(16, 64, 64), ...], but got "
                        f"{describe(answer)}.")
    code = _pipeline_code(m["spec"], m["input_shape"][0])
    mine = [whole_numbers(item, 3, f"shape {n}: a (channels, rows, columns) tuple")
            for n, item in enumerate(answer, start=1)]
    if mine != expected:
        # Hints check the answer against the rules and the question's own numbers (each
        # Conv2d states its filter count), never against the expected shapes: naming the
        # first wrong shape would give the answer away one layer at a time.
        before = [tuple(m["input_shape"])] + mine[:-1]
        for (kind, out, *_), layer, shape, previous in zip(m["spec"], code, mine, before):
            if kind == "conv" and shape[0] != out:
                return wrong(f"the channels after {layer} should be its filter count: a "
                             "convolution sets the channels to its number of filters.")
            if kind != "conv" and shape[0] != previous[0]:
                return wrong(f"{layer} changes the channels in your answer; pooling keeps "
                             "the channels it gets.")
        return wrong("the channels are as the layers say; recheck the rows and columns layer "
                     "by layer from the shape before: floor((i + 2p - k) / s) + 1, with "
                     "MaxPool2d's stride defaulting to its kernel size.")
    trace = " -> ".join(str(s) for s in [tuple(m["input_shape"])] + expected)
    return correct(f"{trace}. Convolutions set the channels, strides and pooling "
                   "shrink the rows and columns.")


# 06.4 -------------------------------------------------------------------------------------

def stacked_3x3_weights(answer):
    """Check exercise 06.4 (weights of stacked 3x3 layers); prints the verdict."""
    report("stacked_3x3_weights", answer)


def _stacked_variant(rng, seed):
    # Three 3x3 layers against one 7x7, as the title says; the channels vary.
    return dict(layers=3, kernel_size=3, patch=7,
                channels=int(rng.choice([16, 24, 32, 48, 96, 128, 256])))


@exercise(
    stacked_3x3_weights, title="Three 3x3 layers or one 7x7", answer="a whole number",
    question=(
        "{layers} stacked {kernel_size}x{kernel_size} convolutions, each with {channels} "
        "input and {channels} output channels, see a {patch}x{patch} patch of their input. "
        "How many weights do they hold together (leave the biases out)?"),
    numbers=dict(channels=64, layers=3, kernel_size=3, patch=7),
    variant=_stacked_variant,
    solve=lambda m: m["layers"] * m["channels"] * m["channels"] * 3 * 3,
    # Three layers of 64 * 64 kernels of 3x3 (a single 7x7 layer would need 200704).
    reference=3 * 64 * 64 * 3 * 3,                           # = 110592
)
def _stacked_3x3_weights(m, answer):
    c, n, k, patch = m["channels"], m["layers"], m["kernel_size"], m["patch"]
    mine = whole_number(answer)
    one = np.zeros((c, c, k, k)).size
    expected = n * one
    big = np.zeros((c, c, patch, patch)).size
    if mine == expected:
        return correct(f"{n} layers of {c}*{c}*{k}*{k} = {one} weights each, {expected} in "
                       f"all, against {big} for a single {patch}x{patch} layer with the same "
                       f"receptive field, and with {n} non-linearities in between instead "
                       "of one.")
    if mine == one:
        return wrong(f"that is one layer; there are {_WORDS.get(n, n)}.")
    if mine == big:
        return wrong(f"that is a single {patch}x{patch} layer. Count the {_WORDS.get(n, n)} "
                     f"{k}x{k} layers instead.")
    if mine in (n * k * k, n * k * k * c):
        return wrong("each layer has one kernel per (input channel, output channel) pair.")
    return wrong("one layer holds out_channels * in_channels * k * k weights; add up the "
                 "layers.")


# 06.5: the random shape quiz ---------------------------------------------------------------

def shape_quiz_settings(seed):
    """The layer and input of the shape quiz for ``seed``, as a dict.

    Parameters
    ----------
    seed : int
        Any non-negative whole number; the same seed always gives the same question.

    Returns
    -------
    dict
        ``kind`` ('conv', 'max pool' or 'avg pool'), ``input_shape`` (N, C, H, W),
        ``kernel_size``, ``stride`` (None means the pooling default, the kernel
        size), ``padding``, ``dilation``, ``ceil_mode``, ``out_channels`` (conv
        only) and ``code``, the PyTorch layer as written in the question.

    Examples
    --------
    >>> shape_quiz_settings(0)["code"] == shape_quiz_settings(0)["code"]
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"seed must be a non-negative whole number, got {describe(seed)}")
    rng = np.random.default_rng([20240611, int(seed)])
    while True:
        kind = ("conv", "conv", "max pool", "avg pool")[rng.integers(4)]
        n, c = int(rng.integers(1, 5)), int(rng.choice([1, 3, 8, 16]))
        h, w = (int(v) for v in rng.integers(5, 41, size=2))
        if kind == "conv":
            k = int(rng.choice([1, 2, 3, 3, 4, 5, 7]))
            s = int(rng.choice([1, 1, 2, 2, 3]))
            p = int(rng.integers(0, k // 2 + 2))
            d = int(rng.choice([1, 1, 1, 2, 3]))
            ceil_mode = False
            out = int(rng.choice([4, 8, 16, 32]))
            code = (f"torch.nn.Conv2d({c}, {out}, kernel_size={k}"
                    + (f", stride={s}" if s != 1 else "")
                    + (f", padding={p}" if p else "")
                    + (f", dilation={d}" if d != 1 else "") + ")")
        else:
            k = int(rng.integers(2, 5))
            s = None if rng.random() < 0.4 else int(rng.integers(1, 4))
            p = int(rng.integers(0, k // 2 + 1))
            d = 1
            ceil_mode = bool(rng.random() < 0.4)
            out = None
            name = "MaxPool2d" if kind == "max pool" else "AvgPool2d"
            code = (f"torch.nn.{name}({k}" + (f", stride={s}" if s is not None else "")
                    + (f", padding={p}" if p else "")
                    + (", ceil_mode=True" if ceil_mode else "") + ")")
        if min(h, w) + 2 * p >= d * (k - 1) + 1:
            return dict(kind=kind, input_shape=(n, c, h, w), kernel_size=k, stride=s,
                        padding=p, dilation=d, ceil_mode=ceil_mode, out_channels=out,
                        code=code)


def quiz_expected(q):
    """The output shape of the quiz layer ``q`` (a :func:`shape_quiz_settings` dict)."""
    n, c, h, w = q["input_shape"]
    k, p, d = q["kernel_size"], q["padding"], q["dilation"]
    s = k if q["stride"] is None else q["stride"]
    hw = [output_size(size, k, stride=s, padding=p, dilation=d, ceil_mode=q["ceil_mode"])
          for size in (h, w)]
    channels = q["out_channels"] if q["kind"] == "conv" else c
    return (n, channels, *hw)


def _quiz_by_hand(q):
    """The quiz answer from the output-size formula written out (independent route)."""
    n, c, h, w = q["input_shape"]
    k, p, d = q["kernel_size"], q["padding"], q["dilation"]
    s = q["stride"] if q["stride"] is not None else k   # pooling's stride defaults to k

    def size(i):
        span = i + 2 * p - d * (k - 1) - 1
        if not q["ceil_mode"]:
            return span // s + 1
        o = math.ceil(span / s) + 1
        if (o - 1) * s >= i + p:     # the last window may not start in the padding
            o -= 1
        return o

    channels = q["out_channels"] if q["kind"] == "conv" else c
    return (n, channels, size(h), size(w))


def quiz_question(seed):
    """The text of shape quiz number ``seed``."""
    return (f"Shape quiz #{seed}: x has shape {shape_quiz_settings(seed)['input_shape']}. "
            f"What is the shape of\n    {shape_quiz_settings(seed)['code']}(x)\n"
            "Answer with an (N, C, H, W) tuple: "
            f"check.shape_quiz_answer({seed}, (N, C, H, W)).")


def _quiz_number(seed=None):
    """The quiz number asked for exercise seed ``seed`` (None: the current seed; 0 by default)."""
    return lookup("shape_quiz").materials(seed).get("quiz", 0)


def shape_quiz(seed=None):
    """Print a random output-shape question; the same seed gives the same question.

    Parameters
    ----------
    seed : int, optional
        Pick any number for a new question; check with :func:`shape_quiz_answer`.
        Without it, the question of the current exercise seed (quiz 0 by default).

    Examples
    --------
    >>> shape_quiz(3)
    Shape quiz #3: x has shape ...
    """
    print(quiz_question(_quiz_number() if seed is None else seed))


def shape_quiz_answer(seed, answer):
    """Check an answer to :func:`shape_quiz` for the same ``seed``; prints the verdict.

    Parameters
    ----------
    seed : int or None
        The quiz number the question was posed with (None: the current exercise seed's).
    answer : tuple of int
        The predicted output shape (N, C, H, W).

    Examples
    --------
    >>> shape_quiz_answer(3, ...)
    Not attempted yet: ...
    """
    quiz = _quiz_number() if seed is None else seed
    print(verdict("shape_quiz", answer, seed=quiz))


@exercise(
    shape_quiz_answer, title="Random shape quiz",
    answer="the output shape as an (N, C, H, W) tuple",
    question=(
        "A fresh question for every seed: call check.shape_quiz(seed) to see it and "
        "check.shape_quiz_answer(seed, answer) to check your answer."),
    numbers=dict(seeds="any whole number"),
    variant=lambda rng, seed: dict(quiz=seed, seeds="any whole number"),
    solve=lambda m: _quiz_by_hand(shape_quiz_settings(m.get("quiz", 0))),
    reference=_quiz_by_hand(shape_quiz_settings(0)),
    name="shape_quiz",
)
def _shape_quiz(m, answer):
    q = shape_quiz_settings(m.get("quiz", 0))
    expected = quiz_expected(q)
    if isinstance(answer, (tuple, list)) and len(answer) == 2:
        raise Malformed("give the whole shape, (N, C, H, W), not only (H, W).")
    mine = whole_numbers(answer, 4, "an (N, C, H, W) tuple")
    k, p, d = q["kernel_size"], q["padding"], q["dilation"]
    s = k if q["stride"] is None else q["stride"]
    if mine == expected:
        extent = f"{d}*({k} - 1) + 1" if d != 1 else f"{k}"
        rounding = "ceil" if q["ceil_mode"] else "floor"
        return correct(f"each spatial axis is {rounding}((i + 2*{p} - {extent}) / {s}) + 1: "
                       f"H = {expected[2]}, W = {expected[3]}. Try another seed.")
    if mine[0] != expected[0]:
        return wrong("the batch size N passes through a layer unchanged.")
    if mine[1] != expected[1]:
        return wrong("check the channels: a Conv2d outputs its out_channels (the second "
                     "argument), pooling keeps the channels it gets.")
    hints = ["check H and W with floor((i + 2p - d*(k - 1) - 1) / s) + 1 per axis."]
    if q["stride"] is None:
        hints.append("A pooling layer's stride defaults to its kernel size.")
    if q["ceil_mode"]:
        hints.append("ceil_mode=True rounds up instead of down (but a window may not start "
                     "in the padding).")
    if d != 1:
        hints.append(f"With dilation {d} the kernel spans d*(k - 1) + 1 pixels.")
    return wrong(" ".join(hints))


# 06.6 -------------------------------------------------------------------------------------

def dilation_convention(answer):
    """Check exercise 06.6 (CS231n's dilation against PyTorch's); prints the verdict."""
    report("dilation_convention", answer)


def _extent_by_counting(kernel_size, step):
    """Pixels from the first tap to the last, taps ``step`` apart."""
    taps = [n * step for n in range(kernel_size)]
    return taps[-1] - taps[0] + 1


@exercise(
    dilation_convention, title="Two dilation conventions",
    answer="a (PyTorch dilation, extent) pair of whole numbers",
    question=(
        "CS231n describes a {kernel_size}x{kernel_size} filter with \"dilation {gaps}\": "
        "{gaps} empty pixel(s) between neighbouring taps (\"dilation 0\" is an ordinary "
        "filter). What dilation= do you pass to torch.nn.functional.conv2d (or "
        "convlab.conv2d) for that filter, and how many pixels wide is the area it spans? "
        "Answer (dilation, extent)."),
    numbers=dict(kernel_size=3, gaps=1),
    variant=lambda rng, seed: dict(kernel_size=int(rng.choice([2, 3, 5])),
                                   gaps=int(rng.integers(1, 5))),
    solve=lambda m: (m["gaps"] + 1, _extent_by_counting(m["kernel_size"], m["gaps"] + 1)),
    # taps one empty pixel apart are 2 pixels apart: dilation=2; they sit at 0, 2, 4: 5 wide.
    reference=(2, 5),
)
def _dilation_convention(m, answer):
    mine = whole_numbers(answer, 2, "a (dilation, extent) pair")
    k, gaps = m["kernel_size"], m["gaps"]
    d = gaps + 1
    expected = (d, d * (k - 1) + 1)
    if mine == expected:
        return correct(f"PyTorch's dilation is the step between taps, so {gaps} empty "
                       f"pixel(s) between them is dilation={d} (an ordinary filter is "
                       f"dilation=1, CS231n's 0); the taps span d(k - 1) + 1 = "
                       f"{d}*({k} - 1) + 1 = {expected[1]} pixels.")
    if mine[0] < 1:
        return wrong("PyTorch's dilation is at least 1: dilation=1 is an ordinary filter.")
    if mine[0] == gaps:
        return wrong("that is CS231n's number: PyTorch counts the step from one tap to the "
                     "next, not the empty pixels between them, so an ordinary filter has "
                     "dilation=1 there.")
    return wrong("PyTorch's dilation is the step from one tap to the next; the span runs "
                 "from the first tap to the last, d(k - 1) + 1 pixels.")


# 06.7 -------------------------------------------------------------------------------------

def pytorch_layers(answer):
    """Check exercise 06.7 (write the PyTorch layers of a network); prints the verdict."""
    report("pytorch_layers", answer)


_CONV_ARGS = ("in_channels", "out_channels", "kernel_size", "stride", "padding")
_POOL_ARGS = ("kernel_size", "stride", "padding")


def _layers_variant(rng, seed):
    size = 8 * int(rng.integers(4, 13))                        # 32 .. 96, divisible by 8
    c1, c2 = int(rng.choice([8, 16, 24])), int(rng.choice([32, 48, 64]))
    k1, k2 = int(rng.choice([3, 5, 7])), int(rng.choice([3, 5]))
    stride2 = int(rng.choice([1, 2]))
    return dict(input_shape=(3, size, size),
                spec=(("Conv2d", c1, k1, 1), ("MaxPool2d", None, 2, 2),
                      ("Conv2d", c2, k2, stride2), ("MaxPool2d", None, int(rng.choice([2, 3])), 2)))


def _layer_targets(m):
    """The shape after each layer, as the question states it (padding k // 2 on the convs)."""
    c, h, _ = m["input_shape"]
    shapes = []
    for kind, out, k, s in m["spec"]:
        p = k // 2 if kind == "Conv2d" else 0
        h = (h + 2 * p - k) // s + 1
        c = out if kind == "Conv2d" else c
        shapes.append((c, h, h))
    return shapes


def _layers_present(m):
    lines, shapes = [], _layer_targets(m)
    for n, ((kind, _, k, _), shape) in enumerate(zip(m["spec"], shapes), start=1):
        what = "kernel" if kind == "Conv2d" else "window"
        lines.append(f"{kind}, a {k}x{k} {what}, giving {shape}")
    return dict(m, spec=tuple(lines))


def _layers_by_hand(m):
    """Argument tuples that build the network: 'same'-style padding k // 2 on each Conv2d."""
    channels, answer = m["input_shape"][0], []
    for kind, out, k, s in m["spec"]:
        if kind == "Conv2d":
            answer.append((channels, out, k, s, k // 2))
            channels = out
        else:
            answer.append((k, s))
    return answer


def _read_layer(item, kind, number):
    """One layer's arguments as a dict with PyTorch's defaults filled in, or a Malformed."""
    names = _CONV_ARGS if kind == "Conv2d" else _POOL_ARGS
    least = 3 if kind == "Conv2d" else 1
    form = ("(in_channels, out_channels, kernel_size, stride, padding)" if kind == "Conv2d"
            else "(kernel_size, stride)")
    if kind == "MaxPool2d" and isinstance(item, numbers.Integral) and not isinstance(item, bool):
        item = (item,)
    if isinstance(item, np.ndarray):
        item = item.tolist()
    if not isinstance(item, (tuple, list)) or not least <= len(item) <= len(names):
        raise Malformed(f"layer {number} is a {kind}: give its positional arguments as a "
                        f"tuple {form}, but got {describe(item)}.")
    values = {}
    for name, value in zip(names, item):
        if name == "padding" and kind == "Conv2d" and isinstance(value, str) \
                and value in ("same", "valid"):
            values[name] = value
            continue
        if name == "stride" and kind == "MaxPool2d" and value is None:
            continue                                  # PyTorch's default: the window
        try:
            values[name] = whole_number(value)
        except Malformed:
            raise Malformed(f"layer {number} is a {kind}: its {name} should be a whole "
                            f"number, but got {value!r}.") from None
    values.setdefault("stride", 1 if kind == "Conv2d" else values["kernel_size"])
    values.setdefault("padding", 0)
    for name in ("in_channels", "out_channels", "kernel_size", "stride"):
        if name in values and values[name] < 1:
            raise Malformed(f"layer {number}'s {name} must be at least 1 (PyTorch refuses "
                            f"{values[name]}).")
    if isinstance(values["padding"], int) and values["padding"] < 0:
        raise Malformed(f"layer {number}'s padding must be 0 or more (PyTorch refuses "
                        f"{values['padding']}).")
    return values


@exercise(
    pytorch_layers, title="Write the PyTorch layers",
    answer="a list of four tuples of positional arguments, one per layer",
    question=(
        "Write the layers of this network as PyTorch takes them: one tuple of positional "
        "arguments per layer, (in_channels, out_channels, kernel_size, stride, padding) "
        "for a Conv2d and (kernel_size, stride) for a MaxPool2d, so that "
        "nn.Conv2d(*answer[0]), nn.MaxPool2d(*answer[1]), ... builds it. The input has "
        "shape {input_shape} (channels, rows, columns); the layers, in order:\n{spec}"),
    numbers=dict(input_shape=(3, 64, 64),
                 spec=(("Conv2d", 16, 5, 1), ("MaxPool2d", None, 2, 2),
                       ("Conv2d", 32, 3, 2), ("MaxPool2d", None, 2, 2))),
    variant=_layers_variant, solve=_layers_by_hand, present=_layers_present,
    # 5x5 keeping 64 at stride 1: padding 2 ((64 + 4 - 5) + 1 = 64); the pool halves;
    # 3x3 from 32 to 16: stride 2, padding 1 (floor((32 + 2 - 3) / 2) + 1 = 16); halves.
    reference=[(3, 16, 5, 1, 2), (2, 2), (16, 32, 3, 2, 1), (2, 2)],
)
def _pytorch_layers(m, answer):
    check_filled(answer)
    spec, targets = m["spec"], _layer_targets(m)
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)) \
            or len(answer) != len(spec):
        raise Malformed(f"the answer should be a list of {len(spec)} tuples, one per layer, "
                        f"such as [(3, 8, 3, 1, 1), (2, 2), ...], but got "
                        f"{describe(answer)}.")
    layers = [_read_layer(item, kind, n)
              for n, (item, (kind, *_)) in enumerate(zip(answer, spec), start=1)]
    shape, lines = tuple(m["input_shape"]), []
    for n, ((kind, _, k, _), layer, target) in enumerate(zip(spec, layers, targets), start=1):
        c, h, w = shape
        if kind == "Conv2d":
            if layer["in_channels"] != c:
                return wrong(f"layer {n}'s in_channels says {layer['in_channels']}, but it "
                             f"receives {c} channels: in_channels is the channels coming "
                             "in (the filter count of the Conv2d before, which pooling "
                             "keeps), and PyTorch raises an error when they differ.")
            if layer["out_channels"] != target[0]:
                return wrong(f"layer {n}'s out_channels is its number of filters, which "
                             "is the number of channels it outputs: read it off the shape "
                             "the question wants after that layer.")
        if layer["kernel_size"] != k:
            return wrong(f"layer {n}'s kernel_size: the question fixes it ({k}x{k}); "
                         "choose the stride and padding around it.")
        padding, stride = layer["padding"], layer["stride"]
        if padding == "same" and stride != 1:
            return wrong(f"layer {n}: PyTorch refuses padding='same' with a stride other "
                         "than 1; give the padding as a number.")
        if kind == "MaxPool2d" and padding > k // 2:
            return wrong(f"layer {n}: a MaxPool2d pads at most half its window (PyTorch "
                         "raises an error otherwise).")
        # Every earlier layer gave the shape asked for, so the fixed kernel fits.
        size = [output_size(i, k, stride=stride, padding=padding) for i in (h, w)]
        shape = (layer["out_channels"] if kind == "Conv2d" else c, *size)
        given = answer[n - 1] if isinstance(answer[n - 1], (tuple, list)) else [answer[n - 1]]
        lines.append(f"{kind}({', '.join(map(str, given))}) -> {shape}")
        if shape != target:
            # The shapes wanted are in the question and the learner's own shape follows
            # from their own arguments, so naming this layer gives nothing away.
            return wrong(f"with your arguments layer {n} turns {(c, h, w)} into {shape}, "
                         f"not the {target} the question asks for: pick its stride and "
                         "padding so that floor((i + 2p - k) / s) + 1 comes out right "
                         "(a MaxPool2d's stride defaults to its window).")
    return correct("every layer gives the shape asked for: "
                   + "; ".join(lines) + ". A Conv2d with a k x k kernel at stride 1 keeps "
                   "the size with padding k // 2; at stride 2 the same padding halves it "
                   "(rounding down); MaxPool2d(2, 2) halves it.")


# 06.8: check your understanding -----------------------------------------------------------

def why_stacked_3x3(answer):
    """Check question 06.8 (why stack small kernels instead of one big one); prints the verdict."""
    report("why_stacked_3x3", answer)


def _stacked_sizes(m):
    """The stack's receptive field by convlab's recurrence, and both weight counts per C^2."""
    n = m["layers"]
    big = receptive_field([(3, 1)] * n)[-1].size
    return dict(big=big, small_weights=n * np.zeros((3, 3)).size,
                big_weights=np.zeros((big, big)).size, wider=big + 2)


choice(
    why_stacked_3x3, title="Why stack 3x3 layers",
    question=(
        "VGG-style networks replace one {big}x{big} convolution by {layers} stacked 3x3 "
        "convolutions (padding 1, a ReLU after each), with C channels in and out "
        "everywhere. Why?"),
    numbers=dict(layers=3),
    variant=lambda rng, seed: dict(layers=int(rng.choice([2, 3, 4]))),
    derive=_stacked_sizes,
    right=("the stack sees the same {big}x{big} patch with {small_weights}C^2 weights "
           "instead of {big_weights}C^2, and puts {layers} non-linearities where there "
           "was one"),
    wrong={
        "the stack sees a wider patch of the image, {wider}x{wider}, than the {big}x{big} "
        "layer":
            "a stack of stride-1 layers grows its field by k - 1 pixels per layer, no "
            "more: start from 1 pixel and count what {layers} 3x3 layers see with "
            "size += (k - 1) * jump.",
        "the stack computes exactly what the {big}x{big} layer computes, only with fewer "
        "weights":
            "with a ReLU after each layer the stack is not even linear, so it computes "
            "functions no single convolution can. (Without the ReLUs, stacked 3x3 kernels "
            "make only some of the {big}x{big} kernels, not all: fewer weights, fewer "
            "choices.)",
        "the stack needs fewer weights but more multiplications per output pixel":
            "at stride 1 with padding 1 every layer has one output per pixel, and each "
            "weight is used once per output: the multiplications per pixel follow the "
            "weights, layer by layer.",
    },
    why=("{layers} stacked 3x3 layers see 1 + 2*{layers} = {big} pixels across, the "
         "{big}x{big} layer's patch, for {layers}*9*C^2 = {small_weights}C^2 weights (and "
         "as many multiplications per pixel) instead of {big}*{big}*C^2 = {big_weights}C^2; "
         "the ReLUs between them let the stack compute more than one linear filter."),
    reference="b",
)
