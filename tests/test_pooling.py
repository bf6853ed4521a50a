"""max_pool2d and avg_pool2d: fast == loop reference == PyTorch."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convlab
from convlab import naive


@st.composite
def pooling_case(draw, dilated=True):
    square = draw(st.booleans())  # kernel_size given as one int
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    kernel = (kernel[0], kernel[0]) if square else kernel
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilated else (1, 1)
    extent = [dilation[a] * (kernel[a] - 1) + 1 for a in (0, 1)]
    limit = [kernel[a] // 2 for a in (0, 1)]
    padding = (draw(st.integers(0, limit[0])), draw(st.integers(0, limit[1])))
    size = [draw(st.integers(max(1, extent[a] - 2 * padding[a]), extent[a] + 8)) for a in (0, 1)]
    leading = draw(st.sampled_from([(), (2,), (2, 3)]))
    return dict(
        shape=leading + tuple(size),
        kernel_size=kernel[0] if square else kernel,
        stride=draw(st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3),
                                                                      st.integers(1, 3)))),
        padding=padding,
        dilation=dilation,
        ceil_mode=draw(st.booleans()),
        dtype=draw(st.sampled_from([np.float32, np.float64])),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def _as_4d(torch, x):
    t = torch.from_numpy(np.ascontiguousarray(x))
    while t.dim() < 4:
        t = t[None]
    return t


def _square(case):
    k = case["kernel_size"]
    return dict(case, kernel_size=(k, k) if isinstance(k, int) else k)


def _pool_args(case, **extra):
    case = _square(case)
    x = np.random.default_rng(case["seed"]).standard_normal(case["shape"]).astype(case["dtype"])
    args = dict(kernel_size=case["kernel_size"], stride=case["stride"], padding=case["padding"],
                ceil_mode=case["ceil_mode"], **extra)
    return x, args


def _pool_hw(case):
    """Output (height, width) by the formula and ceil_mode's drop rule, computed here."""
    case = _square(case)
    stride = case["stride"] or case["kernel_size"]
    stride = (stride, stride) if isinstance(stride, int) else stride
    sizes = []
    for a in (0, 1):
        i, k, s, p, d = (case["shape"][-2 + a], case["kernel_size"][a], stride[a],
                         case["padding"][a], case["dilation"][a])
        span = i + 2 * p - d * (k - 1) - 1
        o = (span + (s - 1 if case["ceil_mode"] else 0)) // s + 1
        if case["ceil_mode"] and (o - 1) * s >= i + p:
            o -= 1   # the last window would start in the right padding
        sizes.append(o)
    return tuple(sizes)


@given(case=pooling_case())
def test_max_pool_fast_equals_loop(case):
    x, args = _pool_args(case, dilation=case["dilation"])
    out, idx = convlab.max_pool2d(x, return_indices=True, **args)
    loop, loop_idx = naive.max_pool2d(x, return_indices=True, **args)
    assert out.shape == loop.shape == x.shape[:-2] + _pool_hw(case)
    assert out.dtype == loop.dtype == x.dtype
    np.testing.assert_array_equal(out, loop)
    np.testing.assert_array_equal(idx, loop_idx)
    np.testing.assert_array_equal(convlab.max_pool2d(x, **args), out)


@given(case=pooling_case())
def test_max_pool_equals_torch(case, torch):
    x, args = _pool_args(case, dilation=case["dilation"])
    t_out, t_idx = torch.nn.functional.max_pool2d(_as_4d(torch, x), return_indices=True, **args)
    out, idx = convlab.max_pool2d(x, return_indices=True, **args)
    np.testing.assert_array_equal(out, t_out.numpy().reshape(out.shape))
    np.testing.assert_array_equal(idx, t_idx.numpy().reshape(idx.shape))


@given(case=pooling_case(dilated=False), count_include_pad=st.booleans())
def test_avg_pool_fast_equals_loop(case, count_include_pad):
    x, args = _pool_args(case, count_include_pad=count_include_pad)
    out = convlab.avg_pool2d(x, **args)
    assert out.shape == x.shape[:-2] + _pool_hw(case)
    assert out.dtype == x.dtype
    np.testing.assert_array_equal(out, naive.avg_pool2d(x, **args))


@given(case=pooling_case(dilated=False), count_include_pad=st.booleans())
def test_avg_pool_equals_torch(case, count_include_pad, torch):
    x, args = _pool_args(case, count_include_pad=count_include_pad)
    expected = torch.nn.functional.avg_pool2d(_as_4d(torch, x), **args).numpy()
    out = convlab.avg_pool2d(x, **args)
    tol = dict(rtol=1e-5, atol=1e-6) if x.dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out, expected.reshape(out.shape), **tol)


