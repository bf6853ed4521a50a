"""The benchmark scripts run to their tables: a smoke run of each, no timing asserted.

The benchmarks themselves are run by hand (`make bench`); these tests only make
sure a change elsewhere (a new kind of control in an explorer, a renamed engine
function) does not leave a script that crashes before it prints its numbers.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    namespace = {"__name__": name}
    source = (ROOT / "bench" / f"{name}.py").read_text(encoding="utf-8")
    exec(compile(source, f"bench/{name}.py", "exec"), namespace)
    return namespace


def test_bench_widgets_moves_every_explorer_once():
    # bench_widgets sends KERNEL_CODE to a kernel; here it runs in this process, one move
    # per control, and every explorer must build and report moved controls.
    kernel = {}
    exec(_load("bench_widgets")["KERNEL_CODE"], kernel)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        kernel["run"](1, 1)
    rows = [json.loads(line) for line in printed.getvalue().splitlines() if line.startswith("{")]
    built = [row["explorer"] for row in rows if row["control"] == "(build)"]
    assert len(built) >= 10 and "learning_explorer" in built and "filter_explorer" in built
    for explorer in built:
        moved = [row["control"] for row in rows
                 if row["explorer"] == explorer and row["control"] != "(build)"]
        assert len(moved) >= 2, f"{explorer}: only {moved} moved"


@pytest.mark.parametrize("command", [
    ["bench_core.py", "--quick", "--repeat", "1"],
    ["bench_beyond.py", "--quick", "--repeat", "1"],
    ["bench_variants.py", "--quick", "--repeat", "1"],
])
def test_torch_benchmarks_print_their_ratio_tables(torch, command):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / command[0]), *command[1:]],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ratio = convlab /" in done.stdout, done.stdout[-2000:]
    if command[0] == "bench_variants.py":
        assert "fft beats direct from" in done.stdout


def test_bench_learn_trains_and_reports():
    # A small run (its verdict, on time and accuracy at full size, is not asserted here).
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_learn.py"), "--train",
                           "300", "--test", "100", "--epochs", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode in (0, 1) and "held-out accuracy" in done.stdout, done.stdout
