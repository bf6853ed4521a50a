"""Reading notebook cells as code: where the answers are, and which cells give one away.

Answers are found by exercise name, never by cell position: the answer to
exercise ``stride_output_size`` is the argument of the last
``check.stride_output_size(...)`` call in the notebook, wherever the student
moved, copied or deleted cells. Cells are parsed with :mod:`ast` (after
IPython's own translation of ``%magics``), never run here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

__all__ = ["AnswerCall", "python_source", "answer_calls", "last_answers",
           "left_blank", "capture_variable", "rewrite_for_capture", "shows_solution",
           "blank_answers", "REVEAL_TAG", "is_reveal"]


@dataclass(frozen=True)
class AnswerCall:
    """One ``check.<exercise>(<expression>)`` call found in a code cell."""

    exercise: str    #: the exercise name
    cell: int        #: index of the cell among the notebook's cells
    expression: str  #: the argument's source text, e.g. ``'answer'``


def python_source(source) -> str:
    """A cell's source as plain Python (IPython magics translated), or '' if it is not."""
    from IPython.core.inputtransformer2 import TransformerManager
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # IPython's translation of a broken cell; the kernel will say why
        return ""


def _parse(source):
    try:
        return ast.parse(python_source(source))
    except (SyntaxError, ValueError):
        return None


