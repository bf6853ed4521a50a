"""correlate2d, convolve2d and conv2d: fast == loop reference == PyTorch == SciPy."""

import numpy as np
import pytest
import scipy.signal
from _reference import (bad_geometry, explicit_pads, geometry, output_hw, pair, tolerance,
                        torch_conv)
from hypothesis import given
from hypothesis import strategies as st

import convlab
from convlab import naive


def _data(case, shape):
    rng = np.random.default_rng(case["seed"])
    return rng.standard_normal(shape).astype(case["dtype"])


def _case_args(case):
    return dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"],
                padding_mode=case["mode"])


@given(case=geometry())
def test_correlate2d_fast_equals_loop(case):
    image = _data(case, case["input_hw"])
    kernel = _data(dict(case, seed=case["seed"] + 1), case["kernel_hw"])
    fast = convlab.correlate2d(image, kernel, **_case_args(case))
    loop = naive.correlate2d(image, kernel, **_case_args(case))
    assert fast.dtype == loop.dtype == case["dtype"]
    assert fast.shape == loop.shape == output_hw(case)
    np.testing.assert_array_equal(fast, loop)  # same taps summed in the same order


@given(case=geometry())
def test_correlate2d_equals_torch(case, torch):
    image = _data(case, case["input_hw"])
    kernel = _data(dict(case, seed=case["seed"] + 1), case["kernel_hw"])
    stride, dilation = pair(case["stride"]), pair(case["dilation"])
    pads = explicit_pads(case["padding"], case["input_hw"], case["kernel_hw"], stride, dilation)
    fast = convlab.correlate2d(image, kernel, **_case_args(case))
    expected = torch_conv(torch, image[None, None], kernel[None, None], None, stride, pads,
                          dilation, case["mode"])[0, 0]
    assert fast.shape == expected.shape
    np.testing.assert_allclose(fast, expected, **tolerance(case["dtype"]))


_conv_cases = dict(case=geometry(max_size=7, max_kernel=3), n=st.integers(1, 2),
                   c=st.integers(1, 3), o=st.integers(1, 3), with_bias=st.booleans(),
                   batched=st.booleans())


def _layer(case, n, c, o, with_bias):
    x = _data(case, (n, c) + case["input_hw"])
    weight = _data(dict(case, seed=case["seed"] + 1), (o, c) + case["kernel_hw"])
    bias = _data(dict(case, seed=case["seed"] + 2), (o,)) if with_bias else None
    return x, weight, bias


@given(**_conv_cases)
def test_conv2d_fast_equals_loop(case, n, c, o, with_bias, batched):
    x, weight, bias = _layer(case, n, c, o, with_bias)
    x_in = x if batched else x[0]
    fast = convlab.conv2d(x_in, weight, bias, **_case_args(case))
    loop = naive.conv2d(x_in, weight, bias, **_case_args(case))
    assert fast.dtype == loop.dtype == case["dtype"]
    assert fast.shape == loop.shape == ((n,) if batched else ()) + (o,) + output_hw(case)
    np.testing.assert_allclose(fast, loop, **tolerance(case["dtype"]))


@given(**_conv_cases)
def test_conv2d_equals_torch(case, n, c, o, with_bias, batched, torch):
    x, weight, bias = _layer(case, n, c, o, with_bias)
    stride, dilation = pair(case["stride"]), pair(case["dilation"])
    pads = explicit_pads(case["padding"], case["input_hw"], case["kernel_hw"], stride, dilation)
    fast = convlab.conv2d(x if batched else x[0], weight, bias, **_case_args(case))
    expected = torch_conv(torch, x, weight, bias, stride, pads, dilation, case["mode"])
    if not batched:
        expected = expected[0]
    assert fast.shape == expected.shape
    np.testing.assert_allclose(fast, expected, **tolerance(case["dtype"]))


def _refusal(call):
    """The (type, message) a call raises."""
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    return info.type, str(info.value)


@given(case=bad_geometry())
def test_invalid_geometry_is_refused_alike_by_both_routes(case):
    # a kernel past the padded input, or a reflect/circular pad too large for the input
    image = _data(case, case["input_hw"])
    kernel = _data(case, case["kernel_hw"])
    args = _case_args(case)
    for name, data in [("correlate2d", (image, kernel)), ("convolve2d", (image, kernel)),
                       ("apply_filter", (image[None], kernel[None])),
                       ("conv2d", (image[None], kernel[None, None]))]:
        error, message = _refusal(lambda: getattr(convlab, name)(*data, **args))
        assert error is ValueError
        assert "does not fit in the padded input" in message or "too large for mode" in message
        assert _refusal(lambda: getattr(naive, name)(*data, **args)) == (error, message)


@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 5), kw=st.integers(1, 5),
       mode=st.sampled_from(["valid", "same", "full"]), seed=st.integers(0, 2**32 - 1))
