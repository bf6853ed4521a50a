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

import json
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
OURS = {"06_putting_it_together": ["pytorch_layers", "why_stacked_3x3"],
        "09_transposed_convolution": ["transposed_views", "checkerboard_kernel_size",
                                      "resize_then_convolve"],
        "10_convolution_variants": ["why_pointwise_step", "fft_for_small_kernels"],
        "11_assignment_conv_layer": ["zero_gradient_pixels", "why_central_differences"]}


# Each test starts and ends with no seed and full hints (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("check_defaults")


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


# --- every notebook ends with a conceptual question ---------------------------------------

@pytest.mark.parametrize("notebook", list(OURS))
def test_the_notebook_ends_with_a_conceptual_question(notebook):
    cells = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text())["cells"]
    calls = [name for cell in cells if cell["cell_type"] == "code"
             for name in re.findall(r"check\.(\w+)\(answer\)", "".join(cell["source"]))]
    assert calls[-len(OURS[notebook]):] == OURS[notebook]
    assert EXERCISES[calls[-1]].kind == "choice"
    assert check.exercises(notebook)[-len(OURS[notebook]):] == OURS[notebook]
    headings = [line for cell in cells if cell["cell_type"] == "markdown"
                for line in "".join(cell["source"]).splitlines() if line.startswith("## ")]
    assert headings[-1] == "## Check your understanding"


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


# --- 06.8: three 3x3 layers --------------------------------------------------------------

@given(seed=SEEDS)
def test_why_stacked_3x3_numbers_are_the_recurrence(seed):
    n = EXERCISES["why_stacked_3x3"].materials(seed)["layers"]
    size = 1
    for _ in range(n):           # size += (k - 1) * jump, with k = 3 and jump 1
        size += 2
    assert (f"the same {size}x{size} patch with {n * 3 * 3}C^2 weights instead of "
            f"{size * size}C^2" in _right_text("why_stacked_3x3", seed))


# --- 09.6: three views of one transposed convolution -------------------------------------

def _stamps(y, w, s):
    n = (y.shape[0] - 1) * s + w.shape[0]
    out = np.zeros((n, n))
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            for a in range(w.shape[0]):
                for b in range(w.shape[1]):
                    out[i * s + a, j * s + b] += y[i, j] * w[a, b]
    return out


def _matrix(n, w, s):
    """C, by loops: row r is output r's window over the flattened n x n image."""
    o = (n - w.shape[0]) // s + 1
    C = np.zeros((o * o, n * n))
    for i in range(o):
        for j in range(o):
            for a in range(w.shape[0]):
                for b in range(w.shape[1]):
                    C[i * o + j, (i * s + a) * n + (j * s + b)] = w[a, b]
    return C


@pytest.mark.parametrize("seed", [None, *range(12)])
def test_transposed_views_four_routes_agree_and_the_inverse_does_not(seed):
    from scipy.signal import correlate2d

    m = EXERCISES["transposed_views"].materials(seed)
    s, n = m["stride"], m["size"]
    rng = np.random.default_rng(seed)
    w = rng.integers(-2, 3, size=(3, 3)).astype(float)
    w[0, 0] = 3.0                                       # never the zero kernel
    C = _matrix(n, w, s)
    o = (n - 3) // s + 1
    y = rng.integers(-3, 4, size=(o, o)).astype(float)
    stamps = _stamps(y, w, s)
    assert stamps.shape == (n, n)                       # the question's size comes back
    spread = np.zeros(((o - 1) * s + 1,) * 2)
    spread[::s, ::s] = y
    zeros = correlate2d(np.pad(spread, 2), w[::-1, ::-1], mode="valid")
    assert np.allclose(zeros, stamps) and np.allclose((C.T @ y.ravel()).reshape(n, n), stamps)
    inverse = np.linalg.lstsq(C, y.ravel(), rcond=None)[0].reshape(n, n)
    assert not np.allclose(inverse, stamps)
    assert np.allclose(convlab.conv_transpose2d(y[None], w[None, None], stride=s)[0], stamps)
    assert "the convolution undone" in _right_text("transposed_views", seed)
    assert f"inserting {s - 1} zero" in " ".join(_options("transposed_views", seed).values())


