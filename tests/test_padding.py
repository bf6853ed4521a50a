"""pad2d: fast == loop reference == torch.nn.functional.pad."""

import numpy as np
import pytest
from _reference import TORCH_PAD_MODE
from hypothesis import given
from hypothesis import strategies as st

import convlab
from convlab import naive


@given(h=st.integers(1, 6), w=st.integers(1, 6),
       pads=st.tuples(*[st.integers(0, 6)] * 4),
       mode=st.sampled_from(["zeros", "constant", "reflect", "replicate", "circular"]),
       leading=st.sampled_from([(), (2,), (1, 2)]), seed=st.integers(0, 2**32 - 1))
def test_pad2d_equals_loop_and_torch(h, w, pads, mode, leading, seed, torch):
    top, bottom, left, right = pads
    x = np.random.default_rng(seed).standard_normal(leading + (h, w))
    spec = ((top, bottom), (left, right))
    too_big = (mode == "reflect" and (max(top, bottom) >= h or max(left, right) >= w)) or \
              (mode == "circular" and (max(top, bottom) > h or max(left, right) > w))
    if too_big:
        with pytest.raises(ValueError, match="too large for mode"):
            convlab.pad2d(x, spec, mode=mode)
        with pytest.raises(ValueError, match="too large for mode"):
            naive.pad2d(x, spec, mode=mode)
        return
    out = convlab.pad2d(x, spec, mode=mode, value=2.5)
    np.testing.assert_array_equal(out, naive.pad2d(x, spec, mode=mode, value=2.5))
    t = torch.from_numpy(x)
    while t.dim() < 4:
        t = t[None]
    kwargs = {"value": 2.5 if mode == "constant" else 0.0} if mode in ("zeros", "constant") else {}
    expected = torch.nn.functional.pad(t, (left, right, top, bottom), mode=TORCH_PAD_MODE.get(
        mode, "constant"), **kwargs).numpy()
    np.testing.assert_array_equal(out, expected.reshape(out.shape))


def test_spec_forms_and_dtype():
    x = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert convlab.pad2d(x, 1).shape == (4, 5)
    assert convlab.pad2d(x, (1, 2)).shape == (4, 7)
    assert convlab.pad2d(x, ((0, 1), (2, 0))).shape == (3, 5)
    assert convlab.pad2d(x, 1).dtype == np.uint8
    np.testing.assert_array_equal(convlab.pad2d(x, ((0, 0), (1, 0)), mode="constant", value=9)[:, 0],
                                  [9, 9])


@pytest.mark.parametrize("call, error, message", [
    (lambda: convlab.pad2d(np.ones((3, 3)), 1, mode="mirror"), ValueError,
     r"mode must be one of 'zeros', 'constant', 'reflect', 'replicate', 'circular', got 'mirror'"),
    (lambda: convlab.pad2d(np.ones((3, 3)), -1), ValueError, r"padding must be >= 0, got -1"),
    (lambda: convlab.pad2d(np.ones((3, 3)), "same"), ValueError,
     r"padding must be an int, a \(height, width\) pair .* got 'same'"),
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
