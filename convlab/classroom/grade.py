"""Grading a class: ``grade`` runs every submission apart and judges its answers here.

Submissions are laid out as ``DIR/<student>/<notebook>.ipynb``. Each one runs
in its own kernel (see :mod:`convlab.classroom.kernel`); its answers, found by
exercise name, come out as data and are judged in this process by
:mod:`convlab.check` for the seed recomputed from the folder name and the
course secret. The result is one CSV row per student, notebook and exercise,
and one Markdown feedback file per student.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from .. import check
from .capture import Unreadable, decode, encode
from .cells import capture_variable, last_answers, left_blank, rewrite_for_capture
from .course import (ClassroomError, course_notebooks, exercise_kind, exercise_points,
                     function_cases, gradable_exercises, judge_function_outputs,
                     judge_value, raised, supports_seeds)
from .notebookfile import read_notebook
from .release import write_files
from .roster import check_student_id, course_secret, read_roster, student_seed

__all__ = ["STATUSES", "Row", "grade", "grade_submission", "feedback_markdown",
           "rows_csv"]

#: Every status a row can have.
STATUSES = ("correct", "incorrect", "not attempted", "error", "timeout", "missing")


@dataclass(frozen=True)
class Row:
    """One line of grades.csv: one exercise of one notebook of one student."""

    student: str
    notebook: str
    exercise: str
    points: int
    max_points: int
    status: str   #: one of STATUSES
    message: str  #: the verdict's text or what went wrong; never the expected answer


def _row(student, notebook, name, status, message, correct=False):
    most = exercise_points(name)
    return Row(student, notebook, name, most if correct else 0, most, status, message)


def _judge(student, notebook, name, capture, seed, level) -> Row:
    """Turn an answer taken out of the kernel into a row, judging it here."""
    if capture.status != "ok":
        return _row(student, notebook, name, capture.status, capture.message)
    data = capture.data
    try:
        if "outputs" in data:
            outputs = []
            for item in data["outputs"]:
                if isinstance(item, dict) and "raised" in item:
                    kind, text = item["raised"]
                    outputs.append(raised(str(kind), str(text)))
                else:
                    outputs.append(decode(item.get("value") if isinstance(item, dict) else None))
            if any(isinstance(output, Unreadable) for output in outputs):
                bad = next(o for o in outputs if isinstance(o, Unreadable))
                return _row(student, notebook, name, "incorrect",
                            f"your function returned {bad!r}, which the grader cannot read; "
                            "return an array of numbers.")
            verdict = judge_function_outputs(name, outputs, seed, level)
        else:
            answer = decode(data.get("value"))
            if isinstance(answer, Unreadable):
                return _row(student, notebook, name, "incorrect",
                            f"the answer is {answer!r}; answer with "
                            f"{check.EXERCISES[name].answer}.")
            verdict = judge_value(name, answer, seed, level)
    except ClassroomError:
        raise
    except Exception as error:  # a judge that fails must not stop the class
        return _row(student, notebook, name, "error",
                    f"the grader could not judge this answer ({type(error).__name__}: "
                    f"{error}); please tell your teacher.")
    return _row(student, notebook, name, verdict.status, verdict.message,
                correct=verdict.correct)


def grade_submission(path, student, notebook, seed, *, spec_folder, timeout,
                     level="hints") -> list[Row]:
    """The rows of one submission (``path``, which may be missing or broken).

    Never raises for anything in the submission: every problem becomes a row.
    ``level`` is the feedback level of the verdicts' messages.
    """
    from .kernel import Sandbox
    path = Path(path)
    names = gradable_exercises(notebook)
    if not path.is_file():
        where = f"{student}/{path.name}"
        return [_row(student, notebook, name, "missing", f"no {where} was handed in")
                for name in names]
    try:
        document = read_notebook(path)
    except ClassroomError as error:
        message = str(error).replace(str(path), f"{student}/{path.name}")
        return [_row(student, notebook, name, "error", message) for name in names]
    cells = document["cells"]
    answers = last_answers(cells, set(names))
    rows = {name: _row(student, notebook, name, "not attempted",
                       f"no check.{name}(...) cell was found; keep the exercise's answer "
                       f"cell (answer = ... then check.{name}(answer)) as a code cell")
            for name in names if name not in answers}
    sources = {index: "".join(cell["source"]) if isinstance(cell["source"], list)
               else str(cell["source"])
               for index, cell in enumerate(cells) if cell.get("cell_type") == "code"}
    # Answer cells left as released need no kernel: their answer is surely `...`.
    for name, call in list(answers.items()):
        if left_blank(sources[call.cell], call):
            rows[name] = _row(student, notebook, name, "not attempted",
                              judge_value(name, Ellipsis, seed, level).message)
            del answers[name]
    by_cell = {}
    for name, call in answers.items():
        by_cell.setdefault(call.cell, []).append(call)
    for index, calls in by_cell.items():
        sources[index] = rewrite_for_capture(sources[index], calls)
    if answers:
        try:
            cases = {name: json.dumps([encode(tuple(case)) for case in
                                       function_cases(name, seed)])
                     for name in answers if exercise_kind(name) == "function"}
            with Sandbox(path.parent, spec_folder, timeout=timeout) as sandbox:
                for index in sorted(sources):
                    outcome = sandbox.run_cell(index, sources)
                    for call in by_cell.get(index, ()):
                        rows[call.exercise] = _answer_row(
                            sandbox, call, outcome, cases.get(call.exercise), sources,
                            student, notebook, seed, timeout, level)
        except ClassroomError:
            raise
        except Exception as error:  # the kernel could not start, say: this submission only
            for name in answers:
                if name not in rows:
                    rows[name] = _row(student, notebook, name, "error",
                                      f"the submission could not be run "
                                      f"({type(error).__name__}: {error})")
    return [rows[name] for name in names]


def _answer_row(sandbox, call, outcome, cases_json, sources, student, notebook, seed,
                timeout, level) -> Row:
    cell = f"the answer cell (cell {call.cell + 1})"
    if outcome.status == "died":
        return _row(student, notebook, call.exercise, "error",
                    f"the kernel stopped while running {cell} ({outcome.message}: os._exit, "
                    "a crash, or more memory than allowed)")
    capture = sandbox.capture(capture_variable(call), cases_json, sources, call.exercise)
    if capture.status == "error" and capture_variable(call) in capture.message:
        # The cell never reached its check call: say why.
        if outcome.status == "timeout":
            return _row(student, notebook, call.exercise, "timeout",
                        f"{cell} ran longer than {timeout:g} s and was stopped before its "
                        f"check.{call.exercise}(...) call; look for a loop that never ends")
        reason = f"raised {outcome.message}" if outcome.status == "error" else "stopped"
        return _row(student, notebook, call.exercise, "error",
                    f"{cell} {reason} before its check.{call.exercise}(...) call; the "
                    "notebook must run from top to bottom")
    return _judge(student, notebook, call.exercise, capture, seed, level)


def rows_csv(rows) -> str:
    """grades.csv's text: a header, then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in fields(Row)])
    writer.writerows(astuple(row) for row in rows)
    return buffer.getvalue()


