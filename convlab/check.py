"""Self-checking exercises: the answer cells at the end of every course notebook.

Each exercise is a function named for what it checks, for instance
``check.stride_output_size(answer)``. It prints one verdict and returns None:

- ``Correct! ...`` with a short explanation of why;
- ``Not quite: ...`` with a hint that points at the mistake without giving the
  answer away (a malformed answer, such as a list where a number belongs, gets
  the same friendly treatment instead of a traceback);
- ``Not attempted yet: ...`` while the answer cell still holds ``...`` or None,
  so a notebook runs top to bottom before the learner has filled anything in.

This is the one module of convlab that prints: a verdict is its whole purpose.
The numbers of every question live in one table, :data:`EXERCISES`; the
expected answers are computed from convlab's numeric core when an answer is
checked, never typed in by hand. :func:`question` prints a question,
:func:`exercises` lists them by notebook, :func:`verdict` returns the verdict
without printing (for code that asserts), and :func:`shape_quiz` poses a fresh
random shape question for any seed.

Examples
--------
>>> from convlab import check
>>> check.exercises()["02_stride"]
['stride_output_size', 'stride_output_values', 'stride_unvisited', 'alexnet_input_sizes']
>>> answer = ...
>>> check.stride_output_size(answer)
Not attempted yet: replace the ... with your answer (a whole number), then run this cell again.
>>> check.stride_output_size("five")
Not quite: the answer should be a whole number such as 7, but got 'five' (str).
"""

from __future__ import annotations

import math
import numbers
import textwrap
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from ._checks import describe
from . import grad, images, kernels, learn
from .arithmetic import output_size, receptive_field, same_padding
from .convolution import conv2d, convolve2d, correlate2d
from .filters import apply_filter
from .matrix import conv_matrix
from .padding import pad2d
from .pooling import avg_pool2d, max_pool2d
from .transposed import conv_transpose2d
from .transposed import transposed_output_size as _transposed_output_size

__all__ = [
    "EXERCISES", "Exercise", "Verdict", "exercises", "question", "verdict",
    "shape_quiz", "shape_quiz_answer", "shape_quiz_settings",
]


# --------------------------------------------------------------------------
# The questions: every number an exercise uses, in one table.
# A value that is a zero-argument callable is evaluated when the exercise is
# asked or checked, so arrays come from convlab.images / convlab.kernels.
# --------------------------------------------------------------------------

def _asymmetric_kernel():
    # Values 1..9 show each weight's position, so a flip is easy to see.
    return np.arange(1, 10, dtype=float).reshape(3, 3)


# One 3x3x3 filter with small whole numbers (for images.rgb_example()), so the
# per-channel partial results can be worked by hand.
_FILTER = np.array([
    [[1, 0, -1], [1, 0, -1], [1, 0, -1]],   # red kernel
    [[0, 1, 0], [1, 2, 1], [0, 1, 0]],      # green kernel
    [[-1, 0, 0], [0, 1, 0], [0, 0, 2]],     # blue kernel
], dtype=float)

_POOL_INPUT = np.array([[1, 3, 2, 0],
                        [4, 6, 1, 1],
                        [0, 2, 5, 7],
                        [3, 1, 8, 2]], dtype=float)

# 07_learning_kernels: a 4x4 input and the gradient of its 2x2 correlation output
# (3x3 kernel); the gradient of a batch of two outputs; one SGD step; a pooled
# gradient to route back.
_GRAD_INPUT = np.array([[1, 2, 0, 1],
                        [0, 1, 3, 2],
                        [2, 0, 1, 1],
                        [1, 3, 0, 2]], dtype=float)
_GRAD_OUTPUT = np.array([[1, 0],
                         [-1, 2]], dtype=float)
_BIAS_GRAD = np.array([[[[1, -2, 0], [3, 1, -1]]],
                       [[[0, 2, 1], [-1, 0, 4]]]], dtype=float)
_STEP_KERNEL = np.array([[0.5, -1.0], [2.0, 0.0]])
_STEP_GRADIENT = np.array([[1.0, -2.0], [0.5, 4.0]])
_ROUTE_GRAD = np.array([[1, -2], [3, 5]], dtype=float)

# 08_transposed_convolution: a 2x2 input and kernel to stamp by hand.
_T_INPUT = np.array([[2, 1], [3, 4]], dtype=float)
_T_KERNEL = np.array([[1, 2], [0, -1]], dtype=float)

