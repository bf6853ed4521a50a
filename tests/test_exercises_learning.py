"""Notebook 07's function exercise, 07.4 (write the gradient descent loop), and its checks.

The truth the checker uses is convlab.learn.fit_kernel; here every seed's cases are
also descended by a loop of explicit sums and by PyTorch's autograd, and every known
mistake gets its own hint.
"""

import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import convlab
from convlab import check, grad, learn, solutions
from convlab.classroom.capture import capture_json, encode
from convlab.exercises.learning import _descend

NAME = "descent_loop"


def hand_descent(image, target, kernel, lr, steps):
    """Gradient descent with every sum written out (no convlab)."""
    image, target = np.asarray(image, float), np.asarray(target, float)
    w = np.array(kernel, dtype=float)
    kh, kw = w.shape
    oh, ow = target.shape
    for _ in range(steps):
        pred = [[sum(image[i + a, j + b] * w[a, b] for a in range(kh) for b in range(kw))
                 for j in range(ow)] for i in range(oh)]
        g = [[2 * (pred[i][j] - target[i, j]) / (oh * ow) for j in range(ow)]
             for i in range(oh)]
        dw = [[sum(g[i][j] * image[i + a, j + b] for i in range(oh) for j in range(ow))
               for b in range(kw)] for a in range(kh)]
        w = w - lr * np.array(dw)
    return w


def grad_descent(image, target, kernel, lr, steps):
    """A right loop written with grad.conv2d_weight, as the notebook's descend is."""
    w = np.array(kernel, dtype=float)
    x = np.asarray(image, float)[None, None]
    for _ in range(steps):
        err = convlab.conv2d(x, w[None, None])[0, 0] - target
        w = w - lr * grad.conv2d_weight(x, (1, 1) + w.shape, (2 * err / err.size)[None, None])[0, 0]
    return w


def verdict_of(function, seed=None):
    return check.verdict(NAME, function, seed=seed)


# --- right answers ------------------------------------------------------------------------

@pytest.mark.parametrize("function", [solutions.descent_loop, hand_descent, grad_descent])
def test_right_loops_are_accepted(function):
    result = verdict_of(function)
    assert result.correct, str(result)
    assert "all 25 cases" in result.message


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_every_seed_checks_against_an_independent_loop(seed):
    cases = check.function_cases(NAME, seed)
    assert len(cases) == 25 and {c[4] for c in cases} >= {0, 1}
    for image, target, kernel, lr, steps in cases:
        truth = learn.fit_kernel(image, target, kernel, learning_rate=lr, steps=steps,
                                 diverged=np.inf)[0]
        np.testing.assert_allclose(truth, hand_descent(image, target, kernel, lr, steps),
                                   rtol=1e-9, atol=1e-12)
        # the cases are not degenerate: a step moves the kernel, and the loss falls
        if steps:
            assert not np.allclose(truth, kernel)
    assert verdict_of(solutions.descent_loop, seed).correct
    assert verdict_of(hand_descent, seed).correct


def test_the_truth_matches_pytorch_autograd(torch):
    for seed in (None, 3, 11):
        for image, target, kernel, lr, steps in check.function_cases(NAME, seed):
            x = torch.tensor(image)[None, None]
            y = torch.tensor(target)[None, None]
            w = torch.tensor(kernel)[None, None].clone().requires_grad_(True)
            for _ in range(steps):
                loss = torch.mean((torch.nn.functional.conv2d(x, w) - y) ** 2)
                loss.backward()
                with torch.no_grad():
                    w -= lr * w.grad
                w.grad = None
            np.testing.assert_allclose(solutions.descent_loop(image, target, kernel, lr, steps),
                                       w.detach().numpy()[0, 0], rtol=1e-9, atol=1e-12)


# --- known wrong answers ------------------------------------------------------------------

