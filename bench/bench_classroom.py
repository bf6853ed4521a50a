"""Grading speed: a class of generated submissions of one notebook, at --jobs 1 and 2.

Releases one course notebook to a class (a roster of N students, each with
their own seed when this convlab has variants), fills the answers in three
ways (the worked answers, wrong ones, none), grades the class with
``convlab.classroom.grade`` once per jobs setting and prints the submissions
per minute. Every submission gets a fresh kernel; nothing is reused across
students.

    .venv/bin/python bench/bench_classroom.py                   # 60 students, 02_stride
    .venv/bin/python bench/bench_classroom.py --students 20 --jobs 1 2 3

Target: 60 submissions in under 2 minutes on a 2-core machine. Exits 1 when
the best jobs setting misses it (scaled to the class size). On a shared
machine the wall time depends on the load, so it also prints the CPU time per
submission (grader and kernel) and what that gives on idle cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS_PER_60 = 120.0


def _fill(notebook, exercise, text):
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and f"check.{exercise}(" in source:
            cell["source"] = source.replace("answer = ...", f"answer = {text}", 1)
            return


def _cpu_seconds():
    """CPU time of this process and of its finished children (the kernels)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def make_class(folder, notebook, students, secret):
    """Release ``notebook`` to ``students`` generated ids; fill in a third right, a third wrong."""
    from convlab import solutions
    from convlab.classroom import release
    from convlab.classroom.course import gradable_exercises, supports_seeds
    roster = folder / "roster.csv"
    roster.write_text("student\n" + "".join(f"s{n:03d}\n" for n in range(students)))
    seeded = supports_seeds()
    release([ROOT / "notebooks" / f"{notebook}.ipynb"], folder / "released",
            roster=roster if seeded else None, secret=secret)
    from convlab import check
    from convlab.classroom.roster import student_seed
    names = gradable_exercises(notebook)
    for n in range(students):
        student = f"s{n:03d}"
        source = folder / "released" / (f"{student}/" if seeded else "") / f"{notebook}.ipynb"
        nb = json.loads(source.read_text())
        for name in names:
            if n % 3 == 0:   # right: the answer key of this student's variant
                right = (check.EXERCISES[name].expected(student_seed(secret, student))
                         if seeded else getattr(solutions, name))
                _fill(nb, name, repr(np.asarray(right).tolist() if isinstance(
                    right, np.ndarray) else right))
            elif n % 3 == 1:
                _fill(nb, name, "[[0]]")
        target = folder / "submissions" / student / f"{notebook}.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(nb))
    return roster


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--notebook", default="02_stride")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)

    from convlab.classroom import grade
    from convlab.classroom.course import supports_seeds
    secret = "bench secret" if supports_seeds() else None
    best = None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roster = make_class(folder, args.notebook, args.students, secret or "")
        print(f"{args.students} submissions of {args.notebook}, one fresh kernel each")
        print(f"{'jobs':>4}  {'seconds':>8}  {'per minute':>10}  {'CPU s each':>10}  statuses")
        for jobs in args.jobs:
            out = folder / f"grades-{jobs}.csv"
            start, cpu = time.perf_counter(), _cpu_seconds()
            rows = grade(folder / "submissions", out, roster=roster, secret=secret,
                         jobs=jobs, notebooks=[args.notebook],
                         feedback=folder / f"feedback-{jobs}")
            seconds = time.perf_counter() - start
            cpu_each = (_cpu_seconds() - cpu) / args.students
            counts = {}
            for row in rows:
                counts[row.status] = counts.get(row.status, 0) + 1
            shown = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
            print(f"{jobs:>4}  {seconds:8.1f}  {60 * args.students / seconds:10.1f}  "
                  f"{cpu_each:10.2f}  {shown}")
            best = seconds if best is None else min(best, seconds)
    cores = len(os.sched_getaffinity(0))
    print(f"CPU time (grader and kernels) per submission {cpu_each:.2f} s: on {cores} idle "
          f"cores about {60 * cores / cpu_each:.0f} per minute; load average now "
          f"{os.getloadavg()[0]:.1f}")
    limit = TARGET_SECONDS_PER_60 * args.students / 60
    print(f"target: {args.students} in under {limit:.0f} s -> "
          f"{'met' if best < limit else 'MISSED'} (best {best:.1f} s)")
    return 0 if best < limit else 1


if __name__ == "__main__":
    sys.exit(main())
