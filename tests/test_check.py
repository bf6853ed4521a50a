"""Tests for convlab.check: every exercise accepts its solution and rejects mistakes.

The solutions in convlab.solutions are worked by hand; the checkers compute
their expected answers with convlab's core. Agreement between the two, and
between the shape quiz and PyTorch, is the independent check.
"""

import re

import numpy as np
import pytest

from convlab import check, kernels, solutions
from convlab.check import EXERCISES

NAMES = list(EXERCISES)
QUIZ_SEEDS = range(60)

# A typical wrong answer for every exercise, and a fragment of the hint it must get.
WRONG = {
    "network_shape_trace": ([(1, 28, 28), (1, 14, 14), (1, 12, 12)], "one output channel per"),
    "dense_vs_conv_parameters": ((28 ** 4, 9), "count the biases"),
    "two_layer_receptive_field": (9, "adding, not multiplying"),
    "why_weight_sharing": ("a", "receptive field"),
    "what_a_feature_map_is": ("b", "belong to the filters"),
    "kernel_one_value": (3, "flipped"),
    "kernel_output_shape": ((4, 5), "off by one"),
    "naive_correlate2d": (None, None),   # functions: see the dedicated tests below
    "vertical_edge_kernel": (kernels.get("sobel_y"), "horizontal edge"),
    "flip_kernel": ([[1, 4, 7], [2, 5, 8], [3, 6, 9]], "transpose"),
    "flat_region_value": ("a", "adds up the nine pixels"),
    "sharpen_prediction": ("b", "balanced by the centre"),
    "stride_output_size": (4, "off by one"),
    "stride_output_values": ([[12, 8], [10, 0]], "stride-1 output"),
    "stride_unvisited": ([7, 8, 9], "gaps between windows"),
    "alexnet_input_sizes": ([227], "only one?"),
    "stride_downsamples": ("a", "what stride 1 gives"),
    "filter_partial_sums": ([-5, 12, 6], "not every value is right"),
    "filter_output_value": (12, "without the bias"),
    "filter_output_shape": ((3, 28, 28), "one output channel"),
    "conv_parameter_count": (600, "one bias"),
    "pointwise_parameter_count": (64 * 32, "one bias"),
    "pointwise_output_value": (5, "without the bias"),
    "pointwise_mixes_channels": ("a", "single channel"),
    "count_multiplications": ("a", "number of weights"),
    "max_pool_values": ([[3.5, 1], [1.5, 5.5]], "averages"),
    "avg_pool_values": ([[14, 4], [6, 22]], "divide by the 4"),
    "max_pool_indices": ([[3, 0], [2, 2]], "inside each window"),
    "ceil_mode_output_size": (2, "ceil_mode=False"),
    "naive_max_pool2d": (None, None),
    "ceil_mode_drop_rule": ((5, 5), "drops a last window"),
    "what_pooling_keeps": ("a", "three of every four"),
    "pooling_shift": ("b", "same 2x2 window"),
    "count_include_pad_corner": ("a", "count_include_pad=False"),
    "same_padding_odd_kernel": (4, "k - 1 pixels of padding in total"),
    "same_padding_even_kernel": ((2, 1), "extra pixel after"),
    "same_padding_stride2": ((1, 1), "smallest that makes up"),
    "reflect_pad_row": ([2, 1, 1, 2, 3, 4, 5, 5, 4], "repeats the edge"),
    "padded_output_size": (5, "each side"),
    "total_to_per_side_padding": (((4, 4), (5, 5)), "in all"),
    "choose_padding_mode": ("a", "more black"),
    "full_output_size": ("a", "that is 'valid'"),
    "dilated_output_size": (13, "ignores the dilation"),
    "receptive_field_stack": (8, "twice as far"),
    "pipeline_shapes": ([(16, 64, 64), (16, 32, 32), (32, 16, 16), (32, 8, 8)],
                        "recheck the rows and columns"),
    "stacked_3x3_weights": (200704, "single 7x7"),
    "dilation_convention": ((1, 3), "CS231n's number"),
    "pytorch_layers": ([(3, 16, 5, 1, 0), (2, 2), (16, 32, 3, 2, 1), (2, 2)], "layer 1 turns"),
    "why_stacked_3x3": ("a", "k - 1 pixels per layer"),
    "shape_quiz": (None, None),            # per seed: see the quiz tests below
    "weight_gradient_value": (7, "multiply each by"),
    "bias_gradient": (6, "one image's sum"),
    "gradient_step": ([[0.6, -1.2], [2.05, 0.4]], "uphill"),
    "descent_loop": (None, None),              # a function: tests/test_exercises_learning.py
    "learning_rate_diverges": ("a", "belongs to pixels of scale 1"),
    "flat_direction": ("a", "thousandfold"),
    "max_pool_gradient_route": ([[0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0], [1, 0, 1, 0]],
                                "right places"),
    "tiny_cnn_parameter_count": (2248, "bias"),
    "why_batches": ("b", "mean of the images' losses"),
    "transposed_output_size": (3, "convolution with these settings"),
    "choose_output_padding": (2, "smaller than the stride"),
    "conv_matrix_shape": ((25, 4), "wrong way round"),
    "transposed_by_hand": ([[-2, -1, 0], [1, 0, 1], [6, 11, 4]], "half turn"),
    "checkerboard_overlap": (np.ones((7, 7)), "overlap"),
    "transposed_views": ("c", "the matrix view"),
    "checkerboard_kernel_size": ("a", "1 or 2 times, unevenly"),
    "resize_then_convolve": ("b", "no pattern to blur away"),
    "grouped_parameter_count": (8 * 16 * 3 * 3 + 16, "ordinary layer"),
    "separable_block_multiplies": (8 * 8 * 16 * 8 * 9, "ordinary"),
    "causal_output_value": (-4.0, "centred"),
    "fft_length_without_wrap": (100, "circular-wrap"),
    "why_pointwise_step": ("b", "neither step changes the size"),
    "fft_for_small_kernels": ("a", "nothing wraps"),
    "conv2d_forward": (None, None),            # functions: see the assignment tests below
    "conv2d_input_gradient": (None, None),
    "conv2d_weight_gradient": (None, None),
    "zero_gradient_pixels": ("b", "no pixel is skipped"),
    "why_central_differences": ("c", "do not cancel"),
}

