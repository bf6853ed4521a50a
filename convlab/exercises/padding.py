"""Exercises of notebook 05_padding: 'same' padding (odd, even, strided), reflect padding, sizes.

Each exercise is its public checker (``def name(answer)``) followed by its
definition: question, default numbers, variants, hand-worked reference, an
independent route to the answer, and the judge.
"""

from __future__ import annotations

import math

import numpy as np

from ..arithmetic import output_size, same_padding
from ..convolution import correlate2d
from ..padding import pad2d
from ._judging import (Malformed, array_verdict, check_filled, correct, fmt, has_ellipsis,
                       number_array, whole_number, whole_numbers, wrong)
from ._concepts import choice
from ._registry import exercise, report

NOTEBOOK = "05_padding"

__all__ = ["same_padding_odd_kernel", "same_padding_even_kernel", "same_padding_stride2",
           "reflect_pad_row", "padded_output_size", "total_to_per_side_padding",
           "choose_padding_mode", "full_output_size"]


def _padding_pair(answer, allow_int=False):
    if allow_int and not isinstance(answer, (tuple, list, np.ndarray)):
        side = whole_number(answer)
        return side, side
    return whole_numbers(answer, 2, "a (before, after) pair")


def _padding_hint(mine, rule):
    """The hint for a wrong 'same' padding: never how many outputs it gives, only the rule.

    How many outputs the learner's padding gives, or that its total is right, would
    narrow the answer down to one by the second try.
    """
    if min(mine) < 0:
        return "padding cannot be negative."
    return rule


