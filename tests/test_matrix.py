"""conv_matrix and im2col: the convolution as a matrix, checked against the convolutions."""

import sys

import numpy as np
import pytest
import scipy.signal
import scipy.sparse
from _reference import explicit_pads, fits, geometry, pair
from hypothesis import given
from hypothesis import strategies as st

import convlab
from convlab import grad
from convlab.matrix import conv_matrix, im2col


def _kernel_and_image(case):
    rng = np.random.default_rng(case["seed"])
    return (rng.standard_normal(case["kernel_hw"]).astype(case["dtype"]),
            rng.standard_normal(case["input_hw"]).astype(case["dtype"]))


def _tol(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)


@given(case=geometry(max_size=8, max_kernel=4))
def test_matrix_times_image_is_the_convolution_and_its_transpose_the_transposed(case):
    kernel, image = _kernel_and_image(case)
    stride, dilation = pair(case["stride"]), pair(case["dilation"])
    args = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
    pads = explicit_pads(case["padding"], case["input_hw"], case["kernel_hw"], stride, dilation)
    if not fits(case["input_hw"], pads, case["kernel_hw"], dilation, "zeros"):
        with pytest.raises(ValueError, match="does not fit"):
            conv_matrix(case["input_hw"], kernel, **args)
        return
    C = conv_matrix(case["input_hw"], kernel, **args)
    y = convlab.correlate2d(image, kernel, **args)
    assert C.shape == (y.size, image.size)
    assert C.dtype == case["dtype"]
    np.testing.assert_allclose(C @ image.ravel(), y.ravel(), **_tol(case["dtype"]))
    # C.T is the transposed convolution, with the padding as explicit pairs and the
    # output_padding that restores the rows a stride remainder left out
    g = np.random.default_rng(case["seed"] + 1).standard_normal(y.shape).astype(case["dtype"])
    op = tuple((case["input_hw"][a] + sum(pads[a]) - dilation[a] * (case["kernel_hw"][a] - 1) - 1)
               % stride[a] for a in (0, 1))
    back = convlab.conv_transpose2d(g[None, None], kernel[None, None], stride=stride,
                                    padding=pads, output_padding=op, dilation=dilation)[0, 0]
    assert back.shape == image.shape
    np.testing.assert_allclose(C.T @ g.ravel(), back.ravel(), **_tol(case["dtype"]))
    # ... which is also the gradient of the convolution with respect to its input
    np.testing.assert_allclose(
        C.T @ g.ravel(),
        grad.conv2d_input((1,) + image.shape, kernel[None, None], g[None], **args).ravel(),
        **_tol(case["dtype"]))
    sparse = conv_matrix(case["input_hw"], kernel, sparse=True, **args)
    assert isinstance(sparse, scipy.sparse.csr_array)
    np.testing.assert_array_equal(sparse.toarray(), C)


def test_matrix_matches_scipy_convolution_matrix_on_a_worked_example():
    # 'full' correlation of a 2x2 image with a 2x2 kernel, checked row by row with SciPy:
    # column r*W + c of C is the response to a unit impulse at (r, c)
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
    C = conv_matrix((2, 2), kernel, padding="full")
    for column in range(4):
        impulse = np.zeros(4)
        impulse[column] = 1
        expected = scipy.signal.correlate2d(impulse.reshape(2, 2), kernel, mode="full")
        np.testing.assert_array_equal(C[:, column], expected.ravel())


def test_matrix_by_hand():
    C = conv_matrix((3, 3), [[1, 2], [3, 4]], stride=1)
    np.testing.assert_array_equal(C[0], [1, 2, 0, 3, 4, 0, 0, 0, 0])
    np.testing.assert_array_equal(C[3], [0, 0, 0, 0, 1, 2, 0, 3, 4])
    # a window covers 2 real rows at the top and bottom edges, 3 elsewhere; same for columns
    assert np.count_nonzero(conv_matrix((28, 28), np.ones((3, 3)), padding=1)) == \
        (2 * 2 + 26 * 3) ** 2


def test_sparse_without_scipy_says_how_to_fix_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.sparse", None)
    with pytest.raises(ImportError, match="sparse=True\\) needs SciPy.*pip install scipy"):
        conv_matrix((3, 3), np.ones((2, 2)), sparse=True)
    assert conv_matrix((3, 3), np.ones((2, 2))).shape == (4, 9)  # dense needs no SciPy


def test_matrix_errors():
    with pytest.raises(TypeError, match=r"input_shape must be an \(H, W\) pair of ints"):
        conv_matrix(9, np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"input_shape\[0\] must be >= 1, got 0"):
        conv_matrix((0, 3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="kernel must have 2 dimensions"):
        conv_matrix((3, 3), np.ones((1, 2, 2)))
    with pytest.raises(TypeError, match="sparse must be a bool"):
        conv_matrix((3, 3), np.ones((2, 2)), sparse="yes")
    with pytest.raises(ValueError, match="kernel of size 4x4 .* does not fit"):
        conv_matrix((3, 3), np.ones((4, 4)))


@given(case=geometry(max_size=7, max_kernel=3), n=st.integers(1, 2), c=st.integers(1, 3),
       o=st.integers(1, 3), ndim=st.sampled_from([2, 3, 4]))
def test_im2col_times_weight_is_conv2d(case, n, c, o, ndim):
    rng = np.random.default_rng(case["seed"])
    stride, dilation = pair(case["stride"]), pair(case["dilation"])
    args = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
    pads = explicit_pads(case["padding"], case["input_hw"], case["kernel_hw"], stride, dilation)
    if ndim == 2:
        n, c = 1, 1
    elif ndim == 3:
        n = 1
    x = rng.standard_normal((n, c) + case["input_hw"]).astype(case["dtype"])
    x_in = x.reshape(x.shape[4 - ndim:])
    if not fits(case["input_hw"], pads, case["kernel_hw"], dilation, "zeros"):
        with pytest.raises(ValueError, match="does not fit"):
            im2col(x_in, case["kernel_hw"], **args)
        return
    w = rng.standard_normal((o, c) + case["kernel_hw"]).astype(case["dtype"])
    cols = im2col(x_in, case["kernel_hw"], **args)
    y = convlab.conv2d(x, w, **args)
    assert cols.dtype == case["dtype"]
    kh, kw = case["kernel_hw"]
    assert cols.shape == (c * kh * kw, n * y.shape[2] * y.shape[3])
    product = (w.reshape(o, -1) @ cols).reshape(o, n, *y.shape[2:]).transpose(1, 0, 2, 3)
    np.testing.assert_allclose(product, y, **_tol(case["dtype"]))


def test_im2col_layout_by_hand():
    x = 10 * np.arange(3)[:, None] + np.arange(3)          # value 10*row + column
    cols = im2col(x, 2)
    # column j is window j read row by row: window (1, 0) starts at row 1, column 0
    np.testing.assert_array_equal(cols[:, 2], [10, 11, 20, 21])
    # two channels: rows c*kH*kW + a*kW + b
    cols2 = im2col(np.stack([x, 100 + x]), 2)
    np.testing.assert_array_equal(cols2[:, 0], [0, 1, 10, 11, 100, 101, 110, 111])
    with pytest.raises(ValueError, match="kernel_size of size 4x4 .* does not fit"):
        im2col(x, 4)
