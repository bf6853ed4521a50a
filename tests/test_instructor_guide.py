"""The instructor guide (docs/instructors.md) and the answer key, made from the exercises.

tools/answer_key.py writes the guide's table of what each exercise's hints target from the
judges' source, and the printable answer key from the exercises' reference answers; these
tests check that the committed table is current and that the key's answers are the ones the
checkers accept.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from convlab import check
from convlab.exercises import EXERCISES_BY_NAME

pytestmark = pytest.mark.usefixtures("check_defaults")

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "instructors.md"


def _tool():
    spec = importlib.util.spec_from_file_location("answer_key", ROOT / "tools" / "answer_key.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _tool()


def test_the_misconceptions_table_is_current():
    text = GUIDE.read_text(encoding="utf-8")
    assert tool.guide_with_table(text) == text, \
        "run `python tools/answer_key.py --misconceptions` (the checkers' hints changed)"


def test_the_table_has_every_exercise_and_the_hints_the_judges_give():
    text = GUIDE.read_text(encoding="utf-8")
    table = text.split(tool.BEGIN, 1)[1].split(tool.END, 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| **")]
    assert [re.search(r"\(`(\w+)`\)", row).group(1) for row in rows] == list(EXERCISES_BY_NAME)
    # a hint read from the source is the one the checker prints for that mistake
    hint = check.verdict("kernel_output_shape", (6, 5)).message
    assert "swapped" in hint
    assert any("swapped" in h and h.split(":")[0] in hint for h in tool.hints("kernel_output_shape"))
    with_hints = [name for name in EXERCISES_BY_NAME if tool.hints(name)]
    assert len(with_hints) >= 30, with_hints


def _table_rows():
    """The misconceptions table's rows as committed, by exercise name."""
    table = GUIDE.read_text(encoding="utf-8").split(tool.BEGIN, 1)[1].split(tool.END, 1)[0]
    return {re.search(r"\(`(\w+)`\)", line).group(1): line
            for line in table.splitlines() if line.startswith("| **")}


def test_the_table_shows_no_python_of_the_checkers():
    rows = _table_rows()
    table = "\n".join(rows.values())
    # no f-string field ({description}, {mine.shape}) nor helper call (_padding_hint(...)) left
    assert "{" not in table and "}" not in table
    assert not re.search(r"_[a-z]+\(", table.replace("\\_", "_"))
    assert "_SWAPPED" not in table.replace("\\_", "_")
    for name, row in rows.items():
        plain = re.sub(r"\\.", "", row)        # escaped characters are text, not markup
        assert plain.count("|") == 3, name     # two cells: no hint text splits the row
        assert plain.replace("**", "").count("*") % 2 == 0, name   # italics open and close
    # the fields are shown as italic placeholders saying what the checker fills in
    assert "for *one of the checked cases* your output has shape *the learner's shape*" \
        in rows["naive_correlate2d"]


def _text_in_table(message):
    """``message`` as the table writes it (Markdown characters escaped)."""
    return re.sub(r"([|*_`\\])", r"\\\1", message)


def test_the_table_gives_the_text_of_constants_and_helpers_the_hints_use():
    rows = _table_rows()
    # conv2d_forward's hint for swapped axes ends with a module constant: the table has its text
    reference = EXERCISES_BY_NAME["conv2d_forward"].reference
    swapped = check.verdict("conv2d_forward",
                            lambda *args: np.swapaxes(reference(*args), -1, -2)).message
    assert "rows and columns exchanged" in swapped
    constant = _text_in_table(swapped[swapped.index("your result"):])
    assert "for *one of the checked cases*: " + constant in rows["conv2d_forward"]
    assert "for *one of the checked cases*: " + constant in rows["conv2d_input_gradient"]
    # 'same' padding's hints come from a helper choosing between two messages: both are listed
    for answer in [(-1, 3), (0, 0)]:
        message = check.verdict("same_padding_odd_kernel", answer).message
        assert not check.verdict("same_padding_odd_kernel", answer).correct
        assert "&bull; " + _text_in_table(message) in rows["same_padding_odd_kernel"], answer


def test_the_guide_plans_every_notebook_and_a_90_minute_lab():
    text = GUIDE.read_text(encoding="utf-8")
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"(notebooks/{notebook.name})" in text, notebook.name
    plan = text.split("## A 90-minute lab", 1)[1].split("\n## ", 1)[0]
    spans = [tuple(map(int, m)) for m in re.findall(r"^\| (\d+)-(\d+) \|", plan, re.M)]
    assert spans[0][0] == 0 and spans[-1][1] == 90
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:])), spans


@pytest.mark.parametrize("seed", [None, 7])
def test_the_answer_key_gives_answers_the_checkers_accept(seed):
    key = tool.answer_key(seed)
    for name, ex in EXERCISES_BY_NAME.items():
        assert f"(`check.{name}`" in key
        if ex.kind == "function":
            answer = ex.reference
        else:
            answer = ex.reference if seed is None else ex.expected(seed)
            assert tool._value(answer) in key
        assert check.verdict(name, answer, seed=seed).correct, (name, seed)


def test_the_answer_key_is_not_in_the_package():
    assert not list((ROOT / "convlab").rglob("answer_key*"))
    assert "answer_key*.md" in (ROOT / ".gitignore").read_text().split()
