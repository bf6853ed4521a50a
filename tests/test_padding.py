"""pad2d: fast == loop reference == torch.nn.functional.pad."""

import numpy as np
import pytest
from _reference import TORCH_PAD_MODE
from hypothesis import given
from hypothesis import strategies as st

import convlab
from convlab import naive
from convlab.padding import resolve_padding


@st.composite
def pad_case(draw):
    """A valid case: reflect pads below the size, circular pads at most the size."""
    mode = draw(st.sampled_from(["zeros", "constant", "reflect", "replicate", "circular"]))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    limit = {"reflect": (h - 1, w - 1), "circular": (h, w)}.get(mode, (6, 6))
    pads = ((draw(st.integers(0, limit[0])), draw(st.integers(0, limit[0]))),
            (draw(st.integers(0, limit[1])), draw(st.integers(0, limit[1]))))
    leading = draw(st.sampled_from([(), (2,), (1, 2)]))
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).standard_normal(leading + (h, w))
    return x, pads, mode


@given(case=pad_case())
def test_pad2d_fast_equals_loop(case):
    x, spec, mode = case
    out = convlab.pad2d(x, spec, mode=mode, value=2.5)
    (top, bottom), (left, right) = spec
    assert out.shape == x.shape[:-2] + (x.shape[-2] + top + bottom, x.shape[-1] + left + right)
    np.testing.assert_array_equal(out[..., top:top + x.shape[-2], left:left + x.shape[-1]], x)
    np.testing.assert_array_equal(out, naive.pad2d(x, spec, mode=mode, value=2.5))


@given(case=pad_case())
def test_pad2d_equals_torch(case, torch):
    x, spec, mode = case
    (top, bottom), (left, right) = spec
    out = convlab.pad2d(x, spec, mode=mode, value=2.5)
    t = torch.from_numpy(x)
    while t.dim() < 4:
        t = t[None]
    kwargs = {"value": 2.5 if mode == "constant" else 0.0} if mode in ("zeros", "constant") else {}
    expected = torch.nn.functional.pad(t, (left, right, top, bottom), mode=TORCH_PAD_MODE.get(
        mode, "constant"), **kwargs).numpy()
    np.testing.assert_array_equal(out, expected.reshape(out.shape))


@given(mode=st.sampled_from(["reflect", "circular"]), size=st.integers(1, 6),
       excess=st.integers(0, 3), side=st.integers(0, 3), other=st.integers(0, 6),
       data=st.data())
def test_pad_too_large_for_its_mode_is_refused_by_both_routes(mode, size, excess, side, other,
                                                             data):
    # reflect needs every pad < the size (it mirrors without repeating the edge),
    # circular at most the size (it wraps once)
    large = size + excess + (1 if mode == "circular" else 0)
    pads = [0, 0, 0, 0]
    pads[side] = large
    top, bottom, left, right = pads
    shape = (size, other + large + 1) if side < 2 else (other + large + 1, size)
    x = data.draw(st.sampled_from([np.zeros(shape), np.ones((2,) + shape)]))
    axis = "height" if side < 2 else "width"
    bound = f"< {size}" if mode == "reflect" else f"<= {size}"
    message = (f"padding {large} along the {axis} is too large for mode '{mode}' on an input "
               f"of {axis} {size}: {mode} padding must be {bound}")
    for lib in (convlab, naive):
        with pytest.raises(ValueError) as info:
            lib.pad2d(x, ((top, bottom), (left, right)), mode=mode)
        assert str(info.value) == message


def test_spec_forms_and_dtype():
    x = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert convlab.pad2d(x, 1).shape == (4, 5)
    assert convlab.pad2d(x, (1, 2)).shape == (4, 7)
    assert convlab.pad2d(x, ((0, 1), (2, 0))).shape == (3, 5)
    assert convlab.pad2d(x, 1).dtype == np.uint8
    np.testing.assert_array_equal(convlab.pad2d(x, ((0, 0), (1, 0)), mode="constant", value=9)[:, 0],
                                  [9, 9])
    # 'constant' without a value fills with 0, as 'zeros' does
    np.testing.assert_array_equal(convlab.pad2d(np.full((1, 2), 7), ((0, 0), (1, 1)),
                                                mode="constant"), [[0, 7, 7, 0]])


@pytest.mark.parametrize("call, error, message", [
    (lambda: convlab.pad2d(np.ones((3, 3)), 1, mode="mirror"), ValueError,
     r"mode must be one of 'zeros', 'constant', 'reflect', 'replicate', 'circular', got 'mirror'"),
    (lambda: convlab.pad2d(np.ones((3, 3)), -1), ValueError, r"padding must be >= 0, got -1"),
    (lambda: convlab.pad2d(np.ones((3, 3)), "same"), ValueError,
     r"padding must be an int, a \(height, width\) pair .* got 'same'"),
    (lambda: resolve_padding("half", (5, 5), (3, 3)), ValueError,
     r"padding must be an int, a \(height, width\) pair, \(\(top, bottom\), \(left, right\)\) "
     r"or one of 'valid', 'same', 'full', got 'half'"),
    (lambda: convlab.pad2d(np.ones((3, 3)), (1, 2, 3)), ValueError,
     r"padding must be an int, a \(height, width\) pair or \(\(top, bottom\), \(left, right\)\)"),
    (lambda: convlab.pad2d(np.ones(3), 1), ValueError, r"x must have 2, 3, 4 or 5 dimensions"),
    (lambda: convlab.pad2d(np.ones((3, 3)), 1, mode="constant", value="0"), TypeError,
     r"value must be a real number, got '0'"),
    (lambda: convlab.pad2d(np.ones((2, 5)), 2, mode="reflect"), ValueError,
     r"padding 2 along the height is too large for mode 'reflect' on an input of height 2: "
     r"reflect padding must be < 2"),
    (lambda: convlab.pad2d(np.ones((2, 5)), 3, mode="circular"), ValueError,
     r"circular padding must be <= 2"),
])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