FUNCTION_EXERCISES = {"naive_correlate2d", "naive_max_pool2d", "conv2d_forward",
                      "conv2d_input_gradient", "conv2d_weight_gradient", "descent_loop"}


def run(capsys, name, answer, **options):
    """Call the public checker as a notebook does; return what it printed."""
    if name == "shape_quiz":
        result = check.shape_quiz_answer(options.get("seed", 0), answer)
    else:
        result = getattr(check, name)(answer)
    assert result is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out            # exactly one verdict line
    return out.strip()


def solution_for(name, seed=0):
    value = getattr(solutions, name)
    return value(seed) if name == "shape_quiz" else value


# --- the registry ------------------------------------------------------------------

def test_every_exercise_has_a_checker_a_solution_and_a_test():
    assert set(WRONG) == set(NAMES)
    for name in NAMES:
        assert hasattr(solutions, name), f"no solution for {name}"
        assert name in solutions.__all__
        checker = "shape_quiz_answer" if name == "shape_quiz" else name
        assert callable(getattr(check, checker)) and checker in check.__all__


def test_exercises_are_grouped_by_notebook_in_course_order():
    grouped = check.exercises()
    assert list(grouped) == ["00_convolutional_networks", "01_kernels", "02_stride",
                             "03_filters", "04_pooling",
                             "05_padding", "06_putting_it_together", "07_learning_kernels",
                             "08_training_a_tiny_cnn", "09_transposed_convolution",
                             "10_convolution_variants", "11_assignment_conv_layer"]
    # at most seven exercises per notebook, and its conceptual questions (kind 'choice') on top
    assert all(2 <= len([n for n in names if EXERCISES[n].kind != "choice"]) <= 7
               for names in grouped.values())
    assert sum(len(names) for names in grouped.values()) == len(NAMES) >= 35
    assert grouped["07_learning_kernels"][:4] == [
        "weight_gradient_value", "bias_gradient", "gradient_step", "descent_loop"]
    assert grouped["08_training_a_tiny_cnn"] == [
        "max_pool_gradient_route", "tiny_cnn_parameter_count", "why_batches"]
    assert EXERCISES["tiny_cnn_parameter_count"].number == "08.2"
    assert grouped["09_transposed_convolution"] == [
        "transposed_output_size", "choose_output_padding", "conv_matrix_shape",
        "transposed_by_hand", "checkerboard_overlap", "transposed_views",
        "checkerboard_kernel_size", "resize_then_convolve"]
    assert check.exercises("03") == check.exercises("03_filters") == grouped["03_filters"]
    numbers = [EXERCISES[name].number for names in grouped.values() for name in names]
    assert numbers[:6] == ["00.1", "00.2", "00.3", "00.4", "00.5", "01.1"]
    assert len(set(numbers)) == len(numbers)


def test_unknown_names_raise_with_the_list():
    with pytest.raises(ValueError, match="name must be one of the exercises .*stride_output"):
        check.question("stride_size")
    with pytest.raises(ValueError, match="notebook must be one of"):
        check.exercises("12")


@pytest.mark.parametrize("name", NAMES)
def test_question_prints_its_numbers(capsys, name):
    check.question(name)
    out = capsys.readouterr().out
    exercise = EXERCISES[name]
    assert out.startswith(f"Exercise {exercise.number}: {exercise.title}\n")
    assert "{" not in out.replace("{}", "")        # every placeholder filled
    for key, value in exercise.params.items():
        if isinstance(value, int) and key not in ("trials", "seed", "max_size"):
            assert str(value) in out, (key, value)


def test_question_shows_the_core_images():
    text = EXERCISES["kernel_one_value"].question
    assert "[[3, 0, 1, 2, 7]," in text             # images.worked_example()
    assert "[-2,  0,  2]" in text                  # kernels.get('sobel_x')


# --- both directions, for every exercise ----------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_solution_is_accepted(capsys, name):
    out = run(capsys, name, solution_for(name))
    assert out.startswith("Correct! "), out


@pytest.mark.parametrize("name", [n for n in NAMES if WRONG[n][0] is not None])
def test_typical_mistake_gets_its_hint(capsys, name):
    answer, hint = WRONG[name]
    out = run(capsys, name, answer)
    assert out.startswith("Not quite: "), out
    assert hint in out, out


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("untouched", [..., None])
def test_untouched_answer_is_not_attempted(capsys, name, untouched):
    out = run(capsys, name, untouched)
    assert out.startswith("Not attempted yet: "), out


