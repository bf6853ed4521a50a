"""Exercises of notebook 09_transposed_convolution: sizes, output_padding, the matrix C, stamps.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge.
"""

from __future__ import annotations

import numpy as np

from ..arithmetic import output_size
from ..matrix import conv_matrix
from .. import transposed as core
from ..transposed import conv_transpose2d
from ._judging import (Malformed, array_verdict, correct, fmt, number_array, shape_of,
                       whole_number, whole_numbers, wrong)
from ._concepts import choice
from ._registry import exercise, report

NOTEBOOK = "09_transposed_convolution"

__all__ = ["transposed_output_size", "choose_output_padding", "conv_matrix_shape",
           "transposed_by_hand", "checkerboard_overlap", "transposed_views",
           "checkerboard_kernel_size", "resize_then_convolve"]


def _stamped_length(i, k, s):
    """The length covered by i stamps k wide starting s apart, counted (independent route)."""
    last_start = 0
    for _ in range(i - 1):
        last_start += s
    return last_start + k


# 09.1 -------------------------------------------------------------------------------------

def transposed_output_size(answer):
    """Check exercise 09.1 (the output size of a transposed convolution); prints the verdict.

    convlab.transposed.transposed_output_size, of the same name, computes the size.
    """
    report("transposed_output_size", answer)


def _size_variant(rng, seed):
    while True:
        i, k = int(rng.integers(3, 9)), int(rng.integers(2, 6))
        s, p = int(rng.integers(2, 4)), int(rng.integers(0, 3))
        if p >= k or i + 2 * p < k:
            continue
        expected = core.transposed_output_size(i, k, stride=s, padding=p)
        mistakes = {output_size(i, k, stride=s, padding=p), (i - 1) * s + k,
                    (i - 1) * s + k - p}
        if expected > i and expected not in mistakes:
            return dict(input_size=i, kernel_size=k, stride=s, padding=p)


@exercise(
    transposed_output_size,
    title="Output size of a transposed convolution", answer="a whole number",
    question=(
        "torch.nn.ConvTranspose2d(1, 1, kernel_size={kernel_size}, stride={stride}, "
        "padding={padding}) gets an input {input_size} pixels wide. How wide is its "
        "output?"),
    numbers=dict(input_size=5, kernel_size=3, stride=2, padding=1),
    variant=_size_variant,
    solve=lambda m: _stamped_length(m["input_size"], m["kernel_size"], m["stride"])
    - 2 * m["padding"],
    # Stamps start at 0, 2, 4, 6, 8; the last reaches 8 + 2 = 10, so 11 pixels,
    # minus 1 cropped from each end.
    reference=(5 - 1)*2 + (3 - 1) + 1 - 2*1,                 # = 9
)
def _transposed_output_size(m, answer):
    i, k, s, p = m["input_size"], m["kernel_size"], m["stride"], m["padding"]
    mine = whole_number(answer)
    expected = core.transposed_output_size(i, k, stride=s, padding=p)
    if mine == expected:
        return correct(f"(i - 1)*s - 2p + d*(k - 1) + output_padding + 1 = ({i} - 1)*{s} - "
                       f"2*{p} + ({k} - 1) + 0 + 1 = {expected}: the stamps start {s} apart, "
                       f"the last one reaches {k - 1} further, and padding={p} crops {p} "
                       "from each end. A convolution with the same settings maps it back: "
                       f"output_size({expected}, {k}, stride={s}, padding={p}) = {i}.")
    if mine == output_size(i, k, stride=s, padding=p):
        return wrong("that is the output size of a convolution with these settings, which "
                     "shrinks; a transposed convolution goes the other way.")
    if mine == (i - 1) * s + k:
        return wrong("that is the full output before cropping: padding in a transposed "
                     "convolution removes pixels from each end.")
    if mine == (i - 1) * s + k - p:
        return wrong("the padding crops from both ends, so 2p in total.")
    return wrong("place the stamps: the first starts at 0, the last at (i - 1)*s, and "
                 "reaches d*(k - 1) pixels further; then padding crops p pixels from each "
                 "end.")


