"""Exercises of notebook 03_filters: partial results, one filter output, shapes, parameters.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge.
"""

from __future__ import annotations

import numpy as np

from .. import images
from ..arithmetic import conv_cost, output_size
from ..convolution import conv2d, correlate2d
from ..filters import apply_filter
from ._judging import (close, correct, fmt, number, number_array, sum_of_products,
                       whole_number, whole_numbers, wrong)
from ._concepts import choice
from ._registry import exercise, report

NOTEBOOK = "03_filters"

__all__ = ["filter_partial_sums", "filter_output_value", "filter_output_shape",
           "conv_parameter_count", "pointwise_parameter_count", "pointwise_output_value",
           "pointwise_mixes_channels", "count_multiplications"]

_CHANNELS = ("red", "green", "blue")

# One 3x3x3 filter with small whole numbers (for images.rgb_example()), so the
# per-channel partial results can be worked by hand.
_FILTER = np.array([
    [[1, 0, -1], [1, 0, -1], [1, 0, -1]],   # red kernel
    [[0, 1, 0], [1, 2, 1], [0, 1, 0]],      # green kernel
    [[-1, 0, 0], [0, 1, 0], [0, 0, 2]],     # blue kernel
], dtype=float)


def _partials(image, filt, position):
    """Each channel's window times its kernel, summed with loops (the independent route)."""
    r, c = position
    return [sum(image[ch, r + a, c + b] * filt[ch, a, b] for a in range(3) for b in range(3))
            for ch in range(3)]


def _filter_numbers(seed):
    """The image, filter and position shared by 03.1 and 03.2 for ``seed``."""
    rng = np.random.default_rng([31, seed])
    while True:
        image = rng.integers(0, 4, size=(3, 5, 5)).astype(float)
        filt = rng.integers(-1, 3, size=(3, 3, 3)).astype(float)
        position = tuple(int(v) for v in rng.integers(0, 3, size=2))
        partials = _partials(image, filt, position)
        # Three different, non-zero partial results, none equal to their sum (so that
        # "one channel only" in 03.2 is never the answer).
        if all(p != 0 and p != sum(partials) for p in partials) and len(set(partials)) == 3 \
                and sum(partials) != 0:
            return dict(image=image, filt=filt, position=position)


# 03.1 -------------------------------------------------------------------------------------

def filter_partial_sums(answer):
    """Check exercise 03.1 (each channel's partial result); prints the verdict."""
    report("filter_partial_sums", answer)


@exercise(
    filter_partial_sums, title="Per-channel partial results",
    answer="three numbers: [red, green, blue]",
    question=(
        "A tiny RGB image (channels first, shape (3, 5, 5)):\n{image}\nand one filter of "
        "shape (3, 3, 3), one kernel per channel:\n{filt}\nEach kernel slides over its own "
        "channel (no padding, stride 1). At output position [{position[0]}, {position[1]}], "
        "what does each "
        "channel contribute? Give [red, green, blue]."),
    numbers=dict(image=images.rgb_example, filt=lambda: _FILTER.copy(), position=(2, 2)),
    variant=lambda rng, seed: _filter_numbers(seed),
    solve=lambda m: _partials(m["image"], m["filt"], m["position"]),
    # Windows at rows 2-4, columns 2-4 of each channel:
    # red [[0, 1, 3], [2, 2, 2], [0, 3, 2]] with left-minus-right columns;
    # green [[1, 3, 2], [3, 2, 0], [3, 1, 0]] with the plus-shaped kernel;
    # blue [[2, 3, 1], [2, 2, 0], [0, 1, 3]] with -1 top-left, 1 centre, 2 bottom-right.
    reference=[
        (0 - 3) + (2 - 2) + (0 - 2),                         # red   = -5
        3 + 3 + 2*2 + 0 + 1,                                 # green = 11
        -1*2 + 1*2 + 2*3,                                    # blue  = 6
    ],
)
def _filter_partial_sums(m, answer):
    image, filt, (r, c) = m["image"], m["filt"], m["position"]
    mine = number_array(answer, (3,), "list of three numbers")
    expected = np.array([correlate2d(image[ch], filt[ch])[r, c] for ch in range(3)])
    if close(mine, expected):
        kh, kw = filt.shape[1:]
        lines = "; ".join(
            f"{_CHANNELS[ch]}: {sum_of_products(image[ch, r:r + kh, c:c + kw], filt[ch])} "
            f"= {fmt(expected[ch])}" for ch in range(3))
        return correct(f"{lines}. Each kernel sees only its own channel.")
    if close(mine, [correlate2d(image[ch], filt[ch][::-1, ::-1])[r, c] for ch in range(3)]):
        return wrong("those are the values with each kernel flipped (true convolution); a "
                     "filter correlates: kernel[a, b] multiplies the pixel at (row + a, "
                     "column + b).")
    return wrong(f"not every value is right yet. For each channel, put its kernel on that "
                 f"channel's window starting at row {r}, column {c}, and sum the element-wise "
                 "products.")


