"""The exercise registry, seeds and verdicts (internal; the public face is convlab.check).

Each notebook's module (``convlab/exercises/stride.py`` for 02_stride, ...)
defines its exercises with :func:`exercise`: the public checker is a plain
``def name(answer)`` in that module, and the decorator on the judge just below
it registers everything else (question, numbers, variants, reference answer).
"""

from __future__ import annotations

import inspect
import numbers
import sys
import textwrap
import zlib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from .._checks import describe
from ._judging import Malformed, Raised, Untouched, Verdict, is_untouched, show, wrong

__all__ = [
    "Exercise", "REGISTRY", "exercise", "lookup", "use_seed", "current_seed", "feedback_level",
    "materials", "question_text", "verdict", "report", "function_cases", "call_cases",
    "judge_outputs", "FEEDBACK_LEVELS", "attempted", "solution_text",
]

#: Every exercise by name, filled in as the notebook modules are imported (course order).
REGISTRY: dict[str, "Exercise"] = {}

FEEDBACK_LEVELS = ("hints", "format", "none")

_state = {"seed": None, "feedback": "hints"}

#: The exercises checked at least once in this process with an answer filled in.
_attempts: set = set()


@dataclass(frozen=True)
class Exercise:
    """One exercise: where it lives, its numbers, its judge and its reference answer.

    Attributes
    ----------
    name, notebook, number, title : str
        The checker's name, the notebook it closes (``'02_stride'``), its label
        (``'02.1'``) and a few words.
    answer : str
        The expected form of the answer, e.g. 'a whole number'.
    kind : str
        'value' (the learner gives a value), 'function' (the learner writes a
        function, called on :meth:`cases`) or 'choice' (a conceptual question:
        the learner gives one option letter; see ``_concepts``).
    points : int
        The exercise's weight when graded.
    reference : object
        The answer for the default numbers, worked by hand (not with convlab).
    """

    name: str
    notebook: str
    number: str
    title: str
    answer: str
    kind: str
    points: int
    reference: Any = field(repr=False)
    template: str = field(repr=False, default="")
    defaults: Mapping[str, Any] = field(repr=False, default_factory=dict)
    variant: Callable | None = field(repr=False, default=None)
    judge: Callable = field(repr=False, default=None)
    solve: Callable | None = field(repr=False, default=None)
    make_cases: Callable | None = field(repr=False, default=None)
    present: Callable | None = field(repr=False, default=None)
    choices: Any = field(repr=False, default=None)

    @property
    def params(self) -> Mapping[str, Any]:
        """The default numbers, as defined (arrays still as the callables that build them)."""
        return self.defaults

    def materials(self, seed=None) -> dict:
        """The question's numbers and arrays for ``seed`` (None: the current seed).

        With no seed set anywhere these are the default numbers the committed
        notebooks show; a seed picks a variant, the same one every time.
        """
        seed = _resolve_seed(seed)
        if seed is None or self.variant is None:
            return {key: (value() if callable(value) else value)
                    for key, value in self.defaults.items()}
        rng = np.random.default_rng([zlib.crc32(self.name.encode()), seed])
        return dict(self.variant(rng, seed))

    def question_text(self, seed=None) -> str:
        """The question with its numbers filled in, for ``seed`` (None: the current seed)."""
        m = self.materials(seed)
        if self.present is not None:
            m = self.present(m)
        shown = {key: show(value) for key, value in m.items()}
        text = self.template.format(**shown)
        lines = [f"Exercise {self.number}: {self.title}", *text.split("\n"),
                 f"Answer with {self.answer}."]
        # Wrap the prose for reading; arrays and layer lists keep their layout.
        return "\n".join(line if line.startswith((" ", "["))
                         else textwrap.fill(line, 88, break_on_hyphens=False)
                         for line in lines)

    @property
    def question(self) -> str:
        """The question text for the current seed."""
        return self.question_text()

    def cases(self, seed=None) -> list:
        """The argument tuples a learner's function is called on (function exercises)."""
        if self.kind != "function":
            raise ValueError(f"exercise {self.name!r} asks for a value, not a function; "
                             "it has no cases")
        return self.make_cases(self.materials(seed))

    def expected(self, seed=None):
        """The expected answer for ``seed`` by the independent route (tests and answer keys)."""
        return self.solve(self.materials(seed))