@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 3), s=st.integers(1, 3),
       ceil_mode=st.booleans())
def test_ties_and_integers_fast_equals_loop(seed, k, s, ceil_mode):
    # Few distinct values: many ties, where the first maximum must win.
    x = np.random.default_rng(seed).integers(0, 3, size=(2, 7, 6)).astype(np.int64)
    args = dict(kernel_size=k, stride=s, padding=k // 2, ceil_mode=ceil_mode)
    out, idx = convlab.max_pool2d(x, return_indices=True, **args)
    loop, loop_idx = naive.max_pool2d(x, return_indices=True, **args)
    assert out.dtype == loop.dtype == np.int64  # max pooling keeps integer dtypes
    np.testing.assert_array_equal(out, loop)
    np.testing.assert_array_equal(idx, loop_idx)


@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 3), s=st.integers(1, 3),
       ceil_mode=st.booleans())
def test_ties_and_integers_match_torch(seed, k, s, ceil_mode, torch):
    x = np.random.default_rng(seed).integers(0, 3, size=(2, 7, 6)).astype(np.int64)
    args = dict(kernel_size=k, stride=s, padding=k // 2, ceil_mode=ceil_mode)
    out, idx = convlab.max_pool2d(x, return_indices=True, **args)
    t_out, t_idx = torch.nn.functional.max_pool2d(torch.from_numpy(x.astype(np.float64))[None],
                                                  return_indices=True, **args)
    np.testing.assert_array_equal(out, t_out.numpy()[0])
    np.testing.assert_array_equal(idx, t_idx.numpy()[0])


@pytest.mark.parametrize("lib", [convlab, naive], ids=["fast", "loop"])
def test_return_indices_ties_by_hand(lib):
    # Ties go to the first maximum in reading order (row by row, then along the row),
    # as PyTorch does. Flat index = h*W + w, W = 4.
    x = np.array([[5, 5, 2, 7],
                  [5, 1, 7, 7],
                  [0, 3, 3, 0],
                  [3, 0, 0, 3]])
    out, idx = lib.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(out, [[5, 7], [3, 3]])
    # window (0,0): 5 at (0,0), (0,1), (1,0) -> (0,0) = 0
    # window (0,1): 7 at (0,3), (1,2), (1,3) -> (0,3) = 3
    # window (1,0): 3 at (2,1), (3,0)        -> (2,1) = 9
    # window (1,1): 3 at (2,2), (3,3)        -> (2,2) = 10
    np.testing.assert_array_equal(idx, [[0, 3], [9, 10]])
    # overlapping windows (stride 1), padding -inf never wins: the 2x2 of 5s at the top left
    out, idx = lib.max_pool2d(x[:2, :2], 2, stride=1, padding=1, return_indices=True)
    np.testing.assert_array_equal(out, [[5, 5, 5], [5, 5, 5], [5, 5, 1]])
    np.testing.assert_array_equal(idx, [[0, 0, 1], [0, 0, 1], [2, 2, 3]])


def test_worked_example_by_hand():
    x = np.array([[1, 3, 2, 0],
                  [4, 2, 1, 5],
                  [0, 1, 7, 2],
                  [3, 2, 1, 1]])
    np.testing.assert_array_equal(convlab.max_pool2d(x, 2), [[4, 5], [3, 7]])
    np.testing.assert_array_equal(convlab.avg_pool2d(x, 2),
                                  [[(1 + 3 + 4 + 2) / 4, (2 + 0 + 1 + 5) / 4],
                                   [(0 + 1 + 3 + 2) / 4, (7 + 2 + 1 + 1) / 4]])


def test_uint8_average_does_not_overflow():
    x = np.full((4, 4), 250, dtype=np.uint8)
    out = convlab.avg_pool2d(x, 2)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.full((2, 2), 250.0))
    assert convlab.max_pool2d(x, 2).dtype == np.uint8


def test_nan_wins_max_pooling(torch):
    x = np.arange(16, dtype=np.float64).reshape(4, 4)
    x[0, 1] = np.nan
    out, idx = convlab.max_pool2d(x, 2, return_indices=True)
    t_out, t_idx = torch.nn.functional.max_pool2d(torch.from_numpy(x)[None], 2,
                                                  return_indices=True)
    assert np.isnan(out[0, 0]) and idx[0, 0] == 1
    np.testing.assert_array_equal(out, t_out.numpy()[0])
    np.testing.assert_array_equal(idx, t_idx.numpy()[0])