_TABLE = {
    # 01_kernels ------------------------------------------------------------
    "kernel_one_value": dict(
        notebook="01_kernels", title="One output value by hand",
        answer="a number",
        image=images.worked_example, kernel=lambda: kernels.get("sobel_x"), position=(1, 2),
        question=(
            "Correlate the 5x5 worked example\n{image}\nwith the kernel\n{kernel}\n"
            "(no padding, stride 1). What is output[{position[0]}, {position[1]}], that is row "
            "{position[0]}, column {position[1]} of the result? Work it out by hand: place the "
            "kernel's top-left weight on image[{position[0]}, {position[1]}], multiply the "
            "overlapping pairs and add them up."),
    ),
    "kernel_output_shape": dict(
        notebook="01_kernels", title="Predict an output shape",
        answer="a (rows, columns) tuple of whole numbers",
        image_shape=(7, 9), kernel_shape=(3, 4),
        question=(
            "An image of shape {image_shape} (rows, columns) is correlated with a kernel of "
            "shape {kernel_shape}, no padding, stride 1. What is the shape of the output?"),
    ),
    "naive_correlate2d": dict(
        notebook="01_kernels", title="Write the sliding-window loop",
        answer="a function my_correlate2d(image, kernel) returning a 2-D array",
        trials=25, seed=2024,
        question=(
            "Write a function my_correlate2d(image, kernel) with explicit loops: for every "
            "position where the kernel fits entirely inside the image (no padding, stride 1), "
            "sum the element-wise products of the kernel and the image window under it. "
            "Pass the function itself (not its result) to the check; it is compared with "
            "convlab.correlate2d on {trials} random images and kernels."),
    ),
    "vertical_edge_kernel": dict(
        notebook="01_kernels", title="Design a vertical edge detector",
        answer="a 2-D array (a kernel of at most 7x7)",
        max_size=7, strong=0.4, quiet=0.05,
        step=images.step_edge,
        question=(
            "Design a kernel that finds vertical edges: it should give 0 on flat regions, "
            "respond strongly where the image jumps from dark to bright (or bright to dark) "
            "left to right, and stay silent on horizontal edges. It is checked on the step "
            "edge image\n{step}\nand on the same image turned on its side."),
    ),
    "flip_kernel": dict(
        notebook="01_kernels", title="Flip a kernel for true convolution",
        answer="a 3x3 array",
        kernel=_asymmetric_kernel,
        question=(
            "convlab.convolve2d(image, kernel) is the mathematical convolution: it equals "
            "convlab.correlate2d(image, flipped) for some rearranged kernel 'flipped'. "
            "For the kernel\n{kernel}\nwhat is 'flipped'?"),
    ),
    # 02_stride -------------------------------------------------------------
    "stride_output_size": dict(
        notebook="02_stride", title="Output size with a stride",
        answer="a whole number",
        input_size=11, kernel_size=3, stride=2,
        question=(
            "A row of {input_size} pixels is scanned by a {kernel_size}-wide kernel with "
            "stride {stride} and no padding. How many outputs does the row give?"),
    ),
    "stride_output_values": dict(
        notebook="02_stride", title="A strided correlation by hand",
        answer="a 2-D array of numbers",
        image=images.worked_example, kernel=lambda: kernels.get("sobel_x"), stride=2,
        question=(
            "Correlate the 5x5 worked example\n{image}\nwith the kernel\n{kernel}\n"
            "with stride {stride} and no padding. Give the whole output as a 2-D array."),
    ),
    "stride_unvisited": dict(
        notebook="02_stride", title="Columns that are never visited",
        answer="a list of column indices (0-based)",
        input_size=10, kernel_size=3, stride=4,
        question=(
            "A {kernel_size}-wide kernel slides along a row of {input_size} pixels "
            "(columns numbered from 0) with stride {stride}, no padding. Which columns are never "
            "under the kernel, so they can never affect the output?"),
    ),
    "alexnet_input_sizes": dict(
        notebook="02_stride", title="Many inputs, one output size",
        answer="a list of whole numbers",
        kernel_size=11, stride=4, target=55, candidates=(220, 235),
        question=(
            "AlexNet's first layer has an {kernel_size}x{kernel_size} kernel, stride "
            "{stride}, no padding, and famously gives a {target}x{target} output. Which "
            "input widths from {candidates[0]} to {candidates[1]} (inclusive) give an output "
            "width of exactly {target}? List them all."),
    ),
    # 03_filters ------------------------------------------------------------
    "filter_partial_sums": dict(
        notebook="03_filters", title="Per-channel partial results",
        answer="three numbers: [red, green, blue]",
        image=images.rgb_example, filt=lambda: _FILTER.copy(), position=(2, 2),
        question=(
            "A tiny RGB image (channels first, shape (3, 5, 5)):\n{image}\nand one filter of "
            "shape (3, 3, 3), one kernel per channel:\n{filt}\nEach kernel slides over its own "
            "channel (no padding, stride 1). At output position [{position[0]}, {position[1]}], "
            "what does each "
            "channel contribute? Give [red, green, blue]."),
    ),
    "filter_output_value": dict(
        notebook="03_filters", title="One output value of a filter",
        answer="a number",
        image=images.rgb_example, filt=lambda: _FILTER.copy(), position=(2, 2), bias=1.0,
        question=(
            "Same image and filter as the partial-results exercise, now with bias {bias}. "
            "What is the filter's output at position [{position[0]}, {position[1]}]? "
            "(convlab.apply_filter "
            "computes it; work it out from the three partial results.)"),
    ),
    "filter_output_shape": dict(
        notebook="03_filters", title="Shape of a layer's output",
        answer="a (channels, rows, columns) tuple",
        input_shape=(3, 32, 32), filters=8, kernel_size=5,
        question=(
            "An RGB image of shape {input_shape} (channels, rows, columns) goes through a "
            "layer of {filters} filters, each {kernel_size}x{kernel_size}, no padding, "
            "stride 1. What is the shape of the output?"),
    ),
    "conv_parameter_count": dict(
        notebook="03_filters", title="Count a layer's parameters",
        answer="a whole number",
        in_channels=3, out_channels=8, kernel_size=5,
        question=(
            "How many learnable numbers (weights and biases) does "
            "torch.nn.Conv2d({in_channels}, {out_channels}, kernel_size={kernel_size}) hold?"),
    ),
    "pointwise_parameter_count": dict(
        notebook="03_filters", title="Parameters of a 1x1 convolution",
        answer="a whole number",
        in_channels=64, out_channels=32, kernel_size=1,
        question=(
            "A 1x1 convolution mixes channels without looking at neighbours. How many "
            "learnable numbers (weights and biases) does "
            "torch.nn.Conv2d({in_channels}, {out_channels}, kernel_size={kernel_size}) hold?"),
    ),
    # 04_pooling ------------------------------------------------------------
    "max_pool_values": dict(
        notebook="04_pooling", title="Max pooling by hand",
        answer="a 2-D array of numbers",
        image=lambda: _POOL_INPUT.copy(), kernel_size=2,
        question=(
            "Max pool\n{image}\nwith a {kernel_size}x{kernel_size} window (stride defaults to "
            "the window size). Give the output as a 2-D array."),
    ),
    "avg_pool_values": dict(
        notebook="04_pooling", title="Average pooling by hand",
        answer="a 2-D array of numbers",
        image=lambda: _POOL_INPUT.copy(), kernel_size=2,
        question=(
            "Average pool the same input\n{image}\nwith a {kernel_size}x{kernel_size} window "
            "(stride defaults to the window size). Give the output as a 2-D array."),
    ),
    "max_pool_indices": dict(
        notebook="04_pooling", title="Where did each maximum come from?",
        answer="a 2-D array of whole numbers",
        image=lambda: _POOL_INPUT.copy(), kernel_size=2,
        question=(
            "max_pool2d(x, {kernel_size}, return_indices=True) also returns where each "
            "maximum was found, as a flat index row * width + column into x, as PyTorch "
            "does. For\n{image}\nwhat are those indices? Give a 2-D array."),
    ),
    "ceil_mode_output_size": dict(
        notebook="04_pooling", title="ceil_mode",
        answer="a whole number",
        input_size=6, kernel_size=3, stride=2,
        question=(
            "A {kernel_size}-wide pooling window with stride {stride} runs along a row of "
            "{input_size} pixels, no padding, with ceil_mode=True. How many outputs?"),
    ),
    "naive_max_pool2d": dict(
        notebook="04_pooling", title="Write the max pooling loop",
        answer="a function my_max_pool2d(image, size, stride) returning a 2-D array",
        trials=25, seed=7,
        question=(
            "Write a function my_max_pool2d(image, size, stride) with explicit loops: a "
            "size x size window steps by 'stride' over the 2-D image (no padding, windows "
            "that do not fit are dropped) and each output is the window's maximum. Pass the "
            "function itself to the check; it is compared with convlab.max_pool2d on "
            "{trials} random cases."),
    ),
    # 05_padding ------------------------------------------------------------
    "same_padding_odd_kernel": dict(
        notebook="05_padding", title="'same' padding for an odd kernel",
        answer="a whole number (pixels on each side) or a (before, after) pair",
        input_size=28, kernel_size=5,
        question=(
            "How many pixels must be added on each side of a row of {input_size} pixels so "
            "that a {kernel_size}-wide kernel at stride 1 gives {input_size} outputs?"),
    ),
    "same_padding_even_kernel": dict(
        notebook="05_padding", title="'same' padding for an even kernel",
        answer="a (before, after) pair",
        input_size=8, kernel_size=4,
        question=(
            "A {kernel_size}-wide kernel at stride 1 runs over a row of {input_size} pixels "
            "with padding='same' (as in PyTorch and TensorFlow). How many pixels are added "
            "(before, after), that is (left, right)?"),
    ),
    "same_padding_stride2": dict(
        notebook="05_padding", title="'same' padding at stride 2",
        answer="a (before, after) pair",
        input_size=8, kernel_size=3, stride=2,
        question=(
            "With padding='same' at stride {stride}, convlab (like TensorFlow) pads just "
            "enough for ceil(i / s) outputs, any odd pixel going after. For a row of "
            "{input_size} pixels and a {kernel_size}-wide kernel at stride {stride}, how many "
            "pixels are added (before, after)?"),
    ),
    "reflect_pad_row": dict(
        notebook="05_padding", title="Reflect padding by hand",
        answer="a list of numbers (the padded row)",
        row=(1, 2, 3, 4, 5), amount=2, mode="reflect",
        question=(
            "Pad the row {row} with {amount} pixels on each side in mode '{mode}'. "
            "Give the whole padded row."),
    ),
    "padded_output_size": dict(
        notebook="05_padding", title="Output size with padding and stride",
        answer="a whole number",
        input_size=10, kernel_size=3, padding=2, stride=2,
        question=(
            "A row of {input_size} pixels, a {kernel_size}-wide kernel, padding={padding} "
            "(as in torch.nn.Conv2d) and stride {stride}. How many outputs?"),
    ),
    # 06_putting_it_together -------------------------------------------------
    "dilated_output_size": dict(
        notebook="06_putting_it_together", title="Output size with dilation",
        answer="a whole number",
        input_size=15, kernel_size=3, dilation=2,
        question=(
            "A {kernel_size}-tap kernel with dilation {dilation} slides over a row of "
            "{input_size} pixels, stride 1, no padding. How many outputs?"),
    ),
    "receptive_field_stack": dict(
        notebook="06_putting_it_together", title="Receptive field of a stack",
        answer="a whole number",
        layers=(("conv", 3, 1), ("conv", 3, 1), ("max pool", 2, 2), ("conv", 3, 1)),
        question=(
            "A stack of layers, input first, each given as (kind, kernel size, stride), no "
            "dilation:\n{layers}\nOne pixel of the last layer's output depends on a square "
            "of the input image. How many pixels wide is that square (the receptive field)?"),
    ),
    "pipeline_shapes": dict(
        notebook="06_putting_it_together", title="Shapes through a pipeline",
        answer="a list of four (channels, rows, columns) tuples",
        input_shape=(3, 64, 64),
        spec=(("conv", 16, 5, 1, 2), ("pool", None, 2, 2, 0),
              ("conv", 32, 3, 2, 1), ("pool", None, 3, 2, 0)),
        question=(
            "An image of shape {input_shape} (channels, rows, columns) goes through\n"
            "{spec}\nGive the shape after each of the four layers."),
    ),
    "stacked_3x3_weights": dict(
        notebook="06_putting_it_together", title="Three 3x3 layers or one 7x7",
        answer="a whole number",
        channels=64, layers=3, kernel_size=3,
        question=(
            "{layers} stacked {kernel_size}x{kernel_size} convolutions, each with {channels} "
            "input and {channels} output channels, see a 7x7 patch of their input. How many "
            "weights do they hold together (leave the biases out)?"),
    ),
    "shape_quiz": dict(
        notebook="06_putting_it_together", title="Random shape quiz",
        answer="the output shape as an (N, C, H, W) tuple",
        seeds="any whole number",
        question=(
            "A fresh question for every seed: call check.shape_quiz(seed) to see it and "
            "check.shape_quiz_answer(seed, answer) to check your answer."),
    ),
    # 07_learning_kernels ----------------------------------------------------
    "weight_gradient_value": dict(
        notebook="07_learning_kernels", title="The gradient of one kernel weight",
        answer="a number",
        image=lambda: _GRAD_INPUT.copy(), grad_output=lambda: _GRAD_OUTPUT.copy(),
        kernel_size=3, position=(1, 2),
        question=(
            "A {kernel_size}x{kernel_size} kernel w is correlated with the image\n{image}\n"
            "(no padding, stride 1), giving a 2x2 output y. Backpropagation hands the layer "
            "the gradient of the loss with respect to each output, dL/dy =\n{grad_output}\n"
            "What is dL/dw[{position[0]}, {position[1]}], the gradient with respect to the "
            "weight in row {position[0]}, column {position[1]}? Each output used that weight "
            "once, on one input pixel: add up dL/dy[i, j] times that pixel."),
    ),
    "bias_gradient": dict(
        notebook="07_learning_kernels", title="The gradient of a bias",
        answer="a number",
        grad_output=lambda: _BIAS_GRAD.copy(),
        first=lambda: _BIAS_GRAD[0, 0].copy(), second=lambda: _BIAS_GRAD[1, 0].copy(),
        question=(
            "A convolution layer with one output channel processed a batch of two images. "
            "The gradient of the loss with respect to its output, shape (N, C, H, W) = "
            "(2, 1, 2, 3), is, for the first image,\n{first}\nand for the second\n{second}\n"
            "The bias b was added to every output pixel of every image. What is dL/db?"),
    ),
    "gradient_step": dict(
        notebook="07_learning_kernels", title="One step of gradient descent",
        answer="a 2x2 array (the new kernel)",
        kernel=lambda: _STEP_KERNEL.copy(), gradient=lambda: _STEP_GRADIENT.copy(), lr=0.1,
        question=(
            "A 2x2 kernel\n{kernel}\nhas the loss gradient\n{gradient}\nOne step of plain "
            "gradient descent (SGD without momentum) with learning rate {lr}: what is the new "
            "kernel?"),
    ),
    "max_pool_gradient_route": dict(
        notebook="07_learning_kernels", title="Where max pooling sends the gradient",
        answer="a 4x4 array (the gradient with respect to the input)",
        image=lambda: _POOL_INPUT.copy(), grad_output=lambda: _ROUTE_GRAD.copy(),
        kernel_size=2,
        question=(
            "The input\n{image}\nwent through max pooling with a {kernel_size}x{kernel_size} "
            "window (stride {kernel_size}), and the gradient with respect to the pooled "
            "output is\n{grad_output}\nWhat is the gradient with respect to the input (the "
            "whole array, zeros included)?"),
    ),
    "tiny_cnn_parameter_count": dict(
        notebook="07_learning_kernels", title="Parameters of the tiny CNN",
        answer="a whole number",
        model=lambda: repr(learn.tiny_cnn()), size=16,
        question=(
            "convlab.learn.tiny_cnn() takes 1-channel {size}x{size} images and is\n{model}\n"
            "('same' padding keeps the size, each MaxPool2d(2) halves it.) How many learnable "
            "numbers (weights and biases) does it hold in all?"),
    ),
    # 08_transposed_convolution ----------------------------------------------
    "transposed_output_size": dict(
        notebook="08_transposed_convolution", title="Output size of a transposed convolution",
        answer="a whole number",
        input_size=5, kernel_size=3, stride=2, padding=1,
        question=(
            "torch.nn.ConvTranspose2d(1, 1, kernel_size={kernel_size}, stride={stride}, "
            "padding={padding}) gets an input {input_size} pixels wide. How wide is its "
            "output?"),
    ),
    "choose_output_padding": dict(
        notebook="08_transposed_convolution", title="Undo a strided convolution's shape",
        answer="a whole number",
        input_size=10, kernel_size=3, stride=2, padding=1,
        question=(
            "An encoder layer Conv2d(kernel_size={kernel_size}, stride={stride}, "
            "padding={padding}) turns a {input_size}x{input_size} image into a smaller one. "
            "The decoder undoes it with ConvTranspose2d(kernel_size={kernel_size}, "
            "stride={stride}, padding={padding}, output_padding=?). Which output_padding "
            "gives back exactly {input_size}x{input_size}?"),
    ),
    "conv_matrix_shape": dict(
        notebook="08_transposed_convolution", title="The shape of the matrix C",
        answer="a (rows, columns) tuple of whole numbers",
        input_shape=(5, 5), kernel_size=3, stride=2,
        question=(
            "convlab.matrix.conv_matrix builds the matrix C of a convolution, so that "
            "C @ x.ravel() is the output, flattened. For a {input_shape[0]}x{input_shape[1]} "
            "image and a {kernel_size}x{kernel_size} kernel at stride {stride}, no padding, "
            "what is the shape of C?"),
    ),
    "transposed_by_hand": dict(
        notebook="08_transposed_convolution", title="A transposed convolution by hand",
        answer="a 2-D array of numbers",
        image=lambda: _T_INPUT.copy(), kernel=lambda: _T_KERNEL.copy(), stride=1,
        question=(
            "Compute conv_transpose2d of the 2x2 input\n{image}\nwith the kernel\n{kernel}\n"
            "at stride {stride}, no padding: every input pixel stamps the kernel times its "
            "value, top-left tap at (row*stride, column*stride), and overlapping stamps add "
            "up. Give the whole output."),
    ),
    "checkerboard_overlap": dict(
        notebook="08_transposed_convolution", title="Where stamps overlap",
        answer="a 2-D array of whole numbers",
        input_size=3, kernel_size=3, stride=2,
        question=(
            "A transposed convolution with a {kernel_size}x{kernel_size} kernel at stride "
            "{stride} stamps the kernel once per input pixel of a {input_size}x{input_size} "
            "input. For each output pixel, how many stamps (kernel taps) land on it? Give the "
            "whole output-sized array of counts (np.outer of one row of counts with itself "
            "may save typing)."),
    ),
}