# 09.2 -------------------------------------------------------------------------------------

def choose_output_padding(answer):
    """Check exercise 09.2 (the output_padding that undoes a strided convolution's shape)."""
    report("choose_output_padding", answer)


def _padding_variant(rng, seed):
    s = int(rng.integers(2, 5))
    k = s + int(rng.integers(0, 3))
    p = int(rng.integers(0, k // 2 + 1))
    return dict(input_size=int(rng.integers(max(k, 8), 25)), kernel_size=k, stride=s,
                padding=p)


def _output_padding_by_hand(m):
    i, k, s, p = m["input_size"], m["kernel_size"], m["stride"], m["padding"]
    small = len(range(0, i + 2 * p - k + 1, s))
    return i - (_stamped_length(small, k, s) - 2 * p)


@exercise(
    choose_output_padding, title="Undo a strided convolution's shape", answer="a whole number",
    question=(
        "An encoder layer Conv2d(kernel_size={kernel_size}, stride={stride}, "
        "padding={padding}) turns a {input_size}x{input_size} image into a smaller one. "
        "The decoder undoes it with ConvTranspose2d(kernel_size={kernel_size}, "
        "stride={stride}, padding={padding}, output_padding=?). Which output_padding "
        "gives back exactly {input_size}x{input_size}?"),
    numbers=dict(input_size=10, kernel_size=3, stride=2, padding=1),
    variant=_padding_variant, solve=_output_padding_by_hand,
    # The encoder gives (10 + 2 - 3) // 2 + 1 = 5; 5 comes back as
    # (5 - 1)*2 - 2 + 2 + 1 = 9, one short of 10.
    reference=10 - ((5 - 1)*2 - 2*1 + (3 - 1) + 1),          # = 1
)
def _choose_output_padding(m, answer):
    i, k, s, p = m["input_size"], m["kernel_size"], m["stride"], m["padding"]
    mine = whole_number(answer)
    small = output_size(i, k, stride=s, padding=p)
    base = core.transposed_output_size(small, k, stride=s, padding=p)
    expected = i - base
    if mine == expected:
        return correct(f"the encoder gives floor(({i} + 2*{p} - {k}) / {s}) + 1 = {small}; "
                       f"ConvTranspose2d turns {small} into {base} + output_padding, so "
                       f"output_padding = {expected}. Different sizes (here {base} and "
                       f"{base + s - 1}) map to {small} because the convolution rounds "
                       "down; output_padding says which one you want back.")
    if mine < 0:
        return wrong("output_padding adds rows and columns at the end; it is never "
                     "negative.")
    if mine >= s:
        return wrong("output_padding must be smaller than the stride (PyTorch raises an "
                     "error otherwise): it only picks between the sizes a strided "
                     "convolution rounds to the same output.")
    return wrong(f"first find the encoder's output size, then the transposed convolution's "
                 f"output for it without any output_padding, and compare with the "
                 f"{i}x{i} you want.")


# 09.3 -------------------------------------------------------------------------------------

def conv_matrix_shape(answer):
    """Check exercise 09.3 (the shape of a convolution's matrix C); prints the verdict."""
    report("conv_matrix_shape", answer)


def _matrix_variant(rng, seed):
    while True:
        h = int(rng.integers(4, 9))
        k, s = int(rng.integers(2, 4)), int(rng.integers(1, 3))
        o = output_size(h, k, stride=s)
        expected = (o * o, h * h)
        if o >= 2 and expected[1] != k * k and (output_size(h, k) ** 2, h * h) != expected:
            return dict(input_shape=(h, h), kernel_size=k, stride=s)


@exercise(
    conv_matrix_shape, title="The shape of the matrix C",
    answer="a (rows, columns) tuple of whole numbers",
    question=(
        "convlab.matrix.conv_matrix builds the matrix C of a convolution, so that "
        "C @ x.ravel() is the output, flattened. For a {input_shape[0]}x{input_shape[1]} "
        "image and a {kernel_size}x{kernel_size} kernel at stride {stride}, no padding, "
        "what is the shape of C?"),
    numbers=dict(input_shape=(5, 5), kernel_size=3, stride=2),
    variant=_matrix_variant,
    solve=lambda m: (len(range(0, m["input_shape"][0] - m["kernel_size"] + 1, m["stride"]))
                     * len(range(0, m["input_shape"][1] - m["kernel_size"] + 1, m["stride"])),
                     m["input_shape"][0] * m["input_shape"][1]),
    # Windows at 0 and 2 along each axis: 2x2 = 4 outputs (rows), 25 inputs.
    reference=(2 * 2, 5 * 5),                                # = (4, 25)
)
def _conv_matrix_shape(m, answer):
    (h, w), k, s = m["input_shape"], m["kernel_size"], m["stride"]
    mine = whole_numbers(answer, 2, "a (rows, columns) tuple")
    expected = conv_matrix((h, w), np.ones((k, k)), stride=s).shape
    oh, ow = output_size(h, k, stride=s), output_size(w, k, stride=s)
    if mine == expected:
        return correct(f"one row per output pixel ({oh}x{ow} = {expected[0]}) and one "
                       f"column per input pixel ({h}x{w} = {expected[1]}); each row holds "
                       f"the {k * k} weights where its window sits, zeros elsewhere. C.T has "
                       "the shape the other way round and maps outputs back to inputs: the "
                       "transposed convolution.")
    if mine == expected[::-1]:
        return wrong("those are the right numbers the wrong way round: C @ x.ravel() is the "
                     "output, so C has a row per output pixel and a column per input pixel.")
    stride1 = output_size(h, k) * output_size(w, k)
    if mine == (stride1, expected[1]):
        return wrong("that has a row for every stride-1 window; at this stride fewer "
                     "windows fit.")
    if mine[1] == k * k:
        return wrong("the columns are not the kernel's weights but the input pixels: "
                     "C multiplies the whole flattened image.")
    if mine == (oh, ow) or mine == (h, w):
        return wrong("that is an image's shape; C is a matrix that maps the flattened "
                     "input to the flattened output.")
    return wrong("C @ x.ravel() must give the output, flattened: count the output pixels "
                 "(the rows) and the input pixels (the columns).")


# 09.4 -------------------------------------------------------------------------------------

def transposed_by_hand(answer):
    """Check exercise 09.4 (a transposed convolution by hand); prints the verdict."""
    report("transposed_by_hand", answer)


def _by_hand_variant(rng, seed):
    while True:
        image = rng.choice([-2, -1, 1, 2, 3, 4], size=(2, 2)).astype(float)
        kernel = rng.integers(-1, 3, size=(2, 2)).astype(float)
        if not np.array_equal(kernel, kernel[::-1, ::-1]) and np.count_nonzero(kernel) >= 3:
            return dict(image=image, kernel=kernel, stride=1)


def _stamp_by_hand(m):
    x, kernel, s = m["image"], m["kernel"], m["stride"]
    size = (x.shape[0] - 1) * s + kernel.shape[0]
    out = [[0.0] * size for _ in range(size)]
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            for a in range(kernel.shape[0]):
                for b in range(kernel.shape[1]):
                    out[i * s + a][j * s + b] += x[i, j] * kernel[a, b]
    return out


@exercise(
    transposed_by_hand, title="A transposed convolution by hand",
    answer="a 2-D array of numbers",
    question=(
        "Compute conv_transpose2d of the 2x2 input\n{image}\nwith the kernel\n{kernel}\n"
        "at stride {stride}, no padding: every input pixel stamps the kernel times its "
        "value, top-left tap at (row*stride, column*stride), and overlapping stamps add "
        "up. Give the whole output."),
    numbers=dict(image=lambda: np.array([[2, 1], [3, 4]], dtype=float),
                 kernel=lambda: np.array([[1, 2], [0, -1]], dtype=float), stride=1),
    variant=_by_hand_variant, solve=_stamp_by_hand,
    # Stamps 2*k at (0, 0), 1*k at (0, 1), 3*k at (1, 0), 4*k at (1, 1), added;
    # = [[2, 5, 2], [3, 8, 7], [0, -3, -4]].
    reference=[[2*1, 2*2 + 1*1, 1*2],
               [3*1, 2*(-1) + 1*0 + 3*2 + 4*1, 1*(-1) + 4*2],
               [0, 3*(-1) + 4*0, 4*(-1)]],
)
def _transposed_by_hand(m, answer):
    x, kernel, s = m["image"], m["kernel"], m["stride"]
    expected = conv_transpose2d(x[None, None], kernel[None, None], stride=s)[0, 0]
    mine = number_array(answer, expected.shape, "2-D array")
    flipped = conv_transpose2d(x[None, None], kernel[::-1, ::-1][None, None].copy(),
                               stride=s)[0, 0]
    return array_verdict(
        mine, expected,
        f"each input pixel adds value * kernel with its top-left tap at (row*{s}, "
        f"column*{s}); where stamps overlap they add, for instance the centre "
        f"{fmt(expected[1, 1])} collects one tap from each of the four stamps. The same "
        "numbers come from convolving the zero-padded input with the flipped kernel.",
        hints=[(flipped, "that stamps the kernel turned by a half turn: the stamp of "
                "x[i, j] puts kernel[a, b] at (i + a, j + b), top-left tap first.")],
        advice="write out the four stamps, value * kernel each at its place, and add them "
               "where they overlap.")


# 09.5 -------------------------------------------------------------------------------------

def checkerboard_overlap(answer):
    """Check exercise 09.5 (how many stamps land on each output pixel); prints the verdict."""
    report("checkerboard_overlap", answer)


def _overlap_variant(rng, seed):
    k, s = [(3, 2), (5, 2), (5, 3), (4, 3), (5, 4)][int(rng.integers(5))]
    return dict(input_size=int(rng.integers(2, 5)), kernel_size=k, stride=s)


def _counts_by_hand(m):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    row = [0] * _stamped_length(i, k, s)
    for n in range(i):
        for a in range(k):
            row[n * s + a] += 1
    return [[a * b for b in row] for a in row]


@exercise(
    checkerboard_overlap, title="Where stamps overlap", answer="a 2-D array of whole numbers",
    question=(
        "A transposed convolution with a {kernel_size}x{kernel_size} kernel at stride "
        "{stride} stamps the kernel once per input pixel of a {input_size}x{input_size} "
        "input. For each output pixel, how many stamps (kernel taps) land on it? Give the "
        "whole output-sized array of counts (np.outer of one row of counts with itself "
        "may save typing)."),
    numbers=dict(input_size=3, kernel_size=3, stride=2),
    variant=_overlap_variant, solve=_counts_by_hand,
    # Stamps cover 0-2, 2-4 and 4-6 along each axis: pixels 2 and 4 twice.
    reference=np.outer([1, 1, 2, 1, 2, 1, 1],
                       [1, 1, 2, 1, 2, 1, 1]).tolist(),
)
def _checkerboard_overlap(m, answer):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    expected = conv_transpose2d(np.ones((1, 1, i, i)), np.ones((1, 1, k, k)), stride=s)[0, 0]
    size = expected.shape[0]
    row = expected[0]
    if shape_of(answer) == row.shape:
        raise Malformed(f"that is one row of counts; the answer is the whole {size}x{size} "
                        "output (np.outer of the row with itself).")
    mine = number_array(answer, expected.shape, "2-D array")
    shown = ", ".join(fmt(v) for v in row)
    counts = [fmt(v) for v in sorted(set(expected.ravel()))]
    return array_verdict(
        mine, expected,
        f"along one axis the counts are [{shown}]: stamps {k} wide starting {s} apart "
        f"overlap {'on every other pixel' if (k, s) == (3, 2) else 'unevenly'}. In 2-D the "
        f"counts multiply, so pixels get {', '.join(counts[:-1])} or {counts[-1]} taps: the "
        f"uneven overlap that prints a checkerboard into the output of a stride-{s} "
        f"transposed convolution with a {k}x{k} kernel.",
        hints=[(np.ones_like(expected), f"the stamps overlap: a {k}-wide stamp every {s} "
                "pixels covers some pixels more than once along each axis."),
               (row[:, None] + row[None, :] - 1, "where an overlapping row meets an "
                "overlapping column, the counts multiply: 2 stamps along each axis means "
                "2 x 2 stamps land there.")],
        advice="count, along one axis, how many stamps cover each pixel; a pixel of the "
               "2-D output gets its row's count times its column's count.")


# 09.6 to 09.8: check your understanding ---------------------------------------------------

def transposed_views(answer):
    """Check question 09.6 (which route is not a transposed convolution); prints the verdict."""
    report("transposed_views", answer)


def _views_variant(rng, seed):
    stride = int(rng.choice([2, 3]))
    return dict(stride=stride, size=3 + stride * int(rng.integers(2, 5)))


def _views_sizes(m):
    """The small map's side and C's shape, from convlab's output-size and matrix code."""
    small = output_size(m["size"], 3, stride=m["stride"])
    rows, columns = conv_matrix((m["size"], m["size"]), np.ones((3, 3)),
                                stride=m["stride"]).shape
    zeros = m["stride"] - 1
    return dict(small=small, zeros=f"{zeros} zero" + ("s" if zeros != 1 else ""), rows=rows,
                columns=columns)


choice(
    transposed_views, title="Three views of one transposed convolution",
    question=(
        "w is a 3x3 kernel and y a {small}x{small} map. C is the matrix of the "
        "convolution correlate2d(x, w, stride={stride}) of a {size}x{size} image x, so "
        "C @ x.ravel() is that convolution's output, flattened. Four of these five give "
        "the same {size}x{size} array, conv_transpose2d(y, w, stride={stride}). Which one "
        "does not?"),
    numbers=dict(stride=2, size=7),
    variant=_views_variant, derive=_views_sizes,
    right="the image x that solves C @ x.ravel() = y.ravel(): the convolution undone",
    wrong={
        "stamping w, scaled by each y[i, j], with its top-left tap at (i*{stride}, "
        "j*{stride}), and adding the stamps where they overlap":
            "this is the scatter, the definition of a transposed convolution: every "
            "input pixel stamps value * kernel into the output.",
        "inserting {zeros} between neighbouring pixels of y, padding with 2 zeros "
        "on every side, and sliding w turned by a half turn over it at stride 1":
            "this is the zero-insertion view, as the conv-arithmetic guide draws it. In the "
            "scatter, input pixel i reaches output o through tap o - i*s, so seen from the "
            "output the window reads the kernel back to front: the same numbers.",
        "C.T @ y.ravel(), reshaped to {size}x{size}":
            "this is the matrix view: column c of C lists the outputs that pixel c fed and "
            "with which weights, so row c of C.T gathers exactly what the stamps scatter.",
        "the gradient of sum(correlate2d(x, w, stride={stride}) * y) with respect to x":
            "this is the backward pass of the convolution: each y[i, j] goes back through "
            "the weights onto the pixels its window read, a stamp of y[i, j] * w. That is "
            "why transposed convolutions exist (grad.conv2d_input computes it).",
    },
    why=("a transposed convolution undoes the convolution's shape, not its numbers. C is "
         "{rows}x{columns}, with more columns than rows: many images give the same y, and "
         "C.T @ (C @ x) is not x. The stamps, the zero-inserted input under the turned "
         "kernel, C.T and the input gradient are four ways to write one linear map."),
    reference="e",
)


def checkerboard_kernel_size(answer):
    """Check question 09.7 (predict which kernel size upsamples evenly); prints the verdict."""
    report("checkerboard_kernel_size", answer)


def _inside_counts(kernel_size, stride):
    """The different stamp counts on the inside pixels of one output row, from convlab."""
    row = conv_transpose2d(np.ones((1, 1, 8)), np.ones((1, 1, 1, kernel_size)),
                           stride=stride)[0, 0]
    inside = row[kernel_size:-kernel_size]
    return " or ".join(fmt(v) for v in sorted(set(inside.tolist())))


def _kernel_sizes(m):
    s = m["stride"]
    sizes = dict(even=2 * s, below=2 * s - 1, above=2 * s + 1, far=3 * s + 1)
    return dict(sizes, **{f"{key}_counts": _inside_counts(k, s) for key, k in sizes.items()})


choice(
    checkerboard_kernel_size, title="Predict: which kernel size upsamples evenly",
    question=(
        "ConvTranspose2d(1, 1, kernel_size=k, stride={stride}) with a kernel of ones "
        "upsamples a flat input of ones. Predict: for which k does every output pixel away "
        "from the border get the same number of stamps, so the inside of the output stays "
        "flat?"),
    numbers=dict(stride=2),
    variant=lambda rng, seed: dict(stride=int(rng.choice([2, 3, 4]))),
    derive=_kernel_sizes,
    right="k = {even}",
    wrong={
        "k = {below}":
            "stamps {below} wide starting {stride} apart cover the inside pixels of a row "
            "{below_counts} times, unevenly: a flat input comes out striped along each axis, "
            "a checkerboard in 2-D.",
        "k = {above}":
            "a bigger kernel is not a smoother one: stamps {above} wide starting {stride} "
            "apart cover the inside pixels of a row {above_counts} times, unevenly.",
        "k = {far}":
            "stamps {far} wide starting {stride} apart cover the inside pixels of a row "
            "{far_counts} times, unevenly: more overlap is not even overlap.",
    },
    why=("stamps {even} wide starting {stride} apart cover every inside pixel {even_counts} "
         "times: the overlap is even when the stride divides the kernel size. Kernel sizes "
         "the stride does not divide leave some pixels with one stamp more than their "
         "neighbours, the checkerboard."),
    reference="c",
)


def resize_then_convolve(answer):
    """Check question 09.8 (why resizing, then convolving prints no checkerboard)."""
    report("resize_then_convolve", answer)


choice(
    resize_then_convolve, title="Why resize, then convolve",
    question=(
        "Odena, Dumoulin and Olah (Distill, 2016) replace ConvTranspose2d(kernel_size=3, "
        "stride=2) by a nearest-neighbour resize (each pixel copied into a 2x2 block) "
        "followed by an ordinary Conv2d(kernel_size=3, padding=1). Why does that print no "
        "checkerboard?"),
    right=("every output pixel is one 3x3 window over the resized image, so every output "
           "gets the same number of kernel taps and a flat input stays flat"),
    wrong={
        "the convolution after the resize blurs away the checkerboard that the resize makes":
            "a nearest-neighbour resize of a flat image is flat: there is no pattern to "
            "blur away. The pattern of a transposed convolution comes from its stamps "
            "overlapping unevenly, and a resize stamps nothing.",
        "the resize has no weights, so it cannot learn a checkerboard":
            "the checkerboard is not learned: a transposed convolution with a kernel of "
            "ones prints it on a flat input before any training (exercise 09.5). It comes "
            "from how many stamps land on each pixel.",
        "an ordinary convolution does not turn its kernel, while a transposed one does":
            "turning the kernel only reorders its taps; it changes nothing about how many "
            "taps land on each output pixel.",
    },
    why=("in the resize-then-convolve layer every output pixel is computed the same way, "
         "one 3x3 window of the resized image, so a flat input gives a flat output (away "
         "from the zero-padded border). A stride-2 transposed convolution with a 3x3 kernel "
         "lands 1, 2 or 4 stamps on neighbouring pixels, and that unevenness is the "
         "checkerboard."),
    reference="a",
)
