"""The dtype policy: half precision sums in float32, mixed dtypes promote as numpy does.

Every operation that sums products (the convolutions, the transposed
convolution, the gradients, average pooling) is run on float16 inputs and
compared with the float64 loop reference on the same (exactly representable)
values. A float16 result can be no closer than its own rounding, half a unit
in the last place (2**-11 relative); summing in float32 adds a further error
far below that. Summing in float16 instead misses by about 2**-11 of the
magnitudes summed *per addition*, which these bounds catch.
"""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

import convlab
from convlab import grad, naive

HALF_ULP = 2.0 ** -11        # float16 rounding, relative
SUBNORMAL = 2.0 ** -24       # float16's smallest spacing, absolute
FLOAT32_SUMS = 2.0 ** -18    # float32 accumulation, relative to the magnitudes summed


def assert_half_close(got, exact, magnitude):
    """``got`` (float16) within float16 rounding of ``exact`` (float64).

    ``magnitude`` is the sum of the absolute values of the terms behind each
    output (the same operation on absolute values), which bounds the error of
    a float32 running sum.
    """
    assert got.dtype == np.float16
    assert got.shape == exact.shape
    bound = HALF_ULP * np.abs(exact) + FLOAT32_SUMS * magnitude + SUBNORMAL
    error = np.abs(got.astype(np.float64) - exact)
    worst = np.unravel_index(np.argmax(error - bound), error.shape)
    assert (error <= bound).all(), (
        f"float16 result {got[worst]} vs exact {exact[worst]} at {worst}: error {error[worst]:.3g} "
        f"> bound {bound[worst]:.3g}")


def halves(seed, shape, scale=2.0):
    """Random float16 values (and the same numbers in float64)."""
    x = (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float16)
    return x, x.astype(np.float64)


seeds = st.integers(0, 2 ** 32 - 1)


def test_scipy_float16_case_meets_scipy_tolerance():
    """SciPy's test_convolve_method float16 case: randn(100) convolved with itself.

    Summed in float16, index 92 of 'full' came out 25.89 against an exact
    25.9447; SciPy gives 25.94 and asks for 1e-3 relative agreement.
    """
    np.random.seed(42)
    np.random.choice([0, 1], size=100)  # SciPy draws its integer array first
    x = np.random.randn(100).astype(np.float16)
    for mode in ("full", "same"):
        exact = scipy.signal.convolve(x.astype(np.float64), x.astype(np.float64), mode=mode)
        got = convlab.convolve2d(x[None], x[None], padding=mode)[0]
        np.testing.assert_allclose(got, exact, rtol=1e-3, atol=1e-3 * np.abs(exact).max())
        assert_half_close(got, exact, scipy.signal.convolve(np.abs(x.astype(np.float64)),
                                                            np.abs(x.astype(np.float64)),
                                                            mode=mode))
    full = convlab.convolve2d(x[None], x[None], padding="full")[0]
    assert full.dtype == np.float16 and abs(float(full[92]) - 25.9447) < 0.01


@given(seed=seeds, h=st.integers(3, 12), w=st.integers(3, 12), kh=st.integers(1, 5),
       kw=st.integers(1, 5), padding=st.sampled_from(["valid", "same", "full", 1]),
       flip=st.booleans())
def test_correlate2d_and_convolve2d_float16(seed, h, w, kh, kw, padding, flip):
    x16, x = halves(seed, (h, w))
    k16, k = halves(seed + 1, (min(kh, h), min(kw, w)))
    fast, loop = (convlab.convolve2d, naive.convolve2d) if flip else \
        (convlab.correlate2d, naive.correlate2d)
    got = fast(x16, k16, padding=padding)
    assert_half_close(got, loop(x, k, padding=padding),
                      loop(np.abs(x), np.abs(k), padding=padding))


@given(seed=seeds, n=st.integers(1, 2), c=st.integers(1, 4), o=st.integers(1, 3),
       size=st.integers(4, 8), k=st.integers(1, 4), stride=st.integers(1, 2),
       padding=st.integers(0, 2), bias=st.booleans())
def test_conv2d_float16(seed, n, c, o, size, k, stride, padding, bias):
    x16, x = halves(seed, (n, c, size, size))
    w16, w = halves(seed + 1, (o, c, k, k))
    b16, b = halves(seed + 2, (o,)) if bias else (None, None)
    got = convlab.conv2d(x16, w16, b16, stride=stride, padding=padding)
    exact = naive.conv2d(x, w, b, stride=stride, padding=padding)
    magnitude = naive.conv2d(np.abs(x), np.abs(w), None if b is None else np.abs(b),
                             stride=stride, padding=padding)
    assert_half_close(got, exact, magnitude)