def exercise(checker, *, title, answer, question, numbers, reference, solve, variant=None,
             kind="value", points=1, cases=None, present=None, name=None, choices=None):
    """Register the exercise whose public checker is ``checker``; decorates its judge.

    Parameters
    ----------
    checker : function
        The public ``def name(answer)`` just above; its name is the exercise's.
    title, answer, question : str
        A few words, the expected form of the answer, and the question text
        with ``{placeholders}`` for the numbers.
    numbers : dict
        The default numbers (a zero-argument callable builds an array).
    reference : object
        The answer for the default numbers, worked by hand.
    solve : callable
        ``solve(materials) -> answer`` by a route independent of the judge
        (a loop, or the formula written out), for any variant.
    variant : callable
        ``variant(rng, seed) -> materials`` for a seed.
    kind, points : str, int
        'value', 'function' or 'choice'; the weight when graded.
    cases : callable
        For function exercises, ``cases(materials) -> [argument tuples]``.
    present : callable
        ``present(materials) -> materials`` as shown in the question.
    name : str
        The exercise's name when it is not the checker's (the shape quiz).
    choices : object, optional
        A choice question's options (``_concepts.Choices``; registered by ``choice``).
    """
    module = sys.modules[checker.__module__]
    notebook = module.NOTEBOOK

    def register(judge, name=name or checker.__name__):
        count = sum(1 for e in REGISTRY.values() if e.notebook == notebook)
        REGISTRY[name] = Exercise(
            name=name, notebook=notebook, number=f"{notebook[:2]}.{count + 1}", title=title,
            answer=answer, kind=kind, points=points, reference=reference, template=question,
            defaults=MappingProxyType(dict(numbers)), variant=variant, judge=judge,
            solve=solve, make_cases=cases, present=present, choices=choices)
        return judge

    return register


def lookup(name) -> Exercise:
    """The exercise called ``name``, or a ValueError listing them all."""
    if not isinstance(name, str) or name not in REGISTRY:
        raise ValueError(f"name must be one of the exercises {list(REGISTRY)}, got {name!r}")
    return REGISTRY[name]


def _check_seed(seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                             or seed < 0):
        raise TypeError(f"seed must be None or a non-negative whole number, "
                        f"got {describe(seed)}")
    return None if seed is None else int(seed)


def _resolve_seed(seed):
    return _state["seed"] if seed is None else _check_seed(seed)


def use_seed(seed):
    """Choose the variant of every exercise asked or checked afterwards in this process."""
    _state["seed"] = _check_seed(seed)


def current_seed():
    """The seed set by :func:`use_seed` (None: the default numbers)."""
    return _state["seed"]


def feedback_level(level=None):
    """Set (or with no argument, read) how much a wrong answer's verdict says."""
    if level is not None:
        if level not in FEEDBACK_LEVELS:
            raise ValueError(f"level must be one of {list(FEEDBACK_LEVELS)}, got {level!r}")
        _state["feedback"] = level
    return _state["feedback"]


def materials(name, seed=None) -> dict:
    """The numbers of exercise ``name`` for ``seed``."""
    return lookup(name).materials(seed)


def question_text(name, seed=None) -> str:
    """The question of exercise ``name`` for ``seed``."""
    return lookup(name).question_text(seed)


def function_cases(name, seed=None) -> list:
    """The argument tuples a function exercise calls the learner's function on."""
    return lookup(name).cases(seed)


def call_cases(name, function, seed=None) -> list:
    """Call ``function`` on every case of ``name``; a call that raises becomes a Raised."""
    from ._shortcuts import LibraryWatch

    outputs = []
    for args in function_cases(name, seed):
        copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
        with LibraryWatch(name) as watch:
            try:
                result = function(*copies)
            except Exception as error:  # the learner's code may raise anything
                result = Raised(type(error).__name__, str(error))
        if watch.called:
            result = Raised("LibraryShortcut", watch.called)
        outputs.append(result)
    return outputs


def judge_outputs(name, outputs, seed=None) -> Verdict:
    """The verdict on a function exercise, given the learner's outputs for each case."""
    exercise_ = lookup(name)
    if exercise_.kind != "function":
        raise ValueError(f"exercise {name!r} asks for a value; use verdict()")
    m = exercise_.materials(seed)
    cases = exercise_.make_cases(m)
    return _finish(exercise_, lambda: exercise_.judge(m, cases, list(outputs)))


