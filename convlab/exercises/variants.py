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
from ._registry import exercise, report

NOTEBOOK = "10_convolution_variants"

__all__ = ["grouped_parameter_count", "separable_block_multiplies", "causal_output_value",
           "fft_length_without_wrap"]


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
