"""Exercises of notebook 04_pooling: max and average pooling by hand, indices, ceil_mode, the loop.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge.
"""

from __future__ import annotations

import math

import numpy as np

from .. import naive
from ..arithmetic import output_size
from ..pooling import avg_pool2d, max_pool2d
from ._judging import (Malformed, array_verdict, close, correct, fmt, function_output,
                       number_array, shape_of, whole_number, whole_numbers, wrong)
from ._concepts import choice
from ._registry import exercise, report

NOTEBOOK = "04_pooling"

__all__ = ["max_pool_values", "avg_pool_values", "max_pool_indices", "ceil_mode_output_size",
           "naive_max_pool2d", "ceil_mode_drop_rule", "what_pooling_keeps", "pooling_shift",
           "count_include_pad_corner"]

_POOL_INPUT = np.array([[1, 3, 2, 0],
                        [4, 6, 1, 1],
                        [0, 2, 5, 7],
                        [3, 1, 8, 2]], dtype=float)


def _pool_numbers(seed):
    """The map and window shared by 04.1-04.3 for ``seed``: distinct values, so no ties."""
    rng = np.random.default_rng([41, seed])
    size, k = [(4, 2), (6, 2), (6, 3)][int(rng.integers(3))]
    values = rng.choice(2 * size * size, size * size, replace=False).astype(float)
    return dict(image=values.reshape(size, size), kernel_size=k)


def _windows(image, k):
    """Each k x k block of ``image`` (stride k), listed with loops."""
    rows, cols = image.shape[0] // k, image.shape[1] // k
    return [[image[i * k:(i + 1) * k, j * k:(j + 1) * k] for j in range(cols)]
            for i in range(rows)]


def _max_indices(image, k):
    out = []
    for row in _windows(image, k):
        out.append([])
        for j, block in enumerate(row):
            i = len(out) - 1
            a, b = divmod(int(np.argmax(block)), k)
            out[-1].append((i * k + a) * image.shape[1] + j * k + b)
    return out


# 04.1 -------------------------------------------------------------------------------------

def max_pool_values(answer):
    """Check exercise 04.1 (max pooling by hand); prints the verdict."""
    report("max_pool_values", answer)


@exercise(
    max_pool_values, title="Max pooling by hand", answer="a 2-D array of numbers",
    question=(
        "Max pool\n{image}\nwith a {kernel_size}x{kernel_size} window (stride defaults to "
        "the window size). Give the output as a 2-D array."),
    numbers=dict(image=lambda: _POOL_INPUT.copy(), kernel_size=2),
    variant=lambda rng, seed: _pool_numbers(seed),
    solve=lambda m: [[block.max() for block in row]
                     for row in _windows(m["image"], m["kernel_size"])],
    # The four 2x2 blocks are [[1, 3], [4, 6]], [[2, 0], [1, 1]],
    # [[0, 2], [3, 1]] and [[5, 7], [8, 2]].
    reference=[[6, 2],
               [3, 8]],
)
def _max_pool_values(m, answer):
    x, k = m["image"], m["kernel_size"]
    expected = max_pool2d(x, k)
    try:
        mine = number_array(answer, expected.shape, "2-D array")
    except Malformed:
        if shape_of(answer) == max_pool2d(x, k, stride=1).shape:
            return wrong("that is the shape at stride 1. Pooling's stride defaults to the "
                         "window size, so the windows do not overlap.")
        raise
    return array_verdict(
        mine, expected,
        f"each {k}x{k} block is replaced by its largest value; the output keeps the "
        "strongest response in each block and forgets exactly where it was.",
        hints=((avg_pool2d(x, k), "those are the averages; max pooling keeps the largest "
                                  "value of each window."),),
        advice=f"cut the map into {k}x{k} blocks that do not overlap and keep the largest "
               "value of each.")


# 04.2 -------------------------------------------------------------------------------------

