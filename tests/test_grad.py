"""convlab.grad: equal to PyTorch autograd, to the loop reference, and to finite differences."""

import re

import numpy as np
import pytest
from _reference import explicit_pads, geometry, output_hw, pair, tolerance
from hypothesis import assume, given
from hypothesis import strategies as st

import convlab
from convlab import grad, naive


def _data(seed, shape, dtype):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _torch_conv_grads(torch, x, w, b, g, stride, pads, dilation):
    """Autograd of F.conv2d on an explicitly zero-padded input: (dx, dw, db)."""
    F = torch.nn.functional
    tx, tw, tb = (torch.from_numpy(a.copy()).requires_grad_() for a in (x, w, b))
    (top, bottom), (left, right) = pads
    y = F.conv2d(F.pad(tx, (left, right, top, bottom)), tw, tb, stride=stride,
                 dilation=dilation)
    y.backward(torch.from_numpy(g))
    return tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy(), tuple(y.shape)


@given(case=geometry(max_size=7, max_kernel=3), n=st.integers(1, 2), c=st.integers(1, 3),
       o=st.integers(1, 3), batched=st.booleans())
def test_conv2d_gradients_equal_torch_autograd(case, n, c, o, batched, torch):
    dtype, seed = case["dtype"], case["seed"]
    n = n if batched else 1
    stride, dilation = pair(case["stride"]), pair(case["dilation"])
    pads = explicit_pads(case["padding"], case["input_hw"], case["kernel_hw"], stride, dilation)
    x = _data(seed, (n, c) + case["input_hw"], dtype)
    w = _data(seed + 1, (o, c) + case["kernel_hw"], dtype)
    b = _data(seed + 2, (o,), dtype)
    args = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
    x_shape = x.shape if batched else x.shape[1:]
    g = _data(seed + 3, (n, o) + output_hw(case), dtype)
    dx, dw, db, y_shape = _torch_conv_grads(torch, x, w, b, g, stride, pads, dilation)
    assert y_shape == g.shape
    g_in, x_in, dx_expected = (g, x, dx) if batched else (g[0], x[0], dx[0])
    got_dx = grad.conv2d_input(x_shape, w, g_in, **args)
    got_dw = grad.conv2d_weight(x_in, w.shape, g_in, **args)
    got_db = grad.conv2d_bias(g_in)
    for got, expected in ((got_dx, dx_expected), (got_dw, dw), (got_db, db)):
        assert got.dtype == dtype
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, **tolerance(dtype))


@given(case=geometry(max_size=5, max_kernel=3), c=st.integers(1, 2), o=st.integers(1, 2))
def test_conv2d_gradients_equal_loop_reference(case, c, o):
    dtype, seed = np.float64, case["seed"]
    args = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
    x = _data(seed, (2, c) + case["input_hw"], dtype)
    w = _data(seed + 1, (o, c) + case["kernel_hw"], dtype)
    g = _data(seed + 2, (2, o) + output_hw(case), dtype)
    np.testing.assert_allclose(grad.conv2d_input(x.shape, w, g, **args),
                               naive.conv2d_input(x.shape, w, g, **args), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad.conv2d_weight(x, w.shape, g, **args),
                               naive.conv2d_weight(x, w.shape, g, **args), rtol=1e-12, atol=1e-12)
    # atol too: a bias sum near zero (cancelling terms) differs by a few ulps of the terms
    np.testing.assert_allclose(grad.conv2d_bias(g), naive.conv2d_bias(g), rtol=1e-12, atol=1e-12)


pool_shapes = st.sampled_from([(5, 6), (1, 3, 4, 5), (2, 2, 6, 3), (7, 7)])


@st.composite
def pool_case(draw, dilated=True):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return dict(
        shape=draw(pool_shapes),
        kernel_size=kernel,
        stride=draw(st.one_of(st.none(), st.integers(1, 3))),
        padding=(draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2))),
        dilation=(draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else 1,
        ceil_mode=draw(st.booleans()),
        dtype=draw(st.sampled_from([np.float32, np.float64])),
        seed=draw(st.integers(0, 2**32 - 1)),
        ties=draw(st.booleans()),
    )


def _pool_input(case):
    rng = np.random.default_rng(case["seed"])
    if case["ties"]:  # few distinct values: ties decide which pixel gets the gradient
        return rng.integers(-2, 3, size=case["shape"]).astype(case["dtype"])
    return rng.standard_normal(case["shape"]).astype(case["dtype"])


def _as4(torch, a):
    t = torch.from_numpy(np.ascontiguousarray(a))
    return t.reshape((1,) * (4 - t.ndim) + tuple(t.shape))


def _pool_grad_case(case, **extra):
    x = _pool_input(case)
    args = dict(kernel_size=case["kernel_size"], stride=case["stride"], padding=case["padding"],
                ceil_mode=case["ceil_mode"], **extra)
    return x, args