def verdict(name, answer, *, seed=None) -> Verdict:
    """Check ``answer`` to exercise ``name`` for ``seed``; the verdict, never an exception."""
    exercise_ = lookup(name)
    seed = _resolve_seed(seed)
    if not is_untouched(answer):
        _attempts.add(name)
    if is_untouched(answer):
        return _finish(exercise_, lambda: Verdict(
            "not attempted", f"replace the ... with your answer ({exercise_.answer}), "
                             "then run this cell again."))
    if exercise_.kind == "function":
        if not callable(answer):
            return _finish(exercise_, lambda: _raise(Malformed(
                f"pass your function itself, e.g. check.{name}(my_function), "
                f"not {describe(answer)}.")))
        return judge_outputs(name, call_cases(name, answer, seed), seed)
    m = exercise_.materials(seed)
    return _finish(exercise_, lambda: exercise_.judge(m, answer))


def _raise(error):
    raise error


def _finish(exercise_, judge) -> Verdict:
    """Run a judge; turn its exceptions into verdicts and apply the feedback level."""
    try:
        result = judge()
    except Untouched as reason:
        result = Verdict("not attempted", str(reason))
    except Malformed as reason:
        result = Verdict("incorrect", str(reason), form=True)
    except Exception as error:  # an answer of a form no judge foresaw: never a traceback
        result = Verdict("incorrect", f"this answer could not be checked "
                                      f"({type(error).__name__}: {error}); answer with "
                                      f"{exercise_.answer}.", form=True)
    return _at_level(result)


def _at_level(result: Verdict) -> Verdict:
    level = _state["feedback"]
    if level == "hints" or result.status == "not attempted":
        return result
    if level == "none":
        return Verdict(result.status, "feedback is off for this notebook; your answer "
                                      "is graded later.", form=result.form, recorded=True)
    if result.status == "correct":
        return Verdict("correct", "well done.")
    if result.form:
        return result
    return wrong("the answer has the right form but is not right. Work it through again "
                 "from the question (hints are off for this notebook).")


def attempted(name) -> bool:
    """True once exercise ``name`` has been checked with an answer in this process."""
    return name in _attempts


def _where(exercise_) -> str:
    module = sys.modules[exercise_.judge.__module__].__name__.rsplit(".", 1)[-1]
    return f"convlab/exercises/{module}.py"


def _shown_reference(exercise_) -> str:
    reference = exercise_.reference
    if callable(reference):
        try:
            return inspect.getsource(reference).rstrip()
        except (OSError, TypeError):
            return f"(the function {getattr(reference, '__name__', reference)!r})"
    if exercise_.choices is not None:
        return f"{reference!r} ({exercise_.choices.right_text(exercise_.materials(None))})"
    return str(show(reference)) if isinstance(reference, np.ndarray) else repr(reference)


def solution_text(name) -> str:
    """The worked answer to ``name`` once tried; before, or in a classroom, where to look.

    Never raises: an unknown name gets the list of names.
    """
    if not isinstance(name, str) or name not in REGISTRY:
        return (f"There is no exercise called {name!r}; the names are those of the "
                f"checks: {', '.join(REGISTRY)}.")
    exercise_ = REGISTRY[name]
    if _state["feedback"] == "none" or _state["seed"] is not None:
        return (f"Worked answers come from your teacher in this copy of the notebook "
                f"(its exercises have their own numbers), not from check.solution.")
    where = _where(exercise_)
    if name not in _attempts:
        return textwrap.fill(f"Try exercise {exercise_.number} first: put your answer in "
                             f"place of the ... and run check.{name}(answer). After one "
                             f"checked attempt, check.solution({name!r}) shows the worked "
                             f"answer; its reasoning is written beside the exercise in "
                             f"{where}.", 88, break_on_hyphens=False)
    saved, _state["feedback"] = _state["feedback"], "hints"
    try:  # the reasoning is the judge's message on the reference, at full feedback
        if exercise_.kind == "function":
            why = judge_outputs(name, call_cases(name, exercise_.reference, None), None)
        else:
            why = _finish(exercise_, lambda: exercise_.judge(exercise_.materials(None),
                                                              exercise_.reference))
    except Exception:  # a worked answer is never worth a traceback
        why = None
    finally:
        _state["feedback"] = saved
    lines = [f"Worked answer to exercise {exercise_.number}: {exercise_.title}",
             f"answer = {_shown_reference(exercise_)}" if exercise_.kind != "function"
             else _shown_reference(exercise_)]
    if why is not None and why.correct:
        lines.append(textwrap.fill("Why: " + why.message, 88, break_on_hyphens=False))
    lines.append(textwrap.fill(f"(For the numbers shown in the notebook; the hand working "
                               f"is beside the exercise in {where}.)", 88))
    return "\n".join(lines)


def report(name, answer):
    """Print the verdict on ``answer`` to exercise ``name`` (what a checker does)."""
    print(verdict(name, answer))

