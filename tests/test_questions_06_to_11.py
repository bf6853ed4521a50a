"""The questions of notebooks 06, 09, 10 and 11 (issue 16): writing PyTorch layers, and 'why'.

``pytorch_layers`` (06.7) asks for the positional arguments of four PyTorch
layers; its answers are checked here by building the layers and running them,
with convlab and with PyTorch, never with the output-size formula the judge
uses. Each conceptual question (kind 'choice') is checked per seed against an
independent route to its truth: loops that count stamps or read windows, the
four views of a transposed convolution computed apart, the receptive-field
recurrence written out. tests/test_concepts.py checks what every choice
question must do (fair options, a verdict per letter, format messages).
"""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

import convlab
from convlab import check
from convlab.check import EXERCISES

ROOT = Path(__file__).resolve().parents[1]
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


@pytest.fixture(autouse=True)
def default_state():
    check.use_seed(None)
    check.feedback_level("hints")
    yield
    check.use_seed(None)
    check.feedback_level("hints")


def _options(name, seed):
    """{letter: option text} as the question prints them for ``seed``."""
    options, current = {}, None
    for line in EXERCISES[name].question_text(seed).splitlines()[1:-1]:
        found = re.match(r"^  ([a-e])\) (.*)$", line)
        if found:
            current = found.group(1)
            options[current] = found.group(2)
        elif current is not None and line.startswith("     "):
            options[current] += " " + line.strip()
    return options


def _right_text(name, seed):
    return _options(name, seed)[EXERCISES[name].expected(seed)]


def _verdict(name, answer, seed=None):
    return check.verdict(name, answer, seed=seed)


# --- 06.7: write the PyTorch layers ------------------------------------------------------

def _conv(x, in_channels, out_channels, kernel_size, stride=1, padding=0):
    """Run a Conv2d given PyTorch's positional arguments, on zeros (shapes only)."""
    weight = np.zeros((out_channels, in_channels, kernel_size, kernel_size))
    return convlab.conv2d(x, weight, stride=stride, padding=padding)


def _pool(x, kernel_size, stride=None, padding=0):
    return convlab.max_pool2d(x, kernel_size, stride, padding)


def _asked_shapes(m):
    """The shapes the question prints after each layer, read from its text."""
    text = EXERCISES["pytorch_layers"].question_text(m)
    return [tuple(int(v) for v in found.split(", "))
            for found in re.findall(r"giving \(([\d, ]+)\)", text)]


@given(seed=SEEDS)
def test_the_expected_layers_run_to_the_shapes_asked(seed):
    answer = EXERCISES["pytorch_layers"].expected(seed)
    shapes, x = [], np.zeros((1, *EXERCISES["pytorch_layers"].materials(seed)["input_shape"]))
    for n, args in enumerate(answer):
        x = _conv(x, *args) if n % 2 == 0 else _pool(x, *args)
        shapes.append(x.shape[1:])
    assert shapes == _asked_shapes(seed)
    assert _verdict("pytorch_layers", answer, seed).correct


def test_the_expected_layers_run_in_pytorch(torch):
    nn = torch.nn
    for seed in [None, *range(40)]:
        answer = EXERCISES["pytorch_layers"].expected(seed)
        shape = EXERCISES["pytorch_layers"].materials(seed)["input_shape"]
        x = torch.zeros(1, *shape)
        shapes = []
        with torch.no_grad():
            for layer in [nn.Conv2d(*answer[0]), nn.MaxPool2d(*answer[1]),
                          nn.Conv2d(*answer[2]), nn.MaxPool2d(*answer[3])]:
                x = layer(x)
                shapes.append(tuple(x.shape[1:]))
        assert shapes == _asked_shapes(seed), seed


@pytest.mark.parametrize("answer", [
    [(3, 16, 5, 1, 2), (2, 2), (16, 32, 3, 2, 1), (2, 2)],
    [(3, 16, 5, 1, 2), 2, (16, 32, 3, 2, 1), (2,)],                  # MaxPool2d(2)
    [(3, 16, 5, 1, "same"), (2, None), [16, 32, 3, 2, 1], (2, 2, 0)],
    [np.array([3, 16, 5, 1, 2]), (np.int64(2), 2.0), (16, 32, 3, 2, 1), (2, 2)],
])
def test_pytorch_layers_accepts_what_pytorch_accepts(answer):
    verdict = _verdict("pytorch_layers", answer)
    assert verdict.correct, str(verdict)


