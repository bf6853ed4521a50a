"""output_size, same_padding and receptive_field against real output shapes."""

import itertools
import math

import numpy as np
import pytest
from _reference import tf_same

import convlab
from convlab.arithmetic import conv_cost, receptive_field, resolve_axis_padding

GRID = list(itertools.product(range(1, 10), range(1, 5), range(1, 4), range(0, 3), range(1, 4)))


@pytest.mark.parametrize("i, k, s, p, d", GRID)
def test_output_size_equals_real_output_shape(i, k, s, p, d):
    image = np.ones((i, 3))
    kernel = np.ones((k, 1))
    try:
        real = convlab.correlate2d(image, kernel, stride=(s, 1), padding=(p, 0),
                                   dilation=(d, 1)).shape[0]
    except ValueError:
        with pytest.raises(ValueError, match="does not fit"):
            convlab.output_size(i, k, s, p, d)
        return
    assert convlab.output_size(i, k, s, p, d) == real
    assert real == (i + 2 * p - d * (k - 1) - 1) // s + 1  # the formula, written independently


@pytest.mark.parametrize("i, k, s, d", [(i, k, s, d) for i in range(1, 12) for k in range(1, 6)
                                        for s in range(1, 4) for d in range(1, 3)])
def test_same_padding_gives_ceil_i_over_s(i, k, s, d):
    before, after = convlab.same_padding(i, k, s, d)
    assert (before, after) == tf_same(i, k, s, d)
    assert after - before in (0, 1)  # the odd pixel goes after
    out = convlab.correlate2d(np.ones((i, 2)), np.ones((k, 1)), stride=(s, 1), padding="same",
                              dilation=(d, 1))
    assert out.shape[0] == math.ceil(i / s) == convlab.output_size(i, k, s, "same", d)


