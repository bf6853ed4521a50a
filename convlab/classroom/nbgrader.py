"""An nbgrader source tree of course notebooks: ``convlab-classroom nbgrader``.

For courses that already run nbgrader. Each exercise's answer cell becomes an
nbgrader solution cell (the course's worked answer between ``### BEGIN
SOLUTION`` and ``### END SOLUTION``), followed by a locked autograder test cell
worth the exercise's points that asserts :func:`convlab.check.verdict`. As with
any nbgrader assignment, these tests run in the student's own kernel; the
``grade`` command is the one that a submission cannot fool.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np

from .cells import answer_calls, is_reveal, shows_solution
from .course import (ClassroomError, exercise_kind, exercise_points, gradable_exercises,
                     notebook_name, worked_answer)
from .notebookfile import clear_outputs, code_cell, notebook_json, read_notebook
from .release import check_output_folder, write_files

__all__ = ["export_nbgrader", "nbgrader_notebook"]


def _literal(value) -> str:
    """Source text that rebuilds a worked answer (numbers, tuples, lists, arrays)."""
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r})"
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, (list, tuple)):
        items = [_literal(item) for item in value]
        if isinstance(value, tuple):
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"
    return repr(value)


def _solution_source(name, variable) -> str:
    answer = worked_answer(name)
    if exercise_kind(name) == "function":
        source = inspect.getsource(answer).rstrip("\n")
        return f"{source}\n\n{variable} = {answer.__name__}"
    return f"{variable} = {_literal(answer)}"


def _metadata(grade_id, *, solution, grade, locked, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def nbgrader_notebook(notebook, name) -> dict:
    """The nbgrader source version of a course notebook (a new dict).

    Graded work: the reveals (cells tagged ``reveal``, which compute a prediction
    question's answer) are left out, like the worked answers.
    """
    graded = gradable_exercises(name)
    calls = {call.cell: call for call in answer_calls(notebook["cells"], set(graded))}
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        if shows_solution(cell) or is_reveal(cell):
            continue
        cell = clear_outputs(cell)
        call = calls.get(index)
        if call is None:
            cells.append(cell)
            continue
        variable = call.expression if call.expression.isidentifier() else "answer"
        cells.append(code_cell(
            "### BEGIN SOLUTION\n" + _solution_source(call.exercise, variable)
            + "\n### END SOLUTION\n" + f"check.{call.exercise}({variable})",
            **_metadata(f"answer_{call.exercise}", solution=True, grade=False,
                        locked=False)))
        cells.append(code_cell(
            f"# Autograder test of exercise {call.exercise}: convlab.check judges the answer.\n"
            "from convlab import check\n"
            f"verdict = check.verdict({call.exercise!r}, {variable})\n"
            "assert verdict.correct, str(verdict)",
            **_metadata(f"test_{call.exercise}", solution=False, grade=True, locked=True,
                        points=exercise_points(call.exercise))))
    missing = sorted(set(graded) - {call.exercise for call in calls.values()})
    if missing:
        raise ClassroomError(f"{name}: no answer cell for {', '.join(missing)}; export the "
                             "course's own notebook")
    return {**notebook, "cells": cells}


def export_nbgrader(notebooks, out, *, assignment=None, force=False) -> list[Path]:
    """Write ``out/source/<assignment>/<notebook>.ipynb`` for each notebook; return the paths.

    Parameters
    ----------
    notebooks : list of path
        Course notebooks.
    out : path
        The nbgrader course folder (it must not exist or be empty unless ``force``).
    assignment : str, optional
        The assignment's name; default: the notebook's name (one notebook only).
    force : bool
        Write into a non-empty ``out``.

    Then, in ``out``: ``nbgrader generate_assignment <assignment>`` and, on the
    collected submissions, ``nbgrader autograde <assignment>``.
    """
    if not notebooks:
        raise ClassroomError("give at least one notebook, e.g. notebooks/02_stride.ipynb")
    names = [notebook_name(path) for path in notebooks]
    if assignment is None:
        if len(names) > 1:
            raise ClassroomError("several notebooks make one assignment: name it with "
                                 "--assignment, e.g. --assignment week2")
        assignment = names[0]
    if not assignment or not all(c.isalnum() or c in "_-" for c in assignment):
        raise ClassroomError(f"--assignment {assignment!r}: use letters, digits, '_' or '-'")
    files = {}
    for path, name in zip(notebooks, names):
        files[f"source/{assignment}/{name}.ipynb"] = notebook_json(
            nbgrader_notebook(read_notebook(path), name))
    out = check_output_folder(out, force)
    return write_files(out, files)
