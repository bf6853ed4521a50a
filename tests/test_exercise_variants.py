"""Seeded variants: every exercise, asked with any seed, is a good question with a right answer.

For each exercise and many seeds (hypothesis): the question renders; the answer
found by the exercise's independent route (loops, or the formula written out,
never the judge's own core call) is judged correct; typical wrong answers made
from it are judged incorrect; no hint contains the expected answer; and the
numbers are not degenerate (no empty or all-zero answers). Seed None gives the
course's default numbers, whose hand-worked reference the route must match.
"""

import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

from convlab import check
from convlab.check import EXERCISES

NAMES = list(EXERCISES)
VALUES = [n for n in NAMES if EXERCISES[n].kind == "value"]
FUNCTIONS = [n for n in NAMES if EXERCISES[n].kind == "function"]
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


# Each test starts and ends with no seed and full hints (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("check_defaults")


def _same(a, b):
    if isinstance(a, (set, frozenset)) or isinstance(b, (set, frozenset)):
        return set(a) == set(b)
    if _ragged(a) or _ragged(b):                 # layers' arguments: tuples of any length
        return [tuple(x) for x in a] == [tuple(x) for x in b]
    return np.shape(a) == np.shape(b) and np.allclose(np.asarray(a, dtype=float),
                                                      np.asarray(b, dtype=float))


def _ragged(value):
    """A list of tuples of different lengths (06.7's layers), not an array."""
    return (isinstance(value, list) and all(isinstance(x, tuple) for x in value)
            and len({len(x) for x in value}) > 1)


