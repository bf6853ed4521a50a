"""Exercises of notebook 01_kernels: one output by hand, output shapes, the loop, a designed kernel.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: the question, the default numbers, how a seed varies them, the
reference answer worked by hand, an independent route to the answer for any
variant, and the judge.
"""

from __future__ import annotations

import numpy as np

from .. import images, kernels, naive
from ..arithmetic import output_size
from ..convolution import convolve2d, correlate2d
from ._judging import (close, correct, fmt, function_output, kernel_answer, number,
                       number_array, sum_of_products, whole_numbers, wrong)
from ._concepts import choice
from ._registry import exercise, report

NOTEBOOK = "01_kernels"

__all__ = ["kernel_one_value", "kernel_output_shape", "naive_correlate2d",
           "vertical_edge_kernel", "flip_kernel", "flat_region_value", "sharpen_prediction"]

#: Small whole-number kernels a variant may use (each with no symmetry that
#: would make a flipped or transposed kernel give the same value everywhere).
_INTEGER_KERNELS = ("sobel_x", "sobel_y", "prewitt_x", "prewitt_y", "emboss",
                    "edge_detection_1")


def _small_image(rng, shape=(5, 5)):
    return rng.integers(0, 10, size=shape).astype(float)


# 01.1 -------------------------------------------------------------------------------------

def kernel_one_value(answer):
    """Check exercise 01.1 (one output value of a correlation, by hand); prints the verdict."""
    report("kernel_one_value", answer)


def _one_value_variant(rng, seed):
    while True:
        image = _small_image(rng)
        kernel = kernels.get(str(rng.choice(_INTEGER_KERNELS)))
        r, c = (int(v) for v in rng.integers(0, 3, size=2))
        out = naive.correlate2d(image, kernel)
        value = out[r, c]
        # Not degenerate: the value differs from its known mistakes, from 0, and from the
        # number of products the hint mentions.
        if value not in (0, kernel.size, out[c, r], naive.convolve2d(image, kernel)[r, c]):
            return dict(what="image", image=image, kernel=kernel, position=(r, c))


def _one_value_solve(m):
    (r, c), image, kernel = m["position"], m["image"], m["kernel"]
    return sum(image[r + a, c + b] * kernel[a, b]
               for a in range(kernel.shape[0]) for b in range(kernel.shape[1]))


@exercise(
    kernel_one_value, title="One output value by hand", answer="a number",
    question=(
        "Correlate the 5x5 {what}\n{image}\nwith the kernel\n{kernel}\n"
        "(no padding, stride 1). What is output[{position[0]}, {position[1]}], that is row "
        "{position[0]}, column {position[1]} of the result? Work it out by hand: place the "
        "kernel's top-left weight on image[{position[0]}, {position[1]}], multiply the "
        "overlapping pairs and add them up."),
    numbers=dict(what="worked example", image=images.worked_example,
                 kernel=lambda: kernels.get("sobel_x"), position=(1, 2)),
    variant=_one_value_variant, solve=_one_value_solve,
    # The window at row 1, column 2 is [[8, 9, 3], [2, 5, 1], [3, 1, 7]]; Sobel x is
    # [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]].
    reference=(-1*8 + 0*9 + 1*3
               - 2*2 + 0*5 + 2*1
               - 1*3 + 0*1 + 1*7),                          # = -3
)
def _kernel_one_value(m, answer):
    image, kernel, (r, c) = m["image"], m["kernel"], m["position"]
    value = number(answer)
    out = correlate2d(image, kernel)
    kh, kw = kernel.shape
    if close(value, out[r, c]):
        window = image[r:r + kh, c:c + kw]
        return correct(f"output[{r}, {c}] = {sum_of_products(window, kernel)} "
                       f"= {fmt(out[r, c])}.")
    if c < out.shape[0] and r < out.shape[1] and close(value, out[c, r]):
        return wrong(f"that is output[{c}, {r}]: the first index is the row (down), "
                     "the second the column (across).")
    if close(value, convolve2d(image, kernel)[r, c]):
        return wrong("that is the value with the kernel flipped (true convolution). "
                     "correlate2d uses the kernel as it is: its top-left weight multiplies "
                     "the window's top-left pixel.")
    return wrong(f"place the kernel's top-left weight on image[{r}, {c}], multiply each of "
                 f"the {kh * kw} overlapping pairs and add the {kh * kw} products; "
                 "watch the signs of the negative weights.")


