"""The ``convlab-classroom`` command (also ``python -m convlab.classroom``)."""

from __future__ import annotations

import argparse
import sys

from .course import ClassroomError

__all__ = ["main"]

_EPILOG = """\
examples:
  convlab-classroom release notebooks/02_stride.ipynb --out released
  convlab-classroom release notebooks/02_stride.ipynb --out released --roster roster.csv
  convlab-classroom grade submissions --out grades.csv --roster roster.csv --jobs 2
  convlab-classroom nbgrader notebooks/02_stride.ipynb --out course
  convlab-classroom link --hub https://hub.example.edu --repo https://github.com/me/course \\
      released/02_stride.ipynb

The course secret comes from --secret or the CONVLAB_CLASSROOM_SECRET variable.
"""


def _parser():
    parser = argparse.ArgumentParser(
        prog="convlab-classroom", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Release the course notebooks to a class (a variant per student), grade "
                    "the submissions, export to nbgrader, link from JupyterHub.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    release = commands.add_parser("release", help="write the student version of notebooks")
    release.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    release.add_argument("--out", required=True, metavar="DIR")
    release.add_argument("--roster", metavar="CSV",
                         help="a CSV with a 'student' column: one folder per student")
    release.add_argument("--secret", help="the course secret (default: $CONVLAB_CLASSROOM_SECRET)")
    release.add_argument("--feedback", choices=("hints", "format", "none"), default="hints",
                         help="what the checkers tell students (default: hints)")
    release.add_argument("--reveals", choices=("keep", "drop"), default=None,
                         help="keep or leave out the cells that reveal a prediction "
                              "question's answer (default: drop with --roster, keep without)")
    release.add_argument("--force", action="store_true",
                         help="write into a non-empty --out folder")

    grade = commands.add_parser("grade", help="grade DIR/<student>/<notebook>.ipynb")
    grade.add_argument("folder", metavar="DIR")
    grade.add_argument("--out", required=True, metavar="CSV")
    grade.add_argument("--roster", metavar="CSV")
    grade.add_argument("--secret", help="the course secret used at release")
    grade.add_argument("--notebook", action="append", dest="notebooks", metavar="NAME",
                       help="a notebook every student should hand in (repeatable; default: "
                            "every course notebook found)")
    grade.add_argument("--student", action="append", dest="students", metavar="ID",
                       help="grade only this student (repeatable): one call per student "
                            "spreads a large course over a batch system")
    grade.add_argument("--jobs", type=int, default=1, help="submissions at once (default 1)")
    grade.add_argument("--timeout", type=float, default=60.0,
                       help="seconds a cell may run (default 60)")
    grade.add_argument("--memory-mb", type=int, default=4096,
                       help="memory cap of each kernel in MiB (default 4096, 0 for none)")
    grade.add_argument("--feedback-dir", metavar="DIR",
                       help="where the feedback files go (default: feedback/ beside --out)")
    grade.add_argument("--feedback", choices=("hints", "format", "none"), default="hints",
                       help="what the feedback tells about a wrong answer (default: hints)")
    grade.add_argument("--force", action="store_true", help="overwrite earlier grades")
    grade.add_argument("--quiet", action="store_true", help="no line per submission")

    export = commands.add_parser("nbgrader", help="export an nbgrader source tree")
    export.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    export.add_argument("--out", required=True, metavar="DIR")
    export.add_argument("--assignment", help="the assignment name (default: the notebook's)")
    export.add_argument("--force", action="store_true")

    link = commands.add_parser("link", help="print an nbgitpuller link for JupyterHub")
    link.add_argument("notebook", metavar="NOTEBOOK", help="its path inside the repository")
    link.add_argument("--hub", required=True, metavar="URL")
    link.add_argument("--repo", required=True, metavar="URL")
    link.add_argument("--branch")
    link.add_argument("--interface", choices=("lab", "notebook"), default="lab")
    return parser


def _progress(rows):
    if rows:
        got = sum(r.points for r in rows)
        most = sum(r.max_points for r in rows)
        counts = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        shown = ", ".join(f"{n} {status}" for status, n in counts.items())
        print(f"{rows[0].student}/{rows[0].notebook}: {got}/{most} points ({shown})",
              file=sys.stderr, flush=True)


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0 done, 2 bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "release":
            from .release import release
            written = release(args.notebooks, args.out, roster=args.roster,
                              secret=args.secret, feedback=args.feedback,
                              reveals=args.reveals, force=args.force)
            print(f"wrote {len(written)} notebook(s) under {args.out}")
        elif args.command == "grade":
            from .grade import grade
            rows = grade(args.folder, args.out, roster=args.roster, secret=args.secret,
                         notebooks=args.notebooks, students=args.students, jobs=args.jobs,
                         timeout=args.timeout,
                         memory_mb=args.memory_mb, feedback=args.feedback_dir,
                         level=args.feedback,
                         force=args.force, progress=None if args.quiet else _progress)
            students = len({row.student for row in rows})
            print(f"graded {students} student(s): {args.out}")
        elif args.command == "nbgrader":
            from .nbgrader import export_nbgrader
            written = export_nbgrader(args.notebooks, args.out, assignment=args.assignment,
                                      force=args.force)
            print(f"wrote {len(written)} notebook(s) under {args.out}/source")
        else:
            from .release import nbgitpuller_link
            print(nbgitpuller_link(args.hub, args.repo, args.notebook, branch=args.branch,
                                   interface=args.interface))
    except ClassroomError as error:
        print(f"convlab-classroom {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0