@dataclass(frozen=True)
class Exercise:
    """One exercise: where it lives, its numbers and how its answer is given."""

    name: str          #: the checker's name in this module
    notebook: str      #: the notebook it closes, e.g. '02_stride'
    number: str        #: '02.1' style label, in notebook order
    title: str         #: a few words
    answer: str        #: the expected form of the answer, e.g. 'a whole number'
    params: Mapping[str, Any] = field(repr=False)  #: the question's numbers
    template: str = field(repr=False, default="")

    def materials(self) -> dict:
        """The question's numbers with arrays built (callables evaluated)."""
        return {key: (value() if callable(value) else value)
                for key, value in self.params.items()}

    @property
    def question(self) -> str:
        """The question text with its numbers filled in."""
        materials = self.materials()
        if "spec" in materials:   # a pipeline: show it as the PyTorch modules
            materials["spec"] = _pipeline_code(materials["spec"], materials["input_shape"][0])
        shown = {key: _show(value) for key, value in materials.items()}
        text = self.template.format(**shown)
        lines = [f"Exercise {self.number}: {self.title}", *text.split("\n"),
                 f"Answer with {self.answer}."]
        # Wrap the prose for reading; arrays and layer lists keep their layout.
        return "\n".join(line if line.startswith((" ", "["))
                         else textwrap.fill(line, 88, break_on_hyphens=False)
                         for line in lines)


def _build_registry() -> dict[str, Exercise]:
    registry, counters = {}, {}
    for name, spec in _TABLE.items():
        spec = dict(spec)
        notebook = spec.pop("notebook")
        counters[notebook] = counters.get(notebook, 0) + 1
        registry[name] = Exercise(
            name=name, notebook=notebook,
            number=f"{notebook[:2]}.{counters[notebook]}",
            title=spec.pop("title"), answer=spec.pop("answer"),
            template=spec.pop("question"), params=MappingProxyType(spec))
    return registry


#: Every exercise by name, in course order.
EXERCISES: Mapping[str, Exercise] = MappingProxyType(_build_registry())


def exercises(notebook=None):
    """The exercise names, grouped by notebook.

    Parameters
    ----------
    notebook : str, optional
        A notebook name such as ``'02_stride'`` (or just ``'02'``). Without it,
        every notebook's list is returned.

    Returns
    -------
    dict of str to list of str, or list of str
        ``{notebook: [exercise names in order]}``, or one notebook's list.

    Examples
    --------
    >>> list(exercises())
    ['01_kernels', '02_stride', '03_filters', '04_pooling', '05_padding', '06_putting_it_together',
     '07_learning_kernels', '08_transposed_convolution']
    >>> exercises('04')
    ['max_pool_values', 'avg_pool_values', 'max_pool_indices', 'ceil_mode_output_size',
     'naive_max_pool2d']
    """
    grouped: dict[str, list[str]] = {}
    for exercise in EXERCISES.values():
        grouped.setdefault(exercise.notebook, []).append(exercise.name)
    if notebook is None:
        return grouped
    for name, names in grouped.items():
        if notebook in (name, name[:2]):
            return list(names)
    raise ValueError(f"notebook must be one of {sorted(grouped)}, got {notebook!r}")


def _lookup(name) -> Exercise:
    if not isinstance(name, str) or name not in EXERCISES:
        raise ValueError(f"name must be one of the exercises {list(EXERCISES)}, got {name!r}")
    return EXERCISES[name]


def question(name):
    """Print an exercise's question with its numbers.

    Parameters
    ----------
    name : str
        The exercise (and checker) name, e.g. ``'stride_output_size'``.

    Examples
    --------
    >>> question("stride_output_size")
    Exercise 02.1: Output size with a stride
    A row of 11 pixels is scanned by a 3-wide kernel with stride 2 and no padding. How many
    outputs does the row give?
    Answer with a whole number.
    """
    print(_lookup(name).question)


# --------------------------------------------------------------------------
# Verdicts
# --------------------------------------------------------------------------

