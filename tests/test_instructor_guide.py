"""The instructor guide (docs/instructors.md) and the answer key, made from the exercises.

tools/answer_key.py writes the guide's table of what each exercise's hints target from the
judges' source, and the printable answer key from the exercises' reference answers; these
tests check that the committed table is current and that the key's answers are the ones the
checkers accept.
"""

import importlib.util
import re
from pathlib import Path

import pytest

from convlab import check
from convlab.exercises import EXERCISES_BY_NAME

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
