"""Helpers shared by the judges of every notebook's exercises (internal to convlab.exercises).

A judge reads the learner's answer with one of the readers here (each returns a
clean value or raises :class:`Malformed`), compares it with the expected answer
computed from convlab's core, and returns a :class:`Verdict` made by
:func:`correct` or :func:`wrong`.

The feedback rules every judge keeps (issue 16, "teach without leaking"):

- a hint names a recognised misconception (the whole answer is what that
  mistake produces) or gives the method; it never says which entries, cells,
  values or positions of the answer are right or wrong, never counts them,
  and never says in which direction or by how much a number is off;
- no message about a wrong answer contains the expected answer.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .._checks import describe

__all__ = [
    "Verdict", "Raised", "Malformed", "Untouched", "correct", "wrong", "is_untouched",
    "has_ellipsis", "check_filled", "plain", "whole_number", "number", "whole_numbers",
    "number_array", "whole_number_set", "shape_of", "close", "show", "fmt",
    "array_verdict", "cells", "function_output", "sum_of_products", "kernel_answer", "describe",
]

PREFIX = {"correct": "Correct! ", "incorrect": "Not quite: ",
          "not attempted": "Not attempted yet: "}


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer: a status and the text shown.

    Attributes
    ----------
    status : str
        'correct', 'incorrect' or 'not attempted'.
    message : str
        The explanation or hint, without the prefix.
    form : bool
        True when the answer was wrong in form (a list where a number belongs,
        a wrong shape): such a message says nothing about the expected value.
    recorded : bool
        True when feedback is off: ``str()`` then only says the answer was
        recorded, whatever the status.
    """

    status: str
    message: str
    form: bool = False
    recorded: bool = False

    @property
    def correct(self) -> bool:
        """True when the answer was right."""
        return self.status == "correct"

    def __str__(self) -> str:
        if self.recorded:
            return "Answer recorded: " + self.message
        return PREFIX[self.status] + self.message


@dataclass(frozen=True)
class Raised:
    """A learner's function call that raised: the exception's type name and message.

    Function exercises judge a list of outputs, one per test case; a call that
    raised is represented by a ``Raised`` in that list, so the outputs can be
    collected in one process (the learner's kernel) and judged in another.
    """

    type_name: str
    message: str


class Malformed(Exception):
    """The answer has the wrong form; the message says what was expected."""


class Untouched(Exception):
    """The answer still holds ``...`` somewhere (or a stub function returned None)."""


def correct(message) -> Verdict:
    """A correct verdict with its explanation."""
    return Verdict("correct", message)


def wrong(message) -> Verdict:
    """An incorrect verdict with its hint."""
    return Verdict("incorrect", message)


def is_untouched(answer) -> bool:
    """True for an answer cell that still holds ``...`` or None."""
    return answer is None or answer is Ellipsis


def has_ellipsis(answer) -> bool:
    """True when ``...`` is still somewhere inside the answer."""
    if answer is Ellipsis:
        return True
    if isinstance(answer, (list, tuple)):
        return any(has_ellipsis(item) for item in answer)
    if isinstance(answer, np.ndarray) and answer.dtype == object:
        return any(item is Ellipsis for item in answer.flat)
    return False


def check_filled(answer):
    """Raise :class:`Untouched` while some entry of the answer is still ``...``."""
    if has_ellipsis(answer):
        raise Untouched("some entries still hold ...; fill in every one, then run this "
                        "cell again.")


def plain(answer):
    """Arrays from other libraries (a torch tensor, say) as numpy arrays."""
    if hasattr(answer, "__array__") and not isinstance(answer, np.ndarray):
        try:
            return np.asarray(answer)
        except Exception:  # an object that only claims to be an array
            return answer
    return answer


def whole_number(answer) -> int:
    """The answer as an int (7, 7.0, np.int64(7) and a 0-d array all count)."""
    check_filled(answer)
    answer = plain(answer)
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Malformed(f"the answer should be a whole number such as 7, "
                        f"but got {describe(answer)}.")
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if math.isfinite(answer) and float(answer).is_integer():
        return int(answer)
    raise Malformed(f"the answer should be a whole number such as 7, but got {answer!r}: "
                    "outputs, pixels and parameters come in whole numbers.")


def number(answer) -> float:
    """The answer as a float."""
    check_filled(answer)
    answer = plain(answer)
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Malformed(f"the answer should be a single number such as 12, "
                        f"but got {describe(answer)}.")
    return float(answer)


def whole_numbers(answer, length, what) -> tuple:
    """A fixed-length tuple of whole numbers, e.g. a shape or a (before, after) pair."""
    check_filled(answer)
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (tuple, list)):
        raise Malformed(f"the answer should be {what}, but got {describe(answer)}.")
    if len(answer) != length:
        raise Malformed(f"the answer should be {what}: {length} numbers, "
                        f"but got {len(answer)} ({answer!r}).")
    values = []
    for item in answer:
        try:
            values.append(whole_number(item))
        except Malformed:
            raise Malformed(f"the answer should be {what} of whole numbers, "
                            f"but got {answer!r}.") from None
    return tuple(values)


