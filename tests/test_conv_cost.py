"""conv_cost: the layer-table arithmetic, against real arrays and against PyTorch."""

import itertools

import numpy as np
import pytest

import convlab
from convlab.arithmetic import ConvCost, conv_cost

CASES = [  # (input_shape, out_channels, kernel_size, stride, padding, dilation)
    ((1, 32, 32), 6, 5, 1, 0, 1),
    ((3, 17, 12), 4, 3, 2, 1, 1),
    ((2, 9, 11), 5, (3, 2), (1, 2), (2, 0), (2, 1)),
    ((4, 8, 8), 3, 3, 1, "same", 2),
    ((3, 7, 10), 2, 4, 3, ((1, 2), (0, 3)), 1),
    ((400, 1, 1), 120, 1, 1, 0, 1),
]


def count_multiplies_by_loops(input_shape, weight_shape, output_hw):
    """Multiplications the explicit loop does: one per weight tap per output position."""
    c_out, c_in, kh, kw = weight_shape
    count = 0
    for _, _, _ in itertools.product(range(c_out), range(output_hw[0]), range(output_hw[1])):
        count += c_in * kh * kw
    return count


@pytest.mark.parametrize("shape, c_out, k, s, p, d", CASES)
def test_conv_cost_matches_a_real_convolution(shape, c_out, k, s, p, d):
    kh, kw = (k, k) if isinstance(k, int) else k
    x = np.ones(shape)
    weight = np.ones((c_out, shape[0], kh, kw))
    bias = np.zeros(c_out)
    out = convlab.conv2d(x, weight, bias, stride=s, padding=p, dilation=d)
    cost = conv_cost(shape, c_out, k, s, p, d)
    assert cost.output_shape == out.shape
    assert cost.parameters == weight.size + bias.size
    assert cost.activations == out.size
    assert cost.multiplies == count_multiplies_by_loops(shape, weight.shape, out.shape[1:])


def test_conv_cost_without_bias_and_with_groups():
    assert conv_cost((8, 10, 10), 8, 3, bias=False).parameters == 3 * 3 * 8 * 8
    depthwise = conv_cost((8, 10, 10), 8, 3, padding=1, groups=8)
    assert depthwise.parameters == 8 * 3 * 3 + 8
    assert depthwise.multiplies == 10 * 10 * 8 * 3 * 3


def test_conv_cost_lenet_by_hand():
    # LeNet-5's layers, worked by hand: 5*5*1*6 + 6, 28*28*5*5*1*6, 6*28*28
    assert conv_cost((1, 32, 32), 6, 5) == ConvCost((6, 28, 28), 156, 117600, 4704)
    assert conv_cost((6, 14, 14), 16, 5) == ConvCost((16, 10, 10), 2416, 240000, 1600)
    assert conv_cost((400, 1, 1), 120, 1) == ConvCost((120, 1, 1), 48120, 48000, 120)


@pytest.mark.parametrize("shape, c_out, k, s, p, d", [c for c in CASES if not isinstance(c[4], tuple)
                                                      or all(isinstance(v, int) for v in c[4])])
def test_conv_cost_matches_pytorch(torch, shape, c_out, k, s, p, d):
    layer = torch.nn.Conv2d(shape[0], c_out, k, stride=s, padding=p, dilation=d)
    out = layer(torch.zeros((1,) + shape))
    cost = conv_cost(shape, c_out, k, s, p, d)
    assert cost.output_shape == tuple(out.shape[1:])
    assert cost.parameters == sum(t.numel() for t in layer.parameters())
    assert cost.activations == out[0].numel()


def test_conv_cost_groups_match_pytorch(torch):
    layer = torch.nn.Conv2d(6, 9, 3, padding=1, groups=3, bias=False)
    assert conv_cost((6, 5, 5), 9, 3, padding=1, groups=3, bias=False).parameters == \
        sum(t.numel() for t in layer.parameters())


@pytest.mark.parametrize("args, kwargs, error, match", [
    (((3, 8), 4, 3), {}, ValueError, "input_shape must have 3 entries"),
    (((3, 8, 8), 0, 3), {}, ValueError, "out_channels must be >= 1, got 0"),
    (((3, 8, 8), 4, 3.0), {}, TypeError, "kernel_size must be an int"),
    (((3, 8, 8), 4, 3), {"groups": 2}, ValueError, r"groups=2 must divide both the input channels \(3\)"),
    (((3, 8, 8), 4, 9), {}, ValueError, "does not fit"),
    (((3, 8, 8), 4, 3), {"padding": (1, 2, 3)}, ValueError, "padding must be an int, a"),
    (((3, 8, 8), 4, 3), {"bias": "yes"}, TypeError, "bias must be a bool, got"),
])
def test_conv_cost_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        conv_cost(*args, **kwargs)
