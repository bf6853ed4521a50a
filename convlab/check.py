"""Self-checking exercises: the answer cells at the end of every course notebook.

Each exercise is a function named for what it checks, for instance
``check.stride_output_size(answer)``. It prints one verdict and returns None:

- ``Correct! ...`` with a short explanation of why;
- ``Not quite: ...`` with a hint that points at the mistake without giving the
  answer away (a malformed answer, such as a list where a number belongs, gets
  the same friendly treatment instead of a traceback);
- ``Not attempted yet: ...`` while the answer cell still holds ``...`` or None,
  so a notebook runs top to bottom before the learner has filled anything in.

This is the one module of convlab that prints: a verdict is its whole purpose.
The exercises themselves live in :mod:`convlab.exercises`, one module per
notebook (``convlab/exercises/stride.py`` holds 02_stride's); every checker is
a ``def`` there, re-exported here. The expected answers are computed from
convlab's numeric core when an answer is checked, never typed in by hand.

:func:`question` prints a question, :func:`solution` the worked answer once
the learner has tried, :func:`exercises` lists them by notebook,
:func:`verdict` returns the verdict without printing (for code that asserts),
and :func:`shape_quiz` poses a fresh random shape question for any seed.

For a classroom, :func:`use_seed` picks a variant of every exercise (other
numbers, the same skills), :func:`feedback_level` says how much a wrong
answer's verdict tells, and :func:`function_cases` / :func:`judge_outputs`
let a grader run a learner's function in one process and judge it in another.

Examples
--------
>>> from convlab import check
>>> check.exercises()["02_stride"]
['stride_output_size', 'stride_output_values', 'stride_unvisited', 'alexnet_input_sizes',
 'stride_downsamples']
>>> answer = ...
>>> check.stride_output_size(answer)
Not attempted yet: replace the ... with your answer (a whole number), then run this cell again.
>>> check.stride_output_size("five")
Not quite: the answer should be a whole number such as 7, but got 'five' (str).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from .exercises import _registry
from .exercises._judging import Raised, Verdict
from .exercises._registry import Exercise
from .exercises.networks import *     # noqa: F401,F403  00's checkers
from .exercises.kernels import *      # noqa: F401,F403  01's
from .exercises.stride import *       # noqa: F401,F403  02's
from .exercises.filters import *      # noqa: F401,F403  03's
from .exercises.pooling import *      # noqa: F401,F403  04's
from .exercises.padding import *      # noqa: F401,F403  05's
from .exercises.together import *     # noqa: F401,F403  06's, the shape quiz included
from .exercises.learning import *     # noqa: F401,F403  07's
from .exercises.training import *     # noqa: F401,F403  08's
from .exercises.transposed import *   # noqa: F401,F403  09's
from .exercises.variants import *     # noqa: F401,F403  10's
from .exercises.assignment import *   # noqa: F401,F403  11's
from .exercises import (networks as _n, kernels as _k, stride as _s, filters as _f,
                        pooling as _p, padding as _pd, together as _t, learning as _l,
                        training as _tn, transposed as _tr, variants as _v)
from .exercises import assignment as _a

__all__ = [
    "EXERCISES", "Exercise", "Verdict", "Raised", "exercises", "question", "verdict",
    "use_seed", "current_seed", "feedback_level", "function_cases", "call_cases",
    "judge_outputs", "solution",
]
for _module in (_n, _k, _s, _f, _p, _pd, _t, _l, _tn, _tr, _v, _a):
    __all__ += [name for name in _module.__all__ if name not in __all__]
del _module

#: Every exercise by name, in course order.
EXERCISES: Mapping[str, Exercise] = MappingProxyType(_registry.REGISTRY)


def use_seed(seed):
    """Choose the variant of every exercise asked or checked afterwards in this process.

    Parameters
    ----------
    seed : int or None
        A non-negative whole number picks a variant: other numbers (sizes,
        strides, paddings, small arrays) for the same skill, the same variant
        every time. None goes back to the default numbers the course shows.

    Examples
    --------
    >>> use_seed(7); current_seed()
    7
    >>> use_seed(None); current_seed() is None
    True
    """
    _registry.use_seed(seed)


def current_seed():
    """The seed set by :func:`use_seed`, or None for the default numbers."""
    return _registry.current_seed()


def feedback_level(level=None):
    """Set or read how much a verdict tells about a wrong answer.

    Parameters
    ----------
    level : {'hints', 'format', 'none'}, optional
        'hints' (the default): the hint that points at the mistake. 'format':
        only whether the answer is right, and what is wrong with its form.
        'none': only that the answer was recorded. Without it, nothing changes.

    Returns
    -------
    str
        The level now in force.

    Examples
    --------
    >>> feedback_level('format')
    'format'
    >>> print(verdict('stride_output_size', 4))
    Not quite: the answer has the right form but is not right. Work it through again from
    the question (hints are off for this notebook).
    >>> feedback_level('hints')
    'hints'
    """
    return _registry.feedback_level(level)


def exercises(notebook=None):
    """The exercise names, grouped by notebook.

    Parameters
    ----------
    notebook : str, optional
        A notebook name such as ``'02_stride'`` (or just ``'02'``). Without it,
        every notebook's list is returned.

    Returns
    -------
    dict of str to list of str, or list of str
        ``{notebook: [exercise names in order]}``, or one notebook's list.

    Examples
    --------
    >>> list(exercises())
    ['00_convolutional_networks', '01_kernels', '02_stride', '03_filters', '04_pooling',
     '05_padding', '06_putting_it_together', '07_learning_kernels', '08_training_a_tiny_cnn',
     '09_transposed_convolution', '10_convolution_variants', '11_assignment_conv_layer']
    >>> exercises('04')
    ['max_pool_values', 'avg_pool_values', 'max_pool_indices', 'ceil_mode_output_size',
     'naive_max_pool2d', 'ceil_mode_drop_rule', 'what_pooling_keeps', 'pooling_shift',
     'count_include_pad_corner']
    """
    grouped: dict[str, list[str]] = {}
    for exercise in EXERCISES.values():
        grouped.setdefault(exercise.notebook, []).append(exercise.name)
    if notebook is None:
        return grouped
    for name, names in grouped.items():
        if notebook in (name, name[:2]):
            return list(names)
    raise ValueError(f"notebook must be one of {sorted(grouped)}, got {notebook!r}")


def question(name, seed=None):
    """Print an exercise's question with its numbers.

    Parameters
    ----------
    name : str
        The exercise (and checker) name, e.g. ``'stride_output_size'``.
    seed : int, optional
        The variant; None means the current seed (see :func:`use_seed`).

    Examples
    --------
    >>> question("stride_output_size")
    Exercise 02.1: Output size with a stride
    A row of 11 pixels is scanned by a 3-wide kernel with stride 2 and no padding. How many
    outputs does the row give?
    Answer with a whole number.
    """
    print(_registry.question_text(name, seed))


def solution(name):
    """Print the worked answer to exercise ``name``, once the learner has tried it.

    After at least one checked attempt at the exercise in this session (a call
    of its check with an answer filled in), it prints the reference answer for
    the numbers the notebook shows and the reasoning the check gives for it.
    Before that it says to try first and where the working is written
    (``convlab/exercises/<module>.py``). In a classroom copy (a seed set, or
    feedback level 'none') it reveals nothing: worked answers come from the
    teacher there. It never raises, whatever ``name`` is.

    Parameters
    ----------
    name : str
        The exercise (and checker) name, e.g. ``'stride_output_size'``.

    Examples
    --------
    Before any attempt, ``solution("stride_output_size")`` prints ``Try exercise
    02.1 first: ...``. After one:

    >>> check_answer = verdict("stride_output_size", 4)
    >>> solution("stride_output_size")
    Worked answer to exercise 02.1: Output size with a stride
    answer = 5
    Why: the windows start at columns 0, 2, 4, 6, 8: floor((11 - 3) / 2) + 1 = 5.
    (For the numbers shown in the notebook; the hand working is beside the exercise in
    convlab/exercises/stride.py.)
    """
    print(_registry.solution_text(name))


def verdict(name, answer, *, seed=None) -> Verdict:
    """Check ``answer`` to exercise ``name`` and return the verdict without printing.

    Parameters
    ----------
    name : str
        The exercise name, a key of :data:`EXERCISES`.
    answer : object
        The learner's answer in the form the exercise asks for (a function, for
        the exercises that ask for one).
    seed : int, optional
        The variant; None means the current seed (see :func:`use_seed`). For the
        ``'shape_quiz'`` exercise it is the quiz number.

    Returns
    -------
    Verdict
        ``.status`` is 'correct', 'incorrect' or 'not attempted'; ``str()`` of it
        is the text the checker prints. Any answer gets a verdict, never an
        exception; only an unknown name or a bad seed raises.

    Examples
    --------
    >>> verdict("ceil_mode_output_size", ...).status
    'not attempted'
    >>> verdict("ceil_mode_output_size", 2.5).correct
    False
    """
    return _registry.verdict(name, answer, seed=seed)


def function_cases(name, seed=None) -> list:
    """The argument tuples a function exercise calls the learner's function on.

    Parameters
    ----------
    name : str
        A function exercise (``EXERCISES[name].kind == 'function'``).
    seed : int, optional
        The variant; None means the current seed.

    Returns
    -------
    list of tuple
        Numpy arrays and ints, in the order :func:`judge_outputs` expects outputs.

    Examples
    --------
    >>> len(function_cases("naive_correlate2d"))
    25
    """
    return _registry.function_cases(name, seed)


def call_cases(name, function, seed=None) -> list:
    """Call ``function`` on every case of ``name``, as :func:`verdict` does.

    Each call gets its own copies of the arrays. A call that raises gives a
    :class:`Raised` instead of an output, and so does a call that uses the
    library's own convolution or pooling (``Raised('LibraryShortcut', ...)``):
    the exercise is to write the loops.

    Returns
    -------
    list
        One output (or Raised) per case, for :func:`judge_outputs`.
    """
    return _registry.call_cases(name, function, seed)


def judge_outputs(name, outputs, seed=None) -> Verdict:
    """The verdict on a function exercise, given the learner's output for each case.

    Parameters
    ----------
    name : str
        A function exercise.
    outputs : list
        Aligned with :func:`function_cases`: each the returned value (an array
        or number) or a :class:`Raised` for a call that raised.
    seed : int, optional
        The variant; None means the current seed.

    Examples
    --------
    >>> cases = function_cases("naive_max_pool2d")
    >>> judge_outputs("naive_max_pool2d", [Raised("IndexError", "oops")] * len(cases)).status
    'incorrect'
    """
    return _registry.judge_outputs(name, outputs, seed)