@pytest.mark.parametrize("name", [n for n in NAMES if n not in FUNCTION_EXERCISES])
def test_off_by_one_is_rejected(capsys, name):
    """Nudging one number of the solution must never pass."""
    answer = solution_for(name)
    if EXERCISES[name].kind == "choice":      # the next letter
        nudged = "abcde"[("abcde".index(answer) + 1) % 4]
    elif name == "pytorch_layers":            # layers of different lengths: the last stride
        nudged = [*answer[:-1], (answer[-1][0], answer[-1][1] + 1)]
    elif isinstance(answer, (int, float)):
        nudged = answer + 1
    else:
        array = np.array(answer, dtype=float)
        array.flat[-1] += 1
        nudged = array.tolist()
        if name == "pipeline_shapes":
            nudged = [tuple(int(v) for v in shape) for shape in nudged]
    out = run(capsys, name, nudged)
    assert out.startswith("Not quite: "), out


GARBAGE = ["five", {}, {"a": 1}, [[1, 2], [3]], True, 2.5, float("nan"), object(),
           [1, "x"], (), [[[1]]], -1, 10**30, lambda: 1, np.array(["a"]), 1 + 2j,
           float("inf"), [None, None], {"x"}, np.zeros((0, 3)), [np.nan] * 9]


@pytest.mark.parametrize("name", NAMES)
def test_malformed_answers_get_a_friendly_verdict(capsys, name):
    for answer in GARBAGE:
        out = run(capsys, name, answer)
        assert out.startswith("Not quite: "), (answer, out)
        assert "could not be checked" not in out, (answer, out)   # no judge crashed


@pytest.mark.parametrize("name, answer", [
    ("kernel_one_value", ...),
    ("stride_output_values", [[..., ...], [..., ...]]),
    ("stride_output_values", [[12, ...], [3, 8]]),
    ("pipeline_shapes", [(16, 64, 64), ..., ..., ...]),
    ("filter_partial_sums", np.array([-5, ..., 6], dtype=object)),
    ("same_padding_even_kernel", (..., ...)),
])
def test_partly_filled_answers_are_not_attempted(capsys, name, answer):
    assert run(capsys, name, answer).startswith("Not attempted yet: ")


# --- answers in other reasonable forms --------------------------------------------------

@pytest.mark.parametrize("name, answer", [
    ("stride_output_size", np.int64(5)),
    ("stride_output_size", 5.0),
    ("stride_output_size", np.array(5)),
    ("kernel_output_shape", [5, 6]),
    ("kernel_output_shape", np.array([5, 6])),
    ("filter_output_shape", np.zeros((8, 28, 28)).shape),
    ("stride_output_values", np.array([[12.0, -5.0], [3.0, 8.0]], dtype=np.float32)),
    ("stride_unvisited", {9, 8, 7, 3}),
    ("stride_unvisited", np.array([3, 7, 8, 9])),
    ("alexnet_input_sizes", range(227, 231)),
    ("same_padding_odd_kernel", (2, 2)),
    ("same_padding_even_kernel", [1, 2]),
    ("reflect_pad_row", np.array([3, 2, 1, 2, 3, 4, 5, 4, 3])),
    ("vertical_edge_kernel", kernels.get("sobel_x")),
    ("vertical_edge_kernel", -kernels.get("prewitt_x")),
    ("vertical_edge_kernel", [[-1, 1]]),
    ("vertical_edge_kernel", 10 * np.array([[1, -1], [1, -1]])),
    ("flip_kernel", np.arange(1, 10)[::-1].reshape(3, 3)),
    ("pipeline_shapes", np.array(solutions.pipeline_shapes)),
])
def test_equivalent_forms_are_accepted(capsys, name, answer):
    out = run(capsys, name, answer)
    assert out.startswith("Correct! "), out


def test_answers_can_be_torch_sizes_and_tensors(capsys, torch):
    out = run(capsys, "filter_output_shape", torch.Size([8, 28, 28]))
    assert out.startswith("Correct! ")
    assert run(capsys, "stride_output_size", torch.tensor(5)).startswith("Correct! ")
    assert run(capsys, "kernel_one_value", torch.tensor(-3.0)).startswith("Correct! ")
    answer = torch.tensor([[12.0, -5.0], [3.0, 8.0]])
    assert run(capsys, "stride_output_values", answer).startswith("Correct! ")


# --- what the hints say -----------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in NAMES if isinstance(solution_for(n), int)])
def test_hints_do_not_give_a_number_answer_away(capsys, name):
    answer = solution_for(name)
    for wrong in (answer - 1, answer + 1, answer + 7, 0):
        out = run(capsys, name, wrong)
        assert out.startswith("Not quite: ")
        assert not re.search(rf"(?<![\d.]){answer}(?![\d.])", out), out


