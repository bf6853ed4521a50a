"""Exercises of notebook 00_convolutional_networks: shapes, parameter counts, a receptive field.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge.
"""

from __future__ import annotations

import numpy as np

from ..arithmetic import output_size, receptive_field
from ..convolution import conv2d
from ..pooling import max_pool2d
from ._judging import Malformed, check_filled, correct, whole_number, whole_numbers, wrong
from ._concepts import choice
from ._registry import exercise, report

NOTEBOOK = "00_convolutional_networks"

__all__ = ["network_shape_trace", "dense_vs_conv_parameters", "two_layer_receptive_field",
           "why_weight_sharing", "what_a_feature_map_is"]


# 00.1 -------------------------------------------------------------------------------------

def network_shape_trace(answer):
    """Check exercise 00.1 (the shape after each layer of a small network); prints the verdict."""
    report("network_shape_trace", answer)


def _trace_variant(rng, seed):
    return dict(channels=int(rng.choice([1, 2, 3])), size=int(rng.choice([16, 20, 24, 28, 32])),
                filters1=int(rng.choice([4, 6, 8])), filters2=int(rng.choice([10, 12, 16])))


def _trace_by_hand(m):
    """Each layer's (channels, height, width), counting with the formula written out."""
    n = m["size"]
    first = (m["filters1"], n + 2 * 1 - 3 + 1, n + 2 * 1 - 3 + 1)       # 3x3, padding 1
    pooled = (m["filters1"], first[1] // 2, first[2] // 2)              # 2x2, stride 2
    second = (m["filters2"], pooled[1] - 3 + 1, pooled[2] - 3 + 1)      # 3x3, no padding
    return [first, pooled, second]


def _trace_shapes(answer):
    check_filled(answer)
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)):
        raise Malformed("the answer should be a list of three shapes such as "
                        f"[(4, 10, 10), (4, 5, 5), (6, 3, 3)], but got {answer!r}.")
    if len(answer) != 3:
        raise Malformed(f"the answer should hold three shapes, one per layer, but holds "
                        f"{len(answer)}.")
    return [whole_numbers(shape, 3, "a (channels, height, width) shape") for shape in answer]


@exercise(
    network_shape_trace, title="A shape trace", answer="a list of three (C, H, W) shapes",
    question=(
        "An image of shape ({channels}, {size}, {size}) goes through\n"
        "  1. a convolution with {filters1} filters of 3x3, stride 1, padding 1;\n"
        "  2. 2x2 max pooling with stride 2;\n"
        "  3. a convolution with {filters2} filters of 3x3, stride 1, no padding.\n"
        "What is the shape (channels, height, width) after each of the three layers?"),
    numbers=dict(channels=1, size=28, filters1=6, filters2=12),
    variant=_trace_variant, solve=_trace_by_hand,
    # 28 + 2 - 3 + 1 = 28 with 6 channels; pooling halves to 14; 14 - 3 + 1 = 12, 12 channels.
    reference=[(6, 28, 28), (6, 14, 14), (12, 12, 12)],
)
def _network_shape_trace(m, answer):
    mine = _trace_shapes(answer)
    x = np.zeros((m["channels"], m["size"], m["size"]))
    first = conv2d(x, np.zeros((m["filters1"], m["channels"], 3, 3)), padding=1)
    pooled = max_pool2d(first, 2)
    second = conv2d(pooled, np.zeros((m["filters2"], m["filters1"], 3, 3)))
    expected = [tuple(a.shape) for a in (first, pooled, second)]
    if mine == expected:
        return correct(f"{expected[0]}: one channel per filter, and padding 1 keeps a 3x3 "
                       f"kernel's output the size of its input; {expected[1]}: pooling halves "
                       f"height and width and keeps the channels; {expected[2]}: without "
                       "padding a 3x3 kernel loses one pixel on each side.")
    if mine[0][0] == m["channels"]:
        return wrong("a convolution layer gives one output channel per filter, whatever "
                     "the number of input channels.")
    return wrong("take the layers one at a time: a convolution's output has one channel per "
                 "filter and floor((i + 2p - k) / s) + 1 pixels along each axis; pooling "
                 "keeps the channels.")


# 00.2 -------------------------------------------------------------------------------------

