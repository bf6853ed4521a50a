"""apply_filter: one kernel per channel, summed, plus bias == loop == PyTorch."""

import numpy as np
import pytest
from _reference import explicit_pads, geometry, output_hw, pair, tolerance, torch_conv
from hypothesis import given
from hypothesis import strategies as st

import convlab
from convlab import naive


_filter_cases = dict(case=geometry(max_size=8, max_kernel=3), channels=st.integers(1, 4),
                     bias=st.floats(-5, 5, allow_nan=False))


def _filter_args(case, channels):
    rng = np.random.default_rng(case["seed"])
    image = rng.standard_normal((channels,) + case["input_hw"]).astype(case["dtype"])
    filt = rng.standard_normal((channels,) + case["kernel_hw"]).astype(case["dtype"])
    args = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"],
                padding_mode=case["mode"])
    return image, filt, args


@given(**_filter_cases)
def test_apply_filter_fast_equals_loop(case, channels, bias):
    image, filt, args = _filter_args(case, channels)
    out = convlab.apply_filter(image, filt, bias, **args)
    loop = naive.apply_filter(image, filt, bias, **args)
    assert out.shape == loop.shape == output_hw(case)
    assert out.dtype == loop.dtype == case["dtype"]
    np.testing.assert_allclose(loop, out, **tolerance(case["dtype"]))


@given(**_filter_cases)
def test_apply_filter_equals_torch(case, channels, bias, torch):
    image, filt, args = _filter_args(case, channels)
    stride, dilation = pair(case["stride"]), pair(case["dilation"])
    pads = explicit_pads(case["padding"], case["input_hw"], case["kernel_hw"], stride, dilation)
    out = convlab.apply_filter(image, filt, bias, **args)
    expected = torch_conv(torch, image[None], filt[None], np.array([bias], case["dtype"]),
                          stride, pads, dilation, case["mode"])[0, 0]
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, **tolerance(case["dtype"]))


def test_filter_is_the_sum_of_per_channel_correlations_plus_bias():
    image = convlab.images.rgb_example()
    filt = np.stack([convlab.kernels.get("sobel_x"), convlab.kernels.get("identity"),
                     convlab.kernels.get("box_blur")])
    parts = [convlab.correlate2d(image[c], filt[c]) for c in range(3)]
    np.testing.assert_allclose(convlab.apply_filter(image, filt, bias=1.0),
                               parts[0] + parts[1] + parts[2] + 1.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda lib: lib.apply_filter(np.ones((3, 5, 5)), np.ones((2, 3, 3))), ValueError,
     r"filt has 2 kernels \(shape \(2, 3, 3\), \(C, kH, kW\)\) but image has 3 channels"),
    (lambda lib: lib.apply_filter(np.ones((5, 5)), np.ones((1, 3, 3))), ValueError,
     r"image must have 3 dimensions \(C, H, W\), got 2"),
    (lambda lib: lib.apply_filter(np.ones((1, 5, 5)), np.ones((1, 3, 3)), bias="1"), TypeError,
     r"bias must be a real number, got '1'"),
    (lambda lib: lib.apply_filter(np.ones((1, 2, 2)), np.ones((1, 3, 3))), ValueError,
     r"filt of size 3x3 \(dilated 3x3\) does not fit in the padded input 2x2"),
])
@pytest.mark.parametrize("lib", [convlab, naive], ids=["fast", "loop"])
def test_bad_input_gets_a_clear_error(call, error, message, lib):
    with pytest.raises(error, match=message):
        call(lib)
