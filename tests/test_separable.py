"""Separable kernels: kernels.separate, and correlate2d's two 1-D passes (method='separable').

A rank-1 kernel is a column times a row; correlating with it is correlating
with the column, then the row. The factors are checked by multiplying them
back, the passes against the direct sum and SciPy, and ``method='auto'``
against the method it should pick.
"""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

import convlab
from convlab import kernels, naive

SEPARABLE = ["box_blur", "gaussian_blur_3x3", "gaussian_blur_5x5", "sobel_x", "sobel_y",
             "prewitt_x", "prewitt_y", "identity", "diagonal_edges"]
NOT_SEPARABLE = {"laplacian": 2, "sharpen": 2, "emboss": 3, "edges_8_neighbours": 2,
                 "unsharp_masking_5x5": 2, "edges_4_neighbours": 2}


@pytest.mark.parametrize("name", SEPARABLE)
def test_gallery_kernels_that_separate_multiply_back(name):
    column, row = kernels.separate(kernels.get(name))
    assert column.shape == (kernels.get(name).shape[0],) and row.dtype == np.float64
    np.testing.assert_allclose(np.outer(column, row), kernels.get(name), atol=1e-15)
    # the row's first largest entry (up to rounding) is exactly +1
    first = np.argmax(np.abs(row) >= np.abs(row).max() * (1 - 1e-9))
    assert row[first] == 1.0 and np.abs(row).max() <= 1 + 1e-12


def test_sobel_separates_into_smoothing_and_difference():
    column, row = kernels.separate(kernels.get("sobel_x"))
    np.testing.assert_allclose(column, [-1, -2, -1], atol=1e-15)   # smooth down the column
    np.testing.assert_allclose(row, [1, 0, -1], atol=1e-15)        # difference along the row


@pytest.mark.parametrize("name, rank", sorted(NOT_SEPARABLE.items()))
def test_kernels_that_do_not_separate_say_their_rank(name, rank):
    with pytest.raises(ValueError, match=f"kernel has rank {rank}, not 1: it is not separable"):
        kernels.separate(kernels.get(name))
    assert np.linalg.matrix_rank(kernels.get(name)) == rank       # the rank SciPy/numpy see


def test_tol_accepts_a_nearly_separable_kernel():
    nearly = np.outer([1.0, 2.0, 1.0], [1.0, 0.0, -1.0])
    nearly[0, 0] += 1e-6
    with pytest.raises(ValueError, match="rank 2"):
        kernels.separate(nearly)
    column, row = kernels.separate(nearly, tol=1e-5)
    np.testing.assert_allclose(np.outer(column, row), nearly, atol=1e-6)


@pytest.mark.parametrize("kernel, tol, error, match", [
    (np.zeros((3, 3)), None, ValueError, "kernel has rank 0, not 1: it is all zeros"),
    (np.ones(3), None, ValueError, r"kernel must have 2 dimensions \(kH, kW\), got 1"),
    ("sobel", None, TypeError, "kernel must be a numeric array"),
    (np.ones((3, 3)), -1.0, ValueError, "tol must be >= 0, got -1.0"),
    (np.ones((3, 3)), "1e-3", TypeError, "tol must be a number >= 0, got '1e-3'"),
])
def test_separate_refuses_bad_input(kernel, tol, error, match):
    with pytest.raises(error, match=match):
        kernels.separate(kernel, tol=tol)


@given(kh=st.integers(1, 7), kw=st.integers(1, 7), h=st.integers(8, 30), w=st.integers(8, 30),
       stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
       padding=st.sampled_from(["valid", "same", "full", 2]),
       mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
       seed=st.integers(0, 999), flip=st.booleans())
def test_separable_passes_equal_the_direct_sum(kh, kw, h, w, stride, dilation, padding, mode,
                                               seed, flip):
    rng = np.random.default_rng(seed)
    image = rng.standard_normal((h, w))
    kernel = np.outer(rng.standard_normal(kh), rng.standard_normal(kw))   # rank 1
    stride = (1, 1) if padding == "same" else stride
    function, loop = ((convlab.convolve2d, naive.convolve2d) if flip else
                      (convlab.correlate2d, naive.correlate2d))
    args = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    try:
        expected = loop(image, kernel, **args)
    except ValueError:                              # the kernel does not fit: both refuse
        with pytest.raises(ValueError):
            function(image, kernel, method="separable", **args)
        return
    got = function(image, kernel, method="separable", **args)
    scale = np.abs(image).max() * np.abs(kernel).sum()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-13 * scale)


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
def test_separable_matches_scipy(mode):
    rng = np.random.default_rng(2)
    image = rng.standard_normal((31, 40))
    kernel = kernels.get("gaussian_blur_5x5")
    np.testing.assert_allclose(convlab.correlate2d(image, kernel, padding=mode,
                                                   method="separable"),
                               scipy.signal.correlate2d(image, kernel, mode=mode), atol=1e-14)


def test_separable_refuses_a_kernel_that_is_not_rank_one():
    with pytest.raises(ValueError, match="kernel has rank 2, not 1"):
        convlab.correlate2d(np.ones((8, 8)), kernels.get("laplacian"), method="separable")


@pytest.mark.parametrize("kernel, picks", [
    (np.ones((3, 3)), "direct"),                      # too small to gain
    (np.outer(np.arange(1.0, 8), np.arange(1.0, 8)), "separable"),   # rank 1, 7x7
    (np.eye(9), "fft"),                               # 9x9, rank 9
    (np.eye(5), "direct"),
])
def test_auto_picks_by_size_and_rank(kernel, picks, monkeypatch):
    from convlab import convolution
    chosen = []
    real = convolution._correlate

    def spy(xp, k, out_hw, stride, dilation, method):
        result = real(xp, k, out_hw, stride, dilation, method)
        forced = real(xp, k, out_hw, stride, dilation, picks)
        chosen.append(np.array_equal(result, forced))
        return result

    monkeypatch.setattr(convolution, "_correlate", spy)
    image = np.random.default_rng(3).standard_normal((40, 40))
    convlab.correlate2d(image, kernel, method="auto")
    assert chosen == [True]