@given(seed=seeds, c=st.integers(1, 4), size=st.integers(3, 8), k=st.integers(1, 3))
def test_apply_filter_float16(seed, c, size, k):
    x16, x = halves(seed, (c, size, size))
    f16, f = halves(seed + 1, (c, k, k))
    got = convlab.apply_filter(x16, f16, bias=0.5, padding="same")
    assert_half_close(got, naive.apply_filter(x, f, bias=0.5, padding="same"),
                      naive.apply_filter(np.abs(x), np.abs(f), bias=0.5, padding="same"))


@given(seed=seeds, n=st.integers(1, 2), c_in=st.integers(1, 3), c_out=st.integers(1, 3),
       size=st.integers(1, 5), k=st.integers(1, 4), stride=st.integers(1, 3))
def test_conv_transpose2d_float16(seed, n, c_in, c_out, size, k, stride):
    x16, x = halves(seed, (n, c_in, size, size))
    w16, w = halves(seed + 1, (c_in, c_out, k, k))
    got = convlab.conv_transpose2d(x16, w16, stride=stride)
    assert_half_close(got, naive.conv_transpose2d(x, w, stride=stride),
                      naive.conv_transpose2d(np.abs(x), np.abs(w), stride=stride))


@given(seed=seeds, n=st.integers(1, 2), c=st.integers(1, 3), o=st.integers(1, 3),
       size=st.integers(4, 8), k=st.integers(1, 4), stride=st.integers(1, 2),
       padding=st.integers(0, 1))
def test_conv2d_gradients_float16(seed, n, c, o, size, k, stride, padding):
    x16, x = halves(seed, (n, c, size, size))
    w16, w = halves(seed + 1, (o, c, k, k))
    out_hw = naive.conv2d(x, w, stride=stride, padding=padding).shape[2:]
    g16, g = halves(seed + 2, (n, o) + out_hw)
    args = dict(stride=stride, padding=padding)
    assert_half_close(grad.conv2d_input(x.shape, w16, g16, **args),
                      naive.conv2d_input(x.shape, w, g, **args),
                      naive.conv2d_input(x.shape, np.abs(w), np.abs(g), **args))
    assert_half_close(grad.conv2d_weight(x16, w.shape, g16, **args),
                      naive.conv2d_weight(x, w.shape, g, **args),
                      naive.conv2d_weight(np.abs(x), w.shape, np.abs(g), **args))
    assert_half_close(grad.conv2d_bias(g16), naive.conv2d_bias(g), naive.conv2d_bias(np.abs(g)))


@given(seed=seeds, planes=st.integers(1, 3), size=st.integers(4, 12), k=st.integers(2, 5),
       stride=st.integers(1, 3), ceil_mode=st.booleans(), count_include_pad=st.booleans())
def test_average_pooling_and_its_gradient_float16(seed, planes, size, k, stride, ceil_mode,
                                                  count_include_pad):
    x16, x = halves(seed, (planes, size, size))
    padding = k // 2
    args = dict(stride=stride, padding=padding, ceil_mode=ceil_mode,
                count_include_pad=count_include_pad)
    assert_half_close(convlab.avg_pool2d(x16, k, **args), naive.avg_pool2d(x, k, **args),
                      naive.avg_pool2d(np.abs(x), k, **args))
    g16, g = halves(seed + 1, naive.avg_pool2d(x, k, **args).shape)
    assert_half_close(grad.avg_pool2d_input(x.shape, g16, k, **args),
                      naive.avg_pool2d_input(x.shape, g, k, **args),
                      naive.avg_pool2d_input(x.shape, np.abs(g), k, **args))


@given(seed=seeds, planes=st.integers(1, 3), size=st.integers(4, 12), k=st.integers(2, 4),
       stride=st.integers(1, 2))
def test_max_pool_gradient_float16_sums_overlaps(seed, planes, size, k, stride):
    x16, x = halves(seed, (planes, size, size))
    shape = naive.max_pool2d(x, k, stride=stride).shape
    g16, g = halves(seed + 1, shape)
    assert_half_close(grad.max_pool2d_input(x16, g16, k, stride=stride),
                      naive.max_pool2d_input(x16, g, k, stride=stride),
                      naive.max_pool2d_input(x16, np.abs(g), k, stride=stride))