def _materials_equal(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert repr(a[key]) == repr(b[key]) or _same(a[key], b[key]), key


def wrong_answers(expected):
    """Typical wrong answers made from the expected one (all different from it)."""
    if isinstance(expected, (int, np.integer)) or (isinstance(expected, float)
                                                    and expected.is_integer()):
        n = int(expected)
        return [w for w in (n + 1, n - 1, n + 7, 2 * n + 3, 0) if w != n]
    if isinstance(expected, float):
        return [expected + 1, expected - 0.5, 0.0 if expected else 1.0]
    if isinstance(expected, tuple) and expected and isinstance(expected[0], tuple):
        out = []
        for i in range(len(expected)):       # a pair of pairs: nudge one inner number
            nudged = [list(pair) for pair in expected]
            nudged[i][-1] += 1
            out.append(tuple(tuple(pair) for pair in nudged))
        return out
    if isinstance(expected, tuple):
        out = []
        for i in range(len(expected)):
            nudged = list(expected)
            nudged[i] += 1
            out.append(tuple(nudged))
        return out
    if isinstance(expected, list) and expected and isinstance(expected[0], tuple):
        nudged = [list(shape) for shape in expected]
        nudged[-1][-1] += 1
        return [[tuple(shape) for shape in nudged]]
    array = np.asarray(expected, dtype=float)
    out = []
    for index in [(0,) * array.ndim, tuple(s - 1 for s in array.shape)]:
        nudged = array.copy()
        nudged[index] += 1
        out.append(nudged.tolist())
    if np.any(array != 0):
        out.append(np.zeros_like(array).tolist())
        out.append((array + 2).tolist())
    return out


def wrong_lists(expected, low=0):
    """Wrong answers to 'list them all' questions."""
    expected = sorted(expected)
    out = [expected[:-1], expected + [max(expected) + 1]]
    if expected[0] - 1 >= low:
        out.append([expected[0] - 1] + expected)
    return [w for w in out if w and set(w) != set(expected)]


def assert_no_leak(name, expected, message, question):
    """The message about a wrong answer does not contain the expected answer."""
    if isinstance(expected, (list, tuple)) and expected and isinstance(expected[0], tuple):
        for shape in expected:
            assert str(shape) not in message or str(shape) in question, (name, message)
        return
    array = np.asarray(expected, dtype=float)
    if array.ndim == 0:
        value = float(array)
        text = str(int(value)) if value.is_integer() else f"{value:g}"
        # "2s" is a formula, not a 2; nor is the 1 of an offset such as "x[t+1]" or "t-1"
        # (a number that ends a sentence, "is 7.", still counts)
        pattern = rf"(?<![\w.+-]){re.escape(text)}(?!\w|\.\d)"
        if not re.search(pattern, question):      # a number the question itself shows
            assert not re.search(pattern, message), (name, expected, message)
        return
    assert not re.search(r"at \[\d", message), (name, message)            # no positions
    assert not re.search(r"\d+ of the \d+ values", message), (name, message)  # no counts
    if array.ndim == 1 and len(array) > 1:
        listed = ", ".join(str(int(v)) if float(v).is_integer() else f"{v:g}" for v in array)
        assert listed not in message, (name, message)
    else:
        shown = np.array2string(array.astype(int) if np.all(array == np.round(array))
                                else array, separator=", ")
        assert shown not in message, (name, message)


# --- defaults: seed None is the course as committed -------------------------------------

@pytest.mark.parametrize("name", VALUES)
def test_the_independent_route_matches_the_hand_worked_reference(name):
    exercise = EXERCISES[name]
    assert _same(exercise.expected(None), exercise.reference)


@pytest.mark.parametrize("name", NAMES)
def test_seed_none_is_the_default_numbers(name):
    exercise = EXERCISES[name]
    _materials_equal(exercise.materials(None),
                     {k: (v() if callable(v) else v) for k, v in exercise.params.items()})


def test_use_seed_chooses_the_variant_of_question_and_checker(capsys):
    default = EXERCISES["stride_output_size"].question_text(None)
    assert check.current_seed() is None
    check.use_seed(12)
    assert check.current_seed() == 12
    check.question("stride_output_size")
    seeded = capsys.readouterr().out.strip()
    assert seeded == EXERCISES["stride_output_size"].question_text(12) != default
    answer = EXERCISES["stride_output_size"].expected(12)
    assert check.verdict("stride_output_size", answer).correct
    assert check.verdict("stride_output_size", answer, seed=12).correct
    check.use_seed(None)
    assert EXERCISES["stride_output_size"].question_text() == default


def test_a_seed_is_a_whole_number():
    with pytest.raises(TypeError, match="seed must be None or a non-negative whole number"):
        check.use_seed(-1)
    with pytest.raises(TypeError, match="seed must be"):
        check.verdict("stride_output_size", 5, seed=2.5)


def test_the_registry_keeps_the_contract():
    for name, exercise in EXERCISES.items():
        assert exercise.name == name and exercise.kind in ("value", "function", "choice")
        assert isinstance(exercise.points, int) and exercise.points >= 1
        assert exercise.number.startswith(exercise.notebook[:2] + ".")
        assert exercise.title and exercise.answer


# --- every seed --------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
@given(seed=SEEDS)
def test_variant_question_renders_the_same_every_time(name, seed):
    exercise = EXERCISES[name]
    text = exercise.question_text(seed)
    assert text.startswith(f"Exercise {exercise.number}: {exercise.title}\n")
    assert "{" not in text.replace("{}", "") and "nan" not in text
    assert text == exercise.question_text(seed)
    _materials_equal(exercise.materials(seed), exercise.materials(seed))


@pytest.mark.parametrize("name", VALUES)
@given(seed=SEEDS)
def test_variant_has_a_right_answer_that_is_not_degenerate(name, seed):
    exercise = EXERCISES[name]
    expected = exercise.expected(seed)
    verdict = check.verdict(name, expected, seed=seed)
    assert verdict.correct, (seed, str(verdict))
    if isinstance(expected, (set, list)) and expected and not isinstance(expected[0], list):
        assert len(expected) > 0
    if _ragged(expected):
        expected = [number for layer in expected for number in layer]
    array = np.asarray(expected if not isinstance(expected, set) else sorted(expected),
                       dtype=float)
    assert array.size > 0 and np.all(np.isfinite(array))
    if name != "choose_output_padding":          # 0 is a fair output_padding
        assert np.any(array != 0), (name, seed, expected)


@pytest.mark.parametrize("name", VALUES)
@given(seed=SEEDS)
def test_variant_rejects_typical_wrong_answers_without_leaking(name, seed):
    exercise = EXERCISES[name]
    expected = exercise.expected(seed)
    question = exercise.question_text(seed)
    if name in ("stride_unvisited", "alexnet_input_sizes"):
        wrongs = wrong_lists(expected)
    elif name == "vertical_edge_kernel":              # any edge detector is right
        wrongs = [np.zeros((3, 3)), np.ones((3, 3)), [[-1, -1, -1], [0, 0, 0], [1, 1, 1]]]
        expected = None
    else:
        wrongs = wrong_answers(expected)
    for answer in wrongs:
        verdict = check.verdict(name, answer, seed=seed)
        assert verdict.status == "incorrect", (name, seed, answer, str(verdict))
        if expected is not None:
            assert_no_leak(name, expected, verdict.message, question)


@pytest.mark.parametrize("name", FUNCTIONS)
@given(seed=SEEDS)
def test_function_variants_accept_the_loop_and_reject_mistakes(name, seed):
    exercise = EXERCISES[name]
    reference = exercise.reference
    cases = check.function_cases(name, seed)
    assert len(cases) == 25
    assert all(np.asarray(case[0]).size > 0 for case in cases)
    right = check.judge_outputs(name, check.call_cases(name, reference, seed), seed)
    assert right.correct, str(right)

    def off_by_a_little(*args):
        out = np.asarray(reference(*args), dtype=float)
        return out + (np.arange(out.size).reshape(out.shape) == out.size // 2)

    wrong = check.verdict(name, off_by_a_little, seed=seed)
    assert wrong.status == "incorrect", str(wrong)
    assert not re.search(r"output\[\d+, \d+\]", wrong.message), wrong.message


def test_function_verdict_is_call_then_judge():
    from convlab.solutions import naive_max_pool2d

    def wrong_at_size_3(image, size, stride):
        if size == 3:
            raise IndexError("window 3")
        return naive_max_pool2d(image, size, stride)

    for function in (naive_max_pool2d, wrong_at_size_3):
        outputs = check.call_cases("naive_max_pool2d", function, seed=5)
        assert any(isinstance(o, check.Raised) for o in outputs) == (function is wrong_at_size_3)
        assert check.judge_outputs("naive_max_pool2d", outputs, seed=5) == \
            check.verdict("naive_max_pool2d", function, seed=5)


TITLED = [n for n in NAMES if re.search(r"\d+x\d+|stride \d+", EXERCISES[n].title)]


@pytest.mark.parametrize("name", TITLED)
@given(seed=SEEDS)
def test_variant_keeps_the_numbers_its_title_promises(name, seed):
    """'Three 3x3 layers or one 7x7' stays 3x3 and 7x7; 'at stride 2' stays stride 2."""
    exercise = EXERCISES[name]
    body = exercise.question_text(seed).split("\n", 1)[1]
    for promise in re.findall(r"\d+x\d+|stride \d+", exercise.title):
        assert promise in body, (name, seed, promise)