# 01.2 -------------------------------------------------------------------------------------

def kernel_output_shape(answer):
    """Check exercise 01.2 (the shape of a correlation's output); prints the verdict."""
    report("kernel_output_shape", answer)


def _output_shape_variant(rng, seed):
    while True:
        h, w = (int(v) for v in rng.integers(5, 13, size=2))
        kh, kw = (int(v) for v in rng.integers(2, 6, size=2))
        if kh < h and kw < w and h - kh != w - kw:    # the swapped shape is a different one
            return dict(image_shape=(h, w), kernel_shape=(kh, kw))


def _output_shape_solve(m):
    (h, w), (kh, kw) = m["image_shape"], m["kernel_shape"]
    return (len([r for r in range(h) if r + kh <= h]), len([c for c in range(w) if c + kw <= w]))


@exercise(
    kernel_output_shape, title="Predict an output shape",
    answer="a (rows, columns) tuple of whole numbers",
    question=(
        "An image of shape {image_shape} (rows, columns) is correlated with a kernel of "
        "shape {kernel_shape}, no padding, stride 1. What is the shape of the output?"),
    numbers=dict(image_shape=(7, 9), kernel_shape=(3, 4)),
    variant=_output_shape_variant, solve=_output_shape_solve,
    # A 3x4 kernel fits at 7 - 3 + 1 rows and 9 - 4 + 1 columns.
    reference=(7 - 3 + 1, 9 - 4 + 1),                       # = (5, 6)
)
def _kernel_output_shape(m, answer):
    (h, w), (kh, kw) = m["image_shape"], m["kernel_shape"]
    mine = whole_numbers(answer, 2, "a (rows, columns) tuple")
    expected = (output_size(h, kh), output_size(w, kw))
    if mine == expected:
        return correct(f"a {kh}-tall kernel fits in {h} rows at {expected[0]} positions "
                       f"({h} - {kh} + 1) and a {kw}-wide one in {w} columns at "
                       f"{expected[1]} ({w} - {kw} + 1).")
    if mine == expected[::-1]:
        return wrong("you have the two numbers swapped: a shape lists rows first, "
                     "then columns.")
    if mine == (h - kh, w - kw):
        return wrong("off by one: count the positions. A 3-wide kernel on a 3-wide image "
                     "fits once, not zero times.")
    if mine == (h, w):
        return wrong("without padding the output is smaller than the image: the kernel "
                     "must fit entirely inside.")
    return wrong("count, along each axis separately, the positions where the kernel fits "
                 "entirely inside the image (start at 0; the last start leaves no kernel "
                 "weight hanging over the edge).")


# 01.3 -------------------------------------------------------------------------------------

def naive_correlate2d(answer):
    """Check exercise 01.3 (your sliding-window loop, a function); prints the verdict."""
    report("naive_correlate2d", answer)


def _reference_correlate2d(image, kernel):
    """Valid cross-correlation with explicit loops, stride 1."""
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    out_h = image.shape[0] - kh + 1
    out_w = image.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    total += image[i + a, j + b] * kernel[a, b]
            out[i, j] = total
    return out


def _correlate_cases(m):
    rng = np.random.default_rng(m["seed"])
    cases = [(np.asarray(m["first_image"], dtype=float), np.asarray(m["first_kernel"]))]
    for _ in range(m["trials"] - 1):
        h, w = rng.integers(1, 9, size=2)
        kh, kw = rng.integers(1, h + 1), rng.integers(1, w + 1)
        cases.append((rng.integers(-5, 6, size=(h, w)).astype(float),
                      rng.integers(-3, 4, size=(kh, kw)).astype(float)))
    return cases


def _correlate_variant(rng, seed):
    return dict(trials=25, seed=int(rng.integers(2**31)), first_image=_small_image(rng),
                first_kernel=kernels.get(str(rng.choice(_INTEGER_KERNELS))))