# --- mixed dtypes: the result is numpy's result_type of the floating inputs ---

FLOATS = [np.float16, np.float32, np.float64]
ANY = FLOATS + [np.int8, np.uint8, np.int64, np.bool_]


def expected_dtype(*dtypes):
    """The documented rule, written out: integers and bools read as float64, then
    numpy's result_type."""
    return np.result_type(*[d if np.issubdtype(d, np.floating) else np.float64 for d in dtypes])


def _ones(shape, dtype):
    return np.ones(shape, dtype=dtype)


@given(a=st.sampled_from(ANY), b=st.sampled_from(ANY))
def test_mixed_dtypes_promote_like_numpy(a, b):
    image, kernel = _ones((5, 5), a), _ones((2, 2), b)
    want = expected_dtype(a, b)
    assert convlab.correlate2d(image, kernel).dtype == want
    assert convlab.convolve2d(image, kernel).dtype == want
    assert convlab.apply_filter(image[None], kernel[None]).dtype == want
    assert convlab.conv2d(image[None], kernel[None, None]).dtype == want
    assert convlab.conv_transpose2d(image[None], kernel[None, None]).dtype == want
    x4, w4 = image[None, None], kernel[None, None]
    g = _ones((1, 1, 4, 4), b)
    assert grad.conv2d_input(x4.shape, w4, g).dtype == expected_dtype(b, b)
    assert grad.conv2d_weight(x4, w4.shape, g).dtype == want


@given(a=st.sampled_from(FLOATS), b=st.sampled_from(FLOATS), c=st.sampled_from(FLOATS))
def test_conv2d_with_bias_promotes_all_three(a, b, c):
    out = convlab.conv2d(_ones((1, 4, 4), a), _ones((1, 1, 3, 3), b), _ones((1,), c))
    assert out.dtype == np.result_type(a, b, c)
    np.testing.assert_array_equal(out, 10.0)


def test_mixed_precision_sums_in_the_wider_dtype():
    """float32 image, float64 kernel: the product is computed in float64, so a
    kernel value float32 cannot hold survives."""
    image = np.ones((1, 1), np.float32)
    kernel = np.array([[1 + 2.0 ** -40]])
    out = convlab.correlate2d(image, kernel)
    assert out.dtype == np.float64 and out[0, 0] == 1 + 2.0 ** -40


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_pooling_keeps_floating_dtypes(dtype):
    x = np.arange(16, dtype=dtype).reshape(4, 4)
    assert convlab.avg_pool2d(x, 2).dtype == dtype
    assert convlab.max_pool2d(x, 2).dtype == dtype


@given(seed=seeds, size=st.integers(3, 6), k=st.integers(1, 3), stride=st.integers(1, 2))
def test_loop_references_sum_float16_in_float32_too(seed, size, k, stride):
    """The loop twins follow the same policy, so fast and loop agree on float16."""
    x16, x = halves(seed, (2, 2, size, size))
    w16, w = halves(seed + 1, (2, 2, k, k))
    assert_half_close(naive.conv2d(x16, w16, stride=stride), naive.conv2d(x, w, stride=stride),
                      naive.conv2d(np.abs(x), np.abs(w), stride=stride))
    assert_half_close(naive.correlate2d(x16[0, 0], w16[0, 0]), naive.correlate2d(x[0, 0], w[0, 0]),
                      naive.correlate2d(np.abs(x[0, 0]), np.abs(w[0, 0])))
    assert_half_close(naive.conv_transpose2d(x16, w16, stride=stride),
                      naive.conv_transpose2d(x, w, stride=stride),
                      naive.conv_transpose2d(np.abs(x), np.abs(w), stride=stride))
    assert_half_close(naive.avg_pool2d(x16, k, stride=stride),
                      naive.avg_pool2d(x, k, stride=stride),
                      naive.avg_pool2d(np.abs(x), k, stride=stride))
    g16, g = halves(seed + 2, naive.conv2d(x, w, stride=stride).shape)
    assert_half_close(naive.conv2d_weight(x16, w.shape, g16, stride=stride),
                      naive.conv2d_weight(x, w.shape, g, stride=stride),
                      naive.conv2d_weight(np.abs(x), w.shape, np.abs(g), stride=stride))
    assert_half_close(naive.conv2d_input(x.shape, w16, g16, stride=stride),
                      naive.conv2d_input(x.shape, w, g, stride=stride),
                      naive.conv2d_input(x.shape, np.abs(w), np.abs(g), stride=stride))
