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
  answer: every string its ``wrong(...)`` calls return, read from the judge's source and
  written as a teacher reads them: a module constant a hint uses by its text, a private
  helper that builds part of one by each text it can return, and a value the judge fills
  in (the learner's shape, the case a function failed on, the question's numbers) by an
  italic placeholder saying what it is. A multiple-choice question's wrong options and
  their explanations are filled in with the default numbers.
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


# --- the hints as a teacher reads them ---------------------------------------------------

#: A placeholder's text (a part the judge fills in) is put between these two characters;
#: :func:`misconceptions` shows it in italics.
SLOT_OPEN, SLOT_CLOSE = "\x02", "\x03"

#: What a judge's variable holds, for the names many judges share or that no sentence
#: makes clear; any other variable is shown by its own name, as a formula's letter.
NOUNS = {
    "description": "one of the checked cases",
    "mine": "the learner's answer",
    "expected": "the expected answer",
    "flat": "its response",
    "outside": "the learner's out-of-range values",
    "shape": "the learner's shape",
}

#: Whose shape ``NAME.shape`` is ("the learner's shape", "the expected shape"); any other
#: name's is "its shape".
OWNERS = {"mine": "the learner's", "kernel": "the learner's", "expected": "the expected",
          "dense": "the stride-1", "vertical": "test image's"}

#: Alternatives this short or shorter are shown inline ("a or b"); longer ones make a hint each.
INLINE = 40


def _slot(text: str) -> str:
    return SLOT_OPEN + text + SLOT_CLOSE


class _Scope:
    """Where a hint's names are looked up: a function's source, its module, bound arguments."""

    def __init__(self, function, bound=None):
        function = inspect.unwrap(function)
        self.module = sys.modules[function.__module__]
        self.tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        self.bound = bound or {}          # parameter name -> (argument node, caller's scope)

    def local_values(self, name):
        """The strings a local variable takes, when the source spells them all out; else None.

        ``for a, name in ((x, "text"), ...)`` and ``name = "text"`` are understood.
        """
        found = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.For):
                items = self._literal_items(node.iter)
                if items is None:
                    continue
                if isinstance(node.target, ast.Name) and node.target.id == name:
                    found += items
                elif isinstance(node.target, ast.Tuple):
                    slots = [t.id if isinstance(t, ast.Name) else None for t in node.target.elts]
                    if name in slots:
                        at = slots.index(name)
                        found += [item.elts[at] for item in items
                                  if isinstance(item, ast.Tuple) and len(item.elts) == len(slots)]
            elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == name for t in node.targets):
                found.append(node.value)
        if found and all(isinstance(node, ast.Constant) and isinstance(node.value, str)
                         for node in found):
            return found
        return None

    def _literal_items(self, node):
        if isinstance(node, (ast.Tuple, ast.List)):
            return list(node.elts)
        if isinstance(node, ast.Name):
            values = [n.value for n in ast.walk(self.tree) if isinstance(n, ast.Assign)
                      and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)]
            if len(values) == 1 and isinstance(values[0], (ast.Tuple, ast.List)):
                return list(values[0].elts)
        return None

    def list_items(self, name):
        """A local list's items: its literal elements, then each ``name.append(...)``."""
        items = self._literal_items(ast.Name(id=name))
        if items is None:
            return None
        for node in ast.walk(self.tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "append" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == name and node.args):
                items.append(node.args[0])
        return items

    def module_assignment(self, name):
        """The source node of the module-level ``name = ...``, or None."""
        source = ast.parse(inspect.getsource(self.module))
        for node in source.body:
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == name for t in node.targets):
                return node.value
        return None


def _is_text(node) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or \
        isinstance(node, ast.JoinedStr)


def _words(name: str) -> str:
    return name.replace("_", " ")


def _noun(node, scope) -> str:
    """A placeholder's wording for the value of expression ``node``."""
    if isinstance(node, ast.Name):
        if node.id in scope.bound:
            argument, caller = scope.bound[node.id]
            return _noun(argument, caller)
        return NOUNS.get(node.id, _words(node.id))
    if isinstance(node, ast.Attribute):
        if node.attr == "shape" and isinstance(node.value, ast.Name):
            owner = OWNERS.get(node.value.id)
            return f"{owner or 'its'} shape"
        return _noun(node.value, scope)
    if isinstance(node, ast.Subscript):
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "shape" and index.value in (0, 1):
            owner = OWNERS.get(getattr(node.value.value, "id", None), "the")
            return f"{owner} {('rows', 'columns')[index.value]}"
        if isinstance(index, ast.Constant) and index.value == 0 and \
                isinstance(node.value, ast.Name):
            return f"the first of {_noun(node.value, scope)}"
        if isinstance(index, ast.Constant) and isinstance(index.value, str):
            return "the learner's value"
        return _noun(node.value, scope)
    if isinstance(node, ast.Call) and node.args:
        return _noun(node.args[0], scope)
    names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    if names and all(len(n) <= 3 for n in names):      # a formula of the question's letters
        return ast.unparse(node)
    return f"the value of {_words(ast.unparse(node))}"


