"""Student versions of the course notebooks: ``release``, and the JupyterHub ``link``.

A released notebook has its outputs cleared, every answer cell blank
(``answer = ...``), no cell that imports or shows a worked answer, and, with a
roster, the student's own seed set in its first code cell, so each student
gets their own numbers. A graded release (with a roster) also leaves out the
reveals, the cells tagged ``reveal`` that compute a prediction question's answer
right after its check (``reveals='keep'`` keeps them).
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from .cells import blank_answers, is_reveal, python_source, shows_solution
from .. import check
from .course import ClassroomError, notebook_name, seed_source
from .notebookfile import clear_outputs, code_cell, notebook_json, read_notebook
from .roster import course_secret, read_roster, student_seed

__all__ = ["FEEDBACK_LEVELS", "REVEALS", "student_version", "release", "nbgitpuller_link",
           "check_output_folder", "write_files"]

#: What a student's checker may say: hints, only whether the form is right, or nothing.
FEEDBACK_LEVELS = ("hints", "format", "none")

#: What a release does with the reveals (the cells tagged ``reveal``).
REVEALS = ("keep", "drop")


def _imports_check(source) -> bool:
    try:
        tree = ast.parse(python_source(source))
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "convlab" and any(
                (alias.asname or alias.name) == "check" for alias in node.names):
            return True
        if isinstance(node, ast.Import) and any(
                alias.name == "convlab.check" and alias.asname == "check"
                for alias in node.names):
            return True
    return False


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def student_version(notebook, name, *, seed=None, student=None, feedback=None,
                    reveals="keep") -> dict:
    """The student version of a course notebook (a new dict; ``notebook`` is unchanged).

    Parameters
    ----------
    notebook : dict
        The course notebook, as read from its file.
    name : str
        Its course name, e.g. ``'02_stride'``.
    seed : int, optional
        The student's seed; None keeps the default numbers.
    student : str, optional
        The student id, recorded in the notebook's metadata.
    feedback : {'hints', 'format', 'none'}, optional
        The checker's feedback level, set in the first code cell when convlab has one.
    reveals : {'keep', 'drop'}, default 'keep'
        'drop' leaves out the cells tagged ``reveal`` (each computes the answer of the
        prediction question before it, which a graded copy must not hand out).
    """
    if reveals not in REVEALS:
        raise ClassroomError(f"reveals must be one of {', '.join(REVEALS)}, got {reveals!r}")
    exercises = set(check.exercises(name))
    kept = []
    for cell in notebook["cells"]:
        if shows_solution(cell) or (reveals == "drop" and is_reveal(cell)):
            continue
        cell = clear_outputs(cell)
        if cell["cell_type"] == "code":
            cell["source"] = blank_answers(_text(cell["source"]), exercises)
        kept.append(cell)
    setup = seed_source(seed, feedback)
    if setup:
        first = next((i for i, c in enumerate(kept) if c["cell_type"] == "code"), None)
        if first is not None and _imports_check(kept[first]["source"]):
            kept[first]["source"] = kept[first]["source"].rstrip("\n") + "\n\n" + setup
        else:
            first = 0 if first is None else first
            kept.insert(first, code_cell("from convlab import check\n" + setup))
    metadata = {key: value for key, value in notebook.get("metadata", {}).items()
                if key != "widgets"}  # widget state belongs to cleared outputs
    released = {"convlab": {"notebook": name}}
    if seed is not None:
        released["convlab"].update(seed=int(seed), student=student)
    metadata.update(released)
    return {**notebook, "metadata": metadata, "cells": kept}


def check_output_folder(out, force) -> Path:
    """``out`` as a Path, refusing an existing non-empty folder unless ``force``."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ClassroomError(f"{out}: exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ClassroomError(f"{out}: the output folder is not empty; choose a new folder or "
                             "pass --force to overwrite the files in it")
    return out