# 03.2 -------------------------------------------------------------------------------------

def filter_output_value(answer):
    """Check exercise 03.2 (one output value of a filter, with its bias); prints the verdict."""
    report("filter_output_value", answer)


def _output_value_variant(rng, seed):
    m = _filter_numbers(seed)
    partials = _partials(m["image"], m["filt"], m["position"])
    while True:
        bias = float(rng.choice([-3, -2, -1, 1, 2, 3, 0.5, -0.5]))
        value = sum(partials) + bias
        if value != 0 and all(value != p + bias and value != p for p in partials):
            return dict(m, bias=bias)


@exercise(
    filter_output_value, title="One output value of a filter", answer="a number",
    question=(
        "Same image and filter as the partial-results exercise, now with bias {bias}. "
        "What is the filter's output at position [{position[0]}, {position[1]}]? "
        "(convlab.apply_filter "
        "computes it; work it out from the three partial results.)"),
    numbers=dict(image=images.rgb_example, filt=lambda: _FILTER.copy(), position=(2, 2),
                 bias=1.0),
    variant=_output_value_variant,
    solve=lambda m: sum(_partials(m["image"], m["filt"], m["position"])) + m["bias"],
    # The three partial results plus the bias, once.
    reference=-5 + 11 + 6 + 1,                               # = 13
)
def _filter_output_value(m, answer):
    image, filt, bias, (r, c) = m["image"], m["filt"], m["bias"], m["position"]
    value = number(answer)
    expected = apply_filter(image, filt, bias=bias)[r, c]
    partials = [correlate2d(image[ch], filt[ch])[r, c] for ch in range(3)]
    if close(value, expected):
        return correct(f"{' + '.join(fmt(p) for p in partials)} + {fmt(bias)} (bias) = "
                       f"{fmt(expected)}: the three partial results are summed and the "
                       "bias added once, giving one output channel.")
    if close(value, sum(partials)):
        return wrong("that is the sum of the partial results without the bias; the filter "
                     "adds its bias once to every output value.")
    if close(value, sum(partials) + 3 * bias):
        return wrong("the bias belongs to the filter, not to each channel: add it once.")
    if any(close(value, p + bias) or close(value, p) for p in partials):
        return wrong("that uses one channel only. A filter sums the partial results of all "
                     "three channels.")
    return wrong("compute the three partial results first (the previous exercise), then "
                 "add them together with the bias.")


# 03.3 -------------------------------------------------------------------------------------

def filter_output_shape(answer):
    """Check exercise 03.3 (the shape of a layer's output); prints the verdict."""
    report("filter_output_shape", answer)


def _shape_variant(rng, seed):
    size = int(rng.integers(16, 65))
    return dict(input_shape=(3, size, size), filters=int(rng.choice([4, 6, 8, 16, 32])),
                kernel_size=int(rng.choice([3, 5, 7])))


