"""Reference answers to the course exercises, worked the way a learner would.

One name per exercise in :mod:`convlab.check`: a value, or a function where
the exercise asks for one. The numbers are worked by hand from the questions
(``check.question(name)`` prints them), not computed with convlab, so the
tests that feed these answers to the checkers compare two independent routes.
Look here after trying, not before.

Examples
--------
>>> from convlab import check, solutions
>>> check.stride_output_size(solutions.stride_output_size)
Correct! the windows start at columns 0, 2, 4, 6, 8: floor((11 - 3) / 2) + 1 = 5.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "kernel_one_value", "kernel_output_shape", "naive_correlate2d", "vertical_edge_kernel",
    "flip_kernel",
    "stride_output_size", "stride_output_values", "stride_unvisited", "alexnet_input_sizes",
    "filter_partial_sums", "filter_output_value", "filter_output_shape",
    "conv_parameter_count", "pointwise_parameter_count",
    "max_pool_values", "avg_pool_values", "max_pool_indices", "ceil_mode_output_size",
    "naive_max_pool2d",
    "same_padding_odd_kernel", "same_padding_even_kernel", "same_padding_stride2",
    "reflect_pad_row", "padded_output_size",
    "dilated_output_size", "receptive_field_stack", "pipeline_shapes", "stacked_3x3_weights",
    "shape_quiz",
    "weight_gradient_value", "bias_gradient", "gradient_step", "max_pool_gradient_route",
    "tiny_cnn_parameter_count",
    "transposed_output_size", "choose_output_padding", "conv_matrix_shape",
    "transposed_by_hand", "checkerboard_overlap",
]

# 01_kernels ----------------------------------------------------------------

#: The window at row 1, column 2 is [[8, 9, 3], [2, 5, 1], [3, 1, 7]]; Sobel x
#: is [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]].
kernel_one_value = (-1*8 + 0*9 + 1*3
                    - 2*2 + 0*5 + 2*1
                    - 1*3 + 0*1 + 1*7)                       # = -3

#: A 3x4 kernel fits at 7 - 3 + 1 rows and 9 - 4 + 1 columns.
kernel_output_shape = (7 - 3 + 1, 9 - 4 + 1)                # = (5, 6)


def naive_correlate2d(image, kernel):
    """Valid cross-correlation with explicit loops, stride 1."""
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    out_h = image.shape[0] - kh + 1
    out_w = image.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    total += image[i + a, j + b] * kernel[a, b]
            out[i, j] = total
    return out


#: Left column negative, right column positive, every row the same: zero on
#: flat regions and on horizontal edges, large where left and right differ.
vertical_edge_kernel = [[-1, 0, 1],
                        [-1, 0, 1],
                        [-1, 0, 1]]

#: Upside down and left to right (a half turn).
flip_kernel = [[9, 8, 7],
               [6, 5, 4],
               [3, 2, 1]]

# 02_stride -----------------------------------------------------------------

#: Windows start at 0, 2, 4, 6, 8; the next (10) would need columns 10..12.
stride_output_size = (11 - 3) // 2 + 1                      # = 5

#: Sobel x at stride 2: windows at rows and columns 0 and 2. Each value is
#: (right column - left column) weighted 1, 2, 1 from top to bottom.
stride_output_values = [
    [1*(1 - 3) + 2*(8 - 1) + 1*(2 - 2),  1*(7 - 1) + 2*(3 - 8) + 1*(1 - 2)],
    [1*(2 - 2) + 2*(3 - 0) + 1*(1 - 4),  1*(1 - 2) + 2*(7 - 3) + 1*(2 - 1)],
]                                                           # = [[12, -5], [3, 8]]

#: Windows start at 0 and 4 (covering 0-2 and 4-6); 8 would need column 10.
stride_unvisited = [3, 7, 8, 9]

#: floor((i - 11) / 4) + 1 = 55 needs i - 11 in 216..219.
alexnet_input_sizes = list(range(216 + 11, 219 + 11 + 1))  # = [227, 228, 229, 230]

# 03_filters ----------------------------------------------------------------

#: Windows at rows 2-4, columns 2-4 of each channel:
#: red [[0, 1, 3], [2, 2, 2], [0, 3, 2]] with left-minus-right columns;
#: green [[1, 3, 2], [3, 2, 0], [3, 1, 0]] with the plus-shaped kernel;
#: blue [[2, 3, 1], [2, 2, 0], [0, 1, 3]] with -1 top-left, 1 centre, 2 bottom-right.
filter_partial_sums = [
    (0 - 3) + (2 - 2) + (0 - 2),                            # red   = -5
    3 + 3 + 2*2 + 0 + 1,                                    # green = 11
    -1*2 + 1*2 + 2*3,                                       # blue  = 6
]

#: The three partial results plus the bias, once.
filter_output_value = -5 + 11 + 6 + 1                       # = 13

#: One channel per filter; 32 - 5 + 1 rows and columns.
filter_output_shape = (8, 32 - 5 + 1, 32 - 5 + 1)           # = (8, 28, 28)

#: 8 filters of 3 kernels of 5x5, plus 8 biases.
conv_parameter_count = 8 * 3 * 5 * 5 + 8                    # = 608

#: 32 filters of 64 kernels of 1x1, plus 32 biases.
pointwise_parameter_count = 32 * 64 * 1 * 1 + 32            # = 2080

# 04_pooling ----------------------------------------------------------------

#: The four 2x2 blocks are [[1, 3], [4, 6]], [[2, 0], [1, 1]],
#: [[0, 2], [3, 1]] and [[5, 7], [8, 2]].
max_pool_values = [[6, 2],
                   [3, 8]]

avg_pool_values = [[(1 + 3 + 4 + 6) / 4, (2 + 0 + 1 + 1) / 4],
                   [(0 + 2 + 3 + 1) / 4, (5 + 7 + 8 + 2) / 4]]  # = [[3.5, 1], [1.5, 5.5]]

#: 6 at (1, 1), 2 at (0, 2), 3 at (3, 0), 8 at (3, 2); index = row * 4 + column.
max_pool_indices = [[1*4 + 1, 0*4 + 2],
                    [3*4 + 0, 3*4 + 2]]                     # = [[5, 2], [12, 14]]

#: ceil((6 - 3) / 2) + 1; the last window starts at 4, inside the row.
ceil_mode_output_size = math.ceil((6 - 3) / 2) + 1          # = 3


def naive_max_pool2d(image, size, stride):
    """Max pooling with explicit loops, no padding."""
    image = np.asarray(image, dtype=float)
    out_h = (image.shape[0] - size) // stride + 1
    out_w = (image.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            best = image[i * stride, j * stride]
            for a in range(size):
                for b in range(size):
                    best = max(best, image[i * stride + a, j * stride + b])
            out[i, j] = best
    return out


# 05_padding ----------------------------------------------------------------

#: k - 1 = 4 in total, split evenly.
same_padding_odd_kernel = (5 - 1) // 2                      # = 2

#: k - 1 = 3 in total: 1 before, the extra pixel after.
same_padding_even_kernel = (1, 2)

#: o = ceil(8 / 2) = 4 needs (4 - 1)*2 + 3 = 9 pixels: 1 more than 8, after.
same_padding_stride2 = (0, 1)

#: Mirror about the first and last pixels without repeating them.
reflect_pad_row = [3, 2, 1, 2, 3, 4, 5, 4, 3]

#: The padded row has 10 + 2*2 = 14 pixels.
padded_output_size = (10 + 2 * 2 - 3) // 2 + 1              # = 6

# 06_putting_it_together ----------------------------------------------------

#: Three taps two apart span 2*(3 - 1) + 1 = 5 pixels.
dilated_output_size = 15 - (2 * (3 - 1) + 1) + 1            # = 11

#: size += (k - 1) * jump, then jump *= stride:
#: 1 -> 3 -> 5 -> 6 (jump becomes 2) -> 6 + 2*2 = 10.
receptive_field_stack = 1 + 2*1 + 2*1 + 1*1 + 2*2           # = 10

#: 64 + 2*2 - 5 + 1 = 64; 64 / 2 = 32; (32 + 2 - 3) // 2 + 1 = 16; (16 - 3) // 2 + 1 = 7.
pipeline_shapes = [(16, 64, 64), (16, 32, 32), (32, 16, 16), (32, 7, 7)]

#: Three layers of 64 * 64 kernels of 3x3 (a single 7x7 layer would need 200704).
stacked_3x3_weights = 3 * 64 * 64 * 3 * 3                   # = 110592


def shape_quiz(seed):
    """The answer to ``check.shape_quiz(seed)``, from the output-size formula by hand."""
    from .check import shape_quiz_settings

    q = shape_quiz_settings(seed)
    n, c, h, w = q["input_shape"]
    k, p, d = q["kernel_size"], q["padding"], q["dilation"]
    s = q["stride"] if q["stride"] is not None else k   # pooling's stride defaults to k

    def size(i):
        span = i + 2 * p - d * (k - 1) - 1
        if not q["ceil_mode"]:
            return span // s + 1
        o = math.ceil(span / s) + 1
        if (o - 1) * s >= i + p:     # the last window may not start in the padding
            o -= 1
        return o

    channels = q["out_channels"] if q["kind"] == "conv" else c
    return (n, channels, size(h), size(w))


# 07_learning_kernels -------------------------------------------------------

#: Output (i, j) met w[1, 2] on image[i + 1, j + 2]: the block of rows 1-2,
#: columns 2-3, [[3, 2], [1, 1]], paired with dL/dy = [[1, 0], [-1, 2]].
weight_gradient_value = 1*3 + 0*2 + (-1)*1 + 2*1          # = 4

#: dy/db = 1 for every output: add everything, both images.
bias_gradient = (1 - 2 + 0 + 3 + 1 - 1) + (0 + 2 + 1 - 1 + 0 + 4)   # = 2 + 6 = 8

#: kernel - 0.1 * gradient, entry by entry.
gradient_step = [[0.5 - 0.1*1.0, -1.0 - 0.1*(-2.0)],
                 [2.0 - 0.1*0.5, 0.0 - 0.1*4.0]]          # = [[0.4, -0.8], [1.95, -0.4]]

#: The winners are 6 at (1, 1), 2 at (0, 2), 3 at (3, 0) and 8 at (3, 2).
max_pool_gradient_route = [[0, 0, -2, 0],
                           [0, 1, 0, 0],
                           [0, 0, 0, 0],
                           [3, 0, 5, 0]]

#: conv 1->8: 8*1*3*3 + 8; conv 8->16: 16*8*3*3 + 16; dense: 16 channels of
#: 4x4 after two poolings, 256 inputs, 4 outputs: 4*256 + 4.
tiny_cnn_parameter_count = (8*1*9 + 8) + (16*8*9 + 16) + (4*256 + 4)   # = 2276

# 08_transposed_convolution -------------------------------------------------

#: Stamps start at 0, 2, 4, 6, 8; the last reaches 8 + 2 = 10, so 11 pixels,
#: minus 1 cropped from each end.
transposed_output_size = (5 - 1)*2 + (3 - 1) + 1 - 2*1     # = 9

#: The encoder gives (10 + 2 - 3) // 2 + 1 = 5; 5 comes back as
#: (5 - 1)*2 - 2 + 2 + 1 = 9, one short of 10.
choose_output_padding = 10 - ((5 - 1)*2 - 2*1 + (3 - 1) + 1)   # = 1

#: Windows at 0 and 2 along each axis: 2x2 = 4 outputs (rows), 25 inputs.
conv_matrix_shape = (2 * 2, 5 * 5)                          # = (4, 25)

#: Stamps 2*k at (0, 0), 1*k at (0, 1), 3*k at (1, 0), 4*k at (1, 1), added;
#: = [[2, 5, 2], [3, 8, 7], [0, -3, -4]].
transposed_by_hand = [[2*1, 2*2 + 1*1, 1*2],
                      [3*1, 2*(-1) + 1*0 + 3*2 + 4*1, 1*(-1) + 4*2],
                      [0, 3*(-1) + 4*0, 4*(-1)]]

#: Stamps cover 0-2, 2-4 and 4-6 along each axis: pixels 2 and 4 twice.
checkerboard_overlap = np.outer([1, 1, 2, 1, 2, 1, 1],
                                [1, 1, 2, 1, 2, 1, 1]).tolist()