@given(case=pool_case())
def test_max_pool2d_input_equals_loop(case):
    x, args = _pool_grad_case(case, dilation=case["dilation"])
    try:
        y = convlab.max_pool2d(x, **args)
    except ValueError as error:   # the window does not fit: every route refuses alike
        for route in (grad.max_pool2d_input, naive.max_pool2d_input):
            with pytest.raises(ValueError, match=re.escape(str(error))):
                route(x, np.zeros((1, 1), x.dtype), **args)
        return
    g = _data(case["seed"] + 1, y.shape, case["dtype"])
    got = grad.max_pool2d_input(x, g, **args)
    assert got.dtype == case["dtype"] and got.shape == x.shape
    np.testing.assert_allclose(got, naive.max_pool2d_input(x, g, **args),
                               **tolerance(case["dtype"]))


@given(case=pool_case())
def test_max_pool2d_input_equals_torch_autograd(case, torch):
    x, args = _pool_grad_case(case, dilation=case["dilation"])
    tx = _as4(torch, x).requires_grad_()
    try:
        ty = torch.nn.functional.max_pool2d(tx, **args)
    except RuntimeError:   # the window does not fit (refusals: test_max_pool2d_input_equals_loop)
        assume(False)
    g = _data(case["seed"] + 1, convlab.max_pool2d(x, **args).shape, case["dtype"])
    ty.backward(_as4(torch, g).reshape(ty.shape))
    got = grad.max_pool2d_input(x, g, **args)
    np.testing.assert_allclose(got, tx.grad.numpy().reshape(x.shape), **tolerance(case["dtype"]))


@given(case=pool_case(dilated=False), count_include_pad=st.booleans())
def test_avg_pool2d_input_equals_loop(case, count_include_pad):
    x, args = _pool_grad_case(case, count_include_pad=count_include_pad)
    try:
        y = convlab.avg_pool2d(x, **args)
    except ValueError as error:
        for route in (grad.avg_pool2d_input, naive.avg_pool2d_input):
            with pytest.raises(ValueError, match=re.escape(str(error))):
                route(x.shape, np.zeros((1, 1), x.dtype), **args)
        return
    g = _data(case["seed"] + 1, y.shape, case["dtype"])
    got = grad.avg_pool2d_input(x.shape, g, **args)
    assert got.dtype == case["dtype"] and got.shape == x.shape
    np.testing.assert_allclose(got, naive.avg_pool2d_input(x.shape, g, **args),
                               **tolerance(case["dtype"]))


@given(case=pool_case(dilated=False), count_include_pad=st.booleans())
def test_avg_pool2d_input_equals_torch_autograd(case, count_include_pad, torch):
    x, args = _pool_grad_case(case, count_include_pad=count_include_pad)
    tx = _as4(torch, x).requires_grad_()
    try:
        ty = torch.nn.functional.avg_pool2d(tx, **args)
    except RuntimeError:   # refusals: test_avg_pool2d_input_equals_loop
        assume(False)
    g = _data(case["seed"] + 1, convlab.avg_pool2d(x, **args).shape, case["dtype"])
    ty.backward(_as4(torch, g).reshape(ty.shape))
    got = grad.avg_pool2d_input(x.shape, g, **args)
    np.testing.assert_allclose(got, tx.grad.numpy().reshape(x.shape), **tolerance(case["dtype"]))


# --- central finite differences: no PyTorch, only the forward functions -----------------

def _numeric_grad(f, a, eps=1e-6):
    """d f / d a by central differences, one entry at a time."""
    out = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        saved = a[index]
        a[index] = saved + eps
        plus = f()
        a[index] = saved - eps
        minus = f()
        a[index] = saved
        out[index] = (plus - minus) / (2 * eps)
    return out


@pytest.mark.parametrize("stride, padding, dilation", [
    (1, 0, 1), (2, "same", 1), ((2, 1), ((1, 0), (0, 2)), (1, 2)), (1, "full", 2)])
def test_conv2d_gradients_equal_central_differences(stride, padding, dilation):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 2, 5, 4))
    w = rng.standard_normal((3, 2, 2, 3))
    b = rng.standard_normal(3)
    args = dict(stride=stride, padding=padding, dilation=dilation)
    g = rng.standard_normal(convlab.conv2d(x, w, b, **args).shape)

    def loss():  # L = sum(conv2d(x, w, b) * g), so dL/dy = g
        return float((convlab.conv2d(x, w, b, **args) * g).sum())

    np.testing.assert_allclose(grad.conv2d_input(x.shape, w, g, **args),
                               _numeric_grad(loss, x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(grad.conv2d_weight(x, w.shape, g, **args),
                               _numeric_grad(loss, w), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(grad.conv2d_bias(g), _numeric_grad(loss, b), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=(2, 3), stride=1, ceil_mode=True)])
def test_pool_gradients_equal_central_differences(kwargs):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 6))  # continuous values: no ties, max is differentiable
    g = rng.standard_normal(convlab.max_pool2d(x, **kwargs).shape)
    numeric = _numeric_grad(lambda: float((convlab.max_pool2d(x, **kwargs) * g).sum()), x)
    np.testing.assert_allclose(grad.max_pool2d_input(x, g, **kwargs), numeric, atol=1e-7)
    numeric = _numeric_grad(lambda: float((convlab.avg_pool2d(x, **kwargs) * g).sum()), x)
    np.testing.assert_allclose(grad.avg_pool2d_input(x.shape, g, **kwargs), numeric, atol=1e-7)