def _texts(node, scope) -> list:
    """The texts expression ``node`` can give, placeholders marked: one, or one per case."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return _joined([[part.value] if isinstance(part, ast.Constant)
                        else _texts(part.value, scope) for part in node.values])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _joined([_texts(node.left, scope), _texts(node.right, scope)])
    if isinstance(node, ast.IfExp):
        return _texts(node.body, scope) + _texts(node.orelse, scope)
    if isinstance(node, ast.Name):
        if node.id in scope.bound:
            argument, caller = scope.bound[node.id]
            return _texts(argument, caller)
        local = scope.local_values(node.id)
        if local is not None:
            return [text for value in local for text in _texts(value, scope)]
        value = getattr(scope.module, node.id, None)
        source = scope.module_assignment(node.id) if isinstance(value, str) else None
        if source is not None:
            return _texts(source, scope)
    if isinstance(node, ast.Call):
        helper = _helper_texts(node, scope)
        if helper is not None:
            return helper
    return [_slot(_noun(node, scope))]


def _helper_texts(node, scope):
    """The texts of a call that builds part of a hint; None when it is not such a call.

    A private function of the judge's module: each string it can return, with its
    parameters bound to the call's arguments. ``" ".join(items)`` of a local list: the
    list's first items, then the ones appended when they apply.
    """
    func = node.func
    if isinstance(func, ast.Name) and func.id.startswith("_") and \
            callable(getattr(scope.module, func.id, None)):
        helper = getattr(scope.module, func.id)
        params = list(inspect.signature(helper).parameters)
        inner = _Scope(helper, {p: (arg, scope) for p, arg in zip(params, node.args)})
        found = []
        returns = sorted((ret for ret in ast.walk(inner.tree)
                          if isinstance(ret, ast.Return) and ret.value is not None),
                         key=lambda ret: (ret.lineno, ret.col_offset))
        for ret in returns:
            found += [text for text in _texts(ret.value, inner) if text not in found]
        return found
    if isinstance(func, ast.Attribute) and func.attr == "join" and _is_text(func.value) \
            and len(node.args) == 1 and isinstance(node.args[0], ast.Name):
        items = scope.list_items(node.args[0].id)
        if items is None:
            return None
        first = [one for item in items[:1] for one in _texts(item, scope)]
        extra = [one for item in items[1:] for one in _texts(item, scope)]
        if not extra:
            return first
        return [f"{text} {_slot('followed, where they apply, by:')} " + " ".join(extra)
                for text in first]
    return None


def _joined(parts) -> list:
    """Texts made of ``parts`` in turn (each a list of cases); short cases shown inline."""
    texts = [""]
    for cases in parts:
        if len(cases) > 1 and all(len(case) <= INLINE for case in cases):
            cases = [" or ".join(cases)]
        texts = [text + case for text in texts for case in cases]
    return texts


def hints(name) -> list[str]:
    """The texts of every ``wrong(...)`` in exercise ``name``'s judge, in source order.

    Read from the judge's source: a module constant a hint uses is replaced by its text,
    a private helper that builds part of a hint by each text it can return (a hint for
    each), and a value the judge fills in (the learner's shape, the question's numbers) by
    a placeholder saying what it is, between :data:`SLOT_OPEN` and :data:`SLOT_CLOSE`.
    For a multiple-choice question (kind 'choice'): each wrong option and its
    explanation, filled in with the default numbers (the committed notebooks').
    """
    ex = EXERCISES_BY_NAME[name]
    if ex.choices is not None:
        m = {key: (value() if callable(value) else value) for key, value in ex.params.items()}
        values = ex.choices.values(m)
        return [" ".join(f"'{option.format(**values)}': {why.format(**values)}".split())
                for option, why in ex.choices.wrong]
    scope = _Scope(ex.judge)
    calls = sorted((node for node in ast.walk(scope.tree)
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "wrong" and node.args),
                   key=lambda node: (node.lineno, node.col_offset))
    found = []
    for node in calls:
        for text in _texts(node.args[0], scope):
            text = " ".join(text.split())
            if text not in found:
                found.append(text)
    return found


def misconceptions() -> str:
    """The table of what each exercise's hints target, as Markdown."""
    lines = ["| exercise | what the hints for a wrong answer say (*in italics*: what the "
             "checker fills in from the learner's answer or the question's numbers; "
             "multiple-choice options with the notebooks' default numbers) |", "|---|---|"]
    for name, ex in EXERCISES_BY_NAME.items():
        said = hints(name) or ["(a general method hint from the shared array or function "
                               "judge: which operation to redo, never which entry)"]
        cell = "<br>".join("&bull; " + _markdown(text) for text in said)
        lines.append(f"| **{ex.number}** {ex.title} (`{name}`) | {cell} |")
    return "\n".join(lines)


def _markdown(text: str) -> str:
    """A hint's text as Markdown: its own markup characters escaped, placeholders in italics."""
    text = re.sub(r"([|*_`\\\\])", r"\\\1", text).replace("<", "&lt;").replace(">", "&gt;")
    return text.replace(SLOT_OPEN, "*").replace(SLOT_CLOSE, "*")


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
