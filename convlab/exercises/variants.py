"""Exercises of notebook 10_convolution_variants: groups, separable blocks, causal 1-D, FFT.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge.
"""

from __future__ import annotations

import numpy as np

from ..arithmetic import output_size
from ..convolution import conv1d, conv2d
from ._judging import correct, whole_number, number, close, fmt, wrong
from ._concepts import choice
from ._registry import exercise, report

NOTEBOOK = "10_convolution_variants"

__all__ = ["grouped_parameter_count", "separable_block_multiplies", "causal_output_value",
           "fft_length_without_wrap", "why_pointwise_step", "fft_for_small_kernels"]


# 10.1 -------------------------------------------------------------------------------------

def grouped_parameter_count(answer):
    """Check exercise 10.1 (a grouped layer's learnable numbers); prints the verdict."""
    report("grouped_parameter_count", answer)


def _grouped_variant(rng, seed):
    while True:
        g = int(rng.choice([2, 4, 8]))
        c, o = g * int(rng.integers(1, 5)), g * int(rng.integers(1, 5))
        k = int(rng.choice([1, 3, 5]))
        if c > g or o > g:     # not depthwise in disguise: groups have more than one channel
            return dict(in_channels=c, out_channels=o, kernel_size=k, groups=g)


def _grouped_by_hand(m):
    c, o, k, g = m["in_channels"], m["out_channels"], m["kernel_size"], m["groups"]
    return o * (c // g) * k * k + o


@exercise(
    grouped_parameter_count, title="Parameters of a grouped convolution",
    answer="a whole number",
    question=(
        "How many learnable numbers (weights and biases) does "
        "torch.nn.Conv2d({in_channels}, {out_channels}, kernel_size={kernel_size}, "
        "groups={groups}) hold?"),
    numbers=dict(in_channels=8, out_channels=16, kernel_size=3, groups=4),
    variant=_grouped_variant, solve=_grouped_by_hand,
    # 16 filters, each sees 8 / 4 = 2 input channels through 3x3 kernels, plus 16 biases.
    reference=16 * 2 * 3 * 3 + 16,                           # = 304
)
def _grouped_parameter_count(m, answer):
    c, o, k, g = m["in_channels"], m["out_channels"], m["kernel_size"], m["groups"]
    mine = whole_number(answer)
    # The weight the core accepts for this layer: (out, in / groups, k, k).
    weight = np.zeros((o, c // g, k, k))
    conv2d(np.zeros((1, c, k, k)), weight, groups=g)
    total = weight.size + o
    if mine == total:
        return correct(f"each of the {o} filters sees only its group's {c}/{g} = {c // g} "
                       f"input channels: {o}*{c // g}*{k}*{k} weights plus {o} biases "
                       f"= {total}, 1/{g} of the ordinary layer's weights.")
    if mine == weight.size:
        return wrong("those are the weights alone; each filter also has one bias.")
    if mine in (o * c * k * k + o, o * c * k * k):
        return wrong("that is the ordinary layer (groups=1). With groups, a filter sees only "
                     "the input channels of its own group.")
    if mine in ((o // g) * (c // g) * k * k + o // g, (o // g) * (c // g) * k * k):
        return wrong("that is one group. Every group has its own filters, and together "
                     "they make all of the output channels.")
    return wrong("a filter holds one k x k kernel for each input channel of its group "
                 "(in_channels / groups of them), plus one bias; there is one filter per "
                 "output channel.")


# 10.2 -------------------------------------------------------------------------------------

def separable_block_multiplies(answer):
    """Check exercise 10.2 (multiplies of a depthwise-separable block); prints the verdict."""
    report("separable_block_multiplies", answer)


def _block_variant(rng, seed):
    return dict(channels=int(rng.choice([4, 8, 16, 32])),
                out_channels=int(rng.choice([8, 16, 32, 64])),
                kernel_size=int(rng.choice([3, 5])), size=int(rng.choice([4, 7, 8, 14])))


def _block_by_hand(m):
    c, o, k, n = m["channels"], m["out_channels"], m["kernel_size"], m["size"]
    return n * n * c * k * k + n * n * o * c


@exercise(
    separable_block_multiplies, title="Multiplies of a depthwise-separable block",
    answer="a whole number",
    question=(
        "A depthwise-separable block takes a {channels}-channel {size}x{size} image: first a "
        "depthwise {kernel_size}x{kernel_size} convolution (groups={channels}, "
        "padding='same'), then a 1x1 convolution to {out_channels} channels. How many "
        "multiplications does the block make for one image (ignore the biases)?"),
    numbers=dict(channels=8, out_channels=16, kernel_size=3, size=8),
    variant=_block_variant, solve=_block_by_hand,
    # Depthwise: 8x8 positions, 8 channels, 9 taps each = 4608. Pointwise: 8x8
    # positions, 16 outputs, 8 inputs each = 8192. Together 12800.
    reference=8 * 8 * 8 * 9 + 8 * 8 * 16 * 8,                # = 12800
)
def _separable_block_multiplies(m, answer):
    c, o, k, n = m["channels"], m["out_channels"], m["kernel_size"], m["size"]
    mine = whole_number(answer)
    out = output_size(n, k, padding="same")
    depthwise = out * out * c * (1 * k * k)        # one input channel per filter
    pointwise = out * out * o * (c * 1 * 1)
    full = out * out * o * c * k * k
    if mine == depthwise + pointwise:
        return correct(f"the depthwise step makes {out}*{out}*{c}*{k}*{k} = {depthwise}, the "
                       f"1x1 step {out}*{out}*{o}*{c} = {pointwise}: {depthwise + pointwise} "
                       f"in all, against {full} for one ordinary {k}x{k} layer "
                       f"({fmt(full / (depthwise + pointwise))} times fewer).")
    if mine == full:
        return wrong("that is one ordinary k x k layer from the input channels to the output "
                     "channels. The block splits it in two cheaper steps.")
    if mine in (depthwise, pointwise):
        return wrong("that is one of the two steps; the block makes both.")
    return wrong("count each step as positions x filters x multiplies per filter: the "
                 "depthwise filter sees one channel through a k x k kernel, the 1x1 filter "
                 "sees every channel through one weight.")


# 10.3 -------------------------------------------------------------------------------------

def causal_output_value(answer):
    """Check exercise 10.3 (one output of a causal 1-D convolution); prints the verdict."""
    report("causal_output_value", answer)


def _causal_variant(rng, seed):
    while True:
        signal = rng.integers(-3, 6, size=8).astype(float)
        kernel = rng.integers(-2, 3, size=3).astype(float)
        t = int(rng.integers(0, 8))
        m = dict(signal=signal, kernel=kernel, t=t)
        value = _causal_by_hand(m)
        # The centred ('same') reading and a flipped kernel must give other numbers.
        centred = sum(kernel[j] * signal[t - 1 + j] for j in range(3) if 0 <= t - 1 + j < 8)
        flipped = sum(kernel[2 - j] * signal[t - 2 + j] for j in range(3) if t - 2 + j >= 0)
        if value != 0 and len({value, centred, flipped}) == 3 and np.any(kernel != 0):
            return m


def _causal_by_hand(m):
    x, w, t = m["signal"], m["kernel"], m["t"]
    # Output t reads x[t-2], x[t-1], x[t]; taps before the signal start read zeros.
    return float(sum(w[j] * x[t - 2 + j] for j in range(3) if t - 2 + j >= 0))


@exercise(
    causal_output_value, title="One output of a causal convolution", answer="a number",
    question=(
        "The signal x = {signal} is convolved (cross-correlated, as in deep learning) with "
        "the kernel w = {kernel} as convlab.conv1d does with padding='causal': all the padding "
        "goes before the signal, so output t sees only x[t-2], x[t-1] and x[t]. What is "
        "output[{t}]?"),
    numbers=dict(signal=lambda: np.array([2., 0., 1., 3., -1., 2., 4., 1.]),
                 kernel=lambda: np.array([1., -1., 2.]), t=3),
    variant=_causal_variant, solve=_causal_by_hand,
    # output[3] = w[0]*x[1] + w[1]*x[2] + w[2]*x[3] = 1*0 + (-1)*1 + 2*3 = 5
    reference=1 * 0 + (-1) * 1 + 2 * 3,                      # = 5
)
def _causal_output_value(m, answer):
    x, w, t = m["signal"], m["kernel"], m["t"]
    mine = number(answer)
    expected = float(conv1d(x[None, None], w[None, None], padding="causal")[0, 0, t])
    if close(mine, expected):
        terms = " + ".join(f"{fmt(w[j])}*{fmt(x[t - 2 + j]) if t - 2 + j >= 0 else '0'}"
                           for j in range(3))
        return correct(f"output[{t}] = {terms} = {fmt(expected)}: the window ends at x[{t}], "
                       f"so nothing from the future leaks in.")
    centred = sum(w[j] * x[t - 1 + j] for j in range(3) if 0 <= t - 1 + j < len(x))
    if close(mine, centred):
        return wrong("that window is centred on x[t] ('same' padding), so it reads x[t+1], "
                     "the future. Causal padding puts every zero before the signal: the "
                     "window ends at x[t].")
    return wrong("slide the window so that its last tap sits on x[t]; taps that fall before "
                 "the signal read zeros. Multiply the pairs and add them up.")


# 10.4 -------------------------------------------------------------------------------------

def fft_length_without_wrap(answer):
    """Check exercise 10.4 (the shortest FFT that does not wrap around); prints the verdict."""
    report("fft_length_without_wrap", answer)


def _fft_variant(rng, seed):
    return dict(signal_length=int(rng.integers(20, 200)), kernel_length=int(rng.integers(3, 32)))


def _fft_by_hand(m):
    return m["signal_length"] + m["kernel_length"] - 1


@exercise(
    fft_length_without_wrap, title="An FFT long enough not to wrap", answer="a whole number",
    question=(
        "Multiplying two FFTs of length N convolves circularly: what falls off the end "
        "wraps around to the start. To get the 'full' convolution of a signal of "
        "{signal_length} samples with a kernel of {kernel_length} taps, what is the "
        "smallest N (pad both with zeros to N) that wraps nothing?"),
    numbers=dict(signal_length=100, kernel_length=9),
    variant=_fft_variant, solve=_fft_by_hand,
    # The 'full' output has 100 + 9 - 1 = 108 samples; N must hold all of them.
    reference=100 + 9 - 1,                                   # = 108
)
def _fft_length_without_wrap(m, answer):
    n, k = m["signal_length"], m["kernel_length"]
    mine = whole_number(answer)
    full = output_size(n, k, padding="full")    # the samples the 'full' output has
    if mine == full:
        return correct(f"the 'full' output has {n} + {k} - 1 = {full} samples; an FFT of "
                       f"that length holds every one, so nothing wraps (in practice one "
                       f"rounds up to a fast length such as a power of two).")
    if mine == n:
        return wrong("with N equal to the signal's length, the last k - 1 outputs wrap "
                     "around onto the first ones: that is the circular-wrap pitfall.")
    return wrong("N must hold every sample of the 'full' output, and no more than that to "
                 "be the smallest: how many samples does the 'full' output have?")


# 10.5 and 10.6: check your understanding --------------------------------------------------

def why_pointwise_step(answer):
    """Check question 10.5 (what the 1x1 step of a separable block is for); prints the verdict."""
    report("why_pointwise_step", answer)


def _block_costs(m):
    """Multiplies per output pixel of each step, from the weight shapes convlab accepts."""
    c, o, k = m["channels"], m["out_channels"], m["kernel_size"]
    depthwise, pointwise = np.zeros((c, 1, k, k)), np.zeros((o, c, 1, 1))
    conv2d(conv2d(np.zeros((1, c, k, k)), depthwise, groups=c, padding="same"), pointwise)
    return dict(depthwise_cost=depthwise.size, pointwise_cost=pointwise.size)


choice(
    why_pointwise_step, title="Why a 1x1 step after the depthwise one",
    question=(
        "A depthwise-separable block takes {channels} channels to {out_channels}: a "
        "depthwise {kernel_size}x{kernel_size} convolution (groups={channels}, "
        "padding='same'), then a 1x1 convolution. What is the 1x1 step there for?"),
    numbers=dict(channels=32, out_channels=64, kernel_size=3),
    variant=lambda rng, seed: dict(channels=int(rng.choice([8, 16, 32])),
                                   out_channels=int(rng.choice([24, 64, 128])),
                                   kernel_size=int(rng.choice([3, 5]))),
    derive=_block_costs,
    right=("to mix the channels: the depthwise step filters each channel on its own, so "
           "without the 1x1 step no output would combine two input channels"),
    wrong={
        "to bring the map back to its size after the depthwise step shrank it":
            "with padding='same' at stride 1 the depthwise step keeps the height and "
            "width, and a 1x1 convolution at stride 1 keeps them too: neither step "
            "changes the size.",
        "to see a wider patch of the image than the depthwise step sees":
            "a 1x1 kernel reads one pixel: it adds nothing to the receptive field. All "
            "the looking around is done by the {kernel_size}x{kernel_size} depthwise step.",
        "to make the block cheaper than the depthwise step alone":
            "a second step adds work, it never removes any: per output pixel the 1x1 step "
            "costs {pointwise_cost} multiplies on top of the depthwise step's "
            "{depthwise_cost}. It is there for what it computes.",
    },
    why=("with groups={channels} every depthwise filter reads one input channel, so after "
         "that step channel c still knows only about input channel c. The 1x1 step is a "
         "small dense layer at every pixel, {out_channels} outputs from {channels} inputs: "
         "the only place where the channels meet. Together the two steps cost "
         "{depthwise_cost} + {pointwise_cost} multiplies per pixel, against "
         "{out_channels}*{channels}*{kernel_size}*{kernel_size} for one full layer."),
    reference="a",
)


def fft_for_small_kernels(answer):
    """Check question 10.6 (why 3x3 layers are not convolved by FFT); prints the verdict."""
    report("fft_for_small_kernels", answer)


choice(
    fft_for_small_kernels, title="Why not the FFT for 3x3 kernels",
    question=(
        "The FFT computes a convolution of any kernel size at about the same cost per "
        "output, and exactly when the signal is padded enough. Yet deep-learning libraries "
        "compute their 3x3 layers directly, window by window. Why?"),
    right=("for a 3x3 kernel the direct way costs 9 multiply-adds per output, less than "
           "the transforms cost: the FFT pays only for large kernels"),
    wrong={
        "the FFT gives a circular convolution, which is wrong for images":
            "padding both to at least n + k - 1 samples leaves room for every output, and "
            "nothing wraps: the FFT then gives the exact result, to rounding (exercise "
            "10.4).",
        "the FFT computes a true convolution, and a layer computes a correlation":
            "turning the kernel by a half turn before the transform makes one into the "
            "other, at no cost: convlab's method='fft' correlates.",
        "the FFT only works for lengths that are powers of two":
            "the FFT works for any length; powers of two (and other lengths with small "
            "factors) are only the fastest, so one pads up to such a length.",
    },
    why=("the direct path costs k*k multiply-adds per output, 9 for a 3x3 kernel; the FFT "
         "costs a few times log N per output whatever the kernel, plus the transforms of "
         "the image and kernel. For small kernels the direct path wins, as the crossover "
         "measured in this notebook shows; the FFT pays for large ones."),
    reference="b",
)
