"""The classroom edition: release, grade (a messy class), nbgrader export, link.

Expected answers come from :mod:`convlab.solutions` (worked by hand), never
from the checker under test. Grading tests start real kernels, so a whole
class is graded once per module (``graded_class``) and each case is asserted
on its own rows.
"""

import csv
import gc
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from convlab import check, solutions
from convlab.classroom import (ClassroomError, export_nbgrader, grade, nbgitpuller_link,
                               read_roster, release, student_seed)
from convlab.classroom.capture import Unreadable, capture_json, decode, encode
from convlab.classroom.cells import answer_calls, blank_answers, last_answers, shows_solution
from convlab.classroom.cli import main
from convlab.classroom.kernel import Sandbox, kernel_spec_folder


@pytest.fixture(autouse=True, scope="module")
def _collect_kernel_clients():
    """Collect the grader's finished kernel clients here, with their ResourceWarning expected.

    jupyter_client 7 (what the ipykernel 6.x floor installs, in make test-min) leaves each
    client's event loop, and its socket pair, to the garbage collector; without this the
    "unclosed socket" warning fires inside whichever later test the collector runs in.
    """
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


ROOT = Path(__file__).resolve().parents[1]
STRIDE = ROOT / "notebooks" / "02_stride.ipynb"
EXERCISES_02 = ["stride_output_size", "stride_output_values", "stride_unvisited",
                "alexnet_input_sizes", "stride_downsamples"]    # the last: a choice question


def _source(cell):
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def _answer_cell(notebook, exercise):
    return next(i for i, c in enumerate(notebook["cells"])
                if c["cell_type"] == "code" and f"check.{exercise}(" in _source(c))


def _fill(notebook, exercise, value_source):
    cell = notebook["cells"][_answer_cell(notebook, exercise)]
    assert "answer = ..." in _source(cell)
    cell["source"] = _source(cell).replace("answer = ...", f"answer = {value_source}", 1)


def _write(path, notebook):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook))


def _roster(path, *students, header="student,name"):
    path.write_text(header + "\n" + "".join(f"{s},Name of {s}\n" for s in students))
    return path


# --------------------------------------------------------------------------
# Roster and seeds
# --------------------------------------------------------------------------

def test_roster_reads_ids_in_order_and_ignores_other_columns(tmp_path):
    path = _roster(tmp_path / "roster.csv", "ada", "alan.turing", "grace-h")
    assert read_roster(path) == ["ada", "alan.turing", "grace-h"]


@pytest.mark.parametrize("text, message", [
    ("name,email\nAda,ada@example.edu\n", r"roster\.csv: the roster has no 'student' column"),
    ("student\nada\nbob\nada\n", r"roster\.csv row 4: student id 'ada' is already on row 2"),
    ("student\nada\n../etc\n", r"roster\.csv row 3: student id '\.\./etc' is not safe"),
    ("student\nada\nsub/dir\n", r"roster\.csv row 3: student id 'sub/dir' is not safe"),
    ("student\n\n", r"roster\.csv: the roster lists no students"),
])
def test_bad_roster_is_refused_naming_the_file_and_the_fix(tmp_path, text, message):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(ClassroomError, match=message):
        read_roster(path)


def test_seeds_depend_on_the_secret_and_differ_between_students():
    ids = [f"student{n:03d}" for n in range(200)]
    seeds = [student_seed("secret A", s) for s in ids]
    assert len(set(seeds)) == len(ids)
    assert all(0 <= seed < 2**31 for seed in seeds)
    assert seeds == [student_seed("secret A", s) for s in ids]
    assert sum(a == b for a, b in zip(seeds, (student_seed("secret B", s) for s in ids))) == 0


# --------------------------------------------------------------------------
# Release
# --------------------------------------------------------------------------

def _teacher_copy(tmp_path):
    """02_stride with a filled answer and two cells that give answers away."""
    notebook = json.loads(STRIDE.read_text())
    _fill(notebook, "stride_output_size", "5")
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                              "execution_count": 3,
                              "source": "from convlab import solutions\n"
                                        "solutions.stride_unvisited"})
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                              "execution_count": 4,
                              "source": "check.solution('stride_output_values')"})
    path = tmp_path / "teacher" / "02_stride.ipynb"
    _write(path, notebook)
    return path