_SHOWN = {"correct": "correct", "incorrect": "not yet correct", "not attempted":
          "not attempted", "error": "could not be graded", "timeout": "stopped (too slow)",
          "missing": "not handed in"}


def _plain_markdown(text) -> str:
    """``text`` shown as written in Markdown: ``0*0 + 1*1`` must not turn italic."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def feedback_markdown(student, rows) -> str:
    """The feedback file of one student: every verdict and hint, no expected answer."""
    lines = [f"# Feedback for {_plain_markdown(student)}", ""]
    total = sum(row.points for row in rows)
    most = sum(row.max_points for row in rows)
    lines += [f"**{total} of {most} points.**", ""]
    notebooks = list(dict.fromkeys(row.notebook for row in rows))
    for notebook in notebooks:
        mine = [row for row in rows if row.notebook == notebook]
        lines += [f"## {notebook}: {sum(r.points for r in mine)} of "
                  f"{sum(r.max_points for r in mine)} points", ""]
        for row in mine:
            exercise = check.EXERCISES[row.exercise]
            message = _plain_markdown(row.message[:1].upper() + row.message[1:])
            lines += [f"### {exercise.number} {exercise.title} (`{row.exercise}`): "
                      f"{_SHOWN[row.status]}, {row.points}/{row.max_points}", "",
                      message, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _students(folder, roster):
    if roster is not None:
        return read_roster(roster)
    students = []
    for entry in sorted(Path(folder).iterdir()):
        if entry.is_dir() and not entry.name.startswith("."):
            students.append(check_student_id(entry.name, f"{folder}/{entry.name}"))
    if not students:
        raise ClassroomError(f"{folder}: no student folders found; lay submissions out as "
                             f"{folder}/<student>/<notebook>.ipynb")
    return students


def grade(folder, out, *, roster=None, secret=None, notebooks=None, students=None, jobs=1,
          timeout=60.0, memory_mb=4096, feedback=None, level="hints", force=False,
          progress=None) -> list[Row]:
    """Grade every submission under ``folder``; write ``out`` (CSV) and the feedback files.

    Parameters
    ----------
    folder : path
        Submissions as ``folder/<student>/<notebook>.ipynb``.
    out : path
        The grades CSV to write.
    roster : path, optional
        Grade these students (a student with no folder gets 'missing' rows);
        without it, every sub-folder of ``folder`` is a student.
    secret : str, optional
        The course secret used at release (default: ``CONVLAB_CLASSROOM_SECRET``);
        without one every submission is graded on the default numbers.
    notebooks : list of str, optional
        The notebooks expected, e.g. ``['02_stride']``; default: every course
        notebook found in any student's folder.
    students : list of str, optional
        Grade only these students (of the roster, if one is given): one call per
        student spreads a large course over a batch system.
    jobs : int
        Submissions graded at once (each in its own kernel).
    timeout : float
        Seconds a cell may run.
    memory_mb : int
        The address-space cap of each kernel, in MiB (0: no cap).
    feedback : path, optional
        The folder of the feedback files; default: ``feedback/`` beside ``out``.
    level : {'hints', 'format', 'none'}
        What the messages (in the CSV and the feedback files) tell about a wrong
        answer: the hint, only what is wrong with its form, or nothing.
    force : bool
        Overwrite an existing ``out`` and feedback files.
    progress : callable, optional
        Called with the rows of each submission as it is graded.

    Returns
    -------
    list of Row
    """
    from .kernel import kernel_spec_folder
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise ClassroomError(f"{folder}: no such folder; give the folder that holds one "
                             "folder per student")
    if level not in ("hints", "format", "none"):
        raise ClassroomError(f"--feedback must be one of hints, format, none, got {level!r}")
    if jobs < 1 or timeout <= 0 or memory_mb < 0:
        raise ClassroomError(f"--jobs must be at least 1 and --timeout positive, got jobs="
                             f"{jobs}, timeout={timeout}; --memory-mb must not be negative")
    feedback = Path(feedback) if feedback is not None else out.parent / "feedback"
    everyone = _students(folder, roster)
    if students is None:
        students = everyone
    else:
        for student in students:
            check_student_id(student, "--student")
            if roster is not None and student not in everyone:
                raise ClassroomError(f"{roster}: student {student!r} is not on the roster; "
                                     "check the id or add them to the roster")
        students = list(dict.fromkeys(students))
    secret = course_secret(secret, required=False, purpose="grade")
    if secret and not supports_seeds():
        raise ClassroomError("a course secret was given but this convlab has no per-student "
                             "variants (check.use_seed); grade without --secret (unset "
                             "CONVLAB_CLASSROOM_SECRET) or update convlab")
    known = course_notebooks()
    if notebooks is None:
        notebooks = [name for name in known
                     if any((folder / s / f"{name}.ipynb").exists() for s in students)]
        if not notebooks:
            raise ClassroomError(f"{folder}: no course notebook found in any student folder; "
                                 f"expected files such as {folder}/<student>/02_stride.ipynb")
    else:
        notebooks = [name if name in known else _course_name(name) for name in notebooks]
    if not force:
        for target in (out, *(feedback / f"{s}.md" for s in students)):
            if target.exists():
                raise ClassroomError(f"{target}: exists; pass --force to overwrite it or "
                                     "choose another --out")
    work = [(s, n, student_seed(secret, s) if secret else None)
            for s in students for n in notebooks]
    spec_folder = kernel_spec_folder(memory_mb)

    def one(job):
        student, notebook, seed = job
        try:
            rows = grade_submission(folder / student / f"{notebook}.ipynb", student,
                                    notebook, seed, spec_folder=spec_folder, timeout=timeout,
                                    level=level)
        except ClassroomError:
            raise
        except Exception as error:  # a grader bug on one submission must not stop the class
            rows = [_row(student, notebook, name, "error",
                         f"the grader failed on this submission ({type(error).__name__}: "
                         f"{error}); please tell your teacher")
                    for name in gradable_exercises(notebook)]
        finally:
            _close_event_loop()
        if progress is not None:
            progress(rows)
        return rows

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(one, work))
    finally:
        shutil.rmtree(spec_folder, ignore_errors=True)
    rows = [row for rows in results for row in rows]
    files = {out.name: rows_csv(rows)}
    write_files(out.parent, files)
    write_files(feedback, {f"{s}.md": feedback_markdown(s, [r for r in rows if r.student == s])
                           for s in students})
    return rows


def _close_event_loop():
    """Close the event loop jupyter_client left in this worker thread (it never does)."""
    policy = asyncio.get_event_loop_policy()
    try:
        loop = policy.get_event_loop()
    except RuntimeError:  # none in this thread
        return
    if not loop.is_running():
        loop.close()
        policy.set_event_loop(None)


def _course_name(name):
    from .course import notebook_name
    return notebook_name(name)