@pytest.mark.parametrize("name, answer, hint", [
    ("kernel_one_value", 2, "first index is the row"),     # the value at output[2, 1]
    ("kernel_one_value", 0, "top-left weight"),
    ("kernel_output_shape", (6, 5), "swapped"),
    ("kernel_output_shape", (7, 9), "smaller than the image"),
    ("vertical_edge_kernel", kernels.get("box_blur"), "add up to zero"),
    ("vertical_edge_kernel", np.zeros((3, 3)), "all zeros"),
    ("vertical_edge_kernel", kernels.get("laplacian"), "hardly responds"),
    ("vertical_edge_kernel", np.ones((9, 9)), "at most 7x7"),
    ("vertical_edge_kernel", [1, -1], "2-D array"),
    ("vertical_edge_kernel", [[1, np.nan]], "NaN"),
    ("flip_kernel", np.arange(1, 10).reshape(3, 3), "unchanged"),
    ("flip_kernel", np.arange(1, 10).reshape(3, 3)[::-1], "upside down only"),
    ("flip_kernel", [[1, 2], [3, 4]], "shape (3, 3)"),
    ("stride_output_size", 6, "'same'"),
    ("stride_output_size", 9, "stride 1"),
    ("stride_output_values", np.zeros((3, 3)), "stride-1 result"),
    ("stride_unvisited", [3, 4, 7, 8, 9], "where each window starts"),
    ("stride_unvisited", [3, 7, 8, 9, 10], "outside"),
    ("alexnet_input_sizes", [226, 227, 228, 229, 230], "Check every width"),
    ("filter_output_value", 15, "add it once"),
    ("filter_output_value", 7, "one channel only"),
    ("filter_output_shape", (8, 3, 28, 28), "batch"),
    ("filter_output_shape", (8, 27, 27), "recount the rows"),
    ("conv_parameter_count", 208, "one kernel per input channel"),
    ("conv_parameter_count", 76, "one filter"),
    ("max_pool_values", np.zeros((3, 3)), "stride defaults"),
    ("avg_pool_values", [[6, 2], [3, 8]], "maxima"),
    ("max_pool_indices", [[5, 8], [3, 11]], "down the columns"),
    ("max_pool_indices", [[6, 3], [13, 15]], "start at 0"),
    ("same_padding_odd_kernel", (1, 1), "splits that total evenly"),
    ("same_padding_even_kernel", (1.5, 1.5), "pixels come whole"),
    ("same_padding_even_kernel", (2, 2), "k - 1 pixels in total"),
    ("same_padding_stride2", (1, 0), "odd pixel after"),
    ("same_padding_stride2", (-1, 1), "negative"),
    ("reflect_pad_row", [1, 1, 1, 2, 3, 4, 5, 5, 5], "'replicate'"),
    ("reflect_pad_row", [4, 5, 1, 2, 3, 4, 5, 1, 2], "'circular'"),
    ("reflect_pad_row", [1, 2, 3, 4, 5], "shape (9,)"),
    ("padded_output_size", 4, "ignores the padding"),
    ("dilated_output_size", 10, "not k*d"),
    ("pipeline_shapes", [(16, 64, 64), (32, 32, 32), (32, 16, 16), (32, 7, 7)],
     "MaxPool2d(2) changes the channels in your answer"),
    ("pipeline_shapes", [(16, 64, 64)], "a list of 4 shapes"),
    ("stacked_3x3_weights", 36864, "one layer"),
    ("weight_gradient_value", -3, "first index is the row"),
    ("weight_gradient_value", 5, "wrong order (flipped)"),
    ("weight_gradient_value", 0, "image[i + 1, j + 2]"),
    ("bias_gradient", 2, "one image's sum"),
    ("bias_gradient", 8 / 12, "that is the mean"),
    ("bias_gradient", 12, "counts the outputs"),
    ("gradient_step", [[-0.5, 1.0], [1.5, -4.0]], "scaled by the learning rate"),
    ("gradient_step", [[-0.1, 0.2], [-0.05, -0.4]], "step alone"),
    ("gradient_step", [[0.1, -0.2], [0.05, 0.4]], "wrong sign"),
    ("gradient_step", [[0.4, -0.8], [1.95, 0.4]], "not every value is right"),
    ("max_pool_gradient_route", np.kron([[1, -2], [3, 5]], np.ones((2, 2))) / 4,
     "average pooling"),
    ("max_pool_gradient_route", np.kron([[1, -2], [3, 5]], np.ones((2, 2))), "only the maximum"),
    ("max_pool_gradient_route", [[1, 0, 0, -2], [0, 0, 0, 0], [3, 0, 0, 0], [0, 0, 0, 5]],
     "smallest pixels"),
    ("max_pool_gradient_route", [[1, -2], [3, 5]], "shape (4, 4)"),
    ("tiny_cnn_parameter_count", 2276 - 16 * 8 * 9 + 16 * 9, "one 3x3 kernel per input"),
    ("tiny_cnn_parameter_count", 2276 + 15 * 256 * 4, "pooled at all"),
    ("tiny_cnn_parameter_count", 2276 + 3 * 256 * 4, "pooled twice"),
    ("tiny_cnn_parameter_count", 1000, "layer by layer"),
    ("transposed_output_size", 11, "before cropping"),
    ("transposed_output_size", 10, "both ends"),
    ("transposed_output_size", 7, "place the stamps"),
    ("choose_output_padding", 0, "encoder's output size"),
    ("choose_output_padding", -1, "never negative"),
    ("conv_matrix_shape", (9, 25), "every stride-1 window"),
    ("conv_matrix_shape", (4, 9), "input pixels"),
    ("conv_matrix_shape", (5, 5), "an image's shape"),
    ("conv_matrix_shape", (4, 16), "count the output pixels"),
    ("transposed_by_hand", np.zeros((4, 4)), "shape (3, 3)"),
    ("transposed_by_hand", [[2, 4, 1], [3, 8, 7], [0, -3, -4]], "not every value is right"),
    ("checkerboard_overlap", [1, 1, 2, 1, 2, 1, 1], "one row of counts"),
    ("checkerboard_overlap", np.add.outer([1, 1, 2, 1, 2, 1, 1], [1, 1, 2, 1, 2, 1, 1]) - 1,
     "counts multiply"),
])
def test_specific_mistakes_get_specific_hints(capsys, name, answer, hint):
    out = run(capsys, name, answer)
    assert out.startswith("Not quite: "), out
    assert hint in out, out


# --- the 07/08 answers against PyTorch (a third route to the same numbers) -------------