@pytest.mark.parametrize("answer, hint", [
    ([(1, 16, 5, 1, 2), (2, 2), (16, 32, 3, 2, 1), (2, 2)], "channels coming in"),
    ([(3, 16, 5, 1, 2), (2, 2), (32, 32, 3, 2, 1), (2, 2)], "channels coming in"),
    ([(3, 32, 5, 1, 2), (2, 2), (32, 32, 3, 2, 1), (2, 2)], "number of filters"),
    ([(3, 16, 3, 1, 1), (2, 2), (16, 32, 3, 2, 1), (2, 2)], "fixes it (5x5)"),
    ([(3, 16, 5), (2, 2), (16, 32, 3, 2, 1), (2, 2)], "layer 1 turns (3, 64, 64) into "
                                                      "(16, 60, 60)"),
    ([(3, 16, 5, 1, 2), (2, 1), (16, 32, 3, 2, 1), (2, 2)], "layer 2 turns"),
    ([(3, 16, 5, 1, 2), (2, 2), (16, 32, 3, 1, 1), (2, 2)], "layer 3 turns"),
    ([(3, 16, 5, 1, 2), (2, 2), (16, 32, 3, 2, "same"), (2, 2)], "refuses padding='same'"),
    ([(3, 16, 5, 1, 2), (2, 2, 2), (16, 32, 3, 2, 1), (2, 2)], "at most half its window"),
])
def test_pytorch_layers_hints_name_the_mistake(answer, hint):
    verdict = _verdict("pytorch_layers", answer)
    assert verdict.status == "incorrect" and not verdict.form, str(verdict)
    assert hint in verdict.message, verdict.message


@given(seed=SEEDS, layer=st.integers(0, 3), change=st.sampled_from(["stride", "padding"]))
def test_pytorch_layers_hints_never_give_the_arguments(seed, layer, change):
    """A wrong stride or padding gets the shape it gives, not the one that would be right."""
    answer = [list(args) for args in EXERCISES["pytorch_layers"].expected(seed)]
    expected = [tuple(args) for args in answer]
    args = answer[layer]
    if layer % 2 == 0:
        args[3 if change == "stride" else 4] += 1
    elif change == "stride":
        args[1] += 1
    else:
        args.append(1 if args[0] >= 2 else 0)
    verdict = _verdict("pytorch_layers", [tuple(a) for a in answer], seed)
    if [tuple(a) for a in answer] == expected or verdict.correct:
        return                                   # another right answer (a pool that fits)
    assert verdict.status == "incorrect", str(verdict)
    for right in expected:
        assert str(right) not in verdict.message
    assert not re.search(r"stride=\d|padding=\d", verdict.message), verdict.message


@pytest.mark.parametrize("answer, says", [
    ((3, 16, 5, 1, 2), "a list of 4 tuples"),
    ([(3, 16, 5, 1, 2), (2, 2), (16, 32, 3, 2, 1)], "a list of 4 tuples"),
    ("Conv2d(3, 16, 5)", "a list of 4 tuples"),
    ([(3, 16), (2, 2), (16, 32, 3, 2, 1), (2, 2)], "layer 1 is a Conv2d"),
    ([(3, 16, 5, 1, 2, 1), (2, 2), (16, 32, 3, 2, 1), (2, 2)], "layer 1 is a Conv2d"),
    ([(3, 16, 5, 1, 2), "2x2", (16, 32, 3, 2, 1), (2, 2)], "layer 2 is a MaxPool2d"),
    ([(3, 16, 5, 1, 2), (2, 2, 0, 1), (16, 32, 3, 2, 1), (2, 2)], "layer 2 is a MaxPool2d"),
    ([(3, 16, 5, 1, 2.5), (2, 2), (16, 32, 3, 2, 1), (2, 2)], "padding should be a whole"),
    ([(3, 16, 5, 0, 2), (2, 2), (16, 32, 3, 2, 1), (2, 2)], "stride must be at least 1"),
    ([(3, 16, 5, 1, -2), (2, 2), (16, 32, 3, 2, 1), (2, 2)], "0 or more"),
    ([(3, 16, 5, 1, 2), (2, "same"), (16, 32, 3, 2, 1), (2, 2)], "stride should be a whole"),
])
def test_pytorch_layers_answers_of_the_wrong_form(answer, says):
    verdict = _verdict("pytorch_layers", answer)
    assert verdict.status == "incorrect" and verdict.form, str(verdict)
    assert says in verdict.message, verdict.message


def test_pytorch_layers_partly_filled_is_not_attempted():
    verdict = _verdict("pytorch_layers", [(3, 16, 5, 1, 2), ..., ..., ...])
    assert verdict.status == "not attempted"
    assert _verdict("pytorch_layers", [(3, 16, 5, 1, ...), (2, 2), (16, 32, 3, 2, 1),
                                       (2, 2)]).status == "not attempted"