@exercise(
    filter_output_shape, title="Shape of a layer's output",
    answer="a (channels, rows, columns) tuple",
    question=(
        "An RGB image of shape {input_shape} (channels, rows, columns) goes through a "
        "layer of {filters} filters, each {kernel_size}x{kernel_size}, no padding, "
        "stride 1. What is the shape of the output?"),
    numbers=dict(input_shape=(3, 32, 32), filters=8, kernel_size=5),
    variant=_shape_variant,
    solve=lambda m: (m["filters"], m["input_shape"][1] - m["kernel_size"] + 1,
                     m["input_shape"][2] - m["kernel_size"] + 1),
    # One channel per filter; 32 - 5 + 1 rows and columns.
    reference=(8, 32 - 5 + 1, 32 - 5 + 1),                   # = (8, 28, 28)
)
def _filter_output_shape(m, answer):
    c, h, w = m["input_shape"]
    n, k = m["filters"], m["kernel_size"]
    if isinstance(answer, (tuple, list)) and len(answer) == 4:
        return wrong("give (channels, rows, columns) for the one image, without a batch "
                     "axis; a filter's kernels are summed into a single channel.")
    mine = whole_numbers(answer, 3, "a (channels, rows, columns) tuple")
    expected = (n, output_size(h, k), output_size(w, k))
    if mine == expected:
        return correct(f"one output channel per filter ({n}), and each spatial axis "
                       f"shrinks to {h} - {k} + 1 = {expected[1]}.")
    if mine[0] != n:
        return wrong("each filter sums over all input channels and produces one output "
                     f"channel, so the output has one channel per filter ({n} filters here).")
    return wrong("recount the rows and columns: how many positions does the kernel fit in?")


# 03.4 and 03.5 ----------------------------------------------------------------------------

def _parameter_verdict(m, answer, extra=""):
    c, o, k = m["in_channels"], m["out_channels"], m["kernel_size"]
    mine = whole_number(answer)
    weights = np.zeros((o, c, k, k)).size
    biases = np.zeros(o).size
    total = weights + biases
    if mine == total:
        return correct(f"{o} filters, each with {c} kernels of {k}x{k} weights: "
                       f"{o}*{c}*{k}*{k} = {weights} weights, plus {biases} biases (one per "
                       f"filter) = {total}.{extra}")
    if mine == weights:
        return wrong("those are the weights. Each filter also has one bias.")
    if mine in (o * k * k, o * k * k + o):
        return wrong("each filter holds one kernel per input channel, not just one kernel.")
    if mine in (c * k * k, c * k * k + 1):
        return wrong("that is one filter. The layer has one filter per output channel.")
    return wrong("a filter holds one k x k kernel for every input channel, plus one bias; "
                 "the layer has one filter per output channel.")


def _count_by_hand(m):
    c, o, k = m["in_channels"], m["out_channels"], m["kernel_size"]
    return o * c * k * k + o


def conv_parameter_count(answer):
    """Check exercise 03.4 (a Conv2d layer's learnable numbers); prints the verdict."""
    report("conv_parameter_count", answer)


def _conv_count_variant(rng, seed):
    return dict(in_channels=int(rng.choice([2, 3, 4, 8])),
                out_channels=int(rng.choice([4, 6, 8, 12, 16, 32])),
                kernel_size=int(rng.choice([3, 5, 7])))


@exercise(
    conv_parameter_count, title="Count a layer's parameters", answer="a whole number",
    question=(
        "How many learnable numbers (weights and biases) does "
        "torch.nn.Conv2d({in_channels}, {out_channels}, kernel_size={kernel_size}) hold?"),
    numbers=dict(in_channels=3, out_channels=8, kernel_size=5),
    variant=_conv_count_variant, solve=_count_by_hand,
    # 8 filters of 3 kernels of 5x5, plus 8 biases.
    reference=8 * 3 * 5 * 5 + 8,                             # = 608
)
def _conv_parameter_count(m, answer):
    return _parameter_verdict(m, answer, " The image size does not matter: the same "
                                         "weights slide everywhere.")


def pointwise_parameter_count(answer):
    """Check exercise 03.5 (a 1x1 convolution's learnable numbers); prints the verdict."""
    report("pointwise_parameter_count", answer)


def _pointwise_variant(rng, seed):
    return dict(in_channels=int(rng.choice([16, 24, 32, 64, 128])),
                out_channels=int(rng.choice([8, 12, 16, 32, 48])), kernel_size=1)


@exercise(
    pointwise_parameter_count, title="Parameters of a 1x1 convolution",
    answer="a whole number",
    question=(
        "A 1x1 convolution mixes channels without looking at neighbours. How many "
        "learnable numbers (weights and biases) does "
        "torch.nn.Conv2d({in_channels}, {out_channels}, kernel_size={kernel_size}) hold?"),
    numbers=dict(in_channels=64, out_channels=32, kernel_size=1),
    variant=_pointwise_variant, solve=_count_by_hand,
    # 32 filters of 64 kernels of 1x1, plus 32 biases.
    reference=32 * 64 * 1 * 1 + 32,                          # = 2080
)
def _pointwise_parameter_count(m, answer):
    return _parameter_verdict(m, answer, " A 1x1 convolution is a small dense layer "
                                         "applied to every pixel's channel vector.")