_PREFIX = {"correct": "Correct! ", "incorrect": "Not quite: ",
           "not attempted": "Not attempted yet: "}


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer: a status and the text shown."""

    status: str   #: 'correct', 'incorrect' or 'not attempted'
    message: str  #: the explanation or hint, without the prefix

    @property
    def correct(self) -> bool:
        """True when the answer was right."""
        return self.status == "correct"

    def __str__(self) -> str:
        return _PREFIX[self.status] + self.message


def _correct(message):
    return Verdict("correct", message)


def _wrong(message):
    return Verdict("incorrect", message)


class _Malformed(Exception):
    """The answer has the wrong form; the message says what was expected."""


class _Untouched(Exception):
    """The answer still holds ``...`` somewhere (or a stub function returned None)."""


def verdict(name, answer, **options) -> Verdict:
    """Check ``answer`` to exercise ``name`` and return the verdict without printing.

    Parameters
    ----------
    name : str
        The exercise name, a key of :data:`EXERCISES`.
    answer : object
        The learner's answer in the form the exercise asks for.
    **options
        ``seed=`` for the ``'shape_quiz'`` exercise.

    Returns
    -------
    Verdict
        ``.status`` is 'correct', 'incorrect' or 'not attempted'; ``str()`` of it
        is the text the checker prints.

    Examples
    --------
    >>> verdict("ceil_mode_output_size", ...).status
    'not attempted'
    >>> verdict("ceil_mode_output_size", 2.5).correct
    False
    """
    exercise = _lookup(name)
    if _is_untouched(answer):
        return Verdict("not attempted", f"replace the ... with your answer ({exercise.answer}), "
                                        "then run this cell again.")
    judge = _JUDGES[name]
    try:
        return judge(exercise.materials(), answer, **options)
    except _Untouched as reason:
        return Verdict("not attempted", str(reason))
    except _Malformed as reason:
        return _wrong(str(reason))
    except Exception as error:  # an answer of a form no judge foresaw: never a traceback
        return _wrong(f"this answer could not be checked ({type(error).__name__}: {error}); "
                      f"answer with {exercise.answer}.")


def _report(name, answer, **options):
    print(verdict(name, answer, **options))


def _is_untouched(answer) -> bool:
    return answer is None or answer is Ellipsis


def _has_ellipsis(answer) -> bool:
    if answer is Ellipsis:
        return True
    if isinstance(answer, (list, tuple)):
        return any(_has_ellipsis(item) for item in answer)
    if isinstance(answer, np.ndarray) and answer.dtype == object:
        return any(item is Ellipsis for item in answer.flat)
    return False


# --------------------------------------------------------------------------
# Reading answers: each helper returns a clean value or raises _Malformed.
# --------------------------------------------------------------------------

def _check_filled(answer):
    if _has_ellipsis(answer):
        raise _Untouched("some entries still hold ...; fill in every one, then run this "
                         "cell again.")


def _plain(answer):
    """Arrays from other libraries (a torch tensor, say) as numpy arrays."""
    if hasattr(answer, "__array__") and not isinstance(answer, np.ndarray):
        try:
            return np.asarray(answer)
        except Exception:  # an object that only claims to be an array
            return answer
    return answer


def _whole_number(answer) -> int:
    _check_filled(answer)
    answer = _plain(answer)
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise _Malformed(f"the answer should be a whole number such as 7, "
                         f"but got {describe(answer)}.")
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if math.isfinite(answer) and float(answer).is_integer():
        return int(answer)
    raise _Malformed(f"the answer should be a whole number such as 7, but got {answer!r}: "
                     "outputs, pixels and parameters come in whole numbers.")


def _number(answer) -> float:
    _check_filled(answer)
    answer = _plain(answer)
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise _Malformed(f"the answer should be a single number such as 12, "
                         f"but got {describe(answer)}.")
    return float(answer)


def _whole_numbers(answer, length, what) -> tuple:
    """A fixed-length tuple of whole numbers, e.g. a shape or a (before, after) pair."""
    _check_filled(answer)
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (tuple, list)):
        raise _Malformed(f"the answer should be {what}, but got {describe(answer)}.")
    if len(answer) != length:
        raise _Malformed(f"the answer should be {what}: {length} numbers, "
                         f"but got {len(answer)} ({answer!r}).")
    values = []
    for item in answer:
        try:
            values.append(_whole_number(item))
        except _Malformed:
            raise _Malformed(f"the answer should be {what} of whole numbers, "
                             f"but got {answer!r}.") from None
    return tuple(values)


def _number_array(answer, shape, what="array") -> np.ndarray:
    _check_filled(answer)
    if isinstance(answer, (str, bytes)) or answer is None:
        raise _Malformed(f"the answer should be a {what} of numbers, got {describe(answer)}.")
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise _Malformed(f"the answer should be a {what} of numbers with shape {shape}, "
                         f"but it could not be read as one (rows of different lengths?): "
                         f"{describe(answer)}.") from None
    if array.shape != tuple(shape):
        raise _Malformed(f"the answer should have shape {tuple(shape)} "
                         f"({' x '.join(map(str, shape))}), but has shape {array.shape}.")
    return array


def _whole_number_set(answer, what) -> set:
    _check_filled(answer)
    if isinstance(answer, np.ndarray):
        answer = answer.ravel().tolist()
    if isinstance(answer, numbers.Integral) and not isinstance(answer, bool):
        answer = [answer]
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple, set,
                                                                   frozenset, range)):
        raise _Malformed(f"the answer should be {what}, such as [1, 2], "
                         f"but got {describe(answer)}.")
    values = set()
    for item in answer:
        try:
            values.add(_whole_number(item))
        except _Malformed:
            raise _Malformed(f"the answer should be {what}, but {item!r} is not a whole "
                             "number.") from None
    return values


def _shape_of(answer):
    """The shape of an array-like answer, or None when it has none."""
    try:
        return np.asarray(answer, dtype=float).shape
    except (TypeError, ValueError):
        return None


def _close(a, b) -> bool:
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-9))


def _show(value):
    """A question's value as shown: arrays and layer lists as text, numbers as typed."""
    if isinstance(value, np.ndarray):
        if np.issubdtype(value.dtype, np.floating) and np.all(np.isfinite(value)) \
                and np.all(value == np.round(value)):
            value = value.astype(int)
        return np.array2string(value, separator=", ")
    if isinstance(value, tuple) and value and all(isinstance(v, (tuple, str)) for v in value):
        return "\n".join(f"  {n + 1}. {item}" for n, item in enumerate(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _pipeline_code(spec, in_channels):
    """The PyTorch modules of a pipeline spec ``(kind, out_channels, k, s, p)``."""
    lines = []
    for kind, out, k, s, p in spec:
        if kind == "conv":
            lines.append(f"Conv2d({in_channels}, {out}, kernel_size={k}"
                         + (f", stride={s}" if s != 1 else "")
                         + (f", padding={p}" if p else "") + ")")
            in_channels = out
        else:
            lines.append(f"MaxPool2d({k}" + (f", stride={s}" if s != k else "")
                         + (f", padding={p}" if p else "") + ")")
    return tuple(lines)


def _fmt(x) -> str:
    """A number as the learner would write it: 3 not 3.0, 2.5 as 2.5."""
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _cells(where) -> str:
    cells = [f"[{', '.join(map(str, index))}]" for index in zip(*np.nonzero(where))]
    return ", ".join(cells)


def _array_verdict(mine, expected, correct_message, hints=()):
    """Compare arrays; ``hints`` is a sequence of (other array, hint) for known mistakes."""
    if _close(mine, expected):
        return _correct(correct_message)
    for other, hint in hints:
        if other.shape == mine.shape and _close(mine, other):
            return _wrong(hint)
    wrong = ~np.isclose(mine, expected, rtol=1e-9, atol=1e-9)
    verb = "is" if wrong.sum() == 1 else "are"
    return _wrong(f"{wrong.sum()} of the {wrong.size} values {verb} off, at {_cells(wrong)}."
                  " Recompute those cells.")


# --------------------------------------------------------------------------
# Judges: one per exercise, (materials, answer) -> Verdict
# --------------------------------------------------------------------------

_JUDGES: dict[str, Callable[..., Verdict]] = {}


def _judge(name):
    def register(function):
        _JUDGES[name] = function
        return function
    return register


def _sum_of_products(window, kernel) -> str:
    terms = []
    for x, w in zip(window.ravel(), kernel.ravel()):
        terms.append(f"{_fmt(x)}*{_fmt(w)}" if w >= 0 else f"{_fmt(x)}*({_fmt(w)})")
    return " + ".join(terms)


@_judge("kernel_one_value")
def _kernel_one_value(m, answer):
    image, kernel, (r, c) = m["image"], m["kernel"], m["position"]
    value = _number(answer)
    out = correlate2d(image, kernel)
    kh, kw = kernel.shape
    if _close(value, out[r, c]):
        window = image[r:r + kh, c:c + kw]
        return _correct(f"output[{r}, {c}] = {_sum_of_products(window, kernel)} "
                        f"= {_fmt(out[r, c])}.")
    if c < out.shape[0] and r < out.shape[1] and _close(value, out[c, r]):
        return _wrong(f"that is output[{c}, {r}]: the first index is the row (down), "
                      "the second the column (across).")
    if _close(value, convolve2d(image, kernel)[r, c]):
        return _wrong("that is the value with the kernel flipped (true convolution). "
                      "correlate2d uses the kernel as it is: its top-left weight multiplies "
                      "the window's top-left pixel.")
    return _wrong(f"place the kernel's top-left weight on image[{r}, {c}], multiply each of "
                  f"the {kh * kw} overlapping pairs and add the {kh * kw} products; "
                  "watch the signs of the negative weights.")


@_judge("kernel_output_shape")
def _kernel_output_shape(m, answer):
    (h, w), (kh, kw) = m["image_shape"], m["kernel_shape"]
    mine = _whole_numbers(answer, 2, "a (rows, columns) tuple")
    expected = (output_size(h, kh), output_size(w, kw))
    if mine == expected:
        return _correct(f"a {kh}-tall kernel fits in {h} rows at {expected[0]} positions "
                        f"({h} - {kh} + 1) and a {kw}-wide one in {w} columns at "
                        f"{expected[1]} ({w} - {kw} + 1).")
    if mine == expected[::-1]:
        return _wrong("you have the two numbers swapped: a shape lists rows first, "
                      "then columns.")
    if mine == (h - kh, w - kw):
        return _wrong("off by one: count the positions. A 3-wide kernel on a 3-wide image "
                      "fits once, not zero times.")
    if mine == (h, w):
        return _wrong("without padding the output is smaller than the image: the kernel "
                      "must fit entirely inside.")
    return _wrong("count, along each axis separately, the positions where the kernel fits "
                  "entirely inside the image (start at 0; the last start leaves no kernel "
                  "weight hanging over the edge).")


def _call_learner(function, args, description):
    """Call the learner's function; turn its exceptions into a friendly verdict."""
    try:
        result = function(*[np.array(a, copy=True) if isinstance(a, np.ndarray) else a
                            for a in args])
    except Exception as error:  # the learner's code may raise anything
        raise _Malformed(f"your function raised {type(error).__name__}: {error} "
                         f"(for {description}). Check the loop ranges.") from None
    if result is None or result is Ellipsis:
        raise _Untouched("your function returns None: write the loops and return "
                         "the output array.")
    try:
        return np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise _Malformed(f"your function returned {describe(result)} for {description}; "
                         "return a 2-D array of numbers.") from None


def _first_mismatch(mine, expected) -> tuple:
    wrong = ~np.isclose(mine, expected, rtol=1e-9, atol=1e-9)
    return tuple(int(i) for i in np.argwhere(wrong)[0])


def _random_cases(seed, trials, make):
    rng = np.random.default_rng(seed)
    return [make(rng) for _ in range(trials)]


@_judge("naive_correlate2d")
def _naive_correlate2d(m, answer):
    if not callable(answer):
        raise _Malformed(f"pass your function itself, e.g. check.naive_correlate2d("
                         f"my_correlate2d), not {describe(answer)}.")

    def make(rng):
        h, w = rng.integers(1, 9, size=2)
        kh, kw = rng.integers(1, h + 1), rng.integers(1, w + 1)
        return (rng.integers(-5, 6, size=(h, w)).astype(float),
                rng.integers(-3, 4, size=(kh, kw)).astype(float))

    worked = (np.asarray(images.worked_example(), dtype=float),
              kernels.get("sobel_x"))
    cases = [worked] + _random_cases(m["seed"], m["trials"] - 1, make)
    for image, kernel in cases:
        description = f"an image of shape {image.shape} and a kernel of shape {kernel.shape}"
        mine = _call_learner(answer, (image, kernel), description)
        expected = correlate2d(image, kernel)
        if mine.shape == expected.shape and _close(mine, expected):
            continue
        if mine.shape == expected.T.shape and _close(mine, expected.T):
            return _wrong(f"for {description} your output is the right one turned on its "
                          "side: rows and columns are swapped. output[i, j] belongs to the "
                          "window starting at row i, column j.")
        if mine.shape != expected.shape:
            if mine.shape == expected.shape[::-1]:
                return _wrong(f"for {description} your output has shape {mine.shape}: rows "
                              "and columns are swapped. Loop over rows (the first index) in "
                              "the outer loop.")
            return _wrong(f"for {description} your output has shape {mine.shape}, but "
                          f"there are {expected.shape[0]} x {expected.shape[1]} positions "
                          "where the kernel fits.")
        if _close(mine, convolve2d(image, kernel)):
            return _wrong("your loop flips the kernel, which is true convolution. "
                          "Correlation multiplies kernel[a, b] with image[i + a, j + b].")
        i, j = _first_mismatch(mine, expected)
        return _wrong(f"for {description} your output[{i}, {j}] is {_fmt(mine[i, j])}, "
                      f"but the window at row {i}, column {j} gives "
                      f"{_fmt(expected[i, j])}. The window under output[i, j] starts at "
                      "image[i, j]; sum kernel[a, b] * image[i + a, j + b] over every "
                      "a and b.")
    return _correct(f"your loop agrees with convlab.correlate2d on all {len(cases)} cases "
                    "(images up to 8x8, kernels from 1x1 up to the image size). That loop "
                    "is the whole definition; the fast version only reorders the work.")


@_judge("vertical_edge_kernel")
def _vertical_edge_kernel(m, answer):
    kernel = _check_kernel(answer, m["max_size"])
    step = np.asarray(m["step"], dtype=float)
    # Scale by the step height and the kernel's total weight, so doubling the
    # kernel or the image does not change the verdict.
    height = float(step.max() - step.min())
    scale = float(np.abs(kernel).sum()) * height
    vertical, horizontal = _edge_images(step)
    if scale == 0:
        return _wrong("your kernel is all zeros, so it responds to nothing.")
    flat = correlate2d(np.full((8, 8), height), kernel)
    if np.abs(flat).max() > m["quiet"] * scale:
        return _wrong(f"on a flat region your kernel gives {_fmt(flat.flat[0])}, not 0. "
                      "An edge detector must ignore constant brightness: make its weights "
                      "add up to zero.")
    on_vertical = correlate2d(vertical, kernel, padding="valid") if \
        kernel.shape[0] <= vertical.shape[0] and kernel.shape[1] <= vertical.shape[1] \
        else None
    if on_vertical is None:
        return _wrong(f"a kernel of shape {kernel.shape} does not fit in the "
                      f"{vertical.shape} test image; keep it small (3x3 is plenty).")
    strongest = np.abs(on_vertical).max()
    on_horizontal = correlate2d(horizontal, kernel)
    if strongest < m["strong"] * scale <= np.abs(on_horizontal).max():
        return _wrong("it finds the horizontal edge (a change from top to bottom) instead of "
                      "the vertical one. Turn your idea a quarter turn.")
    if strongest < m["strong"] * scale:
        return _wrong("it hardly responds to the vertical step edge. Put weights of one sign "
                      "in the left column(s) and the opposite sign in the right column(s).")
    if np.abs(on_horizontal).max() > m["quiet"] * scale:
        return _wrong("it also responds to a horizontal edge. Give every row the same "
                      "left-to-right pattern, so a change from top to bottom cancels out.")
    return _correct(f"it gives 0 on flat regions and on horizontal edges, and "
                    f"{_fmt(strongest)} at the vertical edge. Sobel x and Prewitt x in the "
                    "gallery are kernels of this kind.")


def _check_kernel(answer, max_size):
    _check_filled(answer)
    try:
        kernel = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise _Malformed(f"the kernel should be a 2-D array of numbers, such as "
                         f"[[1, 2], [3, 4]], but got {describe(answer)}.") from None
    if kernel.ndim != 2 or kernel.size == 0:
        raise _Malformed(f"the kernel should be a 2-D array (rows of weights), but got "
                         f"shape {kernel.shape}.")
    if max(kernel.shape) > max_size:
        raise _Malformed(f"the kernel should be at most {max_size}x{max_size}, but has shape "
                         f"{kernel.shape}.")
    if not np.all(np.isfinite(kernel)):
        raise _Malformed("the kernel holds NaN or infinity; use ordinary numbers.")
    return kernel


def _edge_images(step):
    """The step edge as a vertical edge and as a horizontal edge, whichever it is."""
    left_right = np.abs(np.diff(step, axis=1)).sum()
    top_bottom = np.abs(np.diff(step, axis=0)).sum()
    vertical = step if left_right >= top_bottom else step.T
    return vertical, vertical.T.copy()


@_judge("flip_kernel")
def _flip_kernel(m, answer):
    kernel = m["kernel"]
    mine = _number_array(answer, kernel.shape, "3x3 array")
    probe = np.random.default_rng(0).standard_normal((6, 7))
    if _close(correlate2d(probe, mine), convolve2d(probe, kernel)):
        return _correct("flipping both axes (kernel[::-1, ::-1], a half turn) turns "
                        "correlation into convolution. For a symmetric kernel the two are "
                        "the same, which is why blurs never show the difference.")
    hints = (
        (kernel, "that is the kernel unchanged: correlating with it is correlation, "
                 "not convolution."),
        (kernel.T, "that is the transpose (mirrored about the diagonal). Convolution turns "
                   "the kernel upside down and left to right."),
        (kernel[::-1, :], "you flipped it upside down only; flip it left to right too."),
        (kernel[:, ::-1], "you flipped it left to right only; flip it upside down too."),
    )
    for other, hint in hints:
        if _close(mine, other):
            return _wrong(hint)
    return _wrong("convolution uses every weight of the kernel, only rearranged: flip it "
                  "upside down and left to right.")


@_judge("stride_output_size")
def _stride_output_size(m, answer):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    mine = _whole_number(answer)
    expected = output_size(i, k, stride=s)
    if mine == expected:
        starts = ", ".join(str(n * s) for n in range(expected))
        return _correct(f"the windows start at columns {starts}: "
                        f"floor(({i} - {k}) / {s}) + 1 = {expected}.")
    if mine == (i - k) // s:
        return _wrong("off by one: you counted the steps between windows, not the windows. "
                      "The first window at column 0 counts too.")
    if mine == math.ceil(i / s):
        return _wrong("that would need padding ('same' gives ceil(i / s)). Without padding "
                      "the last window must fit entirely inside the row.")
    if mine == i - k + 1:
        return _wrong("that is the count at stride 1. With a stride, the window jumps "
                      "several columns at a time.")
    return _wrong("write down the start column of each window, 0, s, 2s, ..., and stop at "
                  "the last start where the whole window still fits; then count them.")


@_judge("stride_output_values")
def _stride_output_values(m, answer):
    image, kernel, s = m["image"], m["kernel"], m["stride"]
    expected = correlate2d(image, kernel, stride=s)
    dense = correlate2d(image, kernel)
    try:
        mine = _number_array(answer, expected.shape, "2-D array")
    except _Malformed:
        if _shape_of(answer) == dense.shape:
            return _wrong(f"an output of shape {dense.shape} is the stride-1 result. "
                          f"With stride {s} the kernel jumps {s} pixels each time.")
        raise
    return _array_verdict(
        mine, expected,
        f"the windows start at rows and columns 0, {s}, ..., so the stride-{s} output is "
        f"the stride-1 output keeping one row and one column in every {s}: striding is "
        "downsampling.",
        hints=((dense[:expected.shape[0], :expected.shape[1]],
                "those are the first values of the stride-1 output. With stride "
                f"{s} neighbouring windows start {s} pixels apart."),))


@_judge("stride_unvisited")
def _stride_unvisited(m, answer):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    mine = _whole_number_set(answer, "a list of column indices")
    # A column is visited when a 1 placed there reaches some output.
    kernel = np.ones((1, k))
    expected = set()
    for column in range(i):
        row = np.zeros((1, i))
        row[0, column] = 1
        if not correlate2d(row, kernel, stride=(1, s)).any():
            expected.add(column)
    if mine == expected:
        windows = output_size(i, k, stride=s)
        return _correct(f"{windows} windows start at "
                        f"{', '.join(str(n * s) for n in range(windows))}; columns "
                        f"{', '.join(map(str, sorted(expected)))} are never covered, so "
                        "they cannot change the output at all.")
    outside = sorted(c for c in mine if not 0 <= c < i)
    if outside:
        return _wrong(f"the row has columns 0 to {i - 1}; {outside} are outside it.")
    visited = mine - expected
    missing = expected - mine
    parts = []
    if visited:
        parts.append(f"column{'s' if len(visited) > 1 else ''} "
                     f"{', '.join(map(str, sorted(visited)))} "
                     f"{'are' if len(visited) > 1 else 'is'} covered by some window")
    if missing:
        parts.append(f"you are missing {len(missing)} column{'s' if len(missing) > 1 else ''}")
    return _wrong("; ".join(parts) + ". Windows start at 0, s, 2s, ... while they fit, each "
                  "covering k columns; look for gaps between windows and leftovers at the end.")


@_judge("alexnet_input_sizes")
def _alexnet_input_sizes(m, answer):
    k, s, target = m["kernel_size"], m["stride"], m["target"]
    low, high = m["candidates"]
    mine = _whole_number_set(answer, "a list of input widths")
    expected = {i for i in range(low, high + 1) if output_size(i, k, stride=s) == target}
    if mine == expected:
        return _correct(f"widths {min(expected)} to {max(expected)} all give {target}: with "
                        f"stride {s}, up to {s - 1} columns at the end are left over and "
                        "ignored. That is how 224 and 227 could both be quoted for AlexNet's "
                        "input (227 is the one that fits exactly).")
    if len(mine) == 1 and mine <= expected:
        return _wrong(f"that width works, but it is not the only one: with stride {s} the "
                      "last window may leave a few columns unvisited.")
    outside = sorted(i for i in mine if not low <= i <= high)
    if outside:
        return _wrong(f"only widths from {low} to {high} are asked about; {outside[0]} is "
                      "outside that range.")
    too_many = sorted(mine - expected)
    if too_many:
        return _wrong(f"{too_many[0]} gives floor(({too_many[0]} - {k}) / {s}) + 1 = "
                      f"{output_size(too_many[0], k, stride=s)}, not {target}. Check each "
                      "candidate with the formula.")
    return _wrong(f"some widths are missing: check every width from {low} to {high} with "
                  f"floor((i - {k}) / {s}) + 1.")


_CHANNELS = ("red", "green", "blue")


@_judge("filter_partial_sums")
def _filter_partial_sums(m, answer):
    image, filt, (r, c) = m["image"], m["filt"], m["position"]
    mine = _number_array(answer, (3,), "list of three numbers")
    expected = np.array([correlate2d(image[ch], filt[ch])[r, c] for ch in range(3)])
    if _close(mine, expected):
        kh, kw = filt.shape[1:]
        lines = "; ".join(
            f"{_CHANNELS[ch]}: {_sum_of_products(image[ch, r:r + kh, c:c + kw], filt[ch])} "
            f"= {_fmt(expected[ch])}" for ch in range(3))
        return _correct(f"{lines}. Each kernel sees only its own channel.")
    wrong = [_CHANNELS[ch] for ch in range(3) if not _close(mine[ch], expected[ch])]
    return _wrong(f"the {', '.join(wrong)} value{'s are' if len(wrong) > 1 else ' is'} off. "
                  f"For each channel, put its kernel on that channel's window starting at "
                  f"row {r}, column {c}, and sum the element-wise products.")


@_judge("filter_output_value")
def _filter_output_value(m, answer):
    image, filt, bias, (r, c) = m["image"], m["filt"], m["bias"], m["position"]
    value = _number(answer)
    expected = apply_filter(image, filt, bias=bias)[r, c]
    partials = [correlate2d(image[ch], filt[ch])[r, c] for ch in range(3)]
    if _close(value, expected):
        return _correct(f"{' + '.join(_fmt(p) for p in partials)} + {_fmt(bias)} (bias) = "
                        f"{_fmt(expected)}: the three partial results are summed and the "
                        "bias added once, giving one output channel.")
    if _close(value, sum(partials)):
        return _wrong("that is the sum of the partial results without the bias; the filter "
                      "adds its bias once to every output value.")
    if _close(value, sum(partials) + 3 * bias):
        return _wrong("the bias belongs to the filter, not to each channel: add it once.")
    if any(_close(value, p + bias) or _close(value, p) for p in partials):
        return _wrong("that uses one channel only. A filter sums the partial results of all "
                      "three channels.")
    return _wrong("compute the three partial results first (the previous exercise), then "
                  "add them together with the bias.")


@_judge("filter_output_shape")
def _filter_output_shape(m, answer):
    c, h, w = m["input_shape"]
    n, k = m["filters"], m["kernel_size"]
    if isinstance(answer, (tuple, list)) and len(answer) == 4:
        return _wrong("give (channels, rows, columns) for the one image, without a batch "
                      "axis; a filter's kernels are summed into a single channel.")
    mine = _whole_numbers(answer, 3, "a (channels, rows, columns) tuple")
    expected = conv2d(np.zeros((c, h, w)), np.zeros((n, c, k, k))).shape
    if mine == expected:
        return _correct(f"one output channel per filter ({n}), and each spatial axis "
                        f"shrinks to {h} - {k} + 1 = {expected[1]}.")
    if mine[0] == c and mine[1:] == expected[1:]:
        return _wrong("the rows and columns are right, but the channels are not: each "
                      "filter sums over all input channels and produces one output channel.")
    if mine[0] == expected[0]:
        return _wrong("the number of channels is right; recount the rows and columns "
                      "(how many positions does the kernel fit in?).")
    return _wrong("the output has one channel per filter; its rows and columns are the "
                  "positions where a kernel fits in the input.")


def _parameter_count(in_channels, out_channels, kernel_size):
    weight = np.zeros((out_channels, in_channels, kernel_size, kernel_size))
    bias = np.zeros(out_channels)
    return weight.size + bias.size, weight.size, bias.size


def _parameter_verdict(m, answer, extra=""):
    c, o, k = m["in_channels"], m["out_channels"], m["kernel_size"]
    mine = _whole_number(answer)
    total, weights, biases = _parameter_count(c, o, k)
    if mine == total:
        return _correct(f"{o} filters, each with {c} kernels of {k}x{k} weights: "
                        f"{o}*{c}*{k}*{k} = {weights} weights, plus {biases} biases (one per "
                        f"filter) = {total}.{extra}")
    if mine == weights:
        return _wrong("those are the weights. Each filter also has one bias.")
    if mine in (o * k * k, o * k * k + o):
        return _wrong("each filter holds one kernel per input channel, not just one kernel.")
    if mine in (c * k * k, c * k * k + 1):
        return _wrong("that is one filter. The layer has one filter per output channel.")
    return _wrong("a filter holds one k x k kernel for every input channel, plus one bias; "
                  "the layer has one filter per output channel.")


@_judge("conv_parameter_count")
def _conv_parameter_count(m, answer):
    return _parameter_verdict(m, answer, " The image size does not matter: the same "
                                         "weights slide everywhere.")


@_judge("pointwise_parameter_count")
def _pointwise_parameter_count(m, answer):
    return _parameter_verdict(m, answer, " A 1x1 convolution is a small dense layer "
                                         "applied to every pixel's channel vector.")


@_judge("max_pool_values")
def _max_pool_values(m, answer):
    x, k = m["image"], m["kernel_size"]
    expected = max_pool2d(x, k)
    try:
        mine = _number_array(answer, expected.shape, "2-D array")
    except _Malformed as reason:
        if _shape_of(answer) == max_pool2d(x, k, stride=1).shape:
            return _wrong("that is the shape at stride 1. Pooling's stride defaults to the "
                          "window size, so the windows do not overlap.")
        raise reason
    return _array_verdict(
        mine, expected,
        f"each {k}x{k} block is replaced by its largest value; the output keeps the "
        "strongest response in each block and forgets exactly where it was.",
        hints=((avg_pool2d(x, k), "those are the averages; max pooling keeps the largest "
                                  "value of each window."),))


@_judge("avg_pool_values")
def _avg_pool_values(m, answer):
    x, k = m["image"], m["kernel_size"]
    expected = avg_pool2d(x, k)
    mine = _number_array(answer, expected.shape, "2-D array")
    return _array_verdict(
        mine, expected,
        f"each {k}x{k} block is replaced by its mean (sum / {k * k}); average pooling "
        "smooths where max pooling picks the peak.",
        hints=((expected * k * k, f"those are the sums of each window; divide by the "
                                  f"{k * k} pixels in it."),
               (max_pool2d(x, k), "those are the maxima; average pooling takes the mean.")))


@_judge("max_pool_indices")
def _max_pool_indices(m, answer):
    x, k = m["image"], m["kernel_size"]
    _, expected = max_pool2d(x, k, return_indices=True)
    mine = _number_array(answer, expected.shape, "2-D array")
    height, width = x.shape
    rows, cols = np.divmod(expected, width)
    return _array_verdict(
        mine, expected,
        f"index = row * {width} + column of each maximum in the whole input. PyTorch uses "
        "these indices in max_unpool2d and to send the gradient back only to the maximum.",
        hints=((rows % k * k + cols % k, "those are positions inside each window. The index "
                                         "counts across the whole input: row * width + "
                                         "column."),
               (cols * height + rows, "that counts down the columns first. Count along the "
                                      "rows: row * width + column."),
               (expected + 1, "indices start at 0, at the top-left pixel.")))


@_judge("ceil_mode_output_size")
def _ceil_mode_output_size(m, answer):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    mine = _whole_number(answer)
    expected = output_size(i, k, stride=s, ceil_mode=True)
    floor = output_size(i, k, stride=s)
    if mine == expected:
        return _correct(f"(i - k) / s = ({i} - {k}) / {s} = {(i - k) / s:g}; ceil_mode "
                        f"rounds up to {math.ceil((i - k) / s)}, plus 1 gives {expected}. "
                        "The last window hangs over the edge and is pooled over the pixels "
                        f"it does cover (ceil_mode=False gives {floor}).")
    if mine == floor:
        return _wrong("that is the count with ceil_mode=False (rounding down). ceil_mode=True "
                      "rounds up, keeping a last window that only partly fits.")
    return _wrong("compute (i - k) / s, round it up instead of down, and add 1 for the "
                  "first window.")


@_judge("naive_max_pool2d")
def _naive_max_pool2d(m, answer):
    if not callable(answer):
        raise _Malformed(f"pass your function itself, e.g. check.naive_max_pool2d("
                         f"my_max_pool2d), not {describe(answer)}.")

    def make(rng):
        size = int(rng.integers(1, 4))
        stride = int(rng.integers(1, 4))
        h, w = rng.integers(size, 9, size=2)
        return rng.integers(-9, 10, size=(h, w)).astype(float), size, stride

    cases = [(m_image, 2, 2) for m_image in [_POOL_INPUT.copy()]]
    cases += _random_cases(m["seed"], m["trials"] - 1, make)
    for image, size, stride in cases:
        description = f"an image of shape {image.shape}, size={size}, stride={stride}"
        mine = _call_learner(answer, (image, size, stride), description)
        expected = max_pool2d(image, size, stride=stride)
        if mine.shape != expected.shape:
            return _wrong(f"for {description} your output has shape {mine.shape}, but "
                          f"floor((i - size) / stride) + 1 windows fit along each axis, "
                          f"giving {expected.shape}.")
        if not _close(mine, expected):
            if _close(mine, avg_pool2d(image, size, stride=stride)):
                return _wrong("your loop averages the windows; take their maximum.")
            i, j = _first_mismatch(mine, expected)
            return _wrong(f"for {description} your output[{i}, {j}] is {_fmt(mine[i, j])}, "
                          f"but should be {_fmt(expected[i, j])}. The window under "
                          f"output[i, j] covers rows i*stride to i*stride + size - 1 and "
                          "likewise for columns.")
    return _correct(f"your loop agrees with convlab.max_pool2d on all {len(cases)} cases "
                    "(windows 1 to 3, strides 1 to 3, overlapping and not).")


def _padding_pair(answer, allow_int=False):
    if allow_int and not isinstance(answer, (tuple, list, np.ndarray)):
        side = _whole_number(answer)
        return side, side
    return _whole_numbers(answer, 2, "a (before, after) pair")


def _padding_hint(mine, i, k, s, target):
    if min(mine) < 0:
        return "padding cannot be negative."
    got = output_size(i, k, stride=s, padding=mine)
    if got != target:
        return (f"with padding {mine} there are {got} outputs, not {target}. The total "
                f"padding must make room for exactly {target} windows.")
    return None


@_judge("same_padding_odd_kernel")
def _same_padding_odd_kernel(m, answer):
    i, k = m["input_size"], m["kernel_size"]
    mine = _padding_pair(answer, allow_int=True)
    expected = same_padding(i, k)
    if mine == expected:
        return _correct(f"k - 1 = {k - 1} pixels in total, {expected[0]} on each side "
                        f"(k // 2): the kernel's centre can then visit every one of the "
                        f"{i} pixels.")
    if mine == (k - 1, k - 1):
        return _wrong("that is the total; split it between the two sides.")
    hint = _padding_hint(mine, i, k, 1, i)
    return _wrong(hint or "count how many outputs that padding gives, and aim for the "
                          "input size.")


@_judge("same_padding_even_kernel")
def _same_padding_even_kernel(m, answer):
    i, k = m["input_size"], m["kernel_size"]
    if isinstance(answer, (tuple, list)) and len(answer) == 2 \
            and not _has_ellipsis(answer) \
            and any(isinstance(v, float) and not float(v).is_integer() for v in answer):
        return _wrong("pixels come whole: the total cannot be split evenly, so one side "
                      "gets one more than the other.")
    mine = _padding_pair(answer)
    expected = same_padding(i, k)
    if mine == expected:
        return _correct(f"an even kernel needs k - 1 = {k - 1} pixels in total, which cannot "
                        f"split evenly: {expected[0]} before and {expected[1]} after. PyTorch "
                        "and TensorFlow both put the extra pixel after (bottom/right).")
    if mine == expected[::-1]:
        return _wrong("the right total, but on the wrong sides: which side do PyTorch and "
                      "TensorFlow give the extra pixel?")
    hint = _padding_hint(mine, i, k, 1, i)
    return _wrong(hint or "that gives the right size, but 'same' splits the total as evenly "
                          "as it can.")


@_judge("same_padding_stride2")
def _same_padding_stride2(m, answer):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    mine = _padding_pair(answer)
    expected = same_padding(i, k, stride=s)
    target = math.ceil(i / s)
    if mine == expected:
        total = sum(expected)
        return _correct(f"ceil({i} / {s}) = {target} outputs need (o - 1)*s + k = "
                        f"{(target - 1) * s + k} pixels, {total} more than the {i} there "
                        f"are; the odd pixel goes after, so ({expected[0]}, {expected[1]}). "
                        f"Note that padding=k//2 on both sides would not match.")
    if mine == expected[::-1]:
        return _wrong("the right total, but on the wrong side: the odd pixel goes after "
                      "(right/bottom).")
    hint = _padding_hint(mine, i, k, s, target)
    if hint:
        return _wrong(hint)
    return _wrong(f"that gives {target} outputs too, but 'same' adds only the smallest total "
                  "padding that does: (o - 1)*s + k - i, split with the odd pixel after.")


@_judge("reflect_pad_row")
def _reflect_pad_row(m, answer):
    row, amount, mode = np.asarray(m["row"], dtype=float), m["amount"], m["mode"]
    expected = _pad_row(row, amount, mode)
    mine = _number_array(answer, expected.shape, "row")
    shown = ", ".join(_fmt(v) for v in row)
    hints = [(_pad_row(row, amount, other),
              f"that is '{other}' padding. Reflect mirrors about the edge pixel.")
             for other in ("zeros", "replicate", "circular")]
    hints.append((np.pad(row, amount, mode="symmetric"),
                  "that mirrors, but repeats the edge pixel. Reflect mirrors about the "
                  "edge pixel itself, so the edge value appears only once."))
    return _array_verdict(
        mine, expected,
        f"reflect mirrors the row about its first and last pixels without repeating them: "
        f"[{shown}] becomes [{', '.join(_fmt(v) for v in expected)}]. "
        "torch.nn.functional.pad(mode='reflect') does the same; numpy calls it 'reflect' too.",
        hints=hints)


def _pad_row(row, amount, mode):
    return pad2d(row[np.newaxis, :], ((0, 0), (amount, amount)), mode=mode)[0]


@_judge("padded_output_size")
def _padded_output_size(m, answer):
    i, k, p, s = m["input_size"], m["kernel_size"], m["padding"], m["stride"]
    mine = _whole_number(answer)
    expected = output_size(i, k, stride=s, padding=p)
    if mine == expected:
        return _correct(f"floor(({i} + 2*{p} - {k}) / {s}) + 1 = {expected}: padding={p} "
                        "adds p pixels on each side, 2p in total.")
    if mine == output_size(i, k, stride=s, padding=(p, 0)):
        return _wrong("padding=p in PyTorch adds p pixels on each side, so 2p in total.")
    if mine == output_size(i, k, stride=s):
        return _wrong("that ignores the padding: the padded row is longer than the input.")
    return _wrong("first find the padded length i + 2p, then count the window positions "
                  "at the given stride: floor((padded - k) / s) + 1.")


@_judge("dilated_output_size")
def _dilated_output_size(m, answer):
    i, k, d = m["input_size"], m["kernel_size"], m["dilation"]
    mine = _whole_number(answer)
    expected = output_size(i, k, dilation=d)
    extent = d * (k - 1) + 1
    if mine == expected:
        return _correct(f"with dilation {d} the {k} taps span d*(k - 1) + 1 = {extent} "
                        f"pixels, so {i} - {extent} + 1 = {expected} positions.")
    if mine == output_size(i, k):
        return _wrong("that ignores the dilation: the taps are spread out, so the kernel "
                      "covers more pixels than it has weights.")
    if mine == i - k * d + 1:
        return _wrong(f"close: {k} taps spaced {d} apart span from the first tap to the "
                      f"last, d*(k - 1) + 1 pixels, not k*d.")
    return _wrong("find the span of the dilated kernel (first tap to last tap), then count "
                  "the positions where that span fits.")


def _stack(m):
    return [(k, s) for _, k, s in m["layers"]]


@_judge("receptive_field_stack")
def _receptive_field_stack(m, answer):
    mine = _whole_number(answer)
    fields = receptive_field(_stack(m))
    expected = fields[-1].size
    if mine == expected:
        steps, jump = ["1"], 1
        for (_, k, stride), field in zip(m["layers"], fields):
            steps.append(f"{field.size} (+{k - 1}*{jump})")
            jump = field.jump
        return _correct(f"start from 1 pixel; each layer adds (k - 1) * jump, where the jump "
                        f"is the product of the strides before it: {', '.join(steps)}. After "
                        "a stride-s layer each step of a kernel moves s times as far in the "
                        "input.")
    ignoring_jump = 1 + sum(k - 1 for _, k, _ in m["layers"])
    if mine == ignoring_jump:
        return _wrong("you added k - 1 per layer, which is right before any stride. After "
                      "a stride-2 layer, neighbouring pixels are 2 input pixels apart, so "
                      "later kernels reach twice as far.")
    return _wrong("track two numbers layer by layer: the field size r and the jump j (input "
                  "pixels between neighbouring outputs). Each layer does r += (k - 1) * j, "
                  "then j *= s.")


def _trace_pipeline(m):
    c, h, w = m["input_shape"]
    shapes = []
    for kind, out, k, s, p in m["spec"]:
        h = output_size(h, k, stride=s, padding=p)
        w = output_size(w, k, stride=s, padding=p)
        c = out if kind == "conv" else c
        shapes.append((c, h, w))
    return shapes


@_judge("pipeline_shapes")
def _pipeline_shapes(m, answer):
    expected = _trace_pipeline(m)
    _check_filled(answer)
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)) \
            or len(answer) != len(expected):
        raise _Malformed(f"the answer should be a list of {len(expected)} shapes, one after "
                         f"each layer, such as [(16, 64, 64), ...], but got "
                         f"{describe(answer)}.")
    code = _pipeline_code(m["spec"], m["input_shape"][0])
    for n, (item, shape, layer) in enumerate(zip(answer, expected, code), start=1):
        mine = _whole_numbers(item, 3, f"shape {n}: a (channels, rows, columns) tuple")
        if mine != shape:
            part = "channels" if mine[0] != shape[0] else "rows and columns"
            return _wrong(f"shape {n}, after {layer}, has the wrong {part}. Work from the "
                          "shape before it: a convolution sets the channels to its filter "
                          "count, pooling keeps them; each spatial axis follows "
                          "floor((i + 2p - k) / s) + 1, and MaxPool2d's stride defaults "
                          "to its kernel size.")
    trace = " -> ".join(str(s) for s in [tuple(m["input_shape"])] + expected)
    return _correct(f"{trace}. Convolutions set the channels, strides and pooling "
                    "shrink the rows and columns.")