def test_correlate_and_convolve_match_scipy(h, w, kh, kw, mode, seed):
    rng = np.random.default_rng(seed)
    image = rng.integers(-9, 10, size=(h, w))
    kernel = rng.integers(-9, 10, size=(kh, kw))
    if mode == "valid" and (kh > h or kw > w):
        with pytest.raises(ValueError, match="does not fit"):
            convlab.correlate2d(image, kernel, padding=mode)
        return
    # Integer inputs: every result is an exact integer, so compare exactly.
    np.testing.assert_array_equal(convlab.correlate2d(image, kernel, padding=mode),
                                  scipy.signal.correlate2d(image, kernel, mode=mode))
    np.testing.assert_array_equal(convlab.convolve2d(image, kernel, padding=mode),
                                  scipy.signal.convolve2d(image, kernel, mode=mode))
    np.testing.assert_array_equal(naive.convolve2d(image, kernel, padding=mode),
                                  scipy.signal.convolve2d(image, kernel, mode=mode))


@given(case=geometry())
def test_convolve2d_is_correlation_with_the_flipped_kernel(case):
    image = _data(case, case["input_hw"])
    kernel = _data(dict(case, seed=case["seed"] + 1), case["kernel_hw"])
    if case["padding"] == "same":
        # 'same' places the odd pixel differently (tested above); 'full' fits whatever the size
        case = dict(case, padding="full")
    flipped = convlab.correlate2d(image, kernel[::-1, ::-1], **_case_args(case))
    np.testing.assert_array_equal(convlab.convolve2d(image, kernel, **_case_args(case)), flipped)
    np.testing.assert_array_equal(naive.convolve2d(image, kernel, **_case_args(case)), flipped)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
def test_same_padding_at_stride_one_equals_torch_same(torch):
    rng = np.random.default_rng(3)
    image = rng.standard_normal((9, 8))
    for kh, kw, d in [(3, 3, 1), (4, 2, 1), (2, 5, 2), (4, 4, 3)]:
        kernel = rng.standard_normal((kh, kw))
        expected = torch.nn.functional.conv2d(
            torch.from_numpy(image)[None, None], torch.from_numpy(kernel)[None, None],
            padding="same", dilation=d)[0, 0].numpy()
        np.testing.assert_allclose(convlab.correlate2d(image, kernel, padding="same", dilation=d),
                                   expected, rtol=1e-12, atol=1e-12)


def test_worked_example_by_hand():
    # 0*0 + 1*1 + 3*2 + 4*3 = 19, the first number a learner computes.
    image = np.arange(9).reshape(3, 3)
    out = convlab.correlate2d(image, [[0, 1], [2, 3]])
    assert out[0, 0] == 0 * 0 + 1 * 1 + 3 * 2 + 4 * 3
    assert out[1, 1] == 4 * 0 + 5 * 1 + 7 * 2 + 8 * 3


def test_dtype_policy():
    ones = np.ones((3, 3))
    white = np.full((4, 4), 255, dtype=np.uint8)
    out = convlab.correlate2d(white, ones)
    assert out.dtype == np.float64 and out[0, 0] == 9 * 255  # no uint8 overflow
    assert convlab.correlate2d(white.astype(np.float32), ones.astype(np.float32)).dtype == np.float32
    assert convlab.correlate2d(white > 0, ones).dtype == np.float64
    assert convlab.conv2d(np.ones((1, 4, 4), np.int16), np.ones((1, 1, 2, 2), np.int16)).dtype \
        == np.float64


def test_nan_and_inf_propagate():
    image = np.zeros((3, 3))
    image[1, 1] = np.nan
    out = convlab.correlate2d(image, np.ones((2, 2)))
    assert np.isnan(out).all()
    image[1, 1] = np.inf
    assert np.isinf(convlab.correlate2d(image, np.ones((2, 2)))).all()


def test_large_images_use_the_threaded_path_and_agree(torch):
    from convlab import convolution
    rng = np.random.default_rng(5)
    image = rng.standard_normal((1100, 700)).astype(np.float32)
    kernel = rng.standard_normal((7, 5)).astype(np.float32)
    fast = convlab.correlate2d(image, kernel, stride=(1, 2), padding="same")
    pads = explicit_pads("same", image.shape, kernel.shape, (1, 2), (1, 1))
    assert pads == ((3, 3), (1, 2))  # 700 at stride 2: 350 outputs need 3 pixels, odd one after
    band = convolution._BLOCK_ELEMENTS // fast.shape[1]   # output rows per band
    assert band < fast.shape[0] and fast.size * kernel.size >= convolution._THREADED_WORK
    expected = torch_conv(torch, image[None, None], kernel[None, None], None, (1, 2), pads,
                          (1, 1), "zeros")[0, 0]
    np.testing.assert_allclose(fast, expected, rtol=1e-4, atol=1e-4)
    rows = naive.correlate2d(image[:40], kernel, stride=(1, 2), padding="same")
    np.testing.assert_array_equal(fast[:37], rows[:37])  # rows not touched by the bottom pad
    # Rows either side of the first band boundary, bit for bit: output row r reads input
    # rows r-3 .. r+3, so a slice of the image with no row padding gives them.
    r0, r1 = band - 5, band + 5
    across = naive.correlate2d(image[r0 - 3:r1 + 3], kernel, stride=(1, 2),
                               padding=((0, 0), (1, 2)))
    np.testing.assert_array_equal(fast[r0:r1], across)