# 03.6 -------------------------------------------------------------------------------------

def pointwise_output_value(answer):
    """Check exercise 03.6 (one output value of a 1x1 convolution); prints the verdict."""
    report("pointwise_output_value", answer)


def _pointwise_value_variant(rng, seed):
    while True:
        image = rng.integers(0, 6, size=(3, 3, 3)).astype(float)
        weights = rng.integers(-2, 4, size=3).astype(float)
        bias = float(rng.integers(-3, 4))
        position = tuple(int(v) for v in rng.integers(0, 3, size=2))
        r, c = position
        value = float(image[:, r, c] @ weights)
        # the bias matters, the answer is not 0, and the transposed pixel gives another value
        if bias != 0 and value + bias != 0 and position[0] != position[1] \
                and float(image[:, c, r] @ weights) != value:
            return dict(image=image, weights=weights, bias=bias, position=position)


def _pointwise_by_hand(m):
    r, c = m["position"]
    return sum(m["image"][ch, r, c] * m["weights"][ch] for ch in range(3)) + m["bias"]


@exercise(
    pointwise_output_value, title="What a 1x1 convolution computes",
    answer="a single number",
    question=(
        "A 3-channel image (channel 0, then 1, then 2; each 3x3):\n{image}\ngoes through a "
        "1x1 convolution with one output channel: weights {weights} (one per input channel) "
        "and bias {bias}. What is the output at row {row}, column {column}?"),
    numbers=dict(image=lambda: np.array([[[1, 0, 2], [3, 1, 4], [0, 2, 1]],
                                         [[2, 2, 0], [1, 5, 3], [4, 0, 1]],
                                         [[0, 1, 1], [2, 3, 0], [1, 1, 2]]], dtype=float),
                 weights=lambda: np.array([2.0, -1.0, 3.0]), bias=1.0, position=(1, 2)),
    variant=_pointwise_value_variant, solve=_pointwise_by_hand,
    present=lambda m: {**m, "row": m["position"][0], "column": m["position"][1]},
    # the pixel's channel vector at (1, 2) is (4, 3, 0): 2*4 + (-1)*3 + 3*0 + 1 = 6.
    reference=6,
)
def _pointwise_output_value(m, answer):
    mine = number(answer)
    image, weights, bias = m["image"], m["weights"], m["bias"]
    r, c = m["position"]
    out = conv2d(image, weights.reshape(1, 3, 1, 1), np.array([bias]))
    expected = float(out[0, r, c])
    if close(mine, expected):
        vector = ", ".join(fmt(v) for v in image[:, r, c])
        return correct(f"the pixel's channel vector ({vector}) times "
                       f"the weights, plus the bias: "
                       f"{sum_of_products(image[:, r, c], weights)} + {fmt(bias)} = "
                       f"{fmt(expected)}. A 1x1 convolution is a dense layer applied to "
                       "each pixel's channels, the same weights at every pixel.")
    if close(mine, expected - bias):
        return wrong("that is the weighted sum without the bias.")
    if close(mine, float(image[:, c, r] @ weights) + bias):
        return wrong("that pixel is at row and column swapped: the row comes first.")
    return wrong("a 1x1 kernel sees one pixel: take that pixel's value in each channel, "
                 "multiply each by its channel's weight, add them up and add the bias.")


# 03.7 Check your understanding: what a 1x1 convolution is for --------------------------------

def pointwise_mixes_channels(answer):
    """Check question 03.7 (what a 1x1 convolution computes at a pixel); prints the verdict."""
    report("pointwise_mixes_channels", answer)


def _pointwise_shapes(m):
    """The layer's output shape, from convlab's conv2d, and the (channel, filter) pairs."""
    out = conv2d(np.zeros((m["cin"], m["size"], m["size"])),
                 np.zeros((m["cout"], m["cin"], 1, 1)))
    return dict(maps=out.shape[0], side=out.shape[1], pairs=m["cin"] * m["cout"])