@_judge("stacked_3x3_weights")
def _stacked_3x3_weights(m, answer):
    c, n, k = m["channels"], m["layers"], m["kernel_size"]
    mine = _whole_number(answer)
    one = np.zeros((c, c, k, k)).size
    expected = n * one
    big = np.zeros((c, c, 7, 7)).size
    if mine == expected:
        return _correct(f"{n} layers of {c}*{c}*{k}*{k} = {one} weights each, {expected} in all, "
                        f"against "
                        f"{big} for a single 7x7 layer with the same receptive field, and "
                        f"with {n} non-linearities in between instead of one.")
    if mine == one:
        return _wrong("that is one layer; there are three.")
    if mine == big:
        return _wrong("that is a single 7x7 layer. Count the three 3x3 layers instead.")
    if mine in (n * k * k, n * k * k * c):
        return _wrong("each layer has one kernel per (input channel, output channel) pair.")
    return _wrong("one layer holds out_channels * in_channels * k * k weights; add up the "
                  "layers.")


# 07_learning_kernels ------------------------------------------------------------

def _weight_grad(m):
    k = m["kernel_size"]
    return grad.conv2d_weight(m["image"][None, None], (1, 1, k, k),
                              m["grad_output"][None, None])[0, 0]


@_judge("weight_gradient_value")
def _weight_gradient_value(m, answer):
    image, g, (a, b) = m["image"], m["grad_output"], m["position"]
    value = _number(answer)
    dw = _weight_grad(m)
    gh, gw = g.shape
    window = image[a:a + gh, b:b + gw]
    if _close(value, dw[a, b]):
        return _correct(f"dL/dw[{a}, {b}] = {_sum_of_products(window, g)} = "
                        f"{_fmt(dw[a, b])}: weight ({a}, {b}) met input pixel "
                        f"(i + {a}, j + {b}) when making output (i, j). Those pixels form the "
                        "image correlated with dL/dy, which is grad.conv2d_weight; the "
                        "kernel's own values never enter.")
    if _close(value, dw[b, a]):
        return _wrong(f"that is dL/dw[{b}, {a}]: the first index is the row (down), the "
                      "second the column (across).")
    if _close(value, window.sum()):
        return _wrong("you added up the input pixels the weight met, but each one counts as "
                      "much as the gradient of the output it went into: multiply each by "
                      "its dL/dy first.")
    if _close(value, (window * g[::-1, ::-1]).sum()):
        return _wrong("the gradients are paired with the pixels in the wrong order (flipped): "
                      "output (i, j) used the pixel at (i + row, j + column) of the weight, "
                      "so dL/dy[0, 0] goes with the top-left pixel of the block.")
    return _wrong(f"output (i, j) multiplied w[{a}, {b}] by image[i + {a}, j + {b}]. List "
                  "those pixels for the outputs (0, 0), (0, 1), (1, 0), (1, 1), multiply each "
                  "by that output's dL/dy and add the products.")