def test_learning_and_transposed_answers_match_pytorch(torch):
    F = torch.nn.functional
    m = EXERCISES["weight_gradient_value"].materials()
    x = torch.tensor(m["image"])[None, None]
    w = torch.zeros(1, 1, 3, 3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, w, b)
    y.backward(torch.tensor(m["grad_output"])[None, None])
    assert w.grad[0, 0, 1, 2].item() == solutions.weight_gradient_value

    g = EXERCISES["bias_gradient"].materials()["grad_output"]
    y = F.conv2d(torch.zeros(2, 1, 4, 5, dtype=torch.float64), w, b)
    b.grad = None
    y.backward(torch.tensor(g))
    assert b.grad.item() == solutions.bias_gradient

    m = EXERCISES["max_pool_gradient_route"].materials()
    x = torch.tensor(m["image"], requires_grad=True)
    F.max_pool2d(x[None], 2).backward(torch.tensor(m["grad_output"])[None])
    assert np.array_equal(x.grad.numpy(), solutions.max_pool_gradient_route)

    model = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding="same"), torch.nn.ReLU(),
                                torch.nn.MaxPool2d(2), torch.nn.Conv2d(8, 16, 3, padding="same"),
                                torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                torch.nn.Linear(256, 4))
    assert sum(p.numel() for p in model.parameters()) == solutions.tiny_cnn_parameter_count

    layer = torch.nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1)
    assert layer(torch.zeros(1, 1, 5, 5)).shape[-1] == solutions.transposed_output_size
    layer = torch.nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1,
                                     output_padding=solutions.choose_output_padding)
    down = torch.nn.Conv2d(1, 1, 3, stride=2, padding=1)(torch.zeros(1, 1, 10, 10))
    assert layer(down).shape[-2:] == (10, 10)

    m = EXERCISES["transposed_by_hand"].materials()
    out = F.conv_transpose2d(torch.tensor(m["image"])[None, None],
                             torch.tensor(m["kernel"])[None, None], stride=m["stride"])
    assert np.array_equal(out[0, 0].numpy(), solutions.transposed_by_hand)
    out = F.conv_transpose2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 3, 3), stride=2)
    assert np.array_equal(out[0, 0].numpy(), solutions.checkerboard_overlap)


def test_conv_matrix_shape_answer_multiplies():
    from convlab import correlate2d
    from convlab.matrix import conv_matrix

    x = np.arange(25.0).reshape(5, 5)
    C = conv_matrix((5, 5), kernels.get("sobel_x"), stride=2)
    assert C.shape == tuple(solutions.conv_matrix_shape)
    assert np.array_equal((C @ x.ravel()).reshape(2, 2),
                          correlate2d(x, kernels.get("sobel_x"), stride=2))


# --- learner functions -------------------------------------------------------------------

def flipped_loop(image, kernel):
    return solutions.naive_correlate2d(image, np.asarray(kernel)[::-1, ::-1])


def short_loop(image, kernel):                       # forgets the + 1
    image, kernel = np.asarray(image), np.asarray(kernel)
    out = solutions.naive_correlate2d(image, kernel)
    return out[:-1, :-1] if min(out.shape) > 1 else out[:0]


def transposed_loop(image, kernel):
    return solutions.naive_correlate2d(np.asarray(image).T, np.asarray(kernel).T)


def sloppy_loop(image, kernel):                      # kernel[a, b] * image[i + b, j + a]
    return solutions.naive_correlate2d(image, np.asarray(kernel).T.reshape(np.shape(kernel)))


def raising_loop(image, kernel):
    image = np.asarray(image)
    return np.array([[image[i + 10, j] for j in range(2)] for i in range(2)])


def stub(image, kernel):
    ...


def list_loop(image, kernel):
    return solutions.naive_correlate2d(image, kernel).tolist()


def mutating_loop(image, kernel):
    out = solutions.naive_correlate2d(image, kernel)
    image[...] = 0
    return out


@pytest.mark.parametrize("function, start, hint", [
    (solutions.naive_correlate2d, "Correct! ", "all 25 cases"),
    (list_loop, "Correct! ", "all 25 cases"),
    (mutating_loop, "Correct! ", "all 25 cases"),
    (flipped_loop, "Not quite: ", "flips the kernel"),
    (short_loop, "Not quite: ", "your output has shape (2, 2), but there are 3 x 3"),
    (transposed_loop, "Not quite: ", "rows and columns are swapped"),
    (sloppy_loop, "Not quite: ", "right shape but not the right values"),
    (raising_loop, "Not quite: ", "your function raised IndexError"),
    (stub, "Not attempted yet: ", "returns None"),
    (np.sum, "Not quite: ", ""),
    ("my_correlate2d", "Not quite: ", "pass your function itself"),
])
def test_naive_correlate2d_checker(capsys, function, start, hint):
    out = run(capsys, "naive_correlate2d", function)
    assert out.startswith(start) and hint in out, out


def test_naive_correlate2d_names_the_case_but_not_the_hidden_output(capsys):
    def off_at_one_cell(image, kernel):
        out = solutions.naive_correlate2d(image, kernel)
        out[1, 2] += 1
        return out

    out = run(capsys, "naive_correlate2d", off_at_one_cell)
    # The first case is the 5x5 worked example with Sobel x, where output[1, 2] = -3:
    # the verdict says which case failed, not which cell or what it should be.
    assert "for an image of shape (5, 5) and a kernel of shape (3, 3) your output has the " \
           "right shape but not the right values" in out, out
    assert "-3" not in out and "[1, 2]" not in out and "-2" not in out, out


