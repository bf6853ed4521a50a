"""correlate2d and convolve2d with method='fft': the convolution theorem, checked against SciPy.

SciPy's ``fftconvolve`` and ``correlate``/``convolve`` (direct) are the
references for 'valid', 'same' and 'full', with odd and even sizes of image
and kernel; the direct path is the reference for strides, dilations and
padding modes. FFT results agree to float tolerance, not to the last bit.
"""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

import convlab
from convlab._engine import fast_length

sizes = st.integers(1, 24)


def _tolerance(image, kernel, dtype=np.float64):
    """Rounding of an FFT correlation: a few eps of the largest possible sum."""
    eps = np.finfo(dtype).eps
    return 64 * eps * np.abs(image).max() * np.abs(kernel).sum() + 1e-300


@given(h=sizes, w=sizes, kh=st.integers(1, 9), kw=st.integers(1, 9), seed=st.integers(0, 999),
       mode=st.sampled_from(["valid", "same", "full"]))
def test_fft_convolve_matches_scipy_fftconvolve(h, w, kh, kw, seed, mode):
    rng = np.random.default_rng(seed)
    image, kernel = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
    if mode == "valid" and (kh > h or kw > w):
        with pytest.raises(ValueError, match="does not fit"):  # SciPy would swap them
            convlab.convolve2d(image, kernel, padding=mode, method="fft")
        return
    expected = scipy.signal.fftconvolve(image, kernel, mode=mode)
    got = convlab.convolve2d(image, kernel, padding=mode, method="fft")
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=_tolerance(image, kernel))


@given(h=sizes, w=sizes, kh=st.integers(1, 9), kw=st.integers(1, 9), seed=st.integers(0, 999),
       mode=st.sampled_from(["valid", "same", "full"]))
def test_fft_correlate_matches_scipy_correlate2d(h, w, kh, kw, seed, mode):
    rng = np.random.default_rng(seed)
    image, kernel = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
    if mode == "valid" and (kh > h or kw > w):
        return
    expected = scipy.signal.correlate2d(image, kernel, mode=mode)
    got = convlab.correlate2d(image, kernel, padding=mode, method="fft")
    np.testing.assert_allclose(got, expected, rtol=0, atol=_tolerance(image, kernel))


@given(h=st.integers(4, 30), w=st.integers(4, 30), kh=st.integers(1, 6), kw=st.integers(1, 6),
       stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       padding=st.integers(0, 3), mode=st.sampled_from(["zeros", "reflect", "replicate",
                                                         "circular"]),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 999))
def test_fft_equals_direct_for_any_geometry(h, w, kh, kw, stride, dilation, padding, mode, dtype,
                                            seed):
    rng = np.random.default_rng(seed)
    image = rng.standard_normal((h, w)).astype(dtype)
    kernel = rng.standard_normal((kh, kw)).astype(dtype)
    padding = min(padding, h - 1, w - 1)            # reflect needs pad < size
    args = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    try:
        direct = convlab.correlate2d(image, kernel, **args)
    except ValueError:                                # the dilated kernel does not fit
        return
    fft = convlab.correlate2d(image, kernel, method="fft", **args)
    assert fft.dtype == direct.dtype == dtype and fft.shape == direct.shape
    np.testing.assert_allclose(fft, direct, rtol=0, atol=_tolerance(image, kernel, dtype))


@given(h=st.integers(9, 40), w=st.integers(9, 40), k=st.integers(1, 9), seed=st.integers(0, 999),
       mode=st.sampled_from(["valid", "same", "full"]))
def test_fft_of_float16_sums_in_float32(h, w, k, seed, mode):
    rng = np.random.default_rng(seed)
    image = rng.standard_normal((h, w)).astype(np.float16)
    kernel = rng.standard_normal((k, k)).astype(np.float16)
    got = convlab.correlate2d(image, kernel, padding=mode, method="fft")
    exact = scipy.signal.correlate2d(image.astype(np.float64), kernel.astype(np.float64),
                                     mode=mode)
    assert got.dtype == np.float16
    # float16 rounding of the result (2**-11 relative, or half the 2**-24 spacing of
    # float16's subnormal numbers) plus float32 FFT rounding
    bound = (2.0 ** -11 * np.abs(exact) + 2.0 ** -25
             + _tolerance(image.astype(np.float64), kernel, np.float32))
    assert (np.abs(got - exact) <= bound).all()


def test_forgetting_the_padding_wraps_around():
    """The convolution theorem alone gives a *circular* correlation: windows past the
    right edge wrap to the left. Zero padding (what method='fft' does) removes it."""
    image = np.zeros((1, 8))
    image[0, 0] = 1.0                                  # an impulse at the left edge
    kernel = np.array([[1.0, 2.0, 3.0]])
    product = np.fft.fft2(image) * np.conj(np.fft.fft2(kernel, image.shape))
    circular = np.real(np.fft.ifft2(product))[0]
    np.testing.assert_allclose(circular, [1, 0, 0, 0, 0, 0, 3, 2], atol=1e-12)  # wrapped
    full = convlab.correlate2d(image, kernel, padding="full", method="fft")[0]
    np.testing.assert_allclose(full, [3, 2, 1, 0, 0, 0, 0, 0, 0, 0], atol=1e-12)
    np.testing.assert_allclose(full, convlab.correlate2d(image, kernel, padding="full")[0],
                               atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 7, 11, 13, 97, 1000, 1025])
def test_fast_length_is_the_next_5_smooth_number(n):
    m = fast_length(n)
    smooth = [k for k in range(n, 2 * n + 1) if _only_2_3_5(k)]
    assert m == smooth[0]


def _only_2_3_5(k):
    for p in (2, 3, 5):
        while k % p == 0:
            k //= p
    return k == 1


def test_unknown_method_names_the_argument():
    with pytest.raises(ValueError, match="method must be one of 'direct', 'separable', 'fft', "
                                         "'auto', got 'fast'"):
        convlab.correlate2d(np.ones((4, 4)), np.ones((2, 2)), method="fast")
    with pytest.raises(TypeError, match="method must be one of"):
        convlab.convolve2d(np.ones((4, 4)), np.ones((2, 2)), method=None)
