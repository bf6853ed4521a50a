"""Answers as data: how a value leaves a student's kernel and enters the grader.

The student's kernel calls :func:`capture_json` on the answer (and, for a
function answer, on the grader's test inputs) and hands back a JSON string.
The grader reads it with :func:`decode`, which builds only plain data (numbers,
strings, lists, tuples, numpy arrays of numbers): nothing from the student's
kernel is ever unpickled or run in the grader's process.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from ..exercises._shortcuts import LibraryWatch

__all__ = ["Unreadable", "encode", "decode", "capture_json", "MAX_ELEMENTS"]

#: The most numbers an answer may hold (an answer is a small array, not a data set).
MAX_ELEMENTS = 1_000_000
_MAX_DEPTH = 32


@dataclass(frozen=True)
class Unreadable:
    """An answer the grader cannot take as data (a function, a module, a huge array)."""

    what: str  #: what it was, e.g. 'a function my_correlate2d'

    def __repr__(self):
        return self.what


class _Budget:
    def __init__(self):
        self.left = MAX_ELEMENTS

    def spend(self, count):
        self.left -= count
        if self.left < 0:
            raise OverflowError(f"more than {MAX_ELEMENTS} numbers")


def encode(value, _budget=None, _depth=0):
    """``value`` as JSON-ready data; arrays, tuples and ``...`` are tagged so they come back.

    Examples
    --------
    >>> encode((1, [2.5, ...]))
    {'__tuple__': [1, [2.5, {'__ellipsis__': True}]]}
    >>> decode(json.loads(json.dumps(encode(np.arange(3)))))
    array([0, 1, 2])
    """
    budget = _budget or _Budget()
    if _depth > _MAX_DEPTH:
        raise OverflowError("nested too deeply")
    budget.spend(1)
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) else str(value)
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else {"__float__": repr(float(value))}
    if isinstance(value, complex):
        return {"__complex__": [encode(value.real, budget), encode(value.imag, budget)]}
    if isinstance(value, np.generic):
        return encode(value.item(), budget, _depth + 1)
    if isinstance(value, np.ndarray):
        budget.spend(value.size)
        if value.dtype.kind in "biu" or (value.dtype.kind == "f"
                                         and np.all(np.isfinite(value))):
            items = value.ravel().tolist()
        else:
            items = [encode(item, budget, _depth + 1) for item in value.ravel().tolist()]
        dtype = value.dtype.str if value.dtype.kind in "biufc" else "object"
        return {"__ndarray__": items, "dtype": dtype, "shape": list(value.shape)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item, budget, _depth + 1) for item in value]}
    if isinstance(value, list):
        return [encode(item, budget, _depth + 1) for item in value]
    if isinstance(value, (set, frozenset, range)):
        return {"__tuple__": [encode(item, budget, _depth + 1) for item in value]}
    if hasattr(value, "__array__") and not callable(value):
        try:
            array = np.asarray(value)
        except Exception:
            array = None
        if isinstance(array, np.ndarray) and array.dtype.kind in "biufc":
            return encode(array, budget, _depth + 1)
    name = getattr(value, "__name__", None)
    kind = "a function" if callable(value) else f"a {type(value).__name__}"
    return {"__unreadable__": f"{kind} {name}" if isinstance(name, str) else kind}


_DTYPES = {np.dtype(t).str for t in (bool, np.int8, np.int16, np.int32, np.int64, np.uint8,
                                     np.uint16, np.uint32, np.uint64, np.float16, np.float32,
                                     np.float64, np.complex64, np.complex128)}


def decode(data, _depth=0):
    """Plain data back from :func:`encode`'s JSON form; anything else is :class:`Unreadable`."""
    if _depth > _MAX_DEPTH:
        return Unreadable("an answer nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(item, _depth + 1) for item in data]
    if not isinstance(data, dict) or len(data) == 0:
        return Unreadable("an answer of an unknown form")
    if data.get("__ellipsis__") is True and len(data) == 1:
        return Ellipsis
    if "__float__" in data and data["__float__"] in ("nan", "inf", "-inf"):
        return float(data["__float__"])
    if "__complex__" in data:
        real, imag = data["__complex__"]
        return complex(float(real), float(imag))
    if "__tuple__" in data and isinstance(data["__tuple__"], list):
        return tuple(decode(item, _depth + 1) for item in data["__tuple__"])
    if "__ndarray__" in data:
        items, dtype, shape = data.get("__ndarray__"), data.get("dtype"), data.get("shape")
        if not (isinstance(items, list) and isinstance(shape, list)
                and all(isinstance(n, int) and n >= 0 for n in shape)
                and math.prod(shape) == len(items) and len(items) <= MAX_ELEMENTS):
            return Unreadable("an array that did not arrive whole")
        values = [decode(item, _depth + 1) for item in items]
        if dtype in _DTYPES:
            try:
                return np.array(values, dtype=dtype).reshape(shape)
            except (TypeError, ValueError, OverflowError):
                return Unreadable("an array that did not arrive whole")
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array.reshape(shape)
    if "__unreadable__" in data:
        return Unreadable(str(data["__unreadable__"])[:200])
    return Unreadable("an answer of an unknown form")


def capture_json(value, cases=None, exercise=None) -> str:
    """Run in the student's kernel: the answer (or its outputs on ``cases``) as JSON.

    Parameters
    ----------
    value : object
        The answer, as the student's ``check.<exercise>(...)`` call passed it.
    cases : str, optional
        JSON of a list of argument tuples (as :func:`encode` makes them). When given
        and ``value`` is callable, ``value`` is called on each case and the result
        lists each output, or the exception's type and message for a call that raised.
        A call into the library's own convolution or pooling (convlab's, SciPy's,
        torch's) is recorded as raised ``LibraryShortcut``, as ``check.call_cases``
        records it: the exercise is to write the loops.
    exercise : str, optional
        The exercise's name, for one that declared its own library shortcuts
        (``convlab.exercises._shortcuts.refuse``).

    Returns
    -------
    str
        ``{"value": ...}`` or ``{"outputs": [{"value": ...} or {"raised": [type, message]}]}``.
    """
    if cases is not None and callable(value):
        outputs = []
        for arguments in decode(json.loads(cases)):
            arguments = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a
                         for a in arguments]
            with LibraryWatch(exercise) as watch:
                try:
                    result = value(*arguments)
                except (Exception, SystemExit) as error:
                    result = error
            if watch.called:
                outputs.append({"raised": ["LibraryShortcut", watch.called]})
                continue
            if isinstance(result, (Exception, SystemExit)):
                outputs.append({"raised": [type(result).__name__, str(result)[:500]]})
                continue
            try:
                outputs.append({"value": encode(result)})
            except OverflowError as error:
                outputs.append({"value": {"__unreadable__": f"an output with {error}"}})
        return json.dumps({"outputs": outputs})
    try:
        return json.dumps({"value": encode(value)})
    except OverflowError as error:
        return json.dumps({"value": {"__unreadable__": f"an answer with {error}"}})