@pytest.mark.parametrize("lib", [convlab, naive], ids=["fast", "loop"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_wins_by_hand(lib, dtype):
    x = np.arange(16, dtype=dtype).reshape(4, 4)
    x[0, 1] = np.nan        # after a smaller value: it must still win its window
    x[3, 3] = np.nan        # the last tap of its window
    out, idx = lib.max_pool2d(x, 2, return_indices=True)
    assert np.isnan(out[0, 0]) and np.isnan(out[1, 1])
    np.testing.assert_array_equal(out[[0, 1], [1, 0]], [7, 13])
    np.testing.assert_array_equal(idx, [[1, 7], [13, 15]])


@pytest.mark.parametrize("lib", [convlab, naive], ids=["fast", "loop"])
def test_a_window_with_nothing_above_minus_infinity_reports_its_first_real_tap(lib):
    # Every value -inf: no tap beats the start, so each window reports the first tap that
    # lies inside the input (past the padding), as PyTorch does. W = 3.
    x = np.full((3, 3), -np.inf)
    out, idx = lib.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
    assert (out == -np.inf).all()
    # windows start at rows/cols -1 and 1: first real taps 0 and 1
    np.testing.assert_array_equal(idx, [[0 * 3 + 0, 0 * 3 + 1], [1 * 3 + 0, 1 * 3 + 1]])
    # dilated: taps 2 apart, window (2 taps) starting at -1 reaches row/col 1 first
    out, idx = lib.max_pool2d(x, 2, stride=1, padding=1, dilation=2, return_indices=True)
    np.testing.assert_array_equal(idx, [[1 * 3 + 1, 1 * 3 + 0, 1 * 3 + 1],
                                        [0 * 3 + 1, 0 * 3 + 0, 0 * 3 + 1],
                                        [1 * 3 + 1, 1 * 3 + 0, 1 * 3 + 1]])


def test_ceil_mode_drops_a_window_that_starts_in_the_padding():
    # 5 wide, window 2, stride 2, padding 1: ceil would give 4 windows, but the
    # 4th would start at index 6 - 1 = 5, past the input: PyTorch drops it.
    assert convlab.max_pool2d(np.ones((1, 5)), (1, 2), padding=(0, 1), ceil_mode=True).shape \
        == (1, 3)
    assert convlab.output_size(5, 2, stride=2, padding=1, ceil_mode=True) == 3


@pytest.mark.parametrize("call, error, message", [
    (lambda lib: lib.max_pool2d(np.ones((4, 4)), 0), ValueError,
     r"kernel_size must be >= 1, got 0"),
    (lambda lib: lib.max_pool2d(np.ones((4, 4)), 2, stride=0), ValueError,
     r"stride must be >= 1, got 0"),
    (lambda lib: lib.max_pool2d(np.ones((4, 4)), 2.0), TypeError,
     r"kernel_size must be an int, got 2.0 \(float\)"),
    (lambda lib: lib.max_pool2d(np.ones((4, 4)), 2, padding=2), ValueError,
     r"padding 2 along the height is more than half the pooling window \(2 wide\): "
     r"padding must be <= 1"),
    (lambda lib: lib.avg_pool2d(np.ones((4, 4)), 3, padding=2), ValueError,
     r"padding 2 along the height is more than half the pooling window"),
    (lambda lib: lib.max_pool2d(np.ones((4, 4)), 5), ValueError,
     r"kernel_size 5x5 \(dilated 5x5\) does not fit in the padded input 4x4"),
    (lambda lib: lib.max_pool2d(np.ones((4, 4)), 2, padding="same"), ValueError,
     r"padding for pooling must be an int or a \(height, width\) pair, got 'same'"),
    (lambda lib: lib.max_pool2d(np.ones(4), 2), ValueError,
     r"x must have 2, 3 or 4 dimensions \(H, W\) or \(C, H, W\) or \(N, C, H, W\), got 1"),
    (lambda lib: lib.max_pool2d("x", 2), TypeError, r"x must be a numeric array, got 'x'"),
    (lambda lib: lib.max_pool2d(np.ones((4, 4)), 2, ceil_mode="yes"), TypeError,
     r"ceil_mode must be a bool, got 'yes'"),
    (lambda lib: lib.avg_pool2d(np.ones((4, 4)), 2, count_include_pad="yes"), TypeError,
     r"count_include_pad must be a bool, got 'yes'"),
    (lambda lib: lib.avg_pool2d(np.ones((4, 4)), 2, count_include_pad=None), TypeError,
     r"count_include_pad must be a bool, got None"),
])
@pytest.mark.parametrize("lib", [convlab, naive], ids=["fast", "loop"])
def test_bad_input_gets_a_clear_error(call, error, message, lib):
    with pytest.raises(error, match=message):
        call(lib)