MISTAKES = [
    (lambda *a: _descend(*a, sign=1.0), "uphill"),
    (lambda *a: _descend(*a, scale=2.0), "sum of the squared errors, not their mean"),
    (lambda i, t, k, lr, s: _descend(i, t, k, lr, s, scale=1 / t.size), "leaves out the 2"),
    (lambda *a: _descend(*a, frozen=True), "same step every time"),
    (lambda *a: _descend(*a, flipped=True), "flips the input"),
    (lambda i, t, k, lr, s: _descend(i, t, k, lr, s + 1), "different number of steps"),
    (lambda i, t, k, lr, s: _descend(i, t, k, lr, max(s - 1, 0)), "different number of steps"),
    (lambda i, t, k, lr, s: k, "returns the kernel it was given"),
    (lambda i, t, k, lr, s: convlab.correlate2d(i, k), "shape of the output"),
    (lambda i, t, k, lr, s: np.zeros(3), "returns shape (3,)"),
]


@pytest.mark.parametrize("function, hint", MISTAKES)
@pytest.mark.parametrize("seed", [None, 4, 2024])
def test_each_mistake_gets_its_hint(function, hint, seed):
    result = verdict_of(function, seed)
    assert result.status == "incorrect" and hint in result.message, str(result)


def test_unfinished_and_broken_functions():
    def stub(image, target, kernel, learning_rate, steps):
        ...

    assert verdict_of(stub).status == "not attempted"
    assert "return the kernel after the last step" in verdict_of(stub).message

    def broken(image, target, kernel, learning_rate, steps):
        raise ValueError("oops")

    result = verdict_of(broken)
    assert result.status == "incorrect" and "ValueError: oops" in result.message
    for answer in (3, [[1, 2]], "my_descent"):
        result = verdict_of(answer)
        assert result.form and "pass your function itself" in result.message


def test_a_loop_close_but_not_right_gets_the_method_not_the_numbers():
    expected = [learn.fit_kernel(i, t, k, learning_rate=lr, steps=s, diverged=np.inf)[0]
                for i, t, k, lr, s in check.function_cases(NAME)]

    def nudged(image, target, kernel, lr, steps):
        return solutions.descent_loop(image, target, kernel, lr, steps) + 0.01

    result = verdict_of(nudged)
    assert result.status == "incorrect" and "not the one the descent reaches" in result.message
    # the hint names the case, never a weight, a position or the expected kernel's values
    assert "w[" not in result.message and "[0" not in result.message
    for value in expected[0].ravel():
        assert f"{value:.2f}" not in result.message and f"{value:.3g}" not in result.message


# --- the library shortcut -----------------------------------------------------------------

def test_the_library_descent_is_refused_however_it_is_called():
    from convlab.learn import fit_kernel as descend_for_me

    def via_module(image, target, kernel, lr, steps):
        return learn.fit_kernel(image, target, kernel, learning_rate=lr, steps=steps)[0]

    def renamed(image, target, kernel, lr, steps):
        return descend_for_me(image, target, kernel, learning_rate=lr, steps=steps)[0]

    for function in (via_module, renamed):
        result = verdict_of(function)
        assert result.form and "convlab.learn.fit_kernel" in result.message, str(result)


def test_the_other_exercises_still_refuse_the_convolution_this_one_may_use():
    def loop_calling_correlate2d(image, kernel):
        return convlab.correlate2d(image, kernel)

    assert "convlab.convolution.correlate2d" in \
        check.verdict("naive_correlate2d", loop_calling_correlate2d).message
    assert verdict_of(solutions.descent_loop).correct      # it calls correlate2d


def test_a_classroom_capture_refuses_the_same_shortcuts():
    cases = json.dumps([encode(tuple(c)) for c in check.function_cases(NAME)[:2]])
    captured = json.loads(capture_json(solutions.descent_loop, cases, NAME))
    assert all("value" in o for o in captured["outputs"])
    shortcut = json.loads(capture_json(
        lambda i, t, k, lr, s: learn.fit_kernel(i, t, k, learning_rate=lr, steps=s)[0],
        cases, NAME))
    assert shortcut["outputs"][0]["raised"][0] == "LibraryShortcut"
    # without the exercise's name the default watch applies, and correlate2d is a shortcut
    default = json.loads(capture_json(solutions.descent_loop, cases))
    assert default["outputs"][0]["raised"][0] == "LibraryShortcut"


