"""Feedback that teaches without leaking (issue 16): the elimination attacks fail.

A guessing loop over ``check.verdict`` learns only what the verdict's text
tells it. These tests try the attacks the review found and check that the
text gives no handle: array hints name no cells and count none, set hints name
no members, padding hints do not narrow the answer, integer hints give no
direction, the function exercises refuse the library's own function, the
feedback level can turn hints off, and no notebook prints an answer before
its exercise asks for it.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

import convlab
from convlab import check
from convlab.check import EXERCISES

ROOT = Path(__file__).resolve().parents[1]


# Each test starts and ends with no seed and full hints (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("check_defaults")


def _message(name, answer, seed=None):
    result = check.verdict(name, answer, seed=seed)
    assert result.status == "incorrect", (name, answer, str(result))
    return result.message


ARRAYS = [n for n in EXERCISES if EXERCISES[n].kind == "value"
          and n not in ("vertical_edge_kernel", "pipeline_shapes", "pytorch_layers")
          and np.ndim(EXERCISES[n].reference) == 2]


@pytest.mark.parametrize("seed", [None, 3, 99])
@pytest.mark.parametrize("name", ARRAYS)
def test_array_hints_do_not_tell_which_cells_are_wrong(name, seed):
    """One wrong cell anywhere, or two, gets the same words: no cell-by-cell search."""
    expected = np.asarray(EXERCISES[name].expected(seed), dtype=float)
    messages = set()
    for cells in ([(0, 0)], [tuple(s - 1 for s in expected.shape)], [(0, 0), (0, 1)]):
        guess = expected.copy()
        for cell in cells:
            guess[cell] += 13
        messages.add(_message(name, guess.tolist(), seed))
    assert len(messages) == 1, messages
    assert not re.search(r"\[\d+, \d+\]|\d+ of the \d+", messages.pop())


@pytest.mark.parametrize("seed", [None, 4, 41])
def test_set_hints_name_no_member(seed):
    unvisited = sorted(EXERCISES["stride_unvisited"].expected(seed))
    visited = sorted(set(range(EXERCISES["stride_unvisited"].materials(seed)["input_size"]))
                     - set(unvisited))
    guesses = [unvisited[:-1], unvisited + visited[:1], unvisited[1:] + visited[-1:]]
    assert len({_message("stride_unvisited", g, seed) for g in guesses}) == 1
    widths = EXERCISES["alexnet_input_sizes"].expected(seed)
    guesses = [widths + [widths[-1] + 1], [widths[0] - 1] + widths,
               [widths[0], widths[-1] + 1]]
    messages = {_message("alexnet_input_sizes", g, seed) for g in guesses}
    assert len(messages) == 1, messages
    message = messages.pop()
    assert not any(str(w) in message for w in widths + [widths[0] - 1])
    # One width alone gets the same words whether or not it is one of the answers.
    inside, outside = widths[0], widths[0] - 1
    assert _message("alexnet_input_sizes", [inside], seed) == \
        _message("alexnet_input_sizes", [outside], seed)


def test_pipeline_hints_do_not_name_the_wrong_shape():
    expected = EXERCISES["pipeline_shapes"].reference
    messages = set()
    for layer in range(4):
        guess = [list(shape) for shape in expected]
        guess[layer][1] += 1
        messages.add(_message("pipeline_shapes", [tuple(s) for s in guess]))
    assert len(messages) == 1, messages


@pytest.mark.parametrize("name, guesses", [
    ("same_padding_odd_kernel", [(1, 1), (3, 3), (0, 4), 1, 4]),
    ("same_padding_even_kernel", [(2, 1), (0, 3), (2, 2), (1, 1)]),
    ("same_padding_stride2", [(1, 0), (1, 1), (0, 2), (2, 2)]),
])
def test_padding_hints_do_not_narrow_the_answer(name, guesses):
    assert len({_message(name, guess) for guess in guesses}) == 1


INTEGERS = [n for n in EXERCISES if isinstance(EXERCISES[n].reference, int)
            and EXERCISES[n].reference >= 60]


@pytest.mark.parametrize("name", INTEGERS)
def test_integer_hints_give_no_direction(name):
    """Far off above or far off below: the same words (no 'too big', no distance)."""
    expected = EXERCISES[name].reference
    above = {_message(name, expected + d) for d in range(40, 60)}
    below = {_message(name, expected - d) for d in range(40, 60)}
    assert above == below and len(above) == 1, (above, below)


def test_brute_force_needs_as_many_tries_as_counting():
    """The integer loop of the review: one try per candidate, in order (2277 for 2276)."""
    tries = next(n for n in range(1, 5000)
                 if check.verdict("tiny_cnn_parameter_count", n - 1).correct)
    assert tries == EXERCISES["tiny_cnn_parameter_count"].reference + 1


def test_a_cell_by_cell_search_gets_no_signal():
    """The max_pool_gradient_route attack (670 tries before): every probe reads the same."""
    messages = set()
    for cell in np.ndindex(4, 4):
        for value in (-2, 1, 3, 5):
            guess = np.zeros((4, 4))
            guess[cell] = value
            messages.add(str(check.verdict("max_pool_gradient_route", guess)))
    assert len(messages) == 1, messages


# --- the library shortcut ---------------------------------------------------------------

def test_the_library_correlation_is_refused(capsys):
    import scipy.signal

    for shortcut in (convlab.correlate2d, lambda image, kernel: convlab.correlate2d(image, kernel),
                     lambda image, kernel: scipy.signal.correlate2d(image, kernel, "valid"),
                     lambda image, kernel: convlab.naive.correlate2d(image, kernel)):
        check.naive_correlate2d(shortcut)
        out = capsys.readouterr().out
        assert out.startswith("Not quite: your function calls "), out
        assert "write the loops yourself" in out


def test_the_library_pooling_is_refused(torch):
    F = torch.nn.functional
    for shortcut in (lambda image, size, stride: convlab.max_pool2d(image, size, stride=stride),
                     lambda image, size, stride: F.max_pool2d(
                         torch.tensor(image)[None], size, stride)[0].numpy()):
        result = check.verdict("naive_max_pool2d", shortcut)
        assert not result.correct and "library's own version" in result.message, str(result)


def test_a_loop_that_uses_numpy_is_still_a_loop():
    def loop_with_numpy(image, kernel):
        image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
        kh, kw = kernel.shape
        return np.array([[np.sum(image[i:i + kh, j:j + kw] * kernel)
                          for j in range(image.shape[1] - kw + 1)]
                         for i in range(image.shape[0] - kh + 1)])

    assert check.verdict("naive_correlate2d", loop_with_numpy).correct


# --- feedback levels --------------------------------------------------------------------

def test_feedback_format_keeps_the_form_but_drops_the_hints():
    check.feedback_level("format")
    hinted = {_message("stride_output_size", guess) for guess in (4, 6, 9, 100)}
    assert len(hinted) == 1 and "hints are off" in hinted.pop()
    form = check.verdict("stride_output_size", "five")
    assert form.form and "whole number" in form.message
    assert str(check.verdict("stride_output_size", 5)).startswith("Correct!")
    assert str(check.verdict("stride_output_size", ...)).startswith("Not attempted yet:")


def test_feedback_none_only_records(capsys):
    check.feedback_level("none")
    for answer in (5, 4, "five"):
        check.stride_output_size(answer)
        out = capsys.readouterr().out
        assert out.startswith("Answer recorded: ") and "Correct" not in out, out
    assert check.verdict("stride_output_size", 5).status == "correct"   # the grader's view
    assert check.verdict("stride_output_size", 4).status == "incorrect"


def test_feedback_level_rejects_unknown_levels():
    with pytest.raises(ValueError, match="level must be one of"):
        check.feedback_level("loud")
    assert check.feedback_level() == "hints"


# --- notebooks -----------------------------------------------------------------------------

def _outputs(cell):
    texts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            texts.append("".join(output["text"]))
        for key in ("text/plain", "text/markdown"):
            if key in output.get("data", {}):
                texts.append("".join(output["data"][key]))
    return "\n".join(texts)


def test_no_notebook_prints_an_answer_before_its_exercise():
    """A distinctive answer (a number of 3 digits or more) is not shown before it is asked."""
    for name, exercise in EXERCISES.items():
        answer = exercise.reference
        if not isinstance(answer, int) or abs(answer) < 100:
            continue
        path = next((ROOT / "notebooks").glob(exercise.notebook + ".ipynb"))
        cells = json.loads(path.read_text())["cells"]
        asked = next(i for i, c in enumerate(cells)
                     if f"check.{name}(" in "".join(c["source"])
                     or f'"{name}"' in "".join(c["source"]))
        for cell in cells[:asked]:
            shown = _outputs(cell) + ("".join(cell["source"]) if cell["cell_type"] ==
                                      "markdown" else "")
            assert not re.search(rf"(?<!\d){answer}(?!\d)", shown), (name, answer,
                                                                    "".join(cell["source"]))