def _same_by_hand(m):
    """'same' padding from the count of outputs wanted, with the odd pixel after."""
    i, k, s = m["input_size"], m["kernel_size"], m.get("stride", 1)
    outputs = -(-i // s)
    total = max(0, (outputs - 1) * s + k - i)
    return (total // 2, total - total // 2)


# 05.1 -------------------------------------------------------------------------------------

def same_padding_odd_kernel(answer):
    """Check exercise 05.1 ('same' padding for an odd kernel); prints the verdict."""
    report("same_padding_odd_kernel", answer)


@exercise(
    same_padding_odd_kernel, title="'same' padding for an odd kernel",
    answer="a whole number (pixels on each side) or a (before, after) pair",
    question=(
        "How many pixels must be added on each side of a row of {input_size} pixels so "
        "that a {kernel_size}-wide kernel at stride 1 gives {input_size} outputs?"),
    numbers=dict(input_size=28, kernel_size=5),
    variant=lambda rng, seed: dict(input_size=int(rng.integers(8, 41)),
                                   kernel_size=int(rng.choice([3, 5, 7, 9]))),
    solve=lambda m: _same_by_hand(m)[0],
    # k - 1 = 4 in total, split evenly.
    reference=(5 - 1) // 2,                                  # = 2
)
def _same_padding_odd_kernel(m, answer):
    i, k = m["input_size"], m["kernel_size"]
    mine = _padding_pair(answer, allow_int=True)
    expected = same_padding(i, k)
    if mine == expected:
        return correct(f"k - 1 = {k - 1} pixels in total, {expected[0]} on each side "
                       f"(k // 2): the kernel's centre can then visit every one of the "
                       f"{i} pixels.")
    return wrong(_padding_hint(mine, "at stride 1 a k-wide kernel needs k - 1 pixels of "
                                     "padding in total to give as many outputs as inputs; "
                                     "an odd kernel splits that total evenly between the "
                                     "two sides."))


# 05.2 -------------------------------------------------------------------------------------

def same_padding_even_kernel(answer):
    """Check exercise 05.2 ('same' padding for an even kernel); prints the verdict."""
    report("same_padding_even_kernel", answer)


@exercise(
    same_padding_even_kernel, title="'same' padding for an even kernel",
    answer="a (before, after) pair",
    question=(
        "A {kernel_size}-wide kernel at stride 1 runs over a row of {input_size} pixels "
        "with padding='same' (as in PyTorch and TensorFlow). How many pixels are added "
        "(before, after), that is (left, right)?"),
    numbers=dict(input_size=8, kernel_size=4),
    variant=lambda rng, seed: dict(input_size=int(rng.integers(6, 21)),
                                   kernel_size=int(rng.choice([2, 4, 6]))),
    solve=_same_by_hand,
    # k - 1 = 3 in total: 1 before, the extra pixel after.
    reference=(1, 2),
)
def _same_padding_even_kernel(m, answer):
    i, k = m["input_size"], m["kernel_size"]
    if isinstance(answer, (tuple, list)) and len(answer) == 2 \
            and not has_ellipsis(answer) \
            and any(isinstance(v, float) and not float(v).is_integer() for v in answer):
        return wrong("pixels come whole: the total cannot be split evenly, so one side "
                     "gets one more than the other.")
    mine = _padding_pair(answer)
    expected = same_padding(i, k)
    if mine == expected:
        return correct(f"an even kernel needs k - 1 = {k - 1} pixels in total, which cannot "
                       f"split evenly: {expected[0]} before and {expected[1]} after. PyTorch "
                       "and TensorFlow both put the extra pixel after (bottom/right).")
    return wrong(_padding_hint(mine, "'same' at stride 1 pads k - 1 pixels in total, split "
                                     "as evenly as it can; when the total is odd, PyTorch "
                                     "and TensorFlow both put the extra pixel after "
                                     "(right/bottom)."))


# 05.3 -------------------------------------------------------------------------------------

def same_padding_stride2(answer):
    """Check exercise 05.3 ('same' padding at stride 2); prints the verdict."""
    report("same_padding_stride2", answer)


def _stride2_variant(rng, seed):
    while True:
        i, k, s = int(rng.integers(6, 21)), int(rng.integers(2, 6)), 2   # the title's stride
        before, after = same_padding(i, k, stride=s)
        # An odd total, so the side of the odd pixel matters, and k//2 on both sides
        # is not the answer (the correct message says so).
        if (before + after) % 2 == 1 and (k // 2, k // 2) != (before, after):
            return dict(input_size=i, kernel_size=k, stride=s)


@exercise(
    same_padding_stride2, title="'same' padding at stride 2", answer="a (before, after) pair",
    question=(
        "With padding='same' at stride {stride}, convlab (like TensorFlow) pads just "
        "enough for ceil(i / s) outputs, any odd pixel going after. For a row of "
        "{input_size} pixels and a {kernel_size}-wide kernel at stride {stride}, how many "
        "pixels are added (before, after)?"),
    numbers=dict(input_size=8, kernel_size=3, stride=2),
    variant=_stride2_variant, solve=_same_by_hand,
    # o = ceil(8 / 2) = 4 needs (4 - 1)*2 + 3 = 9 pixels: 1 more than 8, after.
    reference=(0, 1),
)
def _same_padding_stride2(m, answer):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    mine = _padding_pair(answer)
    expected = same_padding(i, k, stride=s)
    if mine == expected:
        target = math.ceil(i / s)
        total = sum(expected)
        return correct(f"ceil({i} / {s}) = {target} outputs need (o - 1)*s + k = "
                       f"{(target - 1) * s + k} pixels, {total} more than the {i} there "
                       f"are; the odd pixel goes after, so ({expected[0]}, {expected[1]}). "
                       f"Note that padding=k//2 on both sides would not match.")
    return wrong(_padding_hint(mine, f"'same' at stride {s} wants o = ceil(i / s) outputs, "
                                     "so (o - 1)*s + k pixels must be there: the total "
                                     "padding is the smallest that makes up the difference, "
                                     "(o - 1)*s + k - i, split with any odd pixel after "
                                     "(right/bottom)."))


# 05.4 -------------------------------------------------------------------------------------

def reflect_pad_row(answer):
    """Check exercise 05.4 (reflect padding by hand); prints the verdict."""
    report("reflect_pad_row", answer)


def _pad_row(row, amount, mode):
    return pad2d(row[np.newaxis, :], ((0, 0), (amount, amount)), mode=mode)[0]


def _reflect_variant(rng, seed):
    length = int(rng.integers(5, 8))
    row = tuple(int(v) for v in rng.choice(np.arange(1, 10), size=length, replace=False))
    return dict(row=row, amount=int(rng.integers(2, 4)), mode="reflect")


def _reflect_by_hand(m):
    row, amount = list(m["row"]), m["amount"]
    return ([row[a] for a in range(amount, 0, -1)] + row
            + [row[-1 - a] for a in range(1, amount + 1)])


@exercise(
    reflect_pad_row, title="Reflect padding by hand", answer="a list of numbers (the padded row)",
    question=(
        "Pad the row {row} with {amount} pixels on each side in mode '{mode}'. "
        "Give the whole padded row."),
    numbers=dict(row=(1, 2, 3, 4, 5), amount=2, mode="reflect"),
    variant=_reflect_variant, solve=_reflect_by_hand,
    # Mirror about the first and last pixels without repeating them.
    reference=[3, 2, 1, 2, 3, 4, 5, 4, 3],
)
def _reflect_pad_row(m, answer):
    row, amount, mode = np.asarray(m["row"], dtype=float), m["amount"], m["mode"]
    expected = _pad_row(row, amount, mode)
    mine = number_array(answer, expected.shape, "row")
    shown = ", ".join(fmt(v) for v in row)
    hints = [(_pad_row(row, amount, other),
              f"that is '{other}' padding. Reflect mirrors about the edge pixel.")
             for other in ("zeros", "replicate", "circular")]
    hints.append((np.pad(row, amount, mode="symmetric"),
                  "that mirrors, but repeats the edge pixel. Reflect mirrors about the "
                  "edge pixel itself, so the edge value appears only once."))
    return array_verdict(
        mine, expected,
        f"reflect mirrors the row about its first and last pixels without repeating them: "
        f"[{shown}] becomes [{', '.join(fmt(v) for v in expected)}]. "
        "torch.nn.functional.pad(mode='reflect') does the same; numpy calls it 'reflect' too.",
        hints=hints,
        advice="keep the row as it is in the middle; on each side, mirror the pixels next "
               "to the edge pixel, the edge pixel itself not repeated.")


# 05.5 -------------------------------------------------------------------------------------

def padded_output_size(answer):
    """Check exercise 05.5 (output size with padding and stride); prints the verdict."""
    report("padded_output_size", answer)


def _padded_variant(rng, seed):
    while True:
        i, k = int(rng.integers(8, 21)), int(rng.integers(3, 6))
        p, s = int(rng.integers(1, 3)), int(rng.integers(2, 4))
        expected = output_size(i, k, stride=s, padding=p)
        if expected not in (output_size(i, k, stride=s, padding=(p, 0)),
                            output_size(i, k, stride=s)):
            return dict(input_size=i, kernel_size=k, padding=p, stride=s)


def _padded_by_hand(m):
    length = m["input_size"] + 2 * m["padding"]
    return len(range(0, length - m["kernel_size"] + 1, m["stride"]))


@exercise(
    padded_output_size, title="Output size with padding and stride", answer="a whole number",
    question=(
        "A row of {input_size} pixels, a {kernel_size}-wide kernel, padding={padding} "
        "(as in torch.nn.Conv2d) and stride {stride}. How many outputs?"),
    numbers=dict(input_size=10, kernel_size=3, padding=2, stride=2),
    variant=_padded_variant, solve=_padded_by_hand,
    # The padded row has 10 + 2*2 = 14 pixels.
    reference=(10 + 2 * 2 - 3) // 2 + 1,                     # = 6
)
def _padded_output_size(m, answer):
    i, k, p, s = m["input_size"], m["kernel_size"], m["padding"], m["stride"]
    mine = whole_number(answer)
    expected = output_size(i, k, stride=s, padding=p)
    if mine == expected:
        return correct(f"floor(({i} + 2*{p} - {k}) / {s}) + 1 = {expected}: padding={p} "
                       "adds p pixels on each side, 2p in total.")
    if mine == output_size(i, k, stride=s, padding=(p, 0)):
        return wrong("padding=p in PyTorch adds p pixels on each side, so 2p in total.")
    if mine == output_size(i, k, stride=s):
        return wrong("that ignores the padding: the padded row is longer than the input.")
    return wrong("first find the padded length i + 2p, then count the window positions "
                 "at the given stride: floor((padded - k) / s) + 1.")


# 05.6 -------------------------------------------------------------------------------------

def total_to_per_side_padding(answer):
    """Check exercise 05.6 (d2l's total padding as per-side pairs); prints the verdict."""
    report("total_to_per_side_padding", answer)


def _per_side_by_hand(total):
    """Half before, and the odd pixel (if any) after, as PyTorch's 'same' does."""
    before = 0
    while 2 * (before + 1) <= total:
        before += 1
    return (before, total - before)


def _total_variant(rng, seed):
    even = int(rng.choice([2, 4, 6, 8, 10]))
    odd = int(rng.choice([1, 3, 5, 7, 9]))
    return dict(total_h=even, total_w=odd) if rng.integers(2) else dict(total_h=odd,
                                                                         total_w=even)


def _pair_of_pairs(answer):
    check_filled(answer)
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (tuple, list)) \
            or len(answer) != 2:
        raise Malformed("the answer should be two (before, after) pairs, "
                        f"((top, bottom), (left, right)), but got {answer!r}.")
    return tuple(whole_numbers(pair, 2, "a (before, after) pair") for pair in answer)


@exercise(
    total_to_per_side_padding, title="Total padding to per side",
    answer="((top, bottom), (left, right)), two pairs of whole numbers",
    question=(
        "d2l writes padding as totals: p_h = {total_h} rows added in all (top and bottom "
        "together) and p_w = {total_w} columns in all. Write the same padding per side, as "
        "convlab.pad2d takes it: ((top, bottom), (left, right)), with any odd pixel after "
        "(bottom/right), as PyTorch and TensorFlow put it."),
    numbers=dict(total_h=4, total_w=5),
    variant=_total_variant,
    solve=lambda m: (_per_side_by_hand(m["total_h"]), _per_side_by_hand(m["total_w"])),
    # 4 = 2 + 2; 5 cannot split evenly: 2 before, the odd one after, 3.
    reference=((2, 2), (2, 3)),
)
def _total_to_per_side_padding(m, answer):
    mine = _pair_of_pairs(answer)
    expected = tuple((t // 2, t - t // 2) for t in (m["total_h"], m["total_w"]))
    if mine == expected:
        return correct(f"p_h = {m['total_h']} splits as {expected[0]} and p_w = "
                       f"{m['total_w']} as {expected[1]}: each side gets half the total, "
                       "and an odd total puts its extra pixel after. PyTorch's padding=p is "
                       "per side, so d2l's p_h is 2p when it is even.")
    if any(min(pair) < 0 for pair in mine):
        return wrong("padding cannot be negative.")
    if mine == tuple((t, t) for t in (m["total_h"], m["total_w"])):
        return wrong("d2l's p_h counts the rows added in all, top and bottom together; "
                     "per side is about half of it.")
    if mine == tuple((t - t // 2, t // 2) for t in (m["total_h"], m["total_w"])):
        return wrong("an odd total's extra pixel goes after (bottom/right), as PyTorch "
                     "and TensorFlow put it.")
    return wrong("each pair must add up to its total, split as evenly as whole pixels "
                 "allow, with any odd pixel after.")


# 05.7 Check your understanding: choosing a padding mode -------------------------------------

def choose_padding_mode(answer):
    """Check question 05.7 (which padding mode avoids a dark frame); prints the verdict."""
    report("choose_padding_mode", answer)


def _lost(m):
    """How many pixels per axis a kernel loses without padding, from convlab.output_size."""
    return dict(lost=160 - output_size(160, m["k"]))      # the same for any photograph


choice(
    choose_padding_mode, title="Choosing a padding mode",
    question=("You blur a photograph with a {k}x{k} box kernel and 'same' padding, so "
              "the result keeps its size. With the default zero padding a dark "
              "frame appears around the result. Which choice gives a border that looks like "
              "the rest of the picture?"),
    numbers=dict(k=7),
    variant=lambda rng, seed: dict(k=int(rng.choice([5, 7, 9]))),
    derive=_lost,
    right="'reflect' or 'replicate': the ring holds copies of the pixels near the border",
    wrong={
        "'zeros' with more padding, so the kernel sees more of the picture":
            "more zeros only put more black under the border windows; the frame comes from "
            "what the ring holds, not from how wide it is.",
        "'circular': the ring continues the picture with its opposite side":
            "circular padding puts the far side of the photograph (the top under its bottom "
            "row) next to the border. It suits signals that repeat, such as a full turn of "
            "an angle; a photograph's opposite edges are unrelated.",
        "no padding at all ('valid'): the output keeps the input's size anyway":
            "without padding a {k}x{k} kernel fits at {lost} fewer positions along each axis, "
            "so the output shrinks by {lost} pixels: no frame, but no same size either.",
    },
    why=("the dark frame is the zeros of the padding ring averaged into the border pixels. "
         "'reflect' (mirror, without repeating the edge pixel) and 'replicate' (repeat the "
         "edge pixel) fill the ring with values like those near the border, so a blur there "
         "averages picture-like values; 'circular' suits periodic signals, 'zeros' is what a "
         "network uses by default (and can learn around)."),
    reference="d",
)


# 05.8 Check your understanding: 'full' --------------------------------------------------------

def full_output_size(answer):
    """Check question 05.8 (how many outputs 'full' padding gives); prints the verdict."""
    report("full_output_size", answer)


def _full_sizes(m):
    """The 'full' output's length from convlab's correlation, and the other modes' lengths."""
    i, k = m["input_size"], m["k"]
    full = correlate2d(np.ones((1, i)), np.ones((1, k)), padding="full").shape[1]
    return dict(full=full, valid=i - k + 1, pad=k - 1, double=i + 2 * (k - 1))


choice(
    full_output_size, title="Predict: the size of a 'full' output",
    question=("'full' padding lets a {k}-wide kernel slide along a row of {input_size} pixels "
              "to every position where it overlaps the row by at least one pixel. Predict how "
              "many outputs the row gives:"),
    numbers=dict(input_size=8, k=3),
    variant=lambda rng, seed: dict(input_size=int(rng.integers(5, 17)),
                                   k=int(rng.choice([2, 3, 4, 5, 7]))),
    derive=_full_sizes,
    right="{full}",
    wrong={
        "{valid}": "that is 'valid', the positions where the kernel lies wholly on the row; "
                   "'full' also counts the positions where it hangs over either end.",
        "{input_size}": "that is 'same', which pads just enough to keep the size; 'full' pads "
                        "more, so that every overlap counts.",
        "{double}": "that is the length of the padded row, {pad} zeros added on each side; "
                    "the kernel fits on it at fewer positions than it has pixels.",
    },
    why=("the kernel's first position has only its last pixel on the row, its last position "
         "only its first: {input_size} + {k} - 1 = {full} positions. In terms of padding, "
         "'full' adds {pad} zeros on each side: ({input_size} + 2 x {pad} - {k}) + 1 = {full}. "
         "It is the length of a true convolution of two sequences, and every pixel is read "
         "by every weight."),
    reference="b",
)
