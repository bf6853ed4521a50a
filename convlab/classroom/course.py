"""The course as the classroom tools see it: notebooks, exercises, points and judging.

A thin layer over :mod:`convlab.check`, so release, grade and the nbgrader
export ask one place which exercises a notebook holds, how many points each is
worth, and how an answer taken out of a student's kernel is judged for that
student's seed. Judging happens here, in the grader's process, with the
grader's own convlab; nothing in this module runs student code.
"""

from __future__ import annotations

import contextlib
import inspect
import threading

from .. import check

__all__ = [
    "ClassroomError", "course_notebooks", "notebook_name", "gradable_exercises",
    "exercise_points", "exercise_kind", "supports_seeds", "judge_value",
    "function_cases", "judge_function_outputs", "raised", "seed_source", "worked_answer",
]


class ClassroomError(ValueError):
    """Bad input to a classroom command; the message names the file and the fix."""


# check.use_seed is process-wide state, and check's seed=None means "the current
# seed". The grader judges one answer at a time, with the student's seed set as
# the current one (None: the default numbers) and passed explicitly, then puts
# back whatever was current, so threads grading different students never mix.
_JUDGING = threading.Lock()


@contextlib.contextmanager
def _judging(seed, level="hints"):
    with _JUDGING:
        if not supports_seeds():
            yield {}
            return
        before = check.current_seed()
        has_levels = callable(getattr(check, "feedback_level", None))
        level_before = check.feedback_level() if has_levels else None
        check.use_seed(seed)
        if has_levels:
            check.feedback_level(level)  # what the messages tell
        try:
            yield {"seed": seed}
        finally:
            check.use_seed(before)
            if has_levels:
                check.feedback_level(level_before)


def supports_seeds() -> bool:
    """True when this convlab can pose per-student variants (``check.use_seed``)."""
    return callable(getattr(check, "use_seed", None))


def course_notebooks() -> list[str]:
    """The course notebooks that hold exercises, e.g. ``['01_kernels', '02_stride', ...]``."""
    return list(check.exercises())


def notebook_name(path) -> str:
    """The course notebook a file is, from its name (``.../02_stride.ipynb`` -> ``'02_stride'``).

    Raises
    ------
    ClassroomError
        When the file is not a course notebook; the message lists the course's.
    """
    from pathlib import Path
    stem = Path(path).name
    if stem.endswith(".ipynb"):
        stem = stem[: -len(".ipynb")]
    names = course_notebooks()
    if stem not in names:
        raise ClassroomError(
            f"{path}: not a notebook of the convlab course with exercises; expected one of "
            f"{', '.join(n + '.ipynb' for n in names)} (keep the course's file names)")
    return stem


def _checker_takes_one_answer(name) -> bool:
    checker = getattr(check, name, None)
    if not callable(checker):
        return False
    try:
        parameters = list(inspect.signature(checker).parameters.values())
    except (TypeError, ValueError):
        return False
    return len(parameters) == 1 and parameters[0].default is inspect.Parameter.empty


def gradable_exercises(notebook) -> list[str]:
    """The exercises of ``notebook`` that are answered with ``check.<name>(answer)``.

    An exercise whose checker takes something else (the shape quiz, where the
    learner picks the seed) or that is worth no points is practice, not graded.
    """
    return [name for name in check.exercises(notebook)
            if _checker_takes_one_answer(name) and exercise_points(name) > 0]


def exercise_points(name) -> int:
    """The points an exercise is worth (1 unless the exercise says otherwise)."""
    return int(getattr(check.EXERCISES[name], "points", 1))


def exercise_kind(name) -> str:
    """``'function'`` when the learner writes a function, else ``'value'``."""
    exercise = check.EXERCISES[name]
    kind = getattr(exercise, "kind", None)
    if kind is None:  # a convlab from before exercises said their kind
        kind = "function" if exercise.answer.startswith("a function") else "value"
    return kind


def _require_seeds(seed):
    if seed is not None and not supports_seeds():
        raise ClassroomError("this convlab has no per-student variants (check.use_seed); "
                             "grade without --secret or update convlab")


def judge_value(name, answer, seed, level="hints"):
    """The verdict on a value answer, for ``seed`` (None: the default numbers).

    ``level`` is the feedback level its message is written at ('hints', 'format' or
    'none'), when this convlab has levels.
    """
    _require_seeds(seed)
    with _judging(seed, level) as options:
        return check.verdict(name, answer, **options)


def function_cases(name, seed) -> list[tuple]:
    """The argument tuples a function answer is called on for ``seed``."""
    _require_seeds(seed)
    if not callable(getattr(check, "function_cases", None)):
        raise ClassroomError("this convlab cannot hand out the test inputs of function "
                             "exercises (check.function_cases); update convlab")
    with _judging(seed) as options:
        return list(check.function_cases(name, **options))


def raised(type_name, message):
    """The record of a call that raised, as :func:`check.judge_outputs` expects it."""
    return check.Raised(type_name, message)


def judge_function_outputs(name, outputs, seed, level="hints"):
    """The verdict on a function answer's outputs (aligned with :func:`function_cases`).

    ``level`` is the feedback level, as for :func:`judge_value`.
    """
    _require_seeds(seed)
    with _judging(seed, level) as options:
        return check.judge_outputs(name, list(outputs), **options)


def seed_source(seed, feedback=None) -> str:
    """The lines a released notebook's first code cell adds: the student's seed and feedback."""
    lines = []
    if seed is not None:
        lines.append(f"check.use_seed({int(seed)})  # your own numbers: keep this line as it is")
    if feedback is not None and callable(getattr(check, "feedback_level", None)):
        lines.append(f"check.feedback_level({feedback!r})")
    return "\n".join(lines)


def worked_answer(name):
    """The course's hand-worked answer to ``name`` (default numbers), for the nbgrader export."""
    from .. import solutions
    try:
        return getattr(solutions, name)
    except AttributeError:
        raise ClassroomError(f"convlab has no worked answer for exercise {name!r}; "
                             "update convlab") from None