def avg_pool_values(answer):
    """Check exercise 04.2 (average pooling by hand); prints the verdict."""
    report("avg_pool_values", answer)


@exercise(
    avg_pool_values, title="Average pooling by hand", answer="a 2-D array of numbers",
    question=(
        "Average pool the same input\n{image}\nwith a {kernel_size}x{kernel_size} window "
        "(stride defaults to the window size). Give the output as a 2-D array."),
    numbers=dict(image=lambda: _POOL_INPUT.copy(), kernel_size=2),
    variant=lambda rng, seed: _pool_numbers(seed),
    solve=lambda m: naive.avg_pool2d(m["image"], m["kernel_size"]),
    reference=[[(1 + 3 + 4 + 6) / 4, (2 + 0 + 1 + 1) / 4],
               [(0 + 2 + 3 + 1) / 4, (5 + 7 + 8 + 2) / 4]],   # = [[3.5, 1], [1.5, 5.5]]
)
def _avg_pool_values(m, answer):
    x, k = m["image"], m["kernel_size"]
    expected = avg_pool2d(x, k)
    mine = number_array(answer, expected.shape, "2-D array")
    return array_verdict(
        mine, expected,
        f"each {k}x{k} block is replaced by its mean (sum / {k * k}); average pooling "
        "smooths where max pooling picks the peak.",
        hints=((expected * k * k, f"those are the sums of each window; divide by the "
                                  f"{k * k} pixels in it."),
               (max_pool2d(x, k), "those are the maxima; average pooling takes the mean.")),
        advice=f"cut the map into {k}x{k} blocks that do not overlap and take the mean of "
               "each.")


# 04.3 -------------------------------------------------------------------------------------

def max_pool_indices(answer):
    """Check exercise 04.3 (where each maximum came from, as flat indices); prints the verdict."""
    report("max_pool_indices", answer)


@exercise(
    max_pool_indices, title="Where did each maximum come from?",
    answer="a 2-D array of whole numbers",
    question=(
        "max_pool2d(x, {kernel_size}, return_indices=True) also returns where each "
        "maximum was found, as a flat index row * width + column into x, as PyTorch "
        "does. For\n{image}\nwhat are those indices? Give a 2-D array."),
    numbers=dict(image=lambda: _POOL_INPUT.copy(), kernel_size=2),
    variant=lambda rng, seed: _pool_numbers(seed),
    solve=lambda m: _max_indices(m["image"], m["kernel_size"]),
    # 6 at (1, 1), 2 at (0, 2), 3 at (3, 0), 8 at (3, 2); index = row * 4 + column.
    reference=[[1*4 + 1, 0*4 + 2],
               [3*4 + 0, 3*4 + 2]],                          # = [[5, 2], [12, 14]]
)
def _max_pool_indices(m, answer):
    x, k = m["image"], m["kernel_size"]
    _, expected = max_pool2d(x, k, return_indices=True)
    mine = number_array(answer, expected.shape, "2-D array")
    height, width = x.shape
    rows, cols = np.divmod(expected, width)
    return array_verdict(
        mine, expected,
        f"index = row * {width} + column of each maximum in the whole input. PyTorch uses "
        "these indices in max_unpool2d and to send the gradient back only to the maximum.",
        hints=((rows % k * k + cols % k, "those are positions inside each window. The index "
                                         "counts across the whole input: row * width + "
                                         "column."),
               (cols * height + rows, "that counts down the columns first. Count along the "
                                      "rows: row * width + column."),
               (expected + 1, "indices start at 0, at the top-left pixel.")),
        advice="find each window's largest value, then its row and column in the whole "
               "input, and give row * width + column.")


# 04.4 -------------------------------------------------------------------------------------

def ceil_mode_output_size(answer):
    """Check exercise 04.4 (output size with ceil_mode=True); prints the verdict."""
    report("ceil_mode_output_size", answer)