# --- hand-worked values ------------------------------------------------------------------

def test_conv2d_input_by_hand():
    # every output gradient 1: each pixel collects the weights of the windows covering it
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    expected = np.array([[1, 3, 2], [4, 10, 6], [3, 7, 4]], dtype=float)
    np.testing.assert_array_equal(grad.conv2d_input((1, 1, 3, 3), w, np.ones((1, 1, 2, 2)))[0, 0],
                                  expected)


def test_max_pool_gradient_goes_to_first_of_tied_maxima():
    x = np.array([[5.0, 5.0], [5.0, 1.0]])
    np.testing.assert_array_equal(grad.max_pool2d_input(x, [[7.0]], 2), [[7, 0], [0, 0]])


def test_integer_inputs_give_float64_gradients():
    x = np.arange(16).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2), dtype=int)
    g = np.ones((1, 1, 3, 3), dtype=int)
    assert grad.conv2d_input(x.shape, w, g).dtype == np.float64
    assert grad.conv2d_weight(x, w.shape, g).dtype == np.float64
    assert grad.conv2d_bias(g).dtype == np.float64
    assert grad.max_pool2d_input(x[0, 0], np.ones((2, 2), int), 2).dtype == np.float64


# --- errors ----------------------------------------------------------------------------

def test_grad_output_of_the_wrong_shape_is_refused():
    w = np.ones((2, 1, 3, 3))
    with pytest.raises(ValueError, match=r"grad_output must have the shape of the forward "
                                         r"output, \(1, 2, 3, 3\), got \(1, 2, 4, 4\)"):
        grad.conv2d_input((1, 1, 5, 5), w, np.ones((1, 2, 4, 4)))
    with pytest.raises(ValueError, match="grad_output must have the shape"):
        grad.conv2d_weight(np.ones((1, 5, 5)), w.shape, np.ones((2, 4, 4)))
    with pytest.raises(ValueError, match=r"grad_output must have the shape .*\(2, 2\)"):
        grad.max_pool2d_input(np.ones((4, 4)), np.ones((3, 3)), 2)
    with pytest.raises(ValueError, match=r"grad_output must have the shape .*\(2, 2\)"):
        grad.avg_pool2d_input((4, 4), np.ones((4, 4)), 2)


def test_shapes_and_channels_are_checked():
    with pytest.raises(TypeError, match="input_shape must be a tuple of ints"):
        grad.conv2d_input("1, 1, 5, 5", np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="input_shape must have 3 or 4 entries, got 2"):
        grad.conv2d_input((5, 5), np.ones((1, 1, 3, 3)), np.ones((1, 3, 3)))
    with pytest.raises(TypeError, match=r"weight_shape\[2\] must be an int, got 3.0"):
        grad.conv2d_weight(np.ones((1, 5, 5)), (1, 1, 3.0, 3), np.ones((1, 3, 3)))
    with pytest.raises(ValueError, match="weight expects 2 input channels .* input_shape has 1"):
        grad.conv2d_input((1, 5, 5), np.ones((1, 2, 3, 3)), np.ones((1, 3, 3)))
    with pytest.raises(ValueError, match="weight_shape expects 2 input channels .* x has 1"):
        grad.conv2d_weight(np.ones((1, 5, 5)), (1, 2, 3, 3), np.ones((1, 3, 3)))
    with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
        grad.conv2d_input((1, 5, 5), np.ones((1, 1, 3, 3)), np.ones((1, 3, 3)), stride=0)
    with pytest.raises(ValueError, match="padding 2 along the height is more than half"):
        grad.avg_pool2d_input((4, 4), np.ones((2, 2)), 2, padding=2)
    with pytest.raises(TypeError, match="count_include_pad must be a bool"):
        grad.avg_pool2d_input((4, 4), np.ones((2, 2)), 2, count_include_pad="yes")


@pytest.mark.parametrize("fill", [np.nan, -np.inf])
@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                                    dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True)])
def test_max_pool2d_input_with_nan_and_minus_infinity_equals_torch(fill, kwargs, torch):
    # NaN wins its windows (the last NaN if several); a window of -inf credits its first
    # real tap: the exact slow path, checked against PyTorch
    x = np.random.default_rng(0).standard_normal((2, 5, 6))
    x[0, :4, :4] = fill                      # whole windows of it
    x[1, :, 2] = fill
    y = convlab.max_pool2d(x, **kwargs)
    g = np.random.default_rng(1).standard_normal(y.shape)
    tx = torch.from_numpy(x).requires_grad_()
    torch.nn.functional.max_pool2d(tx[None], **kwargs).backward(torch.from_numpy(g)[None])
    np.testing.assert_allclose(grad.max_pool2d_input(x, g, **kwargs), tx.grad.numpy(),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(naive.max_pool2d_input(x, g, **kwargs), tx.grad.numpy(),
                               rtol=1e-12, atol=1e-12)