@exercise(
    naive_correlate2d, title="Write the sliding-window loop", kind="function",
    answer="a function my_correlate2d(image, kernel) returning a 2-D array",
    question=(
        "Write a function my_correlate2d(image, kernel) with explicit loops: for every "
        "position where the kernel fits entirely inside the image (no padding, stride 1), "
        "sum the element-wise products of the kernel and the image window under it. "
        "Pass the function itself (not its result) to the check; it is compared with "
        "convlab.correlate2d on {trials} random images and kernels."),
    numbers=dict(trials=25, seed=2024, first_image=images.worked_example,
                 first_kernel=lambda: kernels.get("sobel_x")),
    variant=_correlate_variant, cases=_correlate_cases, solve=None,
    reference=_reference_correlate2d,
)
def _naive_correlate2d(m, cases, outputs):
    for (image, kernel), output in zip(cases, outputs):
        description = f"an image of shape {image.shape} and a kernel of shape {kernel.shape}"
        mine = function_output(output, description)
        expected = correlate2d(image, kernel)
        if mine.shape == expected.shape and close(mine, expected):
            continue
        if mine.shape == expected.T.shape and close(mine, expected.T):
            return wrong(f"for {description} your output is the right one turned on its "
                         "side: rows and columns are swapped. output[i, j] belongs to the "
                         "window starting at row i, column j.")
        if mine.shape != expected.shape:
            if mine.shape == expected.shape[::-1]:
                return wrong(f"for {description} your output has shape {mine.shape}: rows "
                             "and columns are swapped. Loop over rows (the first index) in "
                             "the outer loop.")
            return wrong(f"for {description} your output has shape {mine.shape}, but "
                         f"there are {expected.shape[0]} x {expected.shape[1]} positions "
                         "where the kernel fits.")
        if close(mine, convolve2d(image, kernel)):
            return wrong("your loop flips the kernel, which is true convolution. "
                         "Correlation multiplies kernel[a, b] with image[i + a, j + b].")
        # Which output is wrong, and what it should be, is the hidden test's answer.
        return wrong(f"for {description} your output has the right shape but not the "
                     "right values. The window under output[i, j] starts at image[i, j]; "
                     "sum kernel[a, b] * image[i + a, j + b] over every a and b.")
    return correct(f"your loop agrees with convlab.correlate2d on all {len(cases)} cases "
                   "(images up to 8x8, kernels from 1x1 up to the image size). That loop "
                   "is the whole definition; the fast version only reorders the work.")


# 01.4 -------------------------------------------------------------------------------------

def vertical_edge_kernel(answer):
    """Check exercise 01.4 (design a vertical edge detector); prints the verdict."""
    report("vertical_edge_kernel", answer)


def _edge_variant(rng, seed):
    size = int(rng.integers(6, 11))
    low = int(rng.integers(0, 4))
    high = low + int(rng.integers(3, 10))
    return dict(max_size=7, strong=0.4, quiet=0.05,
                step=images.step_edge(size, low=low, high=high))


def _edge_images(step):
    """The step edge as a vertical edge and as a horizontal edge, whichever it is."""
    left_right = np.abs(np.diff(step, axis=1)).sum()
    top_bottom = np.abs(np.diff(step, axis=0)).sum()
    vertical = step if left_right >= top_bottom else step.T
    return vertical, vertical.T.copy()