def test_transposed_views_the_gradient_is_the_stamps(torch):
    for seed in [None, *range(6)]:
        m = EXERCISES["transposed_views"].materials(seed)
        s, n = m["stride"], m["size"]
        rng = np.random.default_rng(seed)
        w = rng.standard_normal((3, 3))
        y = rng.standard_normal(((n - 3) // s + 1,) * 2)
        x = torch.zeros(1, 1, n, n, dtype=torch.float64, requires_grad=True)
        out = torch.nn.functional.conv2d(x, torch.tensor(w)[None, None], stride=s)
        (out * torch.tensor(y)[None, None]).sum().backward()
        assert np.allclose(x.grad[0, 0].numpy(), _stamps(y, w, s))


# --- 09.7 and 09.8: checkerboards ----------------------------------------------------------

def _row_counts(k, s, inputs=8):
    """How many k-wide stamps starting s apart cover each pixel of one row (a loop)."""
    counts = [0] * ((inputs - 1) * s + k)
    for i in range(inputs):
        for a in range(k):
            counts[i * s + a] += 1
    return counts[k:-k]


@given(seed=SEEDS)
def test_checkerboard_kernel_size_the_right_option_is_the_even_one(seed):
    s = EXERCISES["checkerboard_kernel_size"].materials(seed)["stride"]
    even = {letter for letter, text in _options("checkerboard_kernel_size", seed).items()
            if len(set(_row_counts(int(text.split("= ")[1]), s))) == 1}
    assert even == {EXERCISES["checkerboard_kernel_size"].expected(seed)}


@given(seed=SEEDS)
def test_checkerboard_kernel_size_explanations_give_no_kernel_size_away(seed):
    options = _options("checkerboard_kernel_size", seed)
    right = EXERCISES["checkerboard_kernel_size"].expected(seed)
    k = options[right].split("= ")[1]
    for letter in options:
        if letter != right:
            message = _verdict("checkerboard_kernel_size", letter, seed).message
            assert f"k = {k}" not in message and f"{k} wide" not in message, message


def test_resize_then_convolve_is_flat_and_the_stamps_are_not():
    from scipy.signal import correlate2d

    resized = np.kron(np.ones((6, 6)), np.ones((2, 2)))
    convolved = correlate2d(resized, np.ones((3, 3)), mode="same")
    assert np.unique(convolved[1:-1, 1:-1]).tolist() == [9]
    stamps = _stamps(np.ones((6, 6)), np.ones((3, 3)), 2)
    assert np.unique(stamps[3:-3, 3:-3]).tolist() == [1, 2, 4]


# --- 10.5: the 1x1 step --------------------------------------------------------------------

@given(seed=SEEDS)
def test_why_pointwise_step_costs_are_counted_by_hand(seed):
    m = EXERCISES["why_pointwise_step"].materials(seed)
    c, o, k = m["channels"], m["out_channels"], m["kernel_size"]
    options = _options("why_pointwise_step", seed)
    cheaper = next(letter for letter, text in options.items() if "cheaper" in text)
    message = _verdict("why_pointwise_step", cheaper, seed).message
    assert f"costs {o * c} multiplies on top of the depthwise step's {c * k * k}" in message


def test_a_depthwise_step_never_mixes_channels(torch):
    x = torch.zeros(1, 8, 6, 6, dtype=torch.float64)
    x[0, 2] = 1.0
    depthwise = torch.nn.functional.conv2d(x, torch.ones(8, 1, 3, 3, dtype=torch.float64),
                                           groups=8, padding=1)
    assert [c for c in range(8) if depthwise[0, c].abs().sum() > 0] == [2]
    mixed = torch.nn.functional.conv2d(depthwise, torch.ones(16, 8, 1, 1, dtype=torch.float64))
    assert all(mixed[0, c].abs().sum() > 0 for c in range(16))


# --- 11.4: pixels no window reads -----------------------------------------------------------

@given(seed=SEEDS)
def test_zero_gradient_pixels_are_the_unread_ones(seed):
    m = EXERCISES["zero_gradient_pixels"].materials(seed)
    k, s, n = m["kernel_size"], m["stride"], m["size"]
    read = [False] * n
    start = 0
    while start + k <= n:
        for a in range(k):
            read[start + a] = True
        start += s
    unread = [i for i in range(n) if not read[i]]
    assert unread and unread == list(range(n - len(unread), n))     # at the far end only
    lines = "row and column" if len(unread) == 1 else \
        f"{len(unread)} rows and {len(unread)} columns"
    assert _right_text("zero_gradient_pixels", seed).startswith(f"the last {lines}:")


def test_zero_gradient_pixels_agree_with_autograd(torch):
    for seed in [None, *range(10)]:
        m = EXERCISES["zero_gradient_pixels"].materials(seed)
        k, s, n = m["kernel_size"], m["stride"], m["size"]
        x = torch.zeros(1, 1, n, n, dtype=torch.float64, requires_grad=True)
        out = torch.nn.functional.conv2d(x, torch.randn(1, 1, k, k, dtype=torch.float64),
                                         stride=s)
        (out * torch.randn(out.shape, dtype=torch.float64)).sum().backward()
        zero_rows = [r for r in range(n) if not x.grad[0, 0, r].any()]
        unread = "row and column" if len(zero_rows) == 1 else f"{len(zero_rows)} rows"
        assert zero_rows == list(range(n - len(zero_rows), n))
        assert _right_text("zero_gradient_pixels", seed).startswith(f"the last {unread}")


# --- 11.5: central differences -------------------------------------------------------------

@given(seed=SEEDS)
def test_why_central_differences_quotes_the_taylor_errors(seed):
    """The measured errors are those of the Taylor expansion of a**3, written out."""
    m = EXERCISES["why_central_differences"].materials(seed)
    a, h = m["at"], m["h"]
    right = EXERCISES["why_central_differences"].expected(seed)
    message = _verdict("why_central_differences", right, seed).message
    found = re.search(r"one-sided error (\S+), two-sided (\S+)\.$", message)
    one_sided, central = float(found.group(1)), float(found.group(2))
    assert one_sided == pytest.approx(3 * a * h + h * h, rel=0.06)   # ((a+h)^3 - a^3)/h - 3a^2
    assert central == pytest.approx(h * h, rel=0.06)                  # the h^2 terms cancel
    assert central < one_sided / 100