def _ceil_variant(rng, seed):
    while True:
        i, k, s = int(rng.integers(5, 21)), int(rng.integers(2, 5)), int(rng.integers(2, 4))
        if i > k and (i - k) % s != 0:          # ceil and floor differ
            return dict(input_size=i, kernel_size=k, stride=s)


def _ceil_solve(m):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    count, start = 0, 0
    while start < i:                # a window may hang over the end if it starts inside
        count += 1
        if start + k >= i:
            break
        start += s
    return count


@exercise(
    ceil_mode_output_size, title="ceil_mode", answer="a whole number",
    question=(
        "A {kernel_size}-wide pooling window with stride {stride} runs along a row of "
        "{input_size} pixels, no padding, with ceil_mode=True. How many outputs?"),
    numbers=dict(input_size=6, kernel_size=3, stride=2),
    variant=_ceil_variant, solve=_ceil_solve,
    # ceil((6 - 3) / 2) + 1; the last window starts at 4, inside the row.
    reference=math.ceil((6 - 3) / 2) + 1,                    # = 3
)
def _ceil_mode_output_size(m, answer):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    mine = whole_number(answer)
    expected = output_size(i, k, stride=s, ceil_mode=True)
    floor = output_size(i, k, stride=s)
    if mine == expected:
        return correct(f"(i - k) / s = ({i} - {k}) / {s} = {(i - k) / s:g}; ceil_mode "
                       f"rounds up to {math.ceil((i - k) / s)}, plus 1 gives {expected}. "
                       "The last window hangs over the edge and is pooled over the pixels "
                       f"it does cover (ceil_mode=False gives {floor}).")
    if mine == floor:
        return wrong("that is the count with ceil_mode=False (rounding down). ceil_mode=True "
                     "rounds up, keeping a last window that only partly fits.")
    return wrong("compute (i - k) / s, round it up instead of down, and add 1 for the "
                 "first window.")


# 04.5 -------------------------------------------------------------------------------------

def naive_max_pool2d(answer):
    """Check exercise 04.5 (your max pooling loop, a function); prints the verdict."""
    report("naive_max_pool2d", answer)


