"""The teacher's printable answer key and the table of what each exercise's hints target.

    python tools/answer_key.py --out answer_key.md            # the default numbers
    python tools/answer_key.py --out key_s42.md --seed 42     # the variant of seed 42
    python tools/answer_key.py --out key_ada.md --student ada # a student's variant (the
                                         # course secret from CONVLAB_CLASSROOM_SECRET)
    python tools/answer_key.py --misconceptions               # rewrite docs/instructors.md's table

Both are made from convlab.exercises, so they cannot drift from the checkers:

- the answer key gives, for every exercise in course order, its question (with the
  default numbers, or a seed's variant as a classroom release hands it out), the
  expected answer (the hand-worked reference for the default numbers, the independent
  route for a variant) and, for the exercises that ask for a function, the reference
  function's source. ``make answer-key`` writes ``answer_key.md``. The key is for the
  teacher: it is not part of the package (tools/ is not installed, and answer_key*.md
  is git-ignored); print it, do not commit it.
- the misconceptions table lists, per exercise, the hints its judge gives for a wrong
  answer: every string its ``wrong(...)`` calls return, read from the judge's source
  (``{expression}`` where the judge fills in the learner's numbers).
  tests/test_instructor_guide.py checks that docs/instructors.md holds the current table.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convlab.exercises import EXERCISES_BY_NAME  # noqa: E402
from convlab.exercises._shortcuts import refused  # noqa: E402

GUIDE = ROOT / "docs" / "instructors.md"
BEGIN = "<!-- tools/answer_key.py --misconceptions writes from here -->"
END = "<!-- to here -->"


def _value(value) -> str:
    """An answer as a learner would type it: lists for arrays, plain numbers."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and value == int(value):
        value = int(value)
    if isinstance(value, list) and value and isinstance(value[0], list):
        return "[" + ",\n ".join(repr(row) for row in value) + "]"
    return repr(value)


def answer_key(seed=None) -> str:
    """The answer key as Markdown: every exercise's question and answer, in course order."""
    which = "the default numbers (the notebooks as committed)" if seed is None else \
        f"seed {seed} (the variant a classroom release with this seed hands out)"
    lines = ["# Answer key: Intuitively Understanding Convolutions", "",
             f"For {which}.", "Made by `python tools/answer_key.py` from convlab.exercises; "
             "for teachers only, not for the students' copies.", ""]
    notebook = None
    for name, ex in EXERCISES_BY_NAME.items():
        if ex.notebook != notebook:
            notebook = ex.notebook
            lines += [f"## {notebook}", ""]
        lines += [f"### {ex.number} {ex.title} (`check.{name}`, {ex.points} point"
                  f"{'s' if ex.points != 1 else ''})", ""]
        lines += ["```text", ex.question_text(seed), "```", ""]
        if ex.kind == "function":
            source = textwrap.dedent(inspect.getsource(ex.reference)).rstrip()
            lines += [f"A reference function (any correct loop passes; {refused(name)} "
                      "are refused):", "", "```python", source, "```", ""]
        else:
            answer = ex.reference if seed is None else ex.expected(seed)
            lines += ["Answer:", "", "```text", _value(answer), "```", ""]
    return "\n".join(lines)


def _text(node) -> str:
    """A hint's text from its AST: f-string fields shown as an ellipsis in angle brackets."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant)
                       else "{" + ast.unparse(part.value) + "}" for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text(node.left) + _text(node.right)
    return "{" + ast.unparse(node) + "}"


def hints(name) -> list[str]:
    """The texts of every ``wrong(...)`` in exercise ``name``'s judge, in source order.

    For a multiple-choice question (kind 'choice'): each wrong option and its
    explanation, as written (placeholders in braces).
    """
    choices = EXERCISES_BY_NAME[name].choices
    if choices is not None:
        return [" ".join(f"'{option}': {why}".split()) for option, why in choices.wrong]
    judge = inspect.unwrap(EXERCISES_BY_NAME[name].judge)
    tree = ast.parse(textwrap.dedent(inspect.getsource(judge)))
    calls = sorted((node for node in ast.walk(tree)
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "wrong" and node.args),
                   key=lambda node: (node.lineno, node.col_offset))
    found = []
    for node in calls:
        text = " ".join(_text(node.args[0]).split())
        if text not in found:
            found.append(text)
    return found


def misconceptions() -> str:
    """The table of what each exercise's hints target, as Markdown."""
    lines = ["| exercise | what the hints for a wrong answer say ({braces}: filled in for the "
             "learner's numbers) |", "|---|---|"]
    for name, ex in EXERCISES_BY_NAME.items():
        said = hints(name) or ["(a general method hint from the shared array or function "
                               "judge: which operation to redo, never which entry)"]
        cell = "<br>".join("&bull; " + re.sub(r"([|*_`\\\\])", r"\\\1", text).replace("<", "&lt;")
                           .replace(">", "&gt;") for text in said)
        lines.append(f"| **{ex.number}** {ex.title} (`{name}`) | {cell} |")
    return "\n".join(lines)


def guide_with_table(text: str) -> str:
    """docs/instructors.md's ``text`` with the misconceptions table between its markers."""
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{GUIDE} has no {BEGIN} ... {END} markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{misconceptions()}\n\n{END}{tail}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the answer key here (Markdown)")
    parser.add_argument("--seed", type=int, default=None, help="a variant's seed")
    parser.add_argument("--student", default=None,
                        help="a student id: the variant a classroom release gave them (needs "
                             "the course secret in CONVLAB_CLASSROOM_SECRET)")
    parser.add_argument("--misconceptions", action="store_true",
                        help="rewrite the misconceptions table in docs/instructors.md")
    args = parser.parse_args(argv)
    if args.student is not None:
        from convlab.classroom.roster import course_secret, student_seed

        if args.seed is not None:
            parser.error("give --seed or --student, not both")
        args.seed = student_seed(course_secret(required=True, purpose="--student"),
                                 args.student)
    if args.misconceptions:
        GUIDE.write_text(guide_with_table(GUIDE.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"{GUIDE.relative_to(ROOT)}: misconceptions table of {len(EXERCISES_BY_NAME)} "
              "exercises written")
    if args.out is not None:
        args.out.write_text(answer_key(args.seed), encoding="utf-8")
        print(f"{args.out}: answer key of {len(EXERCISES_BY_NAME)} exercises written")
    if not args.misconceptions and args.out is None:
        sys.stdout.write(answer_key(args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
