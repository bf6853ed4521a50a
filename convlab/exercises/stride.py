"""Exercises of notebook 02_stride: strided output sizes and values, unvisited columns, AlexNet.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge.
"""

from __future__ import annotations

import math

import numpy as np

from .. import images, kernels, naive
from ..arithmetic import output_size
from ..convolution import correlate2d
from ._judging import (Malformed, array_verdict, correct, number_array, shape_of,
                       whole_number, whole_number_set, wrong)
from ._concepts import choice
from ._registry import exercise, report

NOTEBOOK = "02_stride"

__all__ = ["stride_output_size", "stride_output_values", "stride_unvisited",
           "alexnet_input_sizes", "stride_downsamples"]


def _starts(i, k, s):
    """The start columns of the windows, counted one by one (the independent route)."""
    starts, start = [], 0
    while start + k <= i:
        starts.append(start)
        start += s
    return starts


# 02.1 -------------------------------------------------------------------------------------

def stride_output_size(answer):
    """Check exercise 02.1 (how many outputs a strided row gives); prints the verdict."""
    report("stride_output_size", answer)


def _size_variant(rng, seed):
    while True:
        i, k, s = int(rng.integers(7, 21)), int(rng.integers(2, 6)), int(rng.integers(2, 5))
        expected = output_size(i, k, stride=s)
        # At least two windows, a stride that matters, and the known mistakes all
        # different from the answer (so each hint is only ever shown for a wrong answer).
        if expected >= 2 and len({expected, (i - k) // s, math.ceil(i / s), i - k + 1}) == 4:
            return dict(input_size=i, kernel_size=k, stride=s)


@exercise(
    stride_output_size, title="Output size with a stride", answer="a whole number",
    question=(
        "A row of {input_size} pixels is scanned by a {kernel_size}-wide kernel with "
        "stride {stride} and no padding. How many outputs does the row give?"),
    numbers=dict(input_size=11, kernel_size=3, stride=2),
    variant=_size_variant,
    solve=lambda m: len(_starts(m["input_size"], m["kernel_size"], m["stride"])),
    # Windows start at 0, 2, 4, 6, 8; the next (10) would need columns 10..12.
    reference=(11 - 3) // 2 + 1,                             # = 5
)
def _stride_output_size(m, answer):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    mine = whole_number(answer)
    expected = output_size(i, k, stride=s)
    if mine == expected:
        starts = ", ".join(str(n * s) for n in range(expected))
        return correct(f"the windows start at columns {starts}: "
                       f"floor(({i} - {k}) / {s}) + 1 = {expected}.")
    if mine == (i - k) // s:
        return wrong("off by one: you counted the steps between windows, not the windows. "
                     "The first window at column 0 counts too.")
    if mine == math.ceil(i / s):
        return wrong("that would need padding ('same' gives ceil(i / s)). Without padding "
                     "the last window must fit entirely inside the row.")
    if mine == i - k + 1:
        return wrong("that is the count at stride 1. With a stride, the window jumps "
                     "several columns at a time.")
    return wrong("write down the start column of each window, 0, s, 2s, ..., and stop at "
                 "the last start where the whole window still fits; then count them.")


# 02.2 -------------------------------------------------------------------------------------

def stride_output_values(answer):
    """Check exercise 02.2 (a strided correlation by hand); prints the verdict."""
    report("stride_output_values", answer)


def _values_variant(rng, seed):
    while True:
        image = rng.integers(0, 10, size=(5, 5)).astype(float)
        kernel = kernels.get(str(rng.choice(("sobel_x", "sobel_y", "prewitt_x", "prewitt_y",
                                             "emboss"))))
        expected = naive.correlate2d(image, kernel, stride=2)
        dense = naive.correlate2d(image, kernel)
        if np.count_nonzero(expected) >= 3 and not np.array_equal(expected, dense[:2, :2]):
            return dict(what="image", image=image, kernel=kernel, stride=2)


@exercise(
    stride_output_values, title="A strided correlation by hand",
    answer="a 2-D array of numbers",
    question=(
        "Correlate the 5x5 {what}\n{image}\nwith the kernel\n{kernel}\n"
        "with stride {stride} and no padding. Give the whole output as a 2-D array."),
    numbers=dict(what="worked example", image=images.worked_example,
                 kernel=lambda: kernels.get("sobel_x"), stride=2),
    variant=_values_variant,
    solve=lambda m: naive.correlate2d(m["image"], m["kernel"], stride=m["stride"]),
    # Sobel x at stride 2: windows at rows and columns 0 and 2. Each value is
    # (right column - left column) weighted 1, 2, 1 from top to bottom.
    reference=[
        [1*(1 - 3) + 2*(8 - 1) + 1*(2 - 2),  1*(7 - 1) + 2*(3 - 8) + 1*(1 - 2)],
        [1*(2 - 2) + 2*(3 - 0) + 1*(1 - 4),  1*(1 - 2) + 2*(7 - 3) + 1*(2 - 1)],
    ],                                                       # = [[12, -5], [3, 8]]
)
def _stride_output_values(m, answer):
    image, kernel, s = m["image"], m["kernel"], m["stride"]
    expected = correlate2d(image, kernel, stride=s)
    dense = correlate2d(image, kernel)
    try:
        mine = number_array(answer, expected.shape, "2-D array")
    except Malformed:
        if shape_of(answer) == dense.shape:
            return wrong(f"an output of shape {dense.shape} is the stride-1 result. "
                         f"With stride {s} the kernel jumps {s} pixels each time.")
        raise
    return array_verdict(
        mine, expected,
        f"the windows start at rows and columns 0, {s}, ..., so the stride-{s} output is "
        f"the stride-1 output keeping one row and one column in every {s}: striding is "
        "downsampling.",
        hints=((dense[:expected.shape[0], :expected.shape[1]],
                "those are the first values of the stride-1 output. With stride "
                f"{s} neighbouring windows start {s} pixels apart."),),
        advice=f"the window under output[i, j] starts at image[{s}*i, {s}*j]; multiply it "
               "with the kernel entry by entry and add.")


# 02.3 -------------------------------------------------------------------------------------

def stride_unvisited(answer):
    """Check exercise 02.3 (columns a strided kernel never visits); prints the verdict."""
    report("stride_unvisited", answer)


def _unvisited_variant(rng, seed):
    k = int(rng.integers(2, 5))
    s = k + int(rng.integers(1, 4))           # a stride wider than the kernel leaves gaps
    i = int(rng.integers(2 * s, 3 * s + k + 1))
    return dict(input_size=i, kernel_size=k, stride=s)


def _unvisited_solve(m):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    covered = {start + a for start in _starts(i, k, s) for a in range(k)}
    return sorted(set(range(i)) - covered)


@exercise(
    stride_unvisited, title="Columns that are never visited",
    answer="a list of column indices (0-based)",
    question=(
        "A {kernel_size}-wide kernel slides along a row of {input_size} pixels "
        "(columns numbered from 0) with stride {stride}, no padding. Which columns are never "
        "under the kernel, so they can never affect the output?"),
    numbers=dict(input_size=10, kernel_size=3, stride=4),
    variant=_unvisited_variant, solve=_unvisited_solve,
    # Windows start at 0 and 4 (covering 0-2 and 4-6); 8 would need column 10.
    reference=[3, 7, 8, 9],
)
def _stride_unvisited(m, answer):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    mine = whole_number_set(answer, "a list of column indices")
    # A column is visited when a 1 placed there reaches some output.
    kernel = np.ones((1, k))
    expected = set()
    for column in range(i):
        row = np.zeros((1, i))
        row[0, column] = 1
        if not correlate2d(row, kernel, stride=(1, s)).any():
            expected.add(column)
    if mine == expected:
        windows = output_size(i, k, stride=s)
        return correct(f"{windows} windows start at "
                       f"{', '.join(str(n * s) for n in range(windows))}; columns "
                       f"{', '.join(map(str, sorted(expected)))} are never covered, so "
                       "they cannot change the output at all.")
    outside = sorted(c for c in mine if not 0 <= c < i)
    if outside:
        return wrong(f"the row has columns 0 to {i - 1}; {outside} are outside it.")
    # Which listed columns are covered, or how many are missing, would give the
    # answer away by elimination; the method does not.
    return wrong("not quite those columns. Write down where each window starts (0, s, 2s, "
                 "... while the whole window fits) and the k columns it covers; the columns "
                 "left over are the gaps between windows and the leftovers at the end.")


# 02.4 -------------------------------------------------------------------------------------

def alexnet_input_sizes(answer):
    """Check exercise 02.4 (every input width giving one output width); prints the verdict."""
    report("alexnet_input_sizes", answer)


def _alexnet_variant(rng, seed):
    k = int(rng.choice([3, 5, 7, 11]))
    s = int(rng.integers(2, 5))
    target = int(rng.integers(8, 61))
    first = (target - 1) * s + k             # the smallest width that gives `target`
    low = first - int(rng.integers(2, 9))
    high = first + s - 1 + int(rng.integers(2, 9))
    return dict(layer="A convolution layer has a", kernel_size=k, stride=s,
                gives="gives", target=target, candidates=(low, high))


def _alexnet_solve(m):
    k, s, target = m["kernel_size"], m["stride"], m["target"]
    low, high = m["candidates"]
    return [i for i in range(low, high + 1) if len(_starts(i, k, s)) == target]


@exercise(
    alexnet_input_sizes, title="Many inputs, one output size",
    answer="a list of whole numbers",
    question=(
        "{layer} {kernel_size}x{kernel_size} kernel, stride "
        "{stride}, no padding, and {gives} a {target}x{target} output. Which "
        "input widths from {candidates[0]} to {candidates[1]} (inclusive) give an output "
        "width of exactly {target}? List them all."),
    numbers=dict(layer="AlexNet's first layer has an", kernel_size=11, stride=4,
                 gives="famously gives", target=55, candidates=(220, 235)),
    variant=_alexnet_variant, solve=_alexnet_solve,
    # floor((i - 11) / 4) + 1 = 55 needs i - 11 in 216..219.
    reference=list(range(216 + 11, 219 + 11 + 1)),           # = [227, 228, 229, 230]
)
def _alexnet_input_sizes(m, answer):
    k, s, target = m["kernel_size"], m["stride"], m["target"]
    low, high = m["candidates"]
    mine = whole_number_set(answer, "a list of input widths")
    expected = {i for i in range(low, high + 1) if output_size(i, k, stride=s) == target}
    if mine == expected:
        story = (" That is how 224 and 227 could both be quoted for AlexNet's input (227 is "
                 "the one that fits exactly)." if m["layer"].startswith("AlexNet") else "")
        return correct(f"widths {min(expected)} to {max(expected)} all give {target}: with "
                       f"stride {s}, up to {s - 1} columns at the end are left over and "
                       f"ignored.{story}")
    if len(mine) == 1:      # the same words whether or not that width is one of them
        return wrong(f"is there only one? With stride {s} the last window may leave a few "
                     "columns unvisited, so several widths can give the same output width.")
    outside = sorted(i for i in mine if not low <= i <= high)
    if outside:
        return wrong(f"only widths from {low} to {high} are asked about; {outside[0]} is "
                     "outside that range.")
    # Naming a width that is wrong, or saying that some are missing, would give the
    # answer away by elimination; the method does not.
    return wrong(f"not quite that list. Check every width from {low} to {high} with "
                 f"floor((i - {k}) / {s}) + 1 and keep those that give {target}.")


# 02.5 Check your understanding --------------------------------------------------------------

def stride_downsamples(answer):
    """Check question 02.5 (what a stride does to a picture); prints the verdict."""
    report("stride_downsamples", answer)


def _strided_side(m):
    """The output's side, computed with convlab's correlation (the truth for any variant)."""
    out = correlate2d(np.zeros((m["size"], m["size"])), np.ones((3, 3)) / 9,
                      stride=m["stride"], padding=1)
    return dict(out=out.shape[0], offsets=m["stride"] ** 2)


choice(
    stride_downsamples, title="Predict: what a stride does to a picture",
    question=("A {size}x{size} photograph is blurred by a 3x3 kernel with padding 1 and "
              "stride {stride}. Predict the output before you see it:"),
    numbers=dict(size=64, stride=2),
    variant=lambda rng, seed: dict(size=int(rng.choice([32, 48, 64, 96, 128])),
                                   stride=int(rng.choice([2, 4]))),
    derive=_strided_side,
    right="a {out}x{out} picture of the same scene: a blurred, smaller copy",
    wrong={
        "a {size}x{size} picture of the same scene, only blurrier":
            "that is what stride 1 gives. The stride is the step between windows: at a "
            "larger step there are fewer windows, and one output per window.",
        "{offsets} separate {out}x{out} pictures, one for each starting offset":
            "one convolution gives one output per window it visits; the positions the "
            "stride steps over are simply not computed, not collected into other pictures.",
        "a {size}x{size} picture in which the positions the stride skips are black":
            "the skipped positions are not computed at all, so they do not appear in the "
            "output, not even as zeros: only the visited ones become output pixels.",
    },
    why=("with padding 1 a 3x3 window fits at every pixel, and a stride of {stride} keeps "
         "one window in {stride} along each axis: floor(({size} + 2 - 3) / {stride}) + 1 = "
         "{out}. A strided convolution downsamples: the same scene, smaller, each output "
         "summarising a neighbourhood."),
    reference="c",       # 64 + 2 - 3 = 63, 63 // 2 + 1 = 32: a 32x32 blurred copy
)