@_judge("bias_gradient")
def _bias_gradient(m, answer):
    g = m["grad_output"]
    value = _number(answer)
    expected = grad.conv2d_bias(g)[0]
    if _close(value, expected):
        parts = " + ".join(f"({_fmt(g[n].sum())})" if g[n].sum() < 0 else _fmt(g[n].sum())
                           for n in range(len(g)))
        return _correct(f"every output pixel was y = (...) + b, so dy/db = 1 and dL/db is the "
                        f"sum of all of dL/dy: {parts} = {_fmt(expected)} (one image, then "
                        "the other); grad.conv2d_bias sums over every axis but the channel.")
    if any(_close(value, g[n].sum()) for n in range(len(g))):
        return _wrong("that is one image's sum: the same bias served both images of the "
                      "batch, so add both.")
    if _close(value, g.mean()):
        return _wrong("that is the mean; the bias gradient is the sum (each output adds its "
                      "own gradient, times dy/db = 1).")
    if _close(value, g.size):
        return _wrong("that counts the outputs; each contributes its own gradient "
                      "dL/dy times dy/db = 1, not 1.")
    return _wrong("dy/db = 1 for every output pixel, so each contributes exactly its dL/dy: "
                  "add up every number in the gradient, in both images.")


@_judge("gradient_step")
def _gradient_step(m, answer):
    kernel, gradient, lr = m["kernel"], m["gradient"], m["lr"]
    expected = kernel - lr * gradient
    mine = _number_array(answer, expected.shape, "2x2 array")
    return _array_verdict(
        mine, expected,
        f"new = kernel - lr * gradient, entry by entry: for instance {_fmt(kernel[0, 0])} - "
        f"{_fmt(lr)}*{_fmt(gradient[0, 0])} = {_fmt(expected[0, 0])}. Each weight moves "
        "against its gradient, downhill, by a step proportional to how steep it is.",
        hints=[(kernel + lr * gradient, "that step goes uphill: the gradient points where the "
                "loss grows, so subtract it."),
               (kernel - gradient, "the gradient is scaled by the learning rate before it is "
                "subtracted."),
               (-lr * gradient, "that is the step alone; add it to the old kernel."),
               (lr * gradient, "that is the step alone (and with the wrong sign); the new "
                "kernel is the old one minus it.")])