def _check_call(node, exercises):
    """The exercise name if ``node`` is ``check.<exercise>(one argument)``."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "check"
            and node.func.attr in exercises and len(node.args) == 1 and not node.keywords):
        return node.func.attr
    return None


def answer_calls(cells, exercises) -> list[AnswerCall]:
    """Every top-level ``check.<exercise>(...)`` call, in notebook order.

    Parameters
    ----------
    cells : list of dict
        The notebook's cells (nbformat 4); only code cells are read.
    exercises : collection of str
        The exercise names to look for.

    Examples
    --------
    >>> cells = [{"cell_type": "code", "source": "answer = 5\\ncheck.stride_output_size(answer)"}]
    >>> answer_calls(cells, {"stride_output_size"})
    [AnswerCall(exercise='stride_output_size', cell=0, expression='answer')]
    """
    found = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = _text(cell.get("source", ""))
        tree = _parse(source)
        if tree is None:
            continue
        code = python_source(source)
        for statement in tree.body:
            if isinstance(statement, ast.Expr):
                name = _check_call(statement.value, exercises)
                if name is not None:
                    argument = ast.get_source_segment(code, statement.value.args[0])
                    found.append(AnswerCall(name, index, argument))
    return found


def last_answers(cells, exercises) -> dict[str, AnswerCall]:
    """The answer that counts for each exercise: its last call in the notebook."""
    return {call.exercise: call for call in answer_calls(cells, exercises)}


def left_blank(source, call) -> bool:
    """True when ``call``'s answer is surely ``...``: the cell as released, untouched.

    That is when the call's argument is ``...`` itself, or a name assigned ``...``
    by the statement just before the call. Nothing in other cells can change it,
    so the grader need not run the notebook to know.

    Examples
    --------
    >>> call = AnswerCall("stride_output_size", 0, "answer")
    >>> left_blank("answer = ...  # your answer\\ncheck.stride_output_size(answer)", call)
    True
    >>> left_blank("answer = 5\\ncheck.stride_output_size(answer)", call)
    False
    """
    tree = _parse(source)
    if tree is None:
        return False
    previous = None
    found = None
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and _check_call(statement.value, {call.exercise}):
            found = (previous, statement)
        previous = statement
    if found is None:
        return False
    before, statement = found
    argument = statement.value.args[0]
    if isinstance(argument, ast.Constant) and argument.value is Ellipsis:
        return True
    return (isinstance(argument, ast.Name) and isinstance(before, ast.Assign)
            and len(before.targets) == 1 and isinstance(before.targets[0], ast.Name)
            and before.targets[0].id == argument.id
            and isinstance(before.value, ast.Constant) and before.value.value is Ellipsis)


def capture_variable(call) -> str:
    """The kernel variable that receives the answer of ``call`` when its cell runs."""
    return f"__convlab_answer_{call.cell}_{call.exercise}"


def rewrite_for_capture(source, calls) -> str:
    """``source`` as the grader runs it: each of ``calls`` stores its argument instead.

    ``check.stride_output_size(answer)`` becomes
    ``__convlab_answer_<cell>_stride_output_size = (answer)``: the answer is what the
    call received, exactly when the cell reached it, and the student's ``check``
    (which may be missing or redefined) is not involved.

    Examples
    --------
    >>> call = AnswerCall("stride_output_size", 7, "answer")
    >>> print(rewrite_for_capture("answer = 5\\ncheck.stride_output_size(answer)", [call]))
    answer = 5
    __convlab_answer_7_stride_output_size = (answer)
    """
    code = python_source(source)
    tree = _parse(source)
    wanted = {call.exercise: call for call in calls}
    if tree is None or not wanted:
        return code
    last = {}
    for statement in tree.body:
        if isinstance(statement, ast.Expr):
            name = _check_call(statement.value, wanted)
            if name is not None:
                last[name] = statement
    lines = code.split("\n")
    for name, statement in sorted(last.items(), key=lambda item: -item[1].lineno):
        argument = ast.get_source_segment(code, statement.value.args[0])
        first, end = statement.lineno - 1, statement.end_lineno - 1
        head = lines[first].encode()[:statement.col_offset].decode()
        tail = lines[end].encode()[statement.end_col_offset:].decode()
        lines[first:end + 1] = [f"{head}{capture_variable(wanted[name])} = ({argument}){tail}"]
    return "\n".join(lines)


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


#: The tag of the cells that show a prediction question's answer (its "reveal"): the
#: markdown line that introduces it and the code cell that computes it.
REVEAL_TAG = "reveal"


def is_reveal(cell) -> bool:
    """True for a cell tagged :data:`REVEAL_TAG` (it shows a prediction question's answer)."""
    return REVEAL_TAG in cell.get("metadata", {}).get("tags", [])


def shows_solution(cell) -> bool:
    """True for a code cell that imports ``convlab.solutions`` or calls ``check.solution``."""
    if cell.get("cell_type") != "code":
        return False
    source = _text(cell.get("source", ""))
    tree = _parse(source)
    if tree is None:  # not Python we can read: judge by the text
        return "solution" in source
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
                alias.name.startswith("convlab.solutions") for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (
                (node.module or "").startswith("convlab.solutions")
                or (node.module == "convlab" and any(a.name == "solutions"
                                                      for a in node.names))):
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("solution", "solutions") \
                and isinstance(node.value, ast.Name) and node.value.id in ("check", "convlab"):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "__import__":
            return True  # an import by name could fetch anything
    return False


def blank_answers(source, exercises) -> str:
    """``source`` with every value assigned to a checked name replaced by ``...``.

    In ``answer = 5\\ncheck.stride_output_size(answer)`` the assignment becomes
    ``answer = ...``; comments and the check call stay as they are.

    Examples
    --------
    >>> print(blank_answers("answer = 5  # a whole number\\ncheck.stride_output_size(answer)",
    ...                     {"stride_output_size"}))
    answer = ...  # a whole number
    check.stride_output_size(answer)
    """
    tree = _parse(source)
    if tree is None or python_source(source).rstrip("\n") != source.rstrip("\n"):
        return source
    checked = set()
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and _check_call(statement.value, exercises):
            argument = statement.value.args[0]
            if isinstance(argument, ast.Name):
                checked.add(argument.id)
    lines = source.split("\n")
    # Replace from the bottom up so earlier positions stay valid.
    for statement in reversed(tree.body):
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and statement.targets[0].id in checked
                and not (isinstance(statement.value, ast.Constant)
                         and statement.value.value is Ellipsis)):
            first, last = statement.lineno - 1, statement.end_lineno - 1
            # ast counts columns in UTF-8 bytes
            head = lines[first].encode()[:statement.value.col_offset].decode()
            tail = lines[last].encode()[statement.value.end_col_offset:].decode()
            lines[first:last + 1] = [head + "..." + tail]
    return "\n".join(lines)