@exercise(
    vertical_edge_kernel, title="Design a vertical edge detector",
    answer="a 2-D array (a kernel of at most 7x7)",
    question=(
        "Design a kernel that finds vertical edges: it should give 0 on flat regions, "
        "respond strongly where the image jumps from dark to bright (or bright to dark) "
        "left to right, and stay silent on horizontal edges. It is checked on the step "
        "edge image\n{step}\nand on the same image turned on its side."),
    numbers=dict(max_size=7, strong=0.4, quiet=0.05, step=images.step_edge),
    variant=_edge_variant, solve=lambda m: [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    # Left column negative, right column positive, every row the same: zero on flat
    # regions and on horizontal edges, large where left and right differ.
    reference=[[-1, 0, 1],
               [-1, 0, 1],
               [-1, 0, 1]],
)
def _vertical_edge_kernel(m, answer):
    kernel = kernel_answer(answer, m["max_size"])
    step = np.asarray(m["step"], dtype=float)
    # Scale by the step height and the kernel's total weight, so doubling the
    # kernel or the image does not change the verdict.
    height = float(step.max() - step.min())
    scale = float(np.abs(kernel).sum()) * height
    vertical, horizontal = _edge_images(step)
    if scale == 0:
        return wrong("your kernel is all zeros, so it responds to nothing.")
    flat = correlate2d(np.full((8, 8), height), kernel)
    if np.abs(flat).max() > m["quiet"] * scale:
        return wrong(f"on a flat region your kernel gives {fmt(flat.flat[0])}, not 0. "
                     "An edge detector must ignore constant brightness: make its weights "
                     "add up to zero.")
    if kernel.shape[0] > vertical.shape[0] or kernel.shape[1] > vertical.shape[1]:
        return wrong(f"a kernel of shape {kernel.shape} does not fit in the "
                     f"{vertical.shape} test image; keep it small (3x3 is plenty).")
    strongest = np.abs(correlate2d(vertical, kernel)).max()
    on_horizontal = correlate2d(horizontal, kernel)
    if strongest < m["strong"] * scale <= np.abs(on_horizontal).max():
        return wrong("it finds the horizontal edge (a change from top to bottom) instead of "
                     "the vertical one. Turn your idea a quarter turn.")
    if strongest < m["strong"] * scale:
        return wrong("it hardly responds to the vertical step edge. Put weights of one sign "
                     "in the left column(s) and the opposite sign in the right column(s).")
    if np.abs(on_horizontal).max() > m["quiet"] * scale:
        return wrong("it also responds to a horizontal edge. Give every row the same "
                     "left-to-right pattern, so a change from top to bottom cancels out.")
    return correct(f"it gives 0 on flat regions and on horizontal edges, and "
                   f"{fmt(strongest)} at the vertical edge. Sobel x and Prewitt x in the "
                   "gallery are kernels of this kind.")


# 01.5 -------------------------------------------------------------------------------------

def flip_kernel(answer):
    """Check exercise 01.5 (flip a kernel for true convolution); prints the verdict."""
    report("flip_kernel", answer)


def _flip_variant(rng, seed):
    # Nine different whole numbers: every rearrangement is a different kernel.
    values = rng.choice(np.arange(-9, 10), size=9, replace=False)
    return dict(kernel=values.reshape(3, 3).astype(float))


@exercise(
    flip_kernel, title="Flip a kernel for true convolution", answer="a 3x3 array",
    question=(
        "convlab.convolve2d(image, kernel) is the mathematical convolution: it equals "
        "convlab.correlate2d(image, flipped) for some rearranged kernel 'flipped'. "
        "For the kernel\n{kernel}\nwhat is 'flipped'?"),
    # Values 1..9 show each weight's position, so a flip is easy to see.
    numbers=dict(kernel=lambda: np.arange(1, 10, dtype=float).reshape(3, 3)),
    variant=_flip_variant,
    solve=lambda m: [[m["kernel"][2 - i][2 - j] for j in range(3)] for i in range(3)],
    # Upside down and left to right (a half turn).
    reference=[[9, 8, 7],
               [6, 5, 4],
               [3, 2, 1]],
)
def _flip_kernel(m, answer):
    kernel = m["kernel"]
    mine = number_array(answer, kernel.shape, "3x3 array")
    probe = np.random.default_rng(0).standard_normal((6, 7))
    if close(correlate2d(probe, mine), convolve2d(probe, kernel)):
        return correct("flipping both axes (kernel[::-1, ::-1], a half turn) turns "
                       "correlation into convolution. For a symmetric kernel the two are "
                       "the same, which is why blurs never show the difference.")
    hints = (
        (kernel, "that is the kernel unchanged: correlating with it is correlation, "
                 "not convolution."),
        (kernel.T, "that is the transpose (mirrored about the diagonal). Convolution turns "
                   "the kernel upside down and left to right."),
        (kernel[::-1, :], "you flipped it upside down only; flip it left to right too."),
        (kernel[:, ::-1], "you flipped it left to right only; flip it upside down too."),
    )
    for other, hint in hints:
        if close(mine, other):
            return wrong(hint)
    return wrong("convolution uses every weight of the kernel, only rearranged: flip it "
                 "upside down and left to right.")


# 01.6 Check your understanding: the sum of the weights -------------------------------------

def flat_region_value(answer):
    """Check question 01.6 (a kernel on a flat region: the sum of its weights); prints the verdict."""
    report("flat_region_value", answer)


#: Whole-number kernels whose weights add up to 1 (sharpen) or 0 (edge detectors), none with
#: a centre weight of 1, 0 or 9 (those would make two options alike).
_SUM_KERNELS = ("sharpen", "edges_4_neighbours", "edges_8_neighbours", "laplacian")


def _flat_values(m):
    """The kernel, and what it gives on a flat region: computed with convlab's correlation."""
    kernel = kernels.get(m["kernel"])
    flat = np.full((5, 5), float(m["grey"]))
    out = correlate2d(flat, kernel)[1, 1]
    keeps = bool(np.isclose(out, m["grey"]))
    return dict(
        weights=kernel, out=fmt(out), nine=fmt(9 * m["grey"]),
        centre=fmt(kernel[1, 1] * m["grey"]), other=fmt(0 if keeps else m["grey"]),
        other_why=("a kernel with negative weights does not wipe out a flat region by "
                   "itself: whether it does depends on what all its weights add up to."
                   if keeps else
                   "a kernel leaves a flat region as it is only when its weights make a "
                   "weighted average of the pixels; look at what these weights add up to."))


choice(
    flat_region_value, title="Predict: a kernel on a flat region",
    question=("The kernel\n{weights}\nslides over a photograph. Predict its output in the "
              "middle of a large flat region where every pixel is {grey}:"),
    numbers=dict(kernel="sharpen", grey=100),
    variant=lambda rng, seed: dict(kernel=str(rng.choice(_SUM_KERNELS)),
                                   grey=int(rng.choice([20, 50, 80, 120, 150, 200]))),
    derive=_flat_values,
    right="{out}",
    wrong={
        "{nine}": "that adds up the nine pixels under the window as they are; each pixel is "
                  "first multiplied by its own weight, and some weights are negative.",
        "{centre}": "that keeps only the centre product; all nine products count, the "
                    "negative ones too, and in a flat region every pixel is the same.",
        "{other}": "{other_why}",
    },
    why=("in a flat region every product is {grey} times a weight, so the output is {grey} "
         "times the sum of the weights: {out}. Weights that add up to 1 (blur, sharpen) keep "
         "the brightness of flat regions; weights that add up to 0 (edge detectors) turn "
         "them to 0 and respond only where the pixels change."),
    reference="c",       # 5*100 - 4*100 = 100: the sharpen kernel's weights add up to 1
)


# 01.7 Check your understanding: what a sharpen kernel does ---------------------------------

def sharpen_prediction(answer):
    """Check question 01.7 (what the sharpen kernel does to a photograph); prints the verdict."""
    report("sharpen_prediction", answer)


choice(
    sharpen_prediction, title="Predict: what a sharpen kernel does",
    question=("The sharpen kernel [[0, -1, 0], [-1, 5, -1], [0, -1, 0]] has weights that add "
              "up to 1, like a blur's. Predict what it does to a photograph:"),
    right="flat regions stay as they are; at each edge the bright side brightens and the "
          "dark side darkens",
    wrong={
        "the whole picture gets darker, because four of the five weights are negative":
            "the negative weights are balanced by the centre's 5: on a flat region the "
            "products add up to the pixel itself. Count what the weights add up to, not how "
            "many are negative.",
        "only the edges are left: the flat regions turn black and the edges light up":
            "that is what a kernel whose weights add up to 0 does, an edge detector; this "
            "kernel's weights add up to something else.",
        "it undoes any blur exactly, recovering the detail the blur removed":
            "sharpening exaggerates the differences that are left; detail a blur averaged "
            "away is lost, and no 3x3 kernel brings it back exactly.",
        "the picture gets blurrier, since its weights add up to 1 as a blur's do":
            "adding up to 1 says only what happens on a flat region. At an edge a blur "
            "averages the two sides together; a centre weight above 1 with negative "
            "neighbours pushes them apart instead.",
    },
    why=("on a flat region the output is the pixel times the sum of the weights, 1: nothing "
         "changes. Next to an edge, the centre's 5 minus its four neighbours is 'the pixel plus "
         "how much it differs from its neighbours', so a pixel brighter than its neighbours "
         "gets brighter and a darker one darker: the edge's contrast grows."),
    reference="a",
)