def write_files(out, files) -> list[Path]:
    """Write ``{relative path: text}`` under ``out``: all of them, or (on error) none.

    The files are written to a staging folder beside ``out`` first and moved into
    place only once every one of them is written.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        written = []
        out.mkdir(exist_ok=True)
        for relative in files:
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def release(notebooks, out, *, roster=None, secret=None, feedback="hints", reveals=None,
            force=False):
    """Write the student version of each notebook under ``out``; return the paths written.

    Parameters
    ----------
    notebooks : list of path
        Course notebooks, e.g. ``['notebooks/02_stride.ipynb']``.
    out : path
        The output folder; it must not exist or be empty unless ``force``.
    roster : path, optional
        A CSV with a ``student`` column. Without it: ``out/<notebook>.ipynb`` with
        the default numbers. With it: ``out/<student>/<notebook>.ipynb``, each
        with that student's seed (which needs ``secret``).
    secret : str, optional
        The course secret; default: the ``CONVLAB_CLASSROOM_SECRET`` variable.
    feedback : {'hints', 'format', 'none'}
        How much the checkers tell students.
    reveals : {'keep', 'drop'}, optional
        Keep or leave out the reveals (the cells tagged ``reveal`` that compute a
        prediction question's answer). Default: 'drop' with a roster (a graded
        release, where a student could otherwise run the reveal before answering),
        'keep' without one.
    force : bool
        Write into a non-empty ``out``, overwriting files of the same name.

    Raises
    ------
    ClassroomError
        Before anything is written, for a notebook that is not in the course, a bad
        roster, a missing secret or a non-empty output folder.
    """
    if feedback not in FEEDBACK_LEVELS:
        raise ClassroomError(f"--feedback must be one of {', '.join(FEEDBACK_LEVELS)}, "
                             f"got {feedback!r}")
    if reveals is None:
        reveals = "keep" if roster is None else "drop"
    if reveals not in REVEALS:
        raise ClassroomError(f"--reveals must be one of {', '.join(REVEALS)}, got {reveals!r}")
    if not notebooks:
        raise ClassroomError("give at least one notebook to release, e.g. "
                             "notebooks/02_stride.ipynb")
    sources = {}
    for path in notebooks:
        name = notebook_name(path)
        if name in sources:
            raise ClassroomError(f"{path}: {name} is given twice; list each notebook once")
        sources[name] = read_notebook(path)
    students = [None]
    if roster is not None:
        students = read_roster(roster)
        secret = course_secret(secret, required=True, purpose="release with a roster")
    out = check_output_folder(out, force)
    files = {}
    for student in students:
        seed = None if student is None else student_seed(secret, student)
        for name, notebook in sources.items():
            relative = f"{name}.ipynb" if student is None else f"{student}/{name}.ipynb"
            files[relative] = notebook_json(student_version(
                notebook, name, seed=seed, student=student, feedback=feedback,
                reveals=reveals))
    return write_files(out, files)


def nbgitpuller_link(hub, repo, notebook, *, branch=None, interface="lab") -> str:
    """An nbgitpuller link: it clones (or updates) ``repo`` on the hub and opens ``notebook``.

    Parameters
    ----------
    hub : str
        The JupyterHub's address, e.g. ``'https://hub.example.edu'``.
    repo : str
        The git repository holding the released notebooks.
    notebook : str
        The notebook's path inside that repository.
    branch : str, optional
        The branch to pull (the repository's default if not given).
    interface : {'lab', 'notebook'}
        Open it in JupyterLab or the classic notebook interface.

    Examples
    --------
    >>> link = nbgitpuller_link("https://hub.example.edu", "https://github.com/me/course",
    ...                         "released/02_stride.ipynb", branch="main")
    >>> print(link.replace("&", "\\n&"))
    https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fme%2Fcourse
    &urlpath=lab%2Ftree%2Fcourse%2Freleased%2F02_stride.ipynb
    &branch=main
    """
    for argument, value in (("--hub", hub), ("--repo", repo)):
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ClassroomError(f"{argument} must be an http(s) address such as "
                                 f"https://hub.example.edu, got {value!r}")
    if interface not in ("lab", "notebook"):
        raise ClassroomError(f"interface must be 'lab' or 'notebook', got {interface!r}")
    notebook = str(notebook).lstrip("/")
    if not notebook or ".." in Path(notebook).parts:
        raise ClassroomError(f"NOTEBOOK must be a path inside the repository, got {notebook!r}")
    folder = urlsplit(repo).path.rstrip("/").rsplit("/", 1)[-1]
    folder = folder[:-4] if folder.endswith(".git") else folder
    urlpath = ("lab/tree/" if interface == "lab" else "tree/") + f"{folder}/{notebook}"
    query = {"repo": repo, "urlpath": urlpath}
    if branch:
        query["branch"] = branch
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?" + urlencode(query, quote_via=quote,
                                                                         safe="")