def dense_vs_conv_parameters(answer):
    """Check exercise 00.2 (dense against convolution parameters); prints the verdict."""
    report("dense_vs_conv_parameters", answer)


@exercise(
    dense_vs_conv_parameters, title="Dense against convolution",
    answer="a (dense, convolution) pair of whole numbers",
    question=(
        "A grey {size}x{size} image becomes a {size}x{size} feature map. A dense layer joins "
        "every input pixel to every output pixel (one weight per pair, one bias per output "
        "pixel); a convolution uses one {kernel_size}x{kernel_size} kernel and one bias. How "
        "many learnable numbers (weights and biases) does each have? Answer (dense, "
        "convolution)."),
    numbers=dict(size=28, kernel_size=3),
    variant=lambda rng, seed: dict(size=int(rng.choice([8, 10, 12, 16, 20, 24, 32])),
                                   kernel_size=int(rng.choice([3, 5]))),
    solve=lambda m: (sum(m["size"] ** 2 + 1 for _ in range(m["size"] ** 2)),
                     m["kernel_size"] ** 2 + 1),
    # 784 inputs x 784 outputs = 614656 weights, + 784 biases; the kernel: 9 + 1.
    reference=(28 * 28 * 28 * 28 + 28 * 28, 3 * 3 + 1),        # = (615440, 10)
)
def _dense_vs_conv_parameters(m, answer):
    mine = whole_numbers(answer, 2, "a (dense, convolution) pair")
    pixels, k = m["size"] ** 2, m["kernel_size"]
    expected = (pixels * pixels + pixels, k * k + 1)
    if mine == expected:
        return correct(f"the dense layer has {pixels} x {pixels} = {pixels * pixels} weights "
                       f"and {pixels} biases, {expected[0]} in all; the convolution shares "
                       f"one {k}x{k} kernel across every position: {k * k} weights and one "
                       f"bias, {expected[1]}. Sharing the kernel is what makes convolution "
                       "cheap.")
    if mine == (pixels * pixels, k * k):
        return wrong("count the biases too: one per output pixel for the dense layer, one "
                     "for the convolution's kernel.")
    if mine[1] == k * k * pixels or mine[1] == (k * k + 1) * pixels:
        return wrong("the convolution does not get a kernel per position: one kernel is "
                     "shared by every position of the image.")
    return wrong("the dense layer has one weight for every (input pixel, output pixel) pair "
                 "plus one bias per output pixel; the convolution has its kernel's weights "
                 "plus one bias.")


# 00.3 -------------------------------------------------------------------------------------

def two_layer_receptive_field(answer):
    """Check exercise 00.3 (the receptive field of two stacked layers); prints the verdict."""
    report("two_layer_receptive_field", answer)


def _field_by_counting(m):
    """The input pixels one output of layer 2 depends on, counted along one axis."""
    k1, s1, k2 = m["kernel1"], m["stride1"], m["kernel2"]
    layer1_positions = range(k2)                   # the layer-1 outputs the kernel reads
    pixels = {p * s1 + a for p in layer1_positions for a in range(k1)}
    return len(pixels)


@exercise(
    two_layer_receptive_field, title="Two layers see further", answer="a whole number",
    question=(
        "A {kernel1}x{kernel1} convolution with stride {stride1} is followed by a "
        "{kernel2}x{kernel2} convolution with stride 1. One pixel of the second layer's "
        "output depends on a square of input pixels: how many pixels wide is it?"),
    numbers=dict(kernel1=3, stride1=1, kernel2=3),
    variant=lambda rng, seed: dict(kernel1=int(rng.choice([3, 5])),
                                   stride1=int(rng.choice([1, 2])),
                                   kernel2=int(rng.choice([3, 5]))),
    solve=_field_by_counting,
    # The 3 layer-1 outputs it reads start at input 0, 1, 2 and each sees 3 pixels: 0..4.
    reference=5,
)
def _two_layer_receptive_field(m, answer):
    mine = whole_number(answer)
    k1, s1, k2 = m["kernel1"], m["stride1"], m["kernel2"]
    expected = receptive_field([(k1, s1), (k2, 1)])[-1].size
    if mine == expected:
        return correct(f"the second layer reads {k2} neighbouring outputs of the first, "
                       f"{s1} input pixel(s) apart; each sees {k1} pixels, so together they "
                       f"cover {k1} + ({k2} - 1) x {s1} = {expected} pixels.")
    if mine == k1 * k2:
        return wrong("receptive fields grow by adding, not multiplying: neighbouring "
                     "windows of the first layer overlap.")
    if mine == k1 + k2 and s1 == 1:
        return wrong("neighbouring windows of the first layer share pixels; count each "
                     "input pixel once.")
    return wrong("list the outputs of the first layer the second layer's kernel reads, "
                 "then the input pixels each of them sees; count the distinct pixels.")


