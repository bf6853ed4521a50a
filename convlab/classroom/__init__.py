"""The classroom edition: release the course to a class, grade it, feed back.

``python -m convlab.classroom`` (installed as ``convlab-classroom``) has four
commands:

- ``release NOTEBOOK... --out DIR [--roster roster.csv]``: the student version
  of each notebook (outputs cleared, answers blank, worked answers removed);
  with a roster, one folder per student, each with that student's own numbers
  (a seed derived from the student id and the course secret);
- ``grade DIR --out grades.csv``: run each ``DIR/<student>/<notebook>.ipynb``
  in its own kernel, take every answer out as data, judge it here, and write
  one CSV row per exercise and one feedback file per student;
- ``nbgrader NOTEBOOK... --out DIR``: an nbgrader source tree, for courses that
  already run nbgrader;
- ``link --hub URL --repo URL NOTEBOOK``: an nbgitpuller link for JupyterHub.

The teachers' guide (docs/teachers.md) walks through a term with commands to copy.
"""

from .course import ClassroomError
from .grade import Row, grade
from .nbgrader import export_nbgrader
from .release import nbgitpuller_link, release
from .roster import read_roster, student_seed

__all__ = ["ClassroomError", "Row", "release", "grade", "export_nbgrader",
           "nbgitpuller_link", "read_roster", "student_seed"]