def average_pool_loop(image, size, stride):
    image = np.asarray(image, dtype=float)
    h = (image.shape[0] - size) // stride + 1
    w = (image.shape[1] - size) // stride + 1
    return np.array([[image[i * stride:i * stride + size, j * stride:j * stride + size].mean()
                      for j in range(w)] for i in range(h)])


def no_stride_loop(image, size, stride):
    return solutions.naive_max_pool2d(image, size, 1)


def ceil_loop(image, size, stride):       # keeps partial windows: wrong shape sometimes
    image = np.asarray(image, dtype=float)
    h = -(-(image.shape[0] - size) // stride) + 1
    w = -(-(image.shape[1] - size) // stride) + 1
    return np.array([[image[i * stride:i * stride + size, j * stride:j * stride + size].max()
                      for j in range(w)] for i in range(h)])


@pytest.mark.parametrize("function, start, hint", [
    (solutions.naive_max_pool2d, "Correct! ", "all 25 cases"),
    (average_pool_loop, "Not quite: ", "averages the windows"),
    (no_stride_loop, "Not quite: ", "your output has shape"),
    (ceil_loop, "Not quite: ", "your output has shape"),
    (lambda image, size, stride: None, "Not attempted yet: ", "returns None"),
    (lambda image, size: image, "Not quite: ", "your function raised TypeError"),
])
def test_naive_max_pool2d_checker(capsys, function, start, hint):
    out = run(capsys, "naive_max_pool2d", function)
    assert out.startswith(start) and hint in out, out


# --- the random shape quiz ------------------------------------------------------------------

def test_shape_quiz_is_deterministic_and_varied(capsys):
    check.shape_quiz(5)
    first = capsys.readouterr().out
    check.shape_quiz(5)
    assert capsys.readouterr().out == first
    questions = {check.quiz_question(seed) for seed in QUIZ_SEEDS}
    assert len(questions) == len(QUIZ_SEEDS)
    kinds = {check.shape_quiz_settings(seed)["kind"] for seed in QUIZ_SEEDS}
    assert kinds == {"conv", "max pool", "avg pool"}
    assert any(check.shape_quiz_settings(seed)["ceil_mode"] for seed in QUIZ_SEEDS)
    assert any(check.shape_quiz_settings(seed)["dilation"] > 1 for seed in QUIZ_SEEDS)
    assert any(check.shape_quiz_settings(seed)["stride"] is None for seed in QUIZ_SEEDS)


def test_shape_quiz_expected_shapes_match_pytorch(torch):
    for seed in QUIZ_SEEDS:
        q = check.shape_quiz_settings(seed)
        layer = eval(q["code"], {"torch": torch})       # the code the question shows
        with torch.no_grad():
            shape = tuple(layer(torch.zeros(q["input_shape"])).shape)
        assert check.quiz_expected(q) == shape, (seed, q["code"])
        assert solutions.shape_quiz(seed) == shape, (seed, q["code"])


@pytest.mark.parametrize("seed", QUIZ_SEEDS)
def test_shape_quiz_both_directions(capsys, seed):
    right = solutions.shape_quiz(seed)
    assert run(capsys, "shape_quiz", right, seed=seed).startswith("Correct! ")
    n, c, h, w = right
    for wrong, hint in [((n + 1, c, h, w), "batch size"), ((n, c + 1, h, w), "channels"),
                        ((n, c, h + 1, w), "floor((i + 2p"), ((n, c, h, w - 1), "per axis")]:
        out = run(capsys, "shape_quiz", wrong, seed=seed)
        assert out.startswith("Not quite: ") and hint in out, out
    assert run(capsys, "shape_quiz", (h, w), seed=seed).startswith("Not quite: give the whole")


def test_shape_quiz_rejects_a_bad_seed():
    with pytest.raises(TypeError, match="seed must be a non-negative whole number"):
        check.shape_quiz_settings(-1)


# --- verdict objects -------------------------------------------------------------------------

def test_verdict_returns_without_printing(capsys):
    result = check.verdict("stride_output_size", solutions.stride_output_size)
    assert capsys.readouterr().out == ""
    assert result.correct and result.status == "correct"
    assert str(result).startswith("Correct! ")
    wrong = check.verdict("stride_output_size", 4)
    assert not wrong.correct and str(wrong).startswith("Not quite: ")
    assert check.verdict("shape_quiz", solutions.shape_quiz(11), seed=11).correct


def test_importing_check_is_quiet_and_light():
    import subprocess
    import sys

    code = ("import sys; import convlab.check, convlab.solutions; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout == "[]\n" and result.stderr == ""


# check.solution: the worked answer after a try ------------------------------------------

@pytest.fixture
def fresh_attempts(monkeypatch):
    """No exercise attempted yet in this session, and the default numbers and feedback."""
    from convlab.exercises import _registry
    monkeypatch.setattr(_registry, "_attempts", set())
    check.use_seed(None)
    level = check.feedback_level()
    check.feedback_level("hints")
    yield
    check.use_seed(None)
    check.feedback_level(level)


def test_solution_before_a_try_says_try_first_and_where_to_look(capsys, fresh_attempts):
    check.verdict("stride_output_size", ...)         # an untouched cell is no attempt
    check.solution("stride_output_size")
    out = capsys.readouterr().out
    assert out.startswith("Try exercise 02.1 first")
    assert "convlab/exercises/stride.py" in out
    assert "5" not in out.replace("02.1", "")        # the answer (5) is not shown


@pytest.mark.parametrize("name", NAMES)
def test_solution_after_a_try_shows_the_reference_and_its_reasoning(capsys, fresh_attempts,
                                                                    name):
    exercise = EXERCISES[name]
    wrong_answer = WRONG[name][0]
    check.verdict(name, wrong_answer if wrong_answer is not None else "a guess")
    check.solution(name)
    out = capsys.readouterr().out
    assert out.startswith(f"Worked answer to exercise {exercise.number}")
    module = exercise.judge.__module__.rsplit(".", 1)[-1]
    assert f"convlab/exercises/{module}.py" in out.replace("\n", " ")
    # The reasoning is the check's own message on the reference answer.
    reasoning = check.verdict(name, getattr(solutions, name) if name != "shape_quiz"
                              else solutions.shape_quiz(0))
    assert reasoning.correct
    assert " ".join(reasoning.message.split()) in " ".join(out.split())
    if exercise.kind == "value":
        assert "answer = " in out


def test_solution_is_per_exercise(capsys, fresh_attempts):
    check.verdict("stride_output_size", 4)
    check.solution("stride_output_values")
    assert capsys.readouterr().out.startswith("Try exercise 02.2 first")


@pytest.mark.parametrize("setup", [lambda: check.use_seed(7),
                                   lambda: check.feedback_level("none")])
def test_solution_reveals_nothing_in_a_classroom_copy(capsys, fresh_attempts, setup):
    check.verdict("stride_output_size", 4)
    setup()
    check.solution("stride_output_size")
    out = capsys.readouterr().out
    assert "teacher" in out
    assert "5" not in out and "floor" not in out and "answer =" not in out


@pytest.mark.parametrize("name", ["no_such_exercise", 3, None, ["stride_output_size"]])
def test_solution_never_raises(capsys, fresh_attempts, name):
    check.solution(name)
    assert "no exercise called" in capsys.readouterr().out


# --- the graded assignment (11): conv2d forward and its two gradients ------------------------

def _conv(x, weight, stride, padding):
    return solutions.conv2d_forward(x, weight, stride, padding)


def conv_without_stride(x, weight, stride, padding):
    return _conv(x, weight, 1, padding)


def conv_without_padding(x, weight, stride, padding):
    return _conv(x, weight, stride, 0)


def conv_rows_and_columns_swapped(x, weight, stride, padding):
    return np.swapaxes(_conv(x, weight, stride, padding), -1, -2)


def conv_flipped(x, weight, stride, padding):
    return _conv(x, np.asarray(weight)[:, :, ::-1, ::-1], stride, padding)


def conv_first_channel_only(x, weight, stride, padding):
    return _conv(np.asarray(x)[:, :1], np.asarray(weight)[:, :1], stride, padding)


def conv_off_at_one_cell(x, weight, stride, padding):
    out = _conv(x, weight, stride, padding)
    out[0, 0, 0, 0] += 1
    return out


def conv_with_numpy(x, weight, stride, padding):        # a loop over outputs, numpy inside
    x = np.pad(np.asarray(x, dtype=float), [(0, 0), (0, 0), (padding,) * 2, (padding,) * 2])
    weight = np.asarray(weight, dtype=float)
    kh, kw = weight.shape[2:]
    out_h = (x.shape[2] - kh) // stride + 1
    out_w = (x.shape[3] - kw) // stride + 1
    out = np.zeros((x.shape[0], weight.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.einsum("ncab,ocab->no", window, weight)
    return out


@pytest.mark.parametrize("function, start, hint", [
    (solutions.conv2d_forward, "Correct! ", "all 25 layers"),
    (conv_with_numpy, "Correct! ", "all 25 layers"),
    (lambda *args: _conv(*args).tolist(), "Correct! ", "all 25 layers"),
    (conv_without_stride, "Not quite: ", "the size of a stride-1 output"),
    (conv_without_padding, "Not quite: ", "the size of an unpadded one"),
    (conv_rows_and_columns_swapped, "Not quite: ", "rows and columns exchanged"),
    (conv_flipped, "Not quite: ", "flips the kernel"),
    (conv_first_channel_only, "Not quite: ", "only the first input channel"),
    (conv_off_at_one_cell, "Not quite: ", "right shape but not the right values"),
    (lambda x, weight, stride, padding: None, "Not attempted yet: ", "returns None"),
    (lambda x, weight: x, "Not quite: ", "your function raised TypeError"),
])
def test_conv2d_forward_checker(capsys, function, start, hint):
    out = run(capsys, "conv2d_forward", function)
    assert out.startswith(start) and hint in out, out


def test_conv2d_forward_hint_names_the_case_not_the_hidden_output(capsys):
    out = run(capsys, "conv2d_forward", conv_off_at_one_cell)
    x, weight, stride, padding = check.function_cases("conv2d_forward")[0]
    expected = solutions.conv2d_forward(x, weight, stride, padding)
    assert f"x of shape {x.shape}, a weight of shape {weight.shape}, stride {stride}" in out
    assert "[0, 0" not in out and f"{expected[0, 0, 0, 0]:g}" not in out.split("padding")[-1]


def input_gradient_flipped(shape, weight, grad_output, stride, padding):
    return solutions.conv2d_input_gradient(shape, np.asarray(weight)[:, :, ::-1, ::-1],
                                           grad_output, stride, padding)


def input_gradient_of_the_padded_input(shape, weight, grad_output, stride, padding):
    n, c, h, w = shape
    p = padding
    grad = np.zeros((n, c, h + 2 * p, w + 2 * p))
    grad[:, :, p:p + h, p:p + w] = solutions.conv2d_input_gradient(shape, weight, grad_output,
                                                                   stride, padding)
    return grad


def input_gradient_rows_and_columns_swapped(shape, weight, grad_output, stride, padding):
    return np.swapaxes(solutions.conv2d_input_gradient(shape, weight, grad_output, stride,
                                                       padding), -1, -2)


def input_gradient_without_stride(shape, weight, grad_output, stride, padding):
    weight, grad_output = np.asarray(weight), np.asarray(grad_output)
    n, c, h, w = shape
    kh, kw = weight.shape[2:]
    grad = np.zeros((n, c, h + 2 * padding + 3 * kh, w + 2 * padding + 3 * kw))
    for i in range(grad_output.shape[2]):
        for j in range(grad_output.shape[3]):                  # i + a, not i * stride + a
            grad[:, :, i:i + kh, j:j + kw] += np.einsum("no,ocab->ncab",
                                                        grad_output[:, :, i, j], weight)
    return grad[:, :, padding:padding + h, padding:padding + w]


@pytest.mark.parametrize("function, start, hint", [
    (solutions.conv2d_input_gradient, "Correct! ", "all 25 layers"),
    (input_gradient_flipped, "Not quite: ", "kernel turned by half a turn"),
    (input_gradient_of_the_padded_input, "Not quite: ", "gradient of the padded input"),
    (input_gradient_rows_and_columns_swapped, "Not quite: ", "rows and columns exchanged"),
    (input_gradient_without_stride, "Not quite: ", "right shape but not the right values"),
    (lambda shape, weight, grad_output, stride, padding: np.zeros(shape[:2]),
     "Not quite: ", "x's shape, input_shape"),
    (lambda shape, weight, grad_output, stride, padding: ..., "Not attempted yet: ",
     "returns None"),
])
def test_conv2d_input_gradient_checker(capsys, function, start, hint):
    out = run(capsys, "conv2d_input_gradient", function)
    assert out.startswith(start) and hint in out, out


def weight_gradient_first_image_only(x, shape, grad_output, stride, padding):
    return solutions.conv2d_weight_gradient(np.asarray(x)[:1], shape,
                                            np.asarray(grad_output)[:1], stride, padding)


def weight_gradient_flipped(x, shape, grad_output, stride, padding):
    return solutions.conv2d_weight_gradient(x, shape, grad_output, stride,
                                            padding)[:, :, ::-1, ::-1]


@pytest.mark.parametrize("function, start, hint", [
    (solutions.conv2d_weight_gradient, "Correct! ", "all 25 layers"),
    (weight_gradient_first_image_only, "Not quite: ", "uses only the first image"),
    (weight_gradient_flipped, "Not quite: ", "turned by half a turn"),
    (lambda x, shape, grad_output, stride, padding: np.zeros(shape[::-1]), "Not quite: ",
     "the weight's shape"),
    (lambda x, shape, grad_output, stride, padding: np.ones(shape), "Not quite: ",
     "right shape but not the right values"),
])
def test_conv2d_weight_gradient_checker(capsys, function, start, hint):
    out = run(capsys, "conv2d_weight_gradient", function)
    assert out.startswith(start) and hint in out, out


def test_the_assignment_refuses_the_library(torch):
    import convlab
    from convlab import grad, naive

    F = torch.nn.functional
    shortcuts = {
        "conv2d_forward": [
            lambda x, w, s, p: convlab.conv2d(x, w, stride=s, padding=p),
            lambda x, w, s, p: naive.conv2d(x, w, stride=s, padding=p),
            lambda x, w, s, p: F.conv2d(torch.tensor(x), torch.tensor(w), stride=s,
                                        padding=p).numpy()],
        "conv2d_input_gradient": [
            lambda shape, w, g, s, p: grad.conv2d_input(shape, w, g, stride=s, padding=p),
            lambda shape, w, g, s, p: torch.nn.grad.conv2d_input(
                shape, torch.tensor(w), torch.tensor(g), stride=s, padding=p).numpy(),
            lambda shape, w, g, s, p: convlab.conv_transpose2d(g, w, stride=s, padding=p)],
        "conv2d_weight_gradient": [
            lambda x, shape, g, s, p: grad.conv2d_weight(x, shape, g, stride=s, padding=p),
            lambda x, shape, g, s, p: torch.nn.grad.conv2d_weight(
                torch.tensor(x), shape, torch.tensor(g), stride=s, padding=p).numpy()],
    }
    for name, functions in shortcuts.items():
        for shortcut in functions:
            result = check.verdict(name, shortcut)
            assert not result.correct and "library's own version" in result.message, \
                (name, str(result))


def test_the_assignment_solutions_agree_with_pytorch(torch):
    """The hand-written loops against torch.nn.grad, on the checker's own cases."""
    for x, weight, stride, padding in check.function_cases("conv2d_forward", seed=3):
        tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(weight, requires_grad=True)
        out = torch.nn.functional.conv2d(tx, tw, stride=stride, padding=padding)
        g = torch.tensor(np.random.default_rng(0).standard_normal(tuple(out.shape)))
        out.backward(g)
        g = g.numpy()
        assert np.allclose(solutions.conv2d_forward(x, weight, stride, padding),
                           out.detach().numpy())
        assert np.allclose(solutions.conv2d_input_gradient(x.shape, weight, g, stride,
                                                           padding), tx.grad.numpy())
        assert np.allclose(solutions.conv2d_weight_gradient(x, weight.shape, g, stride,
                                                            padding), tw.grad.numpy())