@pytest.mark.parametrize("call, error, message", [
    (lambda lib: lib.correlate2d("cat", np.ones((3, 3))), TypeError,
     r"image must be a numeric array, got 'cat'"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3), complex)), TypeError,
     r"kernel must hold real numbers, got complex"),
    (lambda lib: lib.correlate2d(np.array([[object()]]), np.ones((1, 1))), TypeError,
     r"image must hold real numbers .* got dtype object"),
    (lambda lib: lib.correlate2d([[1, 2], [3]], np.ones((1, 1))), TypeError,
     r"image must be a numeric array \(a rectangular"),
    (lambda lib: lib.correlate2d(np.ones((3, 5, 5)), np.ones((3, 3))), ValueError,
     r"image must have 2 dimensions \(H, W\), got 3 dimensions \(shape \(3, 5, 5\)\)"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones(3)), ValueError,
     r"kernel must have 2 dimensions \(kH, kW\), got 1 dimension"),
    (lambda lib: lib.correlate2d(np.ones((0, 5)), np.ones((1, 1))), ValueError,
     r"image must not be empty, got shape \(0, 5\)"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((7, 7))), ValueError,
     r"kernel of size 7x7 \(dilated 7x7\) does not fit in the padded input 5x5: "
     r"use padding >= 1 or a smaller kernel"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), dilation=3), ValueError,
     r"kernel of size 3x3 \(dilated 7x7\) does not fit in the padded input 5x5"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), stride=0), ValueError,
     r"stride must be >= 1, got 0"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), stride=-2), ValueError,
     r"stride must be >= 1, got -2"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), stride=1.5), TypeError,
     r"stride must be an int, got 1.5 \(float\)"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), stride=(1, 2, 3)), ValueError,
     r"stride must be an int or a \(height, width\) pair"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), dilation=0), ValueError,
     r"dilation must be >= 1, got 0"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), padding=-1), ValueError,
     r"padding must be >= 0, got -1"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), padding="half"), ValueError,
     r"padding must be .* one of 'valid', 'same', 'full', got 'half'"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), padding=1.0), TypeError,
     r"padding must be an int"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), padding=((1, 1), (1, -1))),
     ValueError, r"padding right must be >= 0, got -1"),
    (lambda lib: lib.correlate2d(np.ones((5, 5)), np.ones((3, 3)), padding_mode="mirror"),
     ValueError, r"padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', "
                 r"got 'mirror'"),
    (lambda lib: lib.correlate2d(np.ones((3, 3)), np.ones((3, 3)), padding=3,
                                 padding_mode="reflect"), ValueError,
     r"padding 3 along the height is too large for mode 'reflect' on an input of height 3"),
    (lambda lib: lib.conv2d(np.ones((3, 5, 5)), np.ones((2, 4, 3, 3))), ValueError,
     r"weight expects 4 input channels .* but x has 3 channels"),
    (lambda lib: lib.conv2d(np.ones((5, 5)), np.ones((2, 1, 3, 3))), ValueError,
     r"x must have 3 or 4 dimensions \(C, H, W\) or \(N, C, H, W\), got 2"),
    (lambda lib: lib.conv2d(np.ones((1, 5, 5)), np.ones((2, 1, 3, 3)), bias=np.ones(3)),
     ValueError, r"bias must have one value per output channel, shape \(2,\), got shape \(3,\)"),
    (lambda lib: lib.conv2d(np.ones((1, 5, 5)), np.ones((2, 1, 9, 3))), ValueError,
     r"weight of size 9x3 \(dilated 9x3\) does not fit in the padded input 5x5"),
])
@pytest.mark.parametrize("lib", [convlab, naive], ids=["fast", "loop"])
def test_bad_input_gets_a_clear_error(call, error, message, lib):
    with pytest.raises(error, match=message):
        call(lib)


def test_loop_reference_rejects_what_the_fast_path_rejects():
    with pytest.raises(ValueError, match="stride must be >= 1"):
        naive.correlate2d(np.ones((5, 5)), np.ones((3, 3)), stride=0)
    with pytest.raises(ValueError, match="weight expects 2 input channels"):
        naive.conv2d(np.ones((3, 5, 5)), np.ones((1, 2, 3, 3)))