def number_array(answer, shape, what="array") -> np.ndarray:
    """The answer as a float array of exactly ``shape``."""
    check_filled(answer)
    if isinstance(answer, (str, bytes)) or answer is None:
        raise Malformed(f"the answer should be a {what} of numbers, got {describe(answer)}.")
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Malformed(f"the answer should be a {what} of numbers with shape {shape}, "
                        f"but it could not be read as one (rows of different lengths?): "
                        f"{describe(answer)}.") from None
    if array.shape != tuple(shape):
        raise Malformed(f"the answer should have shape {tuple(shape)} "
                        f"({' x '.join(map(str, shape))}), but has shape {array.shape}.")
    return array


def whole_number_set(answer, what) -> set:
    """The answer as a set of ints (a list, tuple, set, range or array of them)."""
    check_filled(answer)
    if isinstance(answer, np.ndarray):
        answer = answer.ravel().tolist()
    if isinstance(answer, numbers.Integral) and not isinstance(answer, bool):
        answer = [answer]
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple, set,
                                                                   frozenset, range)):
        raise Malformed(f"the answer should be {what}, such as [1, 2], "
                        f"but got {describe(answer)}.")
    values = set()
    for item in answer:
        try:
            values.add(whole_number(item))
        except Malformed:
            raise Malformed(f"the answer should be {what}, but {item!r} is not a whole "
                            "number.") from None
    return values


def shape_of(answer):
    """The shape of an array-like answer, or None when it has none."""
    try:
        return np.asarray(answer, dtype=float).shape
    except (TypeError, ValueError):
        return None


def close(a, b) -> bool:
    """Equal up to rounding (both absolute and relative 1e-9)."""
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-9))


def show(value):
    """A question's value as shown: arrays and layer lists as text, numbers as typed."""
    if isinstance(value, np.ndarray):
        if np.issubdtype(value.dtype, np.floating) and np.all(np.isfinite(value)) \
                and np.all(value == np.round(value)):
            value = value.astype(int)
        return np.array2string(value, separator=", ")
    if isinstance(value, tuple) and value and all(isinstance(v, (tuple, str)) for v in value):
        return "\n".join(f"  {n + 1}. {item}" for n, item in enumerate(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def fmt(x) -> str:
    """A number as the learner would write it: 3 not 3.0, 2.5 as 2.5."""
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def cells(where) -> str:
    """The positions where ``where`` is true, as '[0, 1], [2, 3]'."""
    return ", ".join(f"[{', '.join(map(str, index))}]" for index in zip(*np.nonzero(where)))


def cells(where) -> str:
    """Where ``where`` is true, as '[0, 1], [2, 3]' (only to explain a correct answer)."""
    return ", ".join(f"[{', '.join(map(str, index))}]" for index in zip(*np.nonzero(where)))


def array_verdict(mine, expected, correct_message, hints=(), advice=None):
    """Compare arrays; ``hints`` is a sequence of (other array, hint) for known mistakes.

    A mismatch that is no known mistake gets ``advice`` (how to work a cell),
    never where the wrong cells are or how many there are: positions and counts
    would let a guessing loop find the answer one cell at a time.
    """
    if close(mine, expected):
        return correct(correct_message)
    for other, hint in hints:
        if np.shape(other) == mine.shape and close(mine, other):
            return wrong(hint)
    return wrong("not every value is right yet. " + (
        advice or "Work each cell again from the question, one at a time."))


def sum_of_products(window, kernel) -> str:
    """``'x*w + x*(-w) + ...'``, the products of a window and a kernel as text."""
    terms = []
    for x, w in zip(np.ravel(window), np.ravel(kernel)):
        terms.append(f"{fmt(x)}*{fmt(w)}" if w >= 0 else f"{fmt(x)}*({fmt(w)})")
    return " + ".join(terms)


def kernel_answer(answer, max_size):
    """A designed kernel: a finite 2-D float array of at most ``max_size`` on each side."""
    check_filled(answer)
    try:
        kernel = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Malformed(f"the kernel should be a 2-D array of numbers, such as "
                        f"[[1, 2], [3, 4]], but got {describe(answer)}.") from None
    if kernel.ndim != 2 or kernel.size == 0:
        raise Malformed(f"the kernel should be a 2-D array (rows of weights), but got "
                        f"shape {kernel.shape}.")
    if max(kernel.shape) > max_size:
        raise Malformed(f"the kernel should be at most {max_size}x{max_size}, but has shape "
                        f"{kernel.shape}.")
    if not np.all(np.isfinite(kernel)):
        raise Malformed("the kernel holds NaN or infinity; use ordinary numbers.")
    return kernel


def function_output(output, description):
    """A learner function's output for one case as a float array, or a Malformed."""
    if isinstance(output, Raised):
        if output.type_name == "LibraryShortcut":
            raise Malformed(output.message)
        raise Malformed(f"your function raised {output.type_name}: {output.message} "
                        f"(for {description}). Check the loop ranges.")
    if output is None or output is Ellipsis:
        raise Untouched("your function returns None: write the loops and return "
                        "the output array.")
    try:
        return np.asarray(output, dtype=float)
    except (TypeError, ValueError):
        raise Malformed(f"your function returned {describe(output)} for {description}; "
                        "return a 2-D array of numbers.") from None