def _routed(m):
    k = m["kernel_size"]
    return grad.max_pool2d_input(m["image"], m["grad_output"], k)


@_judge("max_pool_gradient_route")
def _max_pool_gradient_route(m, answer):
    image, g, k = m["image"], m["grad_output"], m["kernel_size"]
    expected = _routed(m)
    mine = _number_array(answer, expected.shape, "4x4 array")
    winners = _cells(expected != 0)
    spread = np.kron(g, np.ones((k, k)))
    return _array_verdict(
        mine, expected,
        f"each window's gradient goes to the pixel that won it, at {winners}; the other "
        "pixels did not affect the output, so their gradient is 0. "
        "grad.max_pool2d_input does this routing.",
        hints=[((expected != 0).astype(float), "those are the right places; now put each "
                "window's gradient value there instead of 1."),
               (spread / (k * k), "that spreads each gradient evenly over its window, which "
                "is average pooling's gradient. Max pooling passes it only to the winner."),
               (spread, "every pixel of a window gets its gradient there, but only the "
                "maximum affected the output: the others get 0."),
               (grad.max_pool2d_input(-image, g, k), "those are the smallest pixels of each "
                "window; the gradient goes to the largest.")])


@_judge("tiny_cnn_parameter_count")
def _tiny_cnn_parameter_count(m, answer):
    mine = _whole_number(answer)
    params = learn.tiny_cnn(size=m["size"]).parameters()
    expected = sum(p.value.size for p in params)
    shapes = [p.value.shape for p in params]
    weights = sum(p.value.size for p in params if p.value.ndim > 1)
    if mine == expected:
        parts = " + ".join(f"{'*'.join(map(str, s))}" for s in shapes)
        return _correct(f"{parts} = {expected}: per conv layer out*in*3*3 weights plus one "
                        "bias per filter, and the dense layer sees 16 channels of 4x4 after "
                        "two poolings.")
    if mine == weights:
        return _wrong("you counted the weights; every filter and every output of the dense "
                      "layer has a bias too.")
    conv2 = shapes[2]
    if mine == expected - conv2[0] * conv2[1] * 9 + conv2[0] * 9:
        return _wrong("the second convolution's filters each hold one 3x3 kernel per input "
                      "channel, and its input has as many channels as the first layer has "
                      "filters.")
    dense_in = shapes[4][1]
    for factor, where in ((16, "pooled at all"), (4, "pooled twice")):
        if mine == expected + (factor - 1) * dense_in * shapes[4][0]:
            return _wrong(f"the input of the dense layer is smaller than that: each "
                          f"MaxPool2d(2) halves the rows and columns (has the image been "
                          f"{where}?).")
    return _wrong("count layer by layer: a Conv2d(c_in, c_out, 3) holds c_out*c_in*3*3 "
                  "weights and c_out biases, a Linear(n_in, n_out) n_out*n_in weights and "
                  "n_out biases; ReLU, pooling and Flatten hold none.")


# 08_transposed_convolution --------------------------------------------------------

@_judge("transposed_output_size")
def _transposed_output_size_judge(m, answer):
    i, k, s, p = m["input_size"], m["kernel_size"], m["stride"], m["padding"]
    mine = _whole_number(answer)
    expected = _transposed_output_size(i, k, stride=s, padding=p)
    if mine == expected:
        return _correct(f"(i - 1)*s - 2p + d*(k - 1) + output_padding + 1 = ({i} - 1)*{s} - "
                        f"2*{p} + ({k} - 1) + 0 + 1 = {expected}: the stamps start {s} apart, "
                        f"the last one reaches {k - 1} further, and padding={p} crops {p} "
                        "from each end. A convolution with the same settings maps it back: "
                        f"output_size({expected}, {k}, stride={s}, padding={p}) = {i}.")
    if mine == output_size(i, k, stride=s, padding=p):
        return _wrong("that is the output size of a convolution with these settings, which "
                      "shrinks; a transposed convolution goes the other way.")
    if mine == (i - 1) * s + k:
        return _wrong("that is the full output before cropping: padding in a transposed "
                      "convolution removes pixels from each end.")
    if mine == (i - 1) * s + k - p:
        return _wrong("the padding crops from both ends, so 2p in total.")
    return _wrong("place the stamps: the first starts at 0, the last at (i - 1)*s, and "
                  "reaches d*(k - 1) pixels further; then padding crops p pixels from each "
                  "end.")


@_judge("choose_output_padding")
def _choose_output_padding(m, answer):
    i, k, s, p = m["input_size"], m["kernel_size"], m["stride"], m["padding"]
    mine = _whole_number(answer)
    small = output_size(i, k, stride=s, padding=p)
    base = _transposed_output_size(small, k, stride=s, padding=p)
    expected = i - base
    if mine == expected:
        return _correct(f"the encoder gives floor(({i} + 2*{p} - {k}) / {s}) + 1 = {small}; "
                        f"ConvTranspose2d turns {small} into {base} + output_padding, so "
                        f"output_padding = {expected}. Different sizes (here {base} and "
                        f"{base + s - 1}) map to {small} because the convolution rounds "
                        "down; output_padding says which one you want back.")
    if mine < 0:
        return _wrong("output_padding adds rows and columns at the end; it is never "
                      "negative.")
    if mine >= s:
        return _wrong("output_padding must be smaller than the stride (PyTorch raises an "
                      "error otherwise): it only picks between the sizes a strided "
                      "convolution rounds to the same output.")
    return _wrong(f"first find the encoder's output size, then the transposed convolution's "
                  f"output for it with output_padding = 0, and compare with the "
                  f"{i}x{i} you want.")