def _reference_max_pool2d(image, size, stride):
    """Max pooling with explicit loops, no padding."""
    image = np.asarray(image, dtype=float)
    out_h = (image.shape[0] - size) // stride + 1
    out_w = (image.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            best = image[i * stride, j * stride]
            for a in range(size):
                for b in range(size):
                    best = max(best, image[i * stride + a, j * stride + b])
            out[i, j] = best
    return out


def _pool_cases(m):
    rng = np.random.default_rng(m["seed"])
    cases = [(np.asarray(m["first_image"], dtype=float), m["first_size"], m["first_stride"])]
    for _ in range(m["trials"] - 1):
        size = int(rng.integers(1, 4))
        stride = int(rng.integers(1, 4))
        h, w = rng.integers(size, 9, size=2)
        cases.append((rng.integers(-9, 10, size=(h, w)).astype(float), size, stride))
    return cases


def _pool_loop_variant(rng, seed):
    size = int(rng.integers(4, 7))
    return dict(trials=25, seed=int(rng.integers(2**31)),
                first_image=rng.integers(0, 10, size=(size, size)).astype(float),
                first_size=2, first_stride=2)


@exercise(
    naive_max_pool2d, title="Write the max pooling loop", kind="function",
    answer="a function my_max_pool2d(image, size, stride) returning a 2-D array",
    question=(
        "Write a function my_max_pool2d(image, size, stride) with explicit loops: a "
        "size x size window steps by 'stride' over the 2-D image (no padding, windows "
        "that do not fit are dropped) and each output is the window's maximum. Pass the "
        "function itself to the check; it is compared with convlab.max_pool2d on "
        "{trials} random cases."),
    numbers=dict(trials=25, seed=7, first_image=lambda: _POOL_INPUT.copy(), first_size=2,
                 first_stride=2),
    variant=_pool_loop_variant, cases=_pool_cases, solve=None,
    reference=_reference_max_pool2d,
)
def _naive_max_pool2d(m, cases, outputs):
    for (image, size, stride), output in zip(cases, outputs):
        description = f"an image of shape {image.shape}, size={size}, stride={stride}"
        mine = function_output(output, description)
        expected = max_pool2d(image, size, stride=stride)
        if mine.shape != expected.shape:
            return wrong(f"for {description} your output has shape {mine.shape}, but "
                         f"floor((i - size) / stride) + 1 windows fit along each axis, "
                         f"giving {expected.shape}.")
        if not close(mine, expected):
            if close(mine, avg_pool2d(image, size, stride=stride)):
                return wrong("your loop averages the windows; take their maximum.")
            return wrong(f"for {description} your output has the right shape but not the "
                         "right values. The window under output[i, j] covers rows i*stride "
                         "to i*stride + size - 1 and likewise for columns.")
    return correct(f"your loop agrees with convlab.max_pool2d on all {len(cases)} cases "
                   "(windows 1 to 3, strides 1 to 3, overlapping and not).")


# 04.6 -------------------------------------------------------------------------------------

def ceil_mode_drop_rule(answer):
    """Check exercise 04.6 (ceil_mode with padding: the dropped last window); prints the verdict."""
    report("ceil_mode_drop_rule", answer)


def _kept_windows(i, k, s, p):
    """Count windows as PyTorch does with ceil_mode=True, walking the padded row.

    A window that fits in the padded row counts; one that hangs over its end counts
    only if it starts inside the input or the left padding (before i + p).
    """
    count, start = 0, 0
    while True:
        if start + k <= i + 2 * p:
            count += 1
        elif start < i + p:
            return count + 1
        else:
            return count
        start += s


def _drop_variant(rng, seed):
    def config(dropped):
        while True:
            i, k = int(rng.integers(5, 16)), int(rng.integers(2, 4))
            s, p = int(rng.integers(2, 4)), int(rng.integers(1, k // 2 + 1))
            ceil = math.ceil((i + 2 * p - k) / s) + 1
            floor = (i + 2 * p - k) // s + 1
            kept = _kept_windows(i, k, s, p)
            if ceil != floor and (kept < ceil) == dropped:
                return (i, k, s, p)
    first, second = config(True), config(False)
    if rng.integers(2):
        first, second = second, first
    return {f"{key}{n}": value for n, row in ((1, first), (2, second))
            for key, value in zip("iksp", row)}


@exercise(
    ceil_mode_drop_rule, title="ceil_mode's dropped window", answer="a pair of whole numbers",
    question=(
        "Two max poolings with ceil_mode=True (as in PyTorch):\n"
        "  1. a row of {i1} pixels, window {k1}, stride {s1}, padding {p1} on each side;\n"
        "  2. a row of {i2} pixels, window {k2}, stride {s2}, padding {p2} on each side.\n"
        "How many outputs does each give? Answer (first, second)."),
    numbers=dict(i1=7, k1=2, s1=2, p1=1, i2=8, k2=3, s2=2, p2=1),
    variant=_drop_variant,
    solve=lambda m: (_kept_windows(m["i1"], m["k1"], m["s1"], m["p1"]),
                     _kept_windows(m["i2"], m["k2"], m["s2"], m["p2"])),
    # 1: (7 + 2 - 2) / 2 = 3.5, up to 4, + 1 = 5; but the 5th window would start at
    #    padded index 8 = i + p, in the right padding: dropped, 4.
    # 2: (8 + 2 - 3) / 2 = 3.5, up to 4, + 1 = 5; the 5th starts at 8 < 9 = i + p: kept, 5.
    reference=(4, 5),
)
def _ceil_mode_drop_rule(m, answer):
    mine = whole_numbers(answer, 2, "a (first, second) pair")
    rows = [(m["i1"], m["k1"], m["s1"], m["p1"]), (m["i2"], m["k2"], m["s2"], m["p2"])]
    expected = tuple(output_size(i, k, stride=s, padding=p, ceil_mode=True)
                     for i, k, s, p in rows)
    rounded_up = tuple(math.ceil((i + 2 * p - k) / s) + 1 for i, k, s, p in rows)
    floor = tuple(output_size(i, k, stride=s, padding=p) for i, k, s, p in rows)
    if mine == expected:
        starts = [(n - 1) * s - p for n, (i, k, s, p) in zip(expected, rows)]
        return correct(f"rounding up gives {rounded_up}; a window that would start in the "
                       f"right padding (at input index i or beyond) is dropped, since it would "
                       f"pool padding only. The last kept windows start at input index "
                       f"{starts[0]} and {starts[1]}, inside the rows.")
    if mine == rounded_up:
        return wrong("rounding up is not the whole rule: PyTorch drops a last window that "
                     "would start in the right padding. Check where each last window "
                     "starts.")
    if mine == floor:
        return wrong("that is the count with ceil_mode=False (rounding down); ceil_mode=True "
                     "rounds up, then drops a last window that would start in the right "
                     "padding.")
    return wrong("round (i + 2p - k) / s up and add 1, then check where the last window "
                 "starts: it must start inside the input or the left padding.")


# 04.7 Check your understanding: what pooling keeps ---------------------------------------------

def what_pooling_keeps(answer):
    """Check question 04.7 (what max pooling keeps and throws away); prints the verdict."""
    report("what_pooling_keeps", answer)


choice(
    what_pooling_keeps, title="What max pooling keeps and throws away",
    question=("A feature map (after ReLU) responds to vertical edges. It goes through 2x2 max "
              "pooling with stride 2. What does the pooled map keep, and what does it throw "
              "away?"),
    right="each block's strongest response, so whether an edge is there, but not where in the "
          "block",
    wrong={
        "every response, only packed into a map of half the width and height":
            "a 2x2 window gives one number for four values: three of every four are dropped, "
            "so the smaller map cannot hold them all.",
        "the exact position of each edge, but not how strong it was":
            "the number kept is a response's size, the largest in its window; which of the "
            "four positions it came from is not part of the output (only return_indices "
            "records it, on the side).",
        "the average of each block, so weak and strong responses count the same":
            "that is average pooling. Max pooling keeps only the largest value of each "
            "window; the other three do not change the output at all.",
        "the strongest channel at each pixel: all channels merge into one map":
            "pooling works on each channel on its own, over a window of positions; it never "
            "compares or mixes channels, so the number of channels stays the same.",
    },
    why=("max pooling replaces each 2x2 block by its largest value: the map keeps, block by "
         "block, whether and how strongly the feature responded, and loses which of the four "
         "positions responded and the three weaker values. Four times fewer numbers, the "
         "evidence for the feature intact."),
    reference="c",
)


# 04.8 Check your understanding: a shifted pixel ----------------------------------------------

def pooling_shift(answer):
    """Check question 04.8 (max pooling and a pixel moved by one); prints the verdict."""
    report("pooling_shift", answer)


def _shifted(m):
    """The map, the pixel moved right, both pooled with convlab: the truth for a variant."""
    before = np.zeros((m["size"], m["size"]))
    before[m["row"], m["col"]] = m["value"]
    after = np.roll(before, 1, axis=1)
    pooled, moved = max_pool2d(before, 2), max_pool2d(after, 2)
    same = bool(np.array_equal(pooled, moved))
    # (the option, and what a learner who chose the other one is told)
    kept = ("exactly the same {out}x{out} map as before",
            "columns {col} and {col2} are in the same 2x2 window, and a window's maximum "
            "does not depend on where in the window it is.")
    moves = ("the same map with the bright value one column further right",
             "max pooling tolerates a shift only while the pixel stays in its window; "
             "columns {col} and {col2} belong to two different windows.")
    truth, lie = (kept, moves) if same else (moves, kept)
    out = pooled.shape[0]
    fill = dict(out=out, col=m["col"], col2=m["col"] + 1)
    return dict(out=out, col2=m["col"] + 1, truth=truth[0].format(**fill),
                lie=lie[0].format(**fill), lie_why=truth[1].format(**fill),
                why_same=("the same window" if same else "different windows"))


def _shift_variant(rng, seed):
    size = int(rng.choice([6, 8, 10]))
    return dict(size=size, row=int(rng.integers(0, size)), col=int(rng.integers(0, size - 1)),
                value=int(rng.choice([5, 7, 9])))


choice(
    pooling_shift, title="Predict: max pooling and a small shift",
    question=("A map of {size}x{size} zeros has one pixel of value {value}, at row {row} and "
              "column {col} (counting from 0). It goes through 2x2 max pooling with stride 2. "
              "Then the pixel moves one column to the right, to column {col2}, and the map is "
              "pooled again. Predict the second pooled map:"),
    numbers=dict(size=8, row=3, col=4, value=9),
    variant=_shift_variant, derive=_shifted,
    right="{truth}",
    wrong={
        "{lie}": "{lie_why}",
        "all zeros: the pixel now falls between two windows":
            "2x2 windows with stride 2 tile the map without gaps: every pixel is in exactly "
            "one window, wherever it moves.",
        "the bright value halved, shared by the two windows it touches":
            "at stride 2 the windows do not overlap, and max pooling passes a window's "
            "largest value on whole: nothing is shared or split.",
    },
    why=("the windows of 2x2 pooling at stride 2 cover columns 0-1, 2-3, 4-5, ...; columns "
         "{col} and {col2} are in {why_same}. Max pooling does not see where in its window the "
         "maximum is, so it tolerates a shift inside a window, but not one that crosses into "
         "the next window."),
    reference="a",       # columns 4 and 5 share a window: the pooled map does not change
)


# 04.9 Check your understanding: count_include_pad ---------------------------------------------

def count_include_pad_corner(answer):
    """Check question 04.9 (average pooling's corner with padding); prints the verdict."""
    report("count_include_pad_corner", answer)


def _corner(m):
    """The corner output from convlab's avg_pool2d, and the misconceptions' values."""
    x = np.full((1, m["size"], m["size"]), float(m["value"]))
    corner = avg_pool2d(x, 3, stride=1, padding=1)[0, 0, 0]
    v = m["value"]
    return dict(corner=fmt(corner), sum4=fmt(4 * v), edge=fmt(6 * v / 9))


choice(
    count_include_pad_corner, title="Predict: average pooling at a padded corner",
    question=("3x3 average pooling with stride 1 and padding 1 runs over a {size}x{size} map "
              "whose values are all {value}, with count_include_pad=True (PyTorch's default). "
              "Predict the output in the top-left corner:"),
    numbers=dict(size=6, value=18),
    variant=lambda rng, seed: dict(size=int(rng.choice([4, 5, 6, 8])),
                                   value=int(rng.choice([18, 27, 36, 45, 90]))),
    derive=_corner,
    right="{corner}",
    wrong={
        "{value}": "that divides by the 4 real pixels only, which is count_include_pad=False. "
                   "With True the padding zeros under the window count as values too.",
        "{sum4}": "that is the sum of the real pixels in the window; average pooling divides "
                  "the sum by a count.",
        "{edge}": "that window holds 6 real pixels, as one on an edge does; at a corner the "
                  "3x3 window hangs over two sides.",
    },
    why=("the corner window covers 4 real pixels of {value} and 5 padding zeros. With "
         "count_include_pad=True the zeros count: (4 x {value}) / 9 = {corner}, so the border "
         "of an average-pooled map comes out darker. With False it would divide by 4 and give "
         "{value}: the border keeps its brightness."),
    reference="b",
)