# 00.4 Check your understanding: why share the weights ----------------------------------------

def why_weight_sharing(answer):
    """Check question 00.4 (why a convolution shares one kernel); prints the verdict."""
    report("why_weight_sharing", answer)


choice(
    why_weight_sharing, title="Why one kernel everywhere",
    question=("A convolution layer slides the same small kernel over every position of the "
              "image, where a dense layer has separate weights for every input-output pair. "
              "Why is sharing one kernel a good idea for images?"),
    right="one pattern detector, slid everywhere, finds an edge wherever it is, from few weights",
    wrong={
        "so that every output value sees the whole image, not just a patch":
            "each output value of a convolution sees only the patch under the kernel, its "
            "receptive field; sharing the kernel does not widen that patch (stacking layers "
            "does).",
        "to make the output smaller than the input, which saves memory and time":
            "the output's size comes from the kernel size, the stride and the padding, not "
            "from sharing: with padding 1 a shared 3x3 kernel keeps the size.",
        "because a separate weight per position would not fit in memory":
            "a dense layer on a small image fits easily; the point is not storage but "
            "learning: separate weights would have to learn the same pattern again at every "
            "position, from many more examples.",
    },
    why=("the same kernel at every position is one pattern detector applied everywhere: it "
         "finds an edge in the corner as well as in the middle, and its few weights are "
         "learned from every position of every image. A dense layer would need a weight per "
         "(input pixel, output pixel) pair and would learn each position separately."),
    reference="b",
)


# 00.5 Check your understanding: what a feature map is -----------------------------------------

def what_a_feature_map_is(answer):
    """Check question 00.5 (what one channel of a layer's output means); prints the verdict."""
    report("what_a_feature_map_is", answer)


def _feature_maps(m):
    """The layer's output shape, computed with convlab's conv2d (the truth for a variant)."""
    out = conv2d(np.zeros((m["channels"], m["size"], m["size"])),
                 np.zeros((m["filters"], m["channels"], 3, 3)), padding=1)
    return dict(maps=out.shape[0], side=out.shape[1])


choice(
    what_a_feature_map_is, title="What a feature map is",
    question=("A convolution layer with {filters} filters of 3x3 (padding 1) takes a "
              "({channels}, {size}, {size}) image. Its output has {maps} channels, each a "
              "{side}x{side} feature map. What is one of these feature maps?"),
    numbers=dict(channels=3, size=32, filters=8),
    variant=lambda rng, seed: dict(channels=int(rng.choice([1, 3])),
                                   size=int(rng.choice([16, 28, 32, 64])),
                                   filters=int(rng.choice([4, 6, 8, 16]))),
    derive=_feature_maps,
    right="how strongly one filter's pattern is present at each position of the image",
    wrong={
        "one colour channel of the input, filtered by its own kernel":
            "the output channels belong to the filters, not to the input's channels: each "
            "filter reads all input channels and adds them up into one map, so a layer makes "
            "as many maps as it has filters, whatever the number of input channels.",
        "the filter's learned weights, shown as a picture of the same size":
            "the weights are the small kernel itself (3x3 per input channel); the map is "
            "what the kernel computes at every position of this particular image, so it "
            "changes from image to image while the weights stay the same.",
        "a smaller copy of the image, one of several scales of it":
            "with padding 1 a 3x3 convolution keeps the height and width; its maps differ "
            "from the image in what they show (one pattern's strength), not in scale.",
    },
    why=("each of the {filters} filters slides over the whole image and writes one number per "
         "position, the sum of the products with the patch there: large where the patch looks "
         "like the filter. That grid is the filter's feature map; the {maps} maps are stacked "
         "like the channels of an image and feed the next layer."),
    reference="a",
)