choice(
    pointwise_mixes_channels, title="What a 1x1 convolution is for",
    question=("A 1x1 convolution with {cout} filters takes a feature map of {cin} channels, "
              "{size}x{size} each, and gives {maps} channels of {side}x{side}. What does it "
              "compute at each pixel?"),
    numbers=dict(cin=16, cout=4, size=28),
    variant=lambda rng, seed: dict(cin=int(rng.choice([3, 16, 32, 64])),
                                   cout=int(rng.choice([2, 4, 8, 12])),
                                   size=int(rng.choice([8, 14, 28]))),
    derive=_pointwise_shapes,
    right="{cout} weighted sums of that pixel's {cin} channel values: it mixes the channels",
    wrong={
        "nothing useful: a 1x1 kernel only multiplies the image by one number":
            "that is true of a 1x1 kernel on a single channel. Here each filter has one "
            "weight per input channel and adds up the products, so it computes a mix of the "
            "channels, a different one per filter.",
        "a cheap blur: each pixel averaged with its 8 neighbours":
            "a 1x1 window holds a single pixel: the output at a position reads no neighbour, "
            "only the channel values at that same position.",
        "{pairs} separate maps, one for each (input channel, filter) pair":
            "a filter adds up its products over all input channels into one map, so there is "
            "one output map per filter, not one per pair.",
        "the same map {cout} times, each copy scaled by one weight":
            "each filter has one weight for every input channel, not one in all, so the "
            "filters weigh the channels in different proportions: different maps.",
    },
    why=("a 1x1 filter has one weight per input channel ({cin}) and a bias; at each pixel it "
         "takes the column of {cin} channel values there and returns their weighted sum. "
         "{cout} filters give {cout} such sums: a small dense layer applied at every pixel, "
         "mixing (and here shrinking) the channels without looking at neighbours."),
    reference="b",
)


# 03.8 Check your understanding: counting multiplications -------------------------------------

def count_multiplications(answer):
    """Check question 03.8 (how many multiplications a layer does); prints the verdict."""
    report("count_multiplications", answer)


def _multiplications(m):
    """The layer's multiplications from convlab.conv_cost, and the misconceptions' counts."""
    k, cin, cout = m["k"], m["cin"], m["cout"]
    cost = conv_cost((cin, m["size"], m["size"]), cout, k, padding=k // 2)
    positions = cost.output_shape[1] * cost.output_shape[2]
    return dict(pad=k // 2, mults=f"{cost.multiplies:,}", weights=f"{k * k * cin * cout:,}",
                one_channel=f"{positions * k * k * cout:,}",
                one_pixel=f"{positions * cin * cout:,}",
                one_filter=f"{positions * k * k * cin:,}")


choice(
    count_multiplications, title="Predict: how many multiplications",
    question=("A convolution layer with {cout} filters of {k}x{k}, stride 1 and padding {pad} "
              "takes a ({cin}, {size}, {size}) input. Predict how many multiplications it does "
              "for one image (the bias additions not counted):"),
    numbers=dict(cin=3, cout=8, k=3, size=32),
    variant=lambda rng, seed: dict(cin=int(rng.choice([3, 8, 16])),
                                   cout=int(rng.choice([4, 6, 12, 32])),
                                   k=int(rng.choice([3, 5])),
                                   size=int(rng.choice([8, 16, 28, 32]))),
    derive=_multiplications,
    right="{mults}",
    wrong={
        "{weights}": "that is the number of weights. Each weight is used again at every "
                     "output position, once per position.",
        "{one_channel}": "that counts one {k}x{k} kernel per filter; a filter has a {k}x{k} "
                         "kernel for every one of the {cin} input channels, and all of them "
                         "multiply.",
        "{one_pixel}": "that counts one product per channel and filter at each position; "
                       "each output value multiplies a whole {k}x{k} window in every channel.",
        "{one_filter}": "that is the work of one filter; each of the {cout} filters does its "
                        "own products at every position.",
    },
    why=("padding {pad} keeps the {size}x{size} size, so there are {size} x {size} output "
         "positions per filter; at each, one filter multiplies {k} x {k} x {cin} weights by "
         "pixels, and there are {cout} filters: {size} x {size} x {k} x {k} x {cin} x {cout} "
         "= {mults} (convlab.arithmetic.conv_cost counts the same)."),
    reference="d",       # 32*32 positions x 3*3*3 weights x 8 filters = 221,184
)