def test_hints_follow_the_feedback_level():
    uphill = MISTAKES[0][0]
    try:
        check.feedback_level("format")
        result = verdict_of(uphill)
        assert result.status == "incorrect" and "uphill" not in result.message
        assert verdict_of(solutions.descent_loop).message == "well done."
    finally:
        check.feedback_level("hints")


# --- 07.5: predict whether a learning rate diverges -------------------------------------

def run_descent(scale, lr, steps=30):
    """The notebook's descend on the noise images times ``scale``: the losses, step by step."""
    x = scale * np.random.default_rng(0).standard_normal((8, 1, 16, 16))
    y = convlab.conv2d(x, convlab.kernels.get("sobel_x")[None, None])
    w, losses = np.zeros((1, 1, 3, 3)), []
    for _ in range(steps + 1):
        err = convlab.conv2d(x, w) - y
        losses.append(float(np.mean(err ** 2)))
        w = w - lr * grad.conv2d_weight(x, w.shape, 2 * err / err.size)
    return losses


def test_the_notebook_noise_images_are_the_question_images():
    # 07's first cell draws x from default_rng(0) first: the question's images are those
    from convlab.exercises.learning import _noise_images

    x = np.random.default_rng(0).standard_normal((8, 1, 16, 16))
    np.testing.assert_array_equal(_noise_images(), x)
    np.testing.assert_array_equal(_noise_images(3.0), 3 * x)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_divergence_truth_agrees_with_running_the_descent(seed):
    exercise = check.EXERCISES["learning_rate_diverges"]
    m = exercise.materials(seed)
    losses = run_descent(m["scale"], m["lr"])
    right = exercise.choices.right_text(m)
    if right.startswith("it diverges"):
        assert losses[-1] > 1e3 * losses[0], (m, losses[-1])
    else:
        assert right.startswith("it converges: ") and losses[-1] < 1e-3 * losses[0], m
    # and the rate is well away from the limit, so the rule of thumb 1 / scale^2 also decides
    thumb = 1 / m["scale"] ** 2
    assert (m["lr"] > thumb) == right.startswith("it diverges")


def test_the_default_divergence_question_diverges_by_hand():
    # pixels x 2: the eigenvalue 2.218 becomes 4 x 2.218 = 8.87, limit 2 / 8.87 = 0.2254
    m = check.EXERCISES["learning_rate_diverges"].materials()
    assert (m["scale"], m["lr"]) == (2.0, 0.3)
    losses = run_descent(2.0, 0.3)
    assert losses[30] > losses[10] > losses[0]
    assert run_descent(2.0, 0.2)[30] < 1e-3 * run_descent(2.0, 0.2)[0]


def test_both_outcomes_and_every_scale_occur_across_seeds():
    exercise = check.EXERCISES["learning_rate_diverges"]
    seen = {(exercise.materials(s)["scale"],
             exercise.choices.right_text(exercise.materials(s))[:12]) for s in range(200)}
    assert {outcome for _, outcome in seen} == {"it diverges:", "it converges"}
    assert {scale for scale, _ in seen} == {0.5, 2.0, 3.0, 4.0, 5.0}


def test_the_batch_question_counts_steps_as_learn_train_does():
    exercise = check.EXERCISES["why_batches"]
    for seed in (None, 1, 2, 3):
        m = exercise.materials(seed)
        x, y = learn.shapes_dataset(m["images"], size=8, seed=0)
        steps = []
        learn.train(learn.tiny_cnn(size=8, channels=(1, 1)), x, y, epochs=1,
                    batch_size=m["batch"], seed=0,
                    callback=lambda epoch, step, loss: steps.append(step) and False)
        assert f"one epoch is {len(steps)} steps" in exercise.question_text(seed)