@_judge("conv_matrix_shape")
def _conv_matrix_shape(m, answer):
    (h, w), k, s = m["input_shape"], m["kernel_size"], m["stride"]
    mine = _whole_numbers(answer, 2, "a (rows, columns) tuple")
    expected = conv_matrix((h, w), np.ones((k, k)), stride=s).shape
    oh, ow = output_size(h, k, stride=s), output_size(w, k, stride=s)
    if mine == expected:
        return _correct(f"one row per output pixel ({oh}x{ow} = {expected[0]}) and one "
                        f"column per input pixel ({h}x{w} = {expected[1]}); each row holds "
                        f"the {k * k} weights where its window sits, zeros elsewhere. C.T has "
                        "the shape the other way round and maps outputs back to inputs: the "
                        "transposed convolution.")
    if mine == expected[::-1]:
        return _wrong("those are the right numbers the wrong way round: C @ x.ravel() is the "
                      "output, so C has a row per output pixel and a column per input pixel.")
    stride1 = output_size(h, k) * output_size(w, k)
    if mine == (stride1, expected[1]):
        return _wrong("that has a row for every stride-1 window; at this stride fewer "
                      "windows fit.")
    if mine[1] == k * k:
        return _wrong("the columns are not the kernel's weights but the input pixels: "
                      "C multiplies the whole flattened image.")
    if mine == (oh, ow) or mine == (h, w):
        return _wrong("that is an image's shape; C is a matrix that maps the flattened "
                      "input to the flattened output.")
    return _wrong("C @ x.ravel() must give the output, flattened: count the output pixels "
                  "(the rows) and the input pixels (the columns).")


@_judge("transposed_by_hand")
def _transposed_by_hand(m, answer):
    x, kernel, s = m["image"], m["kernel"], m["stride"]
    expected = conv_transpose2d(x[None, None], kernel[None, None], stride=s)[0, 0]
    mine = _number_array(answer, expected.shape, "2-D array")
    flipped = conv_transpose2d(x[None, None], kernel[::-1, ::-1][None, None].copy(),
                               stride=s)[0, 0]
    return _array_verdict(
        mine, expected,
        f"each input pixel adds value * kernel with its top-left tap at (row*{s}, "
        f"column*{s}); where stamps overlap they add, for instance the centre "
        f"{_fmt(expected[1, 1])} collects one tap from each of the four stamps. The same "
        "numbers come from convolving the zero-padded input with the flipped kernel.",
        hints=[(flipped, "that stamps the kernel turned by a half turn: the stamp of "
                "x[i, j] puts kernel[a, b] at (i + a, j + b), top-left tap first.")])


@_judge("checkerboard_overlap")
def _checkerboard_overlap(m, answer):
    i, k, s = m["input_size"], m["kernel_size"], m["stride"]
    expected = conv_transpose2d(np.ones((1, 1, i, i)), np.ones((1, 1, k, k)), stride=s)[0, 0]
    size = expected.shape[0]
    row = expected[0]
    if _shape_of(answer) == row.shape:
        raise _Malformed(f"that is one row of counts; the answer is the whole {size}x{size} "
                         "output (np.outer of the row with itself).")
    mine = _number_array(answer, expected.shape, "2-D array")
    shown = ", ".join(_fmt(v) for v in row)
    return _array_verdict(
        mine, expected,
        f"along one axis the counts are [{shown}]: stamps {k} wide starting {s} apart "
        "overlap on every other pixel. In 2-D the counts multiply, so pixels get 1, 2 or 4 "
        "taps: the uneven overlap that prints a checkerboard into the output of a stride-2 "
        "transposed convolution with a 3x3 kernel.",
        hints=[(np.ones_like(expected), "the stamps overlap: a 3-wide stamp every 2 pixels "
                "covers some pixels twice along each axis."),
               (row[:, None] + row[None, :] - 1, "where an overlapping row meets an "
                "overlapping column, the counts multiply: 2 stamps along each axis means "
                "2 x 2 stamps land there.")])


# --------------------------------------------------------------------------
# The random shape quiz
# --------------------------------------------------------------------------

def shape_quiz_settings(seed):
    """The layer and input of the shape quiz for ``seed``, as a dict.

    Parameters
    ----------
    seed : int
        Any non-negative whole number; the same seed always gives the same question.

    Returns
    -------
    dict
        ``kind`` ('conv', 'max pool' or 'avg pool'), ``input_shape`` (N, C, H, W),
        ``kernel_size``, ``stride`` (None means the pooling default, the kernel
        size), ``padding``, ``dilation``, ``ceil_mode``, ``out_channels`` (conv
        only) and ``code``, the PyTorch layer as written in the question.

    Examples
    --------
    >>> shape_quiz_settings(0)["code"] == shape_quiz_settings(0)["code"]
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"seed must be a non-negative whole number, got {describe(seed)}")
    rng = np.random.default_rng([20240611, int(seed)])
    while True:
        kind = ("conv", "conv", "max pool", "avg pool")[rng.integers(4)]
        n, c = int(rng.integers(1, 5)), int(rng.choice([1, 3, 8, 16]))
        h, w = (int(v) for v in rng.integers(5, 41, size=2))
        if kind == "conv":
            k = int(rng.choice([1, 2, 3, 3, 4, 5, 7]))
            s = int(rng.choice([1, 1, 2, 2, 3]))
            p = int(rng.integers(0, k // 2 + 2))
            d = int(rng.choice([1, 1, 1, 2, 3]))
            ceil_mode = False
            out = int(rng.choice([4, 8, 16, 32]))
            code = (f"torch.nn.Conv2d({c}, {out}, kernel_size={k}"
                    + (f", stride={s}" if s != 1 else "")
                    + (f", padding={p}" if p else "")
                    + (f", dilation={d}" if d != 1 else "") + ")")
        else:
            k = int(rng.integers(2, 5))
            s = None if rng.random() < 0.4 else int(rng.integers(1, 4))
            p = int(rng.integers(0, k // 2 + 1))
            d = 1
            ceil_mode = bool(rng.random() < 0.4)
            out = None
            name = "MaxPool2d" if kind == "max pool" else "AvgPool2d"
            code = (f"torch.nn.{name}({k}" + (f", stride={s}" if s is not None else "")
                    + (f", padding={p}" if p else "")
                    + (", ceil_mode=True" if ceil_mode else "") + ")")
        if min(h, w) + 2 * p >= d * (k - 1) + 1:
            return dict(kind=kind, input_shape=(n, c, h, w), kernel_size=k, stride=s,
                        padding=p, dilation=d, ceil_mode=ceil_mode, out_channels=out,
                        code=code)


def _quiz_expected(q):
    n, c, h, w = q["input_shape"]
    k, p, d = q["kernel_size"], q["padding"], q["dilation"]
    s = k if q["stride"] is None else q["stride"]
    hw = [output_size(size, k, stride=s, padding=p, dilation=d, ceil_mode=q["ceil_mode"])
          for size in (h, w)]
    channels = q["out_channels"] if q["kind"] == "conv" else c
    return (n, channels, *hw)


def _quiz_question(seed):
    q = shape_quiz_settings(seed)
    return (f"Shape quiz #{seed}: x has shape {q['input_shape']}. What is the shape of\n"
            f"    {q['code']}(x)\n"
            "Answer with an (N, C, H, W) tuple: "
            f"check.shape_quiz_answer({seed}, (N, C, H, W)).")


def shape_quiz(seed=0):
    """Print a random output-shape question; the same seed gives the same question.

    Parameters
    ----------
    seed : int, default 0
        Pick any number for a new question; check with :func:`shape_quiz_answer`.

    Examples
    --------
    >>> shape_quiz(3)
    Shape quiz #3: x has shape ...
    """
    print(_quiz_question(seed))


@_judge("shape_quiz")
def _shape_quiz(m, answer, seed=0):
    q = shape_quiz_settings(seed)
    expected = _quiz_expected(q)
    if isinstance(answer, (tuple, list)) and len(answer) == 2:
        raise _Malformed("give the whole shape, (N, C, H, W), not only (H, W).")
    mine = _whole_numbers(answer, 4, "an (N, C, H, W) tuple")
    k, p, d = q["kernel_size"], q["padding"], q["dilation"]
    s = k if q["stride"] is None else q["stride"]
    if mine == expected:
        extent = f"{d}*({k} - 1) + 1" if d != 1 else f"{k}"
        rounding = "ceil" if q["ceil_mode"] else "floor"
        return _correct(f"each spatial axis is {rounding}((i + 2*{p} - {extent}) / {s}) + 1: "
                        f"H = {expected[2]}, W = {expected[3]}. Try another seed.")
    if mine[0] != expected[0]:
        return _wrong("the batch size N passes through a layer unchanged.")
    if mine[1] != expected[1]:
        return _wrong("check the channels: a Conv2d outputs its out_channels (the second "
                      "argument), pooling keeps the channels it gets.")
    hints = ["check H and W with floor((i + 2p - d*(k - 1) - 1) / s) + 1 per axis."]
    if q["stride"] is None:
        hints.append("A pooling layer's stride defaults to its kernel size.")
    if q["ceil_mode"]:
        hints.append("ceil_mode=True rounds up instead of down (but a window may not start "
                     "in the padding).")
    if d != 1:
        hints.append(f"With dilation {d} the kernel spans d*(k - 1) + 1 pixels.")
    return _wrong(" ".join(hints))


def shape_quiz_answer(seed, answer):
    """Check an answer to :func:`shape_quiz` for the same ``seed``; prints the verdict.

    Parameters
    ----------
    seed : int
        The seed the question was posed with.
    answer : tuple of int
        The predicted output shape (N, C, H, W).

    Examples
    --------
    >>> shape_quiz_answer(3, ...)
    Not attempted yet: ...
    """
    _report("shape_quiz", answer, seed=seed)


# --------------------------------------------------------------------------
# The public checkers: one thin function per exercise, made from the table.
# --------------------------------------------------------------------------

def _make_checker(exercise: Exercise):
    def checker(answer):
        _report(exercise.name, answer)

    checker.__name__ = checker.__qualname__ = exercise.name
    checker.__module__ = __name__
    checker.__doc__ = (
        f"Check exercise {exercise.number} ({exercise.notebook}): {exercise.title}.\n\n"
        f"Prints a verdict and returns None. See ``question({exercise.name!r})`` for the\n"
        f"question.\n\n"
        f"Parameters\n----------\n"
        f"answer : {exercise.answer}\n"
        f"    Your answer; ``...`` or None means not attempted yet.\n\n"
        f"Examples\n--------\n"
        f">>> {exercise.name}(...)\n"
        f"Not attempted yet: replace the ... with your answer ({exercise.answer}), then run "
        f"this cell again.\n")
    return checker


for _exercise in EXERCISES.values():
    if _exercise.name != "shape_quiz":
        globals()[_exercise.name] = _make_checker(_exercise)
        __all__.append(_exercise.name)
del _exercise