def test_release_without_roster_blanks_answers_clears_outputs_and_drops_solutions(tmp_path):
    written = release([_teacher_copy(tmp_path)], tmp_path / "out")
    assert written == [tmp_path / "out" / "02_stride.ipynb"]
    notebook = json.loads(written[0].read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert not any("solution" in _source(c) for c in code)
    answer = _source(notebook["cells"][_answer_cell(notebook, "stride_output_size")])
    assert answer.startswith("answer = ...")
    assert "use_seed" not in _source(code[0])
    assert len(code) == len([c for c in json.loads(STRIDE.read_text())["cells"]
                             if c["cell_type"] == "code"])


def test_release_with_roster_gives_each_student_their_seed(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVLAB_CLASSROOM_SECRET", "a long course secret")
    roster = _roster(tmp_path / "roster.csv", "ada", "alan")
    written = release([STRIDE], tmp_path / "out", roster=roster)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "ada/02_stride.ipynb", "alan/02_stride.ipynb"]
    for student in ("ada", "alan"):
        notebook = json.loads((tmp_path / "out" / student / "02_stride.ipynb").read_text())
        first = next(c for c in notebook["cells"] if c["cell_type"] == "code")
        seed = student_seed("a long course secret", student)
        assert f"check.use_seed({seed})" in _source(first)
        assert notebook["metadata"]["convlab"]["seed"] == seed


def _reveal_text(notebook):
    """The sources of the cells that show a prediction question's answer."""
    return [_source(c) for c in notebook["cells"] if "reveal" in c["metadata"].get("tags", [])]


def test_a_graded_release_leaves_out_the_reveals_unless_told_to_keep_them(tmp_path):
    course = json.loads(STRIDE.read_text())
    reveals = _reveal_text(course)
    # 02 reveals its prediction question's answer: the introducing line and the picture.
    assert len(reveals) == 2 and 'EXERCISES["stride_downsamples"]' in reveals[1]
    roster = _roster(tmp_path / "roster.csv", "ada")
    for reveals_option, out, kept in ((None, "graded", False), ("keep", "kept", True)):
        [path] = release([STRIDE], tmp_path / out, roster=roster, secret="s", reveals=reveals_option)
        notebook = json.loads(path.read_text())
        assert bool(_reveal_text(notebook)) is kept
        assert not kept or _reveal_text(notebook) == reveals
        # Nothing else goes: the question and its answer cell are still there.
        assert len(notebook["cells"]) == len(course["cells"]) - (0 if kept else 2)
        _answer_cell(notebook, "stride_downsamples")
    # Without a roster (practice), the reveals stay; 'drop' removes them there too.
    [practice] = release([STRIDE], tmp_path / "practice")
    assert _reveal_text(json.loads(practice.read_text())) == reveals
    [dropped] = release([STRIDE], tmp_path / "dropped", reveals="drop")
    assert _reveal_text(json.loads(dropped.read_text())) == []
    with pytest.raises(ClassroomError, match="--reveals must be one of keep, drop, got 'hide'"):
        release([STRIDE], tmp_path / "bad", reveals="hide")


def test_the_cli_passes_reveals_on(tmp_path):
    assert main(["release", str(STRIDE), "--out", str(tmp_path / "out"), "--reveals",
                 "drop"]) == 0
    assert _reveal_text(json.loads((tmp_path / "out" / "02_stride.ipynb").read_text())) == []


def test_nbgrader_export_leaves_out_the_reveals(tmp_path):
    [path] = export_nbgrader([STRIDE], tmp_path / "course")
    assert _reveal_text(json.loads(path.read_text())) == []


def test_release_refuses_a_roster_without_a_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("CONVLAB_CLASSROOM_SECRET", raising=False)
    with pytest.raises(ClassroomError, match="needs the course secret: pass --secret"):
        release([STRIDE], tmp_path / "out", roster=_roster(tmp_path / "r.csv", "ada"))
    assert not (tmp_path / "out").exists()


def test_release_refuses_a_notebook_outside_the_course(tmp_path):
    stray = tmp_path / "my_notes.ipynb"
    shutil.copy(STRIDE, stray)
    with pytest.raises(ClassroomError, match=r"my_notes\.ipynb: not a notebook of the convlab "
                                             r"course.*02_stride\.ipynb"):
        release([STRIDE, stray], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_release_refuses_a_non_empty_folder_unless_forced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(ClassroomError, match=r"out: the output folder is not empty; choose a "
                                             r"new folder or pass --force"):
        release([STRIDE], out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    release([STRIDE], out, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["02_stride.ipynb", "notes.txt"]


def test_bad_roster_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVLAB_CLASSROOM_SECRET", "s3cret")
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nada\n../../escape\n")
    with pytest.raises(ClassroomError, match="row 3"):
        release([STRIDE], tmp_path / "out", roster=roster)
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == [roster]


def test_cli_reports_bad_input_with_exit_status_2(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("name\nAda\n")
    status = main(["release", str(STRIDE), "--out", str(tmp_path / "out"),
                   "--roster", str(roster), "--secret", "s"])
    assert status == 2
    err = capsys.readouterr().err
    assert "convlab-classroom release: error:" in err and "roster.csv" in err
    assert "no 'student' column" in err


def test_python_dash_m_runs_the_command_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "convlab.classroom", "link", "--hub",
                             "https://hub.example.edu", "--repo",
                             "https://github.com/me/course", "released/02_stride.ipynb"],
                            capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip().startswith("https://hub.example.edu/hub/user-redirect/")


# --------------------------------------------------------------------------
# Cells, answers as data, links
# --------------------------------------------------------------------------

def test_the_last_answer_counts_and_markdown_cells_are_not_answers():
    cells = [
        {"cell_type": "code", "source": "answer = 4\ncheck.stride_output_size(answer)"},
        {"cell_type": "markdown", "source": "check.stride_unvisited([1])"},
        {"cell_type": "code", "source": "%time x = 1\ncheck.stride_output_size(x + 1)"},
        {"cell_type": "code", "source": "check.stride_output_size(  # no argument"},
    ]
    calls = answer_calls(cells, set(EXERCISES_02))
    assert [(c.exercise, c.cell, c.expression) for c in calls] == [
        ("stride_output_size", 0, "answer"), ("stride_output_size", 2, "x + 1")]
    assert last_answers(cells, set(EXERCISES_02))["stride_output_size"].cell == 2


def test_blank_answers_keeps_comments_and_other_code():
    source = "answer = [[1, 2],\n          [3, 4]]  # rows\ncheck.stride_output_values(answer)"
    assert blank_answers(source, {"stride_output_values"}) == (
        "answer = ...  # rows\ncheck.stride_output_values(answer)")


@pytest.mark.parametrize("source", ["import convlab.solutions", "from convlab import solutions",
                                    "from convlab.solutions import flip_kernel",
                                    "print(check.solution('flip_kernel'))"])
def test_cells_that_give_answers_away_are_recognised(source):
    assert shows_solution({"cell_type": "code", "source": source})
    assert not shows_solution({"cell_type": "markdown", "source": source})


@pytest.mark.parametrize("value", [
    5, -2.5, float("nan"), True, None, "text", Ellipsis, (3, 4), [1, (2, ...)],
    np.arange(6, dtype=np.float32).reshape(2, 3), np.array([[1, 2]], dtype=np.uint8),
    np.array([1 + 2j]), np.int64(7), {1, 2},
])
def test_answers_survive_the_trip_out_of_the_kernel(value):
    back = decode(json.loads(capture_json(value))["value"])
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)
    elif isinstance(value, float) and value != value:
        assert back != back
    elif isinstance(value, set):
        assert sorted(back) == sorted(value)
    else:
        assert back == value and type(back) is type(value.item() if isinstance(
            value, np.generic) else value)


def test_objects_and_forged_data_do_not_become_answers():
    assert isinstance(decode(encode(print)), Unreadable)
    assert isinstance(decode({"__ndarray__": [1, 2], "dtype": "<f8", "shape": [3]}), Unreadable)
    assert isinstance(decode({"__ndarray__": [1], "dtype": "|O", "shape": [1]}), np.ndarray)
    assert isinstance(decode({"__pickle__": "gASV"}), Unreadable)
    huge = json.loads(capture_json(np.zeros(2_000_000)))["value"]
    assert isinstance(decode(huge), Unreadable)


def test_function_answers_are_called_on_the_given_cases_and_exceptions_recorded():
    cases = json.dumps([encode((np.array([1.0, 2.0]), 2)), encode((np.array([1.0]), 0))])
    outputs = json.loads(capture_json(lambda a, k: a / k if k else 1 // k, cases))["outputs"]
    assert np.array_equal(decode(outputs[0]["value"]), [0.5, 1.0])
    assert outputs[1]["raised"] == ["ZeroDivisionError", "integer division or modulo by zero"]


@pytest.mark.parametrize("library", ["convlab", "scipy.signal", "torch.nn.functional"])
def test_capture_records_a_call_into_the_library_as_a_shortcut(library, request):
    import importlib
    if library.startswith("torch"):
        request.getfixturevalue("torch")
    module = importlib.import_module(library)
    function = {"convlab": lambda a, k: module.correlate2d(a, k),
                "scipy.signal": lambda a, k: module.correlate2d(a, k, mode="valid"),
                "torch.nn.functional": lambda a, k: module.conv2d(
                    __import__("torch").tensor(a)[None, None],
                    __import__("torch").tensor(k)[None, None])[0, 0].numpy()}[library]
    cases = json.dumps([encode((np.arange(16.0).reshape(4, 4), np.ones((2, 2))))])
    [output] = json.loads(capture_json(function, cases))["outputs"]
    assert output["raised"][0] == "LibraryShortcut"
    assert "the exercise is to write the loops yourself" in output["raised"][1]
    # and the loops themselves pass through
    [output] = json.loads(capture_json(lambda a, k: a[:3, :3] * 0, cases))["outputs"]
    assert "value" in output


def test_nbgitpuller_link():
    link = nbgitpuller_link("https://hub.example.edu/", "https://github.com/me/course.git",
                            "released/02_stride.ipynb", branch="fall")
    assert link == ("https://hub.example.edu/hub/user-redirect/git-pull?"
                    "repo=https%3A%2F%2Fgithub.com%2Fme%2Fcourse.git&urlpath=lab%2Ftree%2F"
                    "course%2Freleased%2F02_stride.ipynb&branch=fall")
    with pytest.raises(ClassroomError, match="--hub must be an http"):
        nbgitpuller_link("hub.example.edu", "https://github.com/me/course", "a.ipynb")


# --------------------------------------------------------------------------
# Grading a messy class
# --------------------------------------------------------------------------

RIGHT = {name: repr(getattr(solutions, name)) for name in EXERCISES_02}
WRONG = {"stride_output_size": "4", "stride_output_values": "[[0, 0], [0, 0]]",
         "stride_unvisited": "[0]", "alexnet_input_sizes": "[224]",
         "stride_downsamples": '"a"'}


def _all_right(notebook):
    for name in EXERCISES_02:
        _fill(notebook, name, RIGHT[name])
    return notebook


def _insert_before(notebook, exercise, source):
    index = _answer_cell(notebook, exercise)
    notebook["cells"].insert(index, {"cell_type": "code", "metadata": {}, "outputs": [],
                                     "execution_count": None, "source": source})


def _messy_class(released):
    """Student id -> (notebook or raw text or None, expected status per exercise)."""
    fresh = lambda: json.loads(released.read_text())  # noqa: E731
    ok = ["correct"] * 5
    cases = {}
    cases["correct"] = (_all_right(fresh()), ok)
    cases["blank"] = (fresh(), ["not attempted"] * 5)
    wrong = fresh()
    for name in EXERCISES_02:
        _fill(wrong, name, WRONG[name])
    cases["wrong"] = (wrong, ["incorrect"] * 5)

    duplicated = fresh()     # every answer cell twice: the last copy counts
    for name in EXERCISES_02:
        index = _answer_cell(duplicated, name)
        copy = json.loads(json.dumps(duplicated["cells"][index]))
        first, last = (WRONG, RIGHT) if name != "stride_unvisited" else (RIGHT, WRONG)
        _fill(duplicated, name, first[name])
        copy["source"] = _source(copy).replace("answer = ...", f"answer = {last[name]}")
        duplicated["cells"].insert(index + 1, copy)
    cases["duplicated"] = (duplicated, ["correct", "correct", "incorrect", "correct",
                                        "correct"])

    deleted = _all_right(fresh())  # the setup cell (imports) and one answer cell deleted
    setup = next(i for i, c in enumerate(deleted["cells"]) if c["cell_type"] == "code")
    del deleted["cells"][_answer_cell(deleted, "alexnet_input_sizes")]
    del deleted["cells"][setup]
    cases["deleted"] = (deleted, ["correct", "correct", "correct", "not attempted", "correct"])

    reordered = _all_right(fresh())
    reordered["cells"].reverse()
    cases["reordered"] = (reordered, ok)

    markdown = _all_right(fresh())
    index = _answer_cell(markdown, "stride_unvisited")
    markdown["cells"][index] = {"cell_type": "markdown", "metadata": {},
                                "source": _source(markdown["cells"][index])}
    cases["markdown"] = (markdown, ["correct", "correct", "not attempted", "correct",
                                    "correct"])

    loop = _all_right(fresh())    # one endless loop before an answer, one that ignores ^C
    _insert_before(loop, "stride_output_values", "while True:\n    pass")
    cell = loop["cells"][_answer_cell(loop, "alexnet_input_sizes")]
    cell["source"] = ("import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
                      "    except KeyboardInterrupt:\n        pass\n" + _source(cell))
    cases["loop"] = (loop, ["correct", "correct", "correct", "timeout", "correct"])

    error = _all_right(fresh())
    _insert_before(error, "stride_output_size", "1 / 0")
    _fill_raw = error["cells"][_answer_cell(error, "stride_unvisited")]
    _fill_raw["source"] = "raise RuntimeError('oops')\n" + _source(_fill_raw)
    cases["exception"] = (error, ["correct", "correct", "error", "correct", "correct"])

    exits = _all_right(fresh())   # the kernel dies twice; answers before and after count
    _insert_before(exits, "stride_output_values", "import os\nos._exit(3)")
    _insert_before(exits, "alexnet_input_sizes", "import os\nos._exit(0)")
    cases["exit"] = (exits, ok)

    memory = _all_right(fresh())  # a 50 GB allocation in a cell and in an answer
    _insert_before(memory, "stride_output_size", "big = np.ones(50 * 10**9 // 8)")
    cell = memory["cells"][_answer_cell(memory, "alexnet_input_sizes")]
    cell["source"] = _source(cell).replace(RIGHT["alexnet_input_sizes"],
                                           "np.ones(50 * 10**9 // 8)")
    cases["memory"] = (memory, ["correct", "correct", "correct", "error", "correct"])

    cheat = fresh()               # wrong answers, and a kernel that says everything is right
    for name in EXERCISES_02:
        _fill(cheat, name, WRONG[name])
    _insert_before(cheat, "stride_output_size",
                   "import convlab\n"
                   "yes = check.verdict('stride_output_size', 5)\n"
                   "check.verdict = lambda *args, **kwargs: yes\n"
                   "np.allclose = np.array_equal = lambda *args, **kwargs: True\n"
                   "np.isclose = lambda a, b, **kwargs: np.ones(np.shape(a), bool)\n"
                   "convlab.correlate2d = lambda image, kernel, **kw: np.zeros((2, 2))\n"
                   "convlab.output_size = lambda *args, **kwargs: 4")
    cases["cheat"] = (cheat, ["incorrect"] * 5)

    cases["notjson"] = ('{"cells": [', ["error"] * 5)
    cases["elsewhere"] = (None, ["missing"] * 5)   # a folder without the notebook
    return cases


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    release([STRIDE], root / "released")
    released = root / "released" / "02_stride.ipynb"
    cases = _messy_class(released)
    for student, (notebook, _) in cases.items():
        folder = root / "submissions" / student
        folder.mkdir(parents=True)
        if isinstance(notebook, str):
            (folder / "02_stride.ipynb").write_text(notebook)
        elif notebook is None:
            (folder / "02_stride_copy.ipynb").write_text(released.read_text())
        else:
            _write(folder / "02_stride.ipynb", notebook)
    roster = _roster(root / "roster.csv", *cases, "absent")
    rows = grade(root / "submissions", root / "grades.csv", roster=roster, jobs=2,
                 timeout=10, notebooks=["02_stride"])
    return root, cases, rows


def _statuses(rows, student):
    return [r.status for r in rows if r.student == student]


@pytest.mark.parametrize("student", ["correct", "blank", "wrong", "duplicated", "deleted",
                                     "reordered", "markdown", "loop", "exception", "exit",
                                     "memory", "cheat", "notjson", "elsewhere"])
def test_each_messy_submission_gets_its_own_rows(graded_class, student):
    _, cases, rows = graded_class
    assert _statuses(rows, student) == cases[student][1]
    mine = [r for r in rows if r.student == student]
    assert [r.exercise for r in mine] == EXERCISES_02
    assert all(r.points == (r.max_points if r.status == "correct" else 0) for r in mine)


def test_a_roster_student_with_no_folder_is_missing(graded_class):
    _, _, rows = graded_class
    assert _statuses(rows, "absent") == ["missing"] * 5


def test_messages_say_what_went_wrong(graded_class):
    _, _, rows = graded_class
    by = {(r.student, r.exercise): r.message for r in rows}
    assert "ran longer than 10 s" in by["loop", "alexnet_input_sizes"]
    assert "raised RuntimeError: oops" in by["exception", "stride_unvisited"]
    assert "MemoryError" in by["memory", "alexnet_input_sizes"]
    assert "not a readable notebook" in by["notjson", "stride_output_size"]
    assert "elsewhere/02_stride.ipynb" in by["elsewhere", "stride_output_size"]


def test_grades_csv_has_the_promised_columns(graded_class):
    root, cases, rows = graded_class
    with open(root / "grades.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert list(table[0]) == ["student", "notebook", "exercise", "points", "max_points",
                              "status", "message"]
    assert len(table) == 5 * (len(cases) + 1) == len(rows)
    assert {row["status"] for row in table} == {"correct", "incorrect", "not attempted",
                                                "error", "timeout", "missing"}


def test_feedback_reveals_no_expected_answer(graded_class):
    root, _, _ = graded_class
    for student in ("wrong", "cheat", "blank"):
        text = (root / "feedback" / f"{student}.md").read_text()
        assert text.startswith(f"# Feedback for {student}")
        assert "0 of 5 points" in text
        for name in ("stride_output_values", "stride_unvisited", "alexnet_input_sizes"):
            expected = np.asarray(getattr(solutions, name))
            shown = ", ".join(str(int(v)) for v in expected.ravel())
            assert shown not in text, (student, name)
    assert "5 of 5 points" in (root / "feedback" / "correct.md").read_text()


def test_the_grading_kernel_has_a_memory_cap_and_no_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVLAB_CLASSROOM_SECRET", "do not tell")
    spec = kernel_spec_folder(3000)
    try:
        with Sandbox(tmp_path, spec, timeout=20) as sandbox:
            code = {0: "import os, resource\n"
                       "__convlab_answer_0_x = (resource.getrlimit(resource.RLIMIT_AS), "
                       "os.environ.get('CONVLAB_CLASSROOM_SECRET'), os.getcwd())"}
            assert sandbox.run_cell(0, code).status == "ok"
            captured = sandbox.capture("__convlab_answer_0_x", None, code)
    finally:
        shutil.rmtree(spec)
    limits, secret, cwd = decode(captured.data["value"])
    assert limits == (3000 * 2**20, 3000 * 2**20)
    assert secret is None
    assert Path(cwd).name == "submission" and Path(cwd) != tmp_path


def test_grade_refuses_to_overwrite_grades(graded_class):
    root, _, _ = graded_class
    with pytest.raises(ClassroomError, match=r"grades\.csv: exists; pass --force"):
        grade(root / "submissions", root / "grades.csv", roster=root / "roster.csv")


# --------------------------------------------------------------------------
# nbgrader
# --------------------------------------------------------------------------

def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.mark.parametrize("name", list(check.exercises()))
def test_nbgrader_export_has_a_solution_and_a_test_per_exercise(tmp_path, name):
    source = ROOT / "notebooks" / f"{name}.ipynb"
    [path] = export_nbgrader([source], tmp_path / "course")
    assert path == tmp_path / "course" / "source" / name / f"{name}.ipynb"
    cells = json.loads(path.read_text())["cells"]
    graded = [n for n in check.exercises(name) if n != "shape_quiz"]
    tests = {_nbgrader(c)["grade_id"]: c for c in cells if _nbgrader(c).get("grade")}
    assert sorted(tests) == sorted(f"test_{n}" for n in graded)
    assert all(_nbgrader(c)["points"] == check.EXERCISES[i.removeprefix("test_")].points
               and _nbgrader(c)["locked"] for i, c in tests.items())
    for cell in cells:
        if not _nbgrader(cell).get("solution"):
            continue
        # The worked answer between the markers is right for the default numbers.
        text = _source(cell)
        assert text.startswith("### BEGIN SOLUTION\n") and "\n### END SOLUTION\n" in text
        exercise = _nbgrader(cell)["grade_id"].removeprefix("answer_")
        namespace = {"np": np}
        exec(text.split("### END SOLUTION")[0], namespace)
        variable = text.rstrip().rsplit("(", 1)[1].rstrip(")")   # check.name(variable)
        assert check.verdict(exercise, namespace[variable]).correct, exercise


def test_nbgrader_export_refuses_two_notebooks_without_an_assignment(tmp_path):
    with pytest.raises(ClassroomError, match="name it with --assignment"):
        export_nbgrader([STRIDE, ROOT / "notebooks" / "04_pooling.ipynb"], tmp_path / "c")


def test_nbgrader_autogrades_the_export_full_marks_and_zero(tmp_path):
    """The real nbgrader: generate_assignment, then autograde a correct and a blank one."""
    from nbgrader.api import Gradebook  # in the test extra
    course = tmp_path / "course"
    export_nbgrader([STRIDE], course, assignment="week2")
    # nbgrader runs its database migrations with the 'alembic' command beside python.
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    nbgrader = [sys.executable, "-m", "nbgrader"]
    subprocess.run([*nbgrader, "generate_assignment", "week2"], cwd=course, env=env,
                   check=True, capture_output=True)
    released = json.loads((course / "release" / "week2" / "02_stride.ipynb").read_text())
    source = json.loads((course / "source" / "week2" / "02_stride.ipynb").read_text())
    solutions_by_id = {_nbgrader(c)["grade_id"]: _source(c) for c in source["cells"]
                       if _nbgrader(c).get("solution")}
    assert all("raise NotImplementedError()" in _source(c)
               for c in released["cells"] if _nbgrader(c).get("solution"))
    _write(course / "submitted" / "blank" / "week2" / "02_stride.ipynb", released)
    for cell in released["cells"]:
        if _nbgrader(cell).get("solution"):
            text = solutions_by_id[_nbgrader(cell)["grade_id"]]
            cell["source"] = text.replace("### BEGIN SOLUTION\n", "").replace(
                "### END SOLUTION\n", "")
    _write(course / "submitted" / "right" / "week2" / "02_stride.ipynb", released)
    subprocess.run([*nbgrader, "autograde", "week2"], cwd=course, env=env, check=True,
                   capture_output=True)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s: (gradebook.find_submission("week2", s).score,
                      gradebook.find_submission("week2", s).max_score)
                  for s in ("right", "blank")}
    assert scores == {"right": (5.0, 5.0), "blank": (0.0, 5.0)}     # 5 exercises, 1 point each


def test_grade_refuses_bad_input_before_running_anything(tmp_path):
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    roster = _roster(tmp_path / "roster.csv", "ada")
    with pytest.raises(ClassroomError, match=r"roster\.csv: student 'bob' is not on the roster"):
        grade(tmp_path / "subs", tmp_path / "g.csv", roster=roster, students=["bob"],
              notebooks=["02_stride"])
    with pytest.raises(ClassroomError, match=r"my_notes: not a notebook of the convlab course"):
        grade(tmp_path / "subs", tmp_path / "g.csv", notebooks=["my_notes"])
    with pytest.raises(ClassroomError, match=r"subs: no course notebook found"):
        grade(tmp_path / "subs", tmp_path / "g.csv")
    (tmp_path / "subs" / "a b").mkdir()
    with pytest.raises(ClassroomError, match=r"student id 'a b' is not safe"):
        grade(tmp_path / "subs", tmp_path / "g.csv")
    assert not (tmp_path / "g.csv").exists() and not (tmp_path / "feedback").exists()


# --------------------------------------------------------------------------
# A class with a variant per student, and function answers
# --------------------------------------------------------------------------

KERNELS = ROOT / "notebooks" / "01_kernels.ipynb"
SECRET = "test course secret"

LOOPS = '''def my_correlate2d(image, kernel):
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (image[i:i + kh, j:j + kw] * kernel).sum()
    return out
'''


SHORTCUT = '''import convlab
def my_correlate2d(image, kernel):
    return convlab.correlate2d(image, kernel)
'''


def _size_by_counting(m):
    """stride_output_size for a variant's numbers, by counting window starts."""
    starts = [start for start in range(m["input_size"])
              if start % m["stride"] == 0 and start + m["kernel_size"] <= m["input_size"]]
    return len(starts)


def _function_cell(notebook, body_source):
    cell = notebook["cells"][_answer_cell(notebook, "naive_correlate2d")]
    cell["source"] = body_source + "\nanswer = my_correlate2d\ncheck.naive_correlate2d(answer)"


@pytest.fixture(scope="module")
def seeded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("seeded")
    students = ["ada", "alan", "grace", "copier", "loops", "wrongloops", "raises",
                "endless", "exits", "shortcut"]
    roster = _roster(root / "roster.csv", *students)
    release([STRIDE, KERNELS], root / "released", roster=roster, secret=SECRET)
    subs = root / "submissions"
    seeds = {s: student_seed(SECRET, s) for s in students}
    own = {s: _size_by_counting(check.EXERCISES["stride_output_size"].materials(seeds[s]))
           for s in students}
    # The cases below mean something only if these answers differ (true for SECRET).
    assert own["grace"] != solutions.stride_output_size and own["copier"] != own["ada"]
    for student in ("ada", "alan", "grace"):
        notebook = json.loads((root / "released" / student / "02_stride.ipynb").read_text())
        answer = own[student]
        if student == "grace":   # the self-paced course's answer, not her own variant's
            answer = solutions.stride_output_size
        _fill(notebook, "stride_output_size", repr(answer))
        letter = check.EXERCISES["stride_downsamples"].expected(seeds[student])
        if student == "grace":   # the committed notebook's letter, not her variant's
            letter = solutions.stride_downsamples
        _fill(notebook, "stride_downsamples", repr(letter.upper() + ")"))
        if student == "alan":    # editing the seed line changes nothing at grading time
            first = next(c for c in notebook["cells"] if c["cell_type"] == "code")
            first["source"] = _source(first).replace(f"use_seed({seeds['alan']})",
                                                     "use_seed(None)")
        _write(subs / student / "02_stride.ipynb", notebook)
    # copier hands in ada's filled notebook as their own
    shutil.copytree(subs / "ada", subs / "copier")
    bodies = {"loops": LOOPS,
              "wrongloops": LOOPS.replace("kh + 1", "kh"),
              "raises": LOOPS.replace("    return out", "    raise ValueError('not yet')"),
              "endless": LOOPS.replace("    return out", "    while True:\n        pass"),
              "exits": LOOPS.replace("    return out", "    import os\n    os._exit(1)"),
              "shortcut": SHORTCUT}
    for student, body in bodies.items():
        notebook = json.loads((root / "released" / student / "01_kernels.ipynb").read_text())
        _function_cell(notebook, body)
        _write(subs / student / "01_kernels.ipynb", notebook)
    rows = grade(subs, root / "grades.csv", roster=roster, secret=SECRET, jobs=2, timeout=10,
                 notebooks=["01_kernels", "02_stride"])
    return root, rows


def _status(rows, student, exercise):
    [row] = [r for r in rows if r.student == student and r.exercise == exercise]
    return row


def test_students_get_different_numbers(seeded_class):
    root, _ = seeded_class
    questions = set()
    for student in ("ada", "alan", "grace"):
        seed = student_seed(SECRET, student)
        questions.add(tuple(sorted(check.EXERCISES["stride_output_size"].materials(seed)
                                   .items())))
    assert len(questions) == 3


def test_each_answer_is_judged_for_the_seed_of_its_folder(seeded_class):
    _, rows = seeded_class
    assert _status(rows, "ada", "stride_output_size").status == "correct"
    assert _status(rows, "alan", "stride_output_size").status == "correct"
    assert _status(rows, "grace", "stride_output_size").status == "incorrect"
    assert _status(rows, "copier", "stride_output_size").status == "incorrect"


def test_a_choice_question_is_shuffled_per_student_and_graded_by_their_letter(seeded_class):
    """The conceptual question's options come in each student's own order."""
    _, rows = seeded_class
    letters = {s: check.EXERCISES["stride_downsamples"].expected(student_seed(SECRET, s))
               for s in ("ada", "alan", "grace", "copier")}
    assert letters["grace"] != solutions.stride_downsamples    # true for SECRET
    assert letters["copier"] != letters["ada"]                  # true for SECRET
    assert _status(rows, "ada", "stride_downsamples").status == "correct"
    assert _status(rows, "alan", "stride_downsamples").status == "correct"
    assert _status(rows, "grace", "stride_downsamples").status == "incorrect"
    assert _status(rows, "copier", "stride_downsamples").status == "incorrect"


def test_function_answers_run_on_the_graders_cases(seeded_class):
    _, rows = seeded_class
    got = {s: _status(rows, s, "naive_correlate2d") for s in
           ("loops", "wrongloops", "raises", "endless", "exits")}
    assert {s: r.status for s, r in got.items()} == {
        "loops": "correct", "wrongloops": "incorrect", "raises": "incorrect",
        "endless": "timeout", "exits": "error"}
    assert "ValueError" in got["raises"].message
    assert _status(rows, "loops", "kernel_one_value").status == "not attempted"


def test_a_function_that_calls_the_library_is_refused_as_self_paced(seeded_class):
    """The library shortcut is refused in the student's kernel, with check's own message."""
    import convlab
    _, rows = seeded_class
    row = _status(rows, "shortcut", "naive_correlate2d")
    self_paced = check.verdict("naive_correlate2d",
                               lambda image, kernel: convlab.correlate2d(image, kernel))
    assert self_paced.status == row.status == "incorrect"
    assert "convlab.convolution.correlate2d" in self_paced.message
    assert self_paced.message in row.message


def test_the_example_roster_in_the_docs_reads():
    assert read_roster(ROOT / "docs" / "example_roster.csv") == [
        "ada.lovelace", "alan.turing", "grace.hopper"]


def test_a_released_notebook_runs_and_asks_the_students_own_question(tmp_path):
    """What a student sees: the notebook runs top to bottom, with their own numbers."""
    import nbclient
    import nbformat
    roster = _roster(tmp_path / "roster.csv", "ada")
    release([STRIDE], tmp_path / "out", roster=roster, secret=SECRET, feedback="format")
    notebook = nbformat.read(tmp_path / "out" / "ada" / "02_stride.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            printed[cell.source] = "".join(o.get("text", "") for o in cell.outputs)
    m = check.EXERCISES["stride_output_size"].materials(student_seed(SECRET, "ada"))
    asked = printed['check.question("stride_output_size")']
    assert f"A row of {m['input_size']} pixels" in asked
    assert f"{m['kernel_size']}-wide kernel with stride {m['stride']}" in asked
    verdicts = [text for source, text in printed.items() if "check.stride_output_size(" in source]
    assert verdicts == ["Not attempted yet: replace the ... with your answer (a whole number), "
                        "then run this cell again.\n"]


def test_one_grade_call_per_student_as_on_a_batch_system(tmp_path, capsys):
    (tmp_path / "subs" / "bob").mkdir(parents=True)
    roster = _roster(tmp_path / "roster.csv", "ada", "bob")
    status = main(["grade", str(tmp_path / "subs"), "--roster", str(roster), "--student", "ada",
                   "--notebook", "02_stride", "--out", str(tmp_path / "grades" / "ada.csv"),
                   "--feedback-dir", str(tmp_path / "feedback"), "--quiet"])
    assert status == 0
    with open(tmp_path / "grades" / "ada.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["student"], r["exercise"], r["status"]) for r in table] == [
        ("ada", name, "missing") for name in EXERCISES_02]
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == ["ada.md"]


def test_judging_uses_the_given_seed_and_level_and_puts_back_the_current_ones():
    from convlab.classroom.course import judge_value
    check.use_seed(7)
    check.feedback_level("none")
    try:
        default = judge_value("stride_output_size", solutions.stride_output_size, None)
        quiet = judge_value("stride_output_size", -1, None, "format")
        hinted = judge_value("stride_output_size", -1, None)
        assert check.current_seed() == 7 and check.feedback_level() == "none"
    finally:
        check.use_seed(None)
        check.feedback_level("hints")
    assert default.correct
    assert "hints are off" in quiet.message and not quiet.correct
    assert "hints are off" not in hinted.message and not hinted.correct


@pytest.mark.parametrize("text", ['{"nbformat": 4, "cells": [{"cell_type": "code"}]}',
                                  '{"nbformat": 4, "cells": [{"cell_type": "code", '
                                  '"source": 5}]}',
                                  '{"nbformat": 4, "cells": {}}', '[]', '\x00\xff'])
def test_a_file_that_is_not_a_notebook_is_an_error_row(tmp_path, text):
    from convlab.classroom.grade import grade_submission
    path = tmp_path / "ada" / "02_stride.ipynb"
    path.parent.mkdir()
    path.write_text(text)
    rows = grade_submission(path, "ada", "02_stride", None, spec_folder=tmp_path, timeout=5)
    assert [r.status for r in rows] == ["error"] * 5
    assert all(r.message.startswith("ada/02_stride.ipynb: ")
               and r.message.endswith("open it in Jupyter and save it again") for r in rows)
