"""Students and their seeds: reading a roster, checking ids, deriving each student's seed.

A student's seed is an HMAC of the student id keyed with the course secret,
so the teacher (who holds the secret) can recompute it at grading time from
the folder name alone, and a student who knows their own id and seed cannot
compute anyone else's.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import re
from pathlib import Path

from .course import ClassroomError

__all__ = ["SECRET_VARIABLE", "read_roster", "check_student_id", "student_seed",
           "course_secret"]

#: The environment variable read when no ``--secret`` is given.
SECRET_VARIABLE = "CONVLAB_CLASSROOM_SECRET"

# Letters, digits, '.', '_', '-' and '@', starting with a letter or digit: safe as a
# folder name on every system, and never '..' or a path.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


def check_student_id(student, where) -> str:
    """Return ``student`` if it is safe as a folder name, else raise naming ``where``.

    Examples
    --------
    >>> check_student_id("ada.lovelace", "roster.csv row 2")
    'ada.lovelace'
    >>> check_student_id("../etc", "roster.csv row 3")
    Traceback (most recent call last):
    ...
    convlab.classroom.course.ClassroomError: roster.csv row 3: student id '../etc' ...
    """
    if not isinstance(student, str) or not _SAFE_ID.fullmatch(student) or ".." in student:
        raise ClassroomError(
            f"{where}: student id {student!r} is not safe as a folder name; use letters, "
            "digits, '.', '_', '-' or '@' (starting with a letter or digit, no '..', no '/')")
    return student


def read_roster(path) -> list[str]:
    """The student ids of a roster CSV (a header row with a ``student`` column), in order.

    Other columns (names, e-mails) are allowed and ignored. Raises
    :class:`ClassroomError` naming the file and the fix when the file is missing,
    has no ``student`` column, an empty, unsafe or repeated id, or no students.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ClassroomError(f"{path}: roster not found; give the path of a CSV file with "
                             "a 'student' column") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ClassroomError(f"{path}: roster could not be read ({error}); save it as a "
                             "UTF-8 CSV file with a 'student' column") from None
    rows = csv.DictReader(text.splitlines())
    columns = [name.strip() for name in (rows.fieldnames or [])]
    if "student" not in columns:
        raise ClassroomError(
            f"{path}: the roster has no 'student' column (its header is "
            f"{', '.join(map(repr, columns)) or 'empty'}); add a first line such as "
            "'student,name' and one student id per line")
    rows.fieldnames = columns
    students, first_row = [], {}
    for number, row in enumerate(rows, start=2):
        student = (row.get("student") or "").strip()
        if not student and not any((value or "").strip() for value in row.values()
                                   if isinstance(value, str)):
            continue  # a blank line
        check_student_id(student, f"{path} row {number}")
        if student in first_row:
            raise ClassroomError(f"{path} row {number}: student id {student!r} is already on "
                                 f"row {first_row[student]}; every student needs their own id")
        first_row[student] = number
        students.append(student)
    if not students:
        raise ClassroomError(f"{path}: the roster lists no students; add one id per line "
                             "under the 'student' header")
    return students


def course_secret(secret=None, *, required, purpose):
    """The course secret: ``secret`` if given, else the ``CONVLAB_CLASSROOM_SECRET`` variable.

    Returns None when neither is set and ``required`` is false; raises
    :class:`ClassroomError` saying how to give one when it is required.
    """
    if secret is None:
        secret = os.environ.get(SECRET_VARIABLE) or None
    if secret is None and required:
        raise ClassroomError(f"{purpose} needs the course secret: pass --secret TEXT or set "
                             f"{SECRET_VARIABLE}; keep it private and use the same one to "
                             "grade")
    if secret is not None and not secret.strip():
        raise ClassroomError("the course secret is empty; pass a long random --secret")
    return secret


def student_seed(secret, student) -> int:
    """The seed of ``student``'s variants: HMAC-SHA256 of the id keyed with ``secret``.

    A whole number below 2**31, the same for the same secret and id.

    Examples
    --------
    >>> student_seed("course secret", "ada") == student_seed("course secret", "ada")
    True
    >>> student_seed("course secret", "ada") == student_seed("other secret", "ada")
    False
    """
    digest = hmac.new(secret.encode("utf-8"), student.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF
