"""Conceptual questions (kind 'choice'): every one is a fair multiple-choice question, any seed.

For every choice question and many seeds (hypothesis): the options render,
two to five of them, all different; the right letter (computed from where the
right option landed) is judged correct and each other letter incorrect, with
that option's own explanation, which never quotes the right option; answers of
the wrong form get a message naming the letters allowed, never a verdict on the
content; the feedback levels hide the explanations; and the right letter is
spread over the letters across seeds (no "always c").
"""

import re
from collections import Counter

import pytest
from hypothesis import given, strategies as st

from convlab import check, solutions
from convlab.check import EXERCISES
from convlab.exercises._concepts import LETTERS, choice, read_letter
from convlab.exercises._judging import Malformed

CHOICES = [name for name, ex in EXERCISES.items() if ex.kind == "choice"]
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


# Each test starts and ends with no seed and full hints (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("check_defaults")


def _options(name, seed):
    """The (letter, text) pairs the question shows for ``seed``, read from its printed text."""
    text = EXERCISES[name].question_text(seed)
    options, current = [], None
    for line in text.splitlines()[1:-1]:
        found = re.match(r"^  ([a-e])\) (.*)$", line)
        if found:
            current = [found.group(1), found.group(2)]
            options.append(current)
        elif current is not None and line.startswith("     "):
            current[1] += " " + line.strip()
    return [tuple(option) for option in options]


def test_there_are_conceptual_questions_in_every_notebook_00_to_05():
    for notebook in ("00", "01", "02", "03", "04", "05"):
        names = check.exercises(notebook)
        assert any(EXERCISES[n].kind == "choice" for n in names), notebook
        # the last exercise of the notebook is a conceptual question (it ends the notebook)
        assert EXERCISES[names[-1]].kind == "choice", notebook


@pytest.mark.parametrize("name", CHOICES)
def test_the_default_letter_is_the_reference_and_the_solution(name):
    exercise = EXERCISES[name]
    assert exercise.expected(None) == exercise.reference == getattr(solutions, name)
    assert check.verdict(name, exercise.reference).correct


@pytest.mark.parametrize("name", CHOICES)
@given(seed=SEEDS)
def test_every_seed_gives_a_fair_question(name, seed):
    exercise = EXERCISES[name]
    options = _options(name, seed)
    letters = [letter for letter, _ in options]
    assert 2 <= len(options) <= 5 and "".join(letters) == LETTERS[:len(options)]
    texts = [" ".join(text.split()) for _, text in options]
    assert len(set(texts)) == len(texts), (seed, texts)             # no two options alike
    assert "{" not in exercise.question_text(seed)
    right = exercise.expected(seed)
    assert right in letters
    assert check.verdict(name, right, seed=seed).correct
    right_text = dict(zip(letters, texts))[right]
    explanations = set()
    for letter in letters:
        if letter == right:
            continue
        verdict = check.verdict(name, letter, seed=seed)
        assert verdict.status == "incorrect" and not verdict.form, (seed, letter)
        message = " ".join(verdict.message.split())
        quoted = rf"(?<![\w.,]){re.escape(right_text)}(?![\w,]|\.\d)"   # 4, not 40 or 0.4
        assert not re.search(quoted, message), (seed, letter, message)
        assert not re.search(r"\b(option|answer) [a-e]\b|\([a-e]\)|\b[a-e]\)", message)
        explanations.add(message)
    assert len(explanations) == len(letters) - 1                   # each its own explanation


@pytest.mark.parametrize("name", CHOICES)
def test_the_right_letter_moves_between_seeds(name):
    spread = Counter(EXERCISES[name].expected(seed) for seed in range(60))
    assert len(spread) >= 2, spread


@pytest.mark.parametrize("answer", ["b", "B", " b ", "b)", "(b)", "B.", "(B)"])
def test_a_letter_is_read_in_its_usual_forms(answer):
    assert read_letter(answer, 4) == "b"


@pytest.mark.parametrize("answer, fragment", [
    (2, "but got 2 (int)"), ("ab", "but got 'ab'"), ("e", "there is no option e"),
    ("", "but got ''"), (["a"], "but got"), ("option a", "but got 'option a'"),
    (b"a", "but got"), ("a, b", "but got 'a, b'")])
def test_other_forms_name_the_letters_allowed(answer, fragment):
    with pytest.raises(Malformed, match="one letter, a, b, c or d") as error:
        read_letter(answer, 4)
    assert fragment in str(error.value)


@pytest.mark.parametrize("name", CHOICES)
def test_a_malformed_answer_gets_the_format_message_at_every_level(name):
    for level in ("hints", "format"):
        check.feedback_level(level)
        verdict = check.verdict(name, 7)
        assert verdict.status == "incorrect" and verdict.form
        assert "one letter" in verdict.message


@pytest.mark.parametrize("name", CHOICES)
def test_feedback_levels_hide_the_explanations(name):
    exercise = EXERCISES[name]
    wrong_letter = next(l for l in LETTERS if l != exercise.reference)
    explanation = check.verdict(name, wrong_letter).message
    check.feedback_level("format")
    assert "hints are off" in check.verdict(name, wrong_letter).message
    assert check.verdict(name, exercise.reference).correct
    check.feedback_level("none")
    assert str(check.verdict(name, wrong_letter)).startswith("Answer recorded: ")
    assert explanation not in str(check.verdict(name, wrong_letter))


def test_solution_shows_the_right_option_and_why(capsys):
    from convlab.exercises import _registry

    check.verdict("stride_downsamples", "a")
    check.solution("stride_downsamples")
    out = " ".join(capsys.readouterr().out.split())
    _registry._attempts.discard("stride_downsamples")
    assert "answer = 'c' (a 32x32 picture of the same scene" in out
    assert "Why: with padding 1" in out and "= 32" in out


def test_a_question_is_refused_with_too_few_options_or_a_bad_reference():
    def lonely(answer):
        """A checker."""

    with pytest.raises(ValueError, match="wrong must hold 1 to 4 options, got 0"):
        choice(lonely, title="t", question="q", right="r", wrong={}, why="w", reference="a")
    with pytest.raises(ValueError, match=r"reference must be one of \['a', 'b'\], got 'c'"):
        choice(lonely, title="t", question="q", right="r", wrong={"x": "y"}, why="w",
               reference="c")
    assert "lonely" not in EXERCISES