@pytest.mark.parametrize("i, k", [(i, k) for i in range(1, 9) for k in range(1, 6)])
def test_same_padding_defaults_to_stride_1_and_dilation_1(i, k):
    # stride 1 keeps all i positions, so a k-wide window needs k - 1 extra pixels in all,
    # the odd one after: 3 -> (1, 1), 4 -> (1, 2)
    assert convlab.same_padding(i, k) == ((k - 1) // 2, k // 2)
    assert resolve_axis_padding("same", i, k) == ((k - 1) // 2, k // 2)


@pytest.mark.parametrize("i, k", [(i, k) for i in range(1, 9) for k in range(1, 5)])
def test_full_padding(i, k):
    assert convlab.output_size(i, k, padding="full") == i + k - 1
    assert convlab.correlate2d(np.ones((i, 1)), np.ones((k, 1)), padding="full").shape[0] \
        == i + k - 1


@pytest.mark.parametrize("i, k, s, p, d, ceil_mode",
                         [c for c in itertools.product(range(1, 9), range(1, 4), range(1, 4),
                                                       range(0, 2), range(1, 3), (False, True))
                          if c[3] <= (c[4] * (c[1] - 1) + 1) // 2])
def test_output_size_equals_torch_pooling_shape(i, k, s, p, d, ceil_mode, torch):
    x = torch.zeros(1, 1, i, 1)
    try:
        real = torch.nn.functional.max_pool2d(x, (k, 1), (s, 1), (p, 0), (d, 1),
                                              ceil_mode=ceil_mode).shape[2]
    except RuntimeError:
        with pytest.raises(ValueError):
            convlab.output_size(i, k, s, p, d, ceil_mode)
        return
    assert convlab.output_size(i, k, s, p, d, ceil_mode) == real
    assert convlab.max_pool2d(np.zeros((i, 1)), (k, 1), (s, 1), (p, 0), (d, 1),
                              ceil_mode=ceil_mode).shape[0] == real


def _traced_field(layers, length=64):
    """Receptive field of the central output, found by poking each input pixel."""
    def run(x):
        for k, s, p, d in layers:
            x = convlab.correlate2d(x, np.ones((1, k)), stride=(1, s), padding=((0, 0), (p, p)),
                                    dilation=(1, d))
        return x[0]
    base = run(np.zeros((1, length)))
    centre = len(base) // 2
    seen = []
    for pixel in range(length):
        x = np.zeros((1, length))
        x[0, pixel] = 1.0
        if run(x)[centre] != 0:
            seen.append(pixel)
    return seen, centre


@pytest.mark.parametrize("layers", [
    [(3, 1, 0, 1)] * 3,
    [(3, 1, 1, 1), (2, 2, 0, 1), (3, 1, 1, 1)],
    [(5, 2, 2, 1), (3, 2, 1, 1), (3, 1, 0, 2)],
    [(3, 1, 0, 2), (3, 1, 0, 4)],
])
def test_receptive_field_matches_a_traced_stack(layers):
    seen, centre = _traced_field(layers)
    field = receptive_field(layers)[-1]
    assert field.size == seen[-1] - seen[0] + 1
    assert field.start + centre * field.jump == (seen[0] + seen[-1]) / 2


def test_receptive_field_of_three_3x3_is_7x7():
    assert [r.size for r in receptive_field([(3, 1)] * 3)] == [3, 5, 7]


@pytest.mark.parametrize("call, error, message", [
    (lambda: convlab.output_size(0, 3), ValueError, r"input_size must be >= 1, got 0"),
    (lambda: convlab.output_size(5, 3, stride=0), ValueError, r"stride must be >= 1, got 0"),
    (lambda: convlab.output_size(5, 3, dilation=0), ValueError, r"dilation must be >= 1, got 0"),
    (lambda: convlab.output_size(5.0, 3), TypeError, r"input_size must be an int, got 5.0"),
    (lambda: convlab.output_size(5, 3, padding=-1), ValueError, r"padding must be >= 0, got -1"),
    (lambda: convlab.output_size(5, 3, padding=(-1, 0)), ValueError,
     r"padding before must be >= 0, got -1"),
    (lambda: convlab.output_size(5, 3, padding=(0, -1)), ValueError,
     r"padding after must be >= 0, got -1"),
    (lambda: convlab.output_size(5, 3, padding=(1, 2, 3)), ValueError,
     r"padding as a pair must be \(before, after\), got \(1, 2, 3\)"),
    (lambda: convlab.output_size(5, 3, padding="half"), ValueError,
     r"padding must be an int, a \(before, after\) pair or one of 'valid', 'same', 'full', "
     r"got 'half'"),
    (lambda: convlab.output_size(2, 3), ValueError,
     r"kernel_size 3 \(dilated extent 3\) does not fit in the padded input 2"),
    (lambda: convlab.output_size(5, 0), ValueError, r"kernel_size must be >= 1, got 0"),
    (lambda: convlab.output_size(5, 2, ceil_mode="yes"), TypeError,
     r"ceil_mode must be a bool, got 'yes' \(str\)"),
    # uneven padding: the message adds both sides, 2 + 1 + 2 = 5
    (lambda: convlab.output_size(2, 7, padding=(1, 2)), ValueError,
     r"kernel_size 7 \(dilated extent 7\) does not fit in the padded input 5 "
     r"\(input_size 2 \+ padding 1\+2\)"),
    (lambda: convlab.same_padding(5, 0), ValueError, r"kernel_size must be >= 1, got 0"),
    (lambda: convlab.same_padding(0, 3), ValueError, r"input_size must be >= 1, got 0"),
    (lambda: convlab.same_padding(5, 3, stride=0), ValueError, r"stride must be >= 1, got 0"),
    (lambda: convlab.same_padding(5, 3, dilation=0), ValueError,
     r"dilation must be >= 1, got 0"),
    (lambda: receptive_field([(3,)]), ValueError, r"layers\[0\] must be \(kernel_size, stride"),
    (lambda: receptive_field(3), TypeError,
     r"layers must be a sequence of \(kernel_size, stride\) tuples, got 3 \(int\)"),
    (lambda: receptive_field([(3, 1), (3, 1, 1, 1, 1)]), ValueError,
     r"layers\[1\] must be \(kernel_size, stride\[, padding\[, dilation\]\]\), "
     r"got \(3, 1, 1, 1, 1\)"),
    (lambda: receptive_field([(0, 1)]), ValueError, r"layers\[0\] kernel_size must be >= 1, got 0"),
    (lambda: receptive_field([(3, 1), (3, 0)]), ValueError,
     r"layers\[1\] stride must be >= 1, got 0"),
    (lambda: receptive_field([(3, 1, -1)]), ValueError,
     r"layers\[0\] padding must be >= 0, got -1"),
    (lambda: receptive_field([(3, 1, 0, 0)]), ValueError,
     r"layers\[0\] dilation must be >= 1, got 0"),
    (lambda: receptive_field([(3, 1, 0, 1.5)]), TypeError,
     r"layers\[0\] dilation must be an int, got 1.5"),
])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("stride, padding, dilation", [
    ((1, 2), (0, 1), (1, 2)), ((2, 1), ((1, 0), (2, 1)), (2, 1)), (1, 0, (3, 2))])
def test_conv_cost_per_axis_matches_a_real_convolution(stride, padding, dilation):
    # each axis its own stride, padding and dilation: the width must not take the height's
    x = np.ones((2, 9, 11))
    w = np.ones((4, 2, 3, 2))
    out = convlab.conv2d(x, w, np.zeros(4), stride=stride, padding=padding, dilation=dilation)
    cost = conv_cost(x.shape, 4, (3, 2), stride, padding, dilation)
    assert cost.output_shape == out.shape
    assert cost.activations == out.size
    assert cost.multiplies == out.shape[1] * out.shape[2] * w.size


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(kernel_size=0), ValueError, r"kernel_size must be >= 1, got 0"),
    (dict(kernel_size=(3, 0)), ValueError, r"kernel_size\[1\] must be >= 1, got 0"),
    (dict(stride=0), ValueError, r"stride must be >= 1, got 0"),
    (dict(stride=(1, 0)), ValueError, r"stride\[1\] must be >= 1, got 0"),
    (dict(dilation=0), ValueError, r"dilation must be >= 1, got 0"),
    (dict(dilation=(2, 0)), ValueError, r"dilation\[1\] must be >= 1, got 0"),
    (dict(dilation=1.5), TypeError, r"dilation must be an int, got 1.5"),
    (dict(groups=0), ValueError, r"groups must be >= 1, got 0"),
    (dict(groups=1.5), TypeError, r"groups must be an int, got 1.5"),
    (dict(bias="yes"), TypeError, r"bias must be a bool, got 'yes' \(str\)"),
    (dict(padding=(1, 2, 3)), ValueError,
     r"padding must be an int, a \(height, width\) pair or \(\(top, bottom\), \(left, right\)\), "
     r"got \(1, 2, 3\)"),
])
def test_conv_cost_errors_name_the_argument(kwargs, error, message):
    args = dict(input_shape=(3, 8, 8), out_channels=4, kernel_size=3)
    with pytest.raises(error, match=message):
        conv_cost(**{**args, **kwargs})
