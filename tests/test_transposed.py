"""conv_transpose2d and transposed_output_size: fast == loop reference == PyTorch."""

import re

import numpy as np
import pytest
from _reference import tolerance
from hypothesis import assume, given
from hypothesis import strategies as st

import convlab
from convlab import naive

small = st.integers(1, 3)
pairs = st.tuples(small, small)


@st.composite
def transposed_case(draw):
    stride, dilation = draw(pairs), draw(pairs)
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    kind = draw(st.sampled_from(["int", "pair", "explicit"]))
    if kind == "int":
        padding = draw(st.integers(0, 2))
    elif kind == "pair":
        padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    else:
        padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    output_padding = tuple(draw(st.integers(0, max(stride[a], dilation[a]) - 1)) for a in (0, 1))
    return dict(
        n=draw(st.integers(1, 2)), c_in=draw(st.integers(1, 3)), c_out=draw(st.integers(1, 3)),
        input_hw=(draw(st.integers(1, 5)), draw(st.integers(1, 5))), kernel_hw=kernel,
        stride=stride, dilation=dilation, padding=padding, output_padding=output_padding,
        bias=draw(st.booleans()), batched=draw(st.booleans()),
        dtype=draw(st.sampled_from([np.float32, np.float64])),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def _explicit(padding):
    if isinstance(padding, int):
        return (padding, padding), (padding, padding)
    if isinstance(padding[0], int):
        return (padding[0], padding[0]), (padding[1], padding[1])
    return padding


def _torch_transposed(torch, x, w, b, case):
    """PyTorch's answer. Asymmetric padding (which PyTorch lacks) crops its full output."""
    F = torch.nn.functional
    tx, tw = torch.from_numpy(x), torch.from_numpy(w)
    tb = None if b is None else torch.from_numpy(b)
    pads = _explicit(case["padding"])
    common = dict(stride=case["stride"], dilation=case["dilation"])
    if pads[0][0] == pads[0][1] and pads[1][0] == pads[1][1]:
        return F.conv_transpose2d(tx, tw, tb, padding=(pads[0][0], pads[1][0]),
                                  output_padding=case["output_padding"], **common).numpy()
    full = F.conv_transpose2d(tx, tw, tb, **common).numpy()
    # the output-size formula, written out here independently of convlab
    out_hw = [full.shape[2 + a] - sum(pads[a]) + case["output_padding"][a] for a in (0, 1)]
    grown = np.zeros(full.shape[:2] + tuple(pads[a][0] + out_hw[a] for a in (0, 1)), full.dtype)
    if b is not None:
        grown += b[:, None, None]
    rows, cols = min(full.shape[2], grown.shape[2]), min(full.shape[3], grown.shape[3])
    grown[:, :, :rows, :cols] = full[:, :, :rows, :cols]
    return grown[:, :, pads[0][0]:, pads[1][0]:]


def _full_sizes(case):
    return [(case["input_hw"][a] - 1) * case["stride"][a]
            + case["dilation"][a] * (case["kernel_hw"][a] - 1) + 1 for a in (0, 1)]


def _transposed_args(case):
    rng = np.random.default_rng(case["seed"])
    dtype = case["dtype"]
    x = rng.standard_normal((case["n"], case["c_in"]) + case["input_hw"]).astype(dtype)
    w = rng.standard_normal((case["c_in"], case["c_out"]) + case["kernel_hw"]).astype(dtype)
    b = rng.standard_normal(case["c_out"]).astype(dtype) if case["bias"] else None
    args = dict(stride=case["stride"], padding=case["padding"],
                output_padding=case["output_padding"], dilation=case["dilation"])
    pads = _explicit(case["padding"])
    sizes = [_full_sizes(case)[a] - sum(pads[a]) + case["output_padding"][a] for a in (0, 1)]
    return x, w, b, args, sizes


@given(case=transposed_case())
def test_conv_transpose2d_fast_equals_loop(case):
    x, w, b, args, sizes = _transposed_args(case)
    x_in = x if case["batched"] else x[0]
    if min(sizes) < 1:   # the padding crops everything: both routes refuse alike
        with pytest.raises(ValueError, match="crops the whole output away") as fast:
            convlab.conv_transpose2d(x_in, w, b, **args)
        with pytest.raises(ValueError, match=re.escape(str(fast.value))):
            naive.conv_transpose2d(x_in, w, b, **args)
        return
    fast = convlab.conv_transpose2d(x_in, w, b, **args)
    loop = naive.conv_transpose2d(x_in, w, b, **args)
    assert fast.dtype == loop.dtype == case["dtype"]
    assert fast.shape == loop.shape
    assert fast.shape[-2:] == tuple(sizes)
    np.testing.assert_allclose(fast, loop, **tolerance(case["dtype"]))


@given(case=transposed_case())
def test_conv_transpose2d_equals_torch(case, torch):
    x, w, b, args, sizes = _transposed_args(case)
    assume(min(sizes) >= 1)   # refusals: test_conv_transpose2d_fast_equals_loop
    expected = _torch_transposed(torch, x, w, b, case)
    fast = convlab.conv_transpose2d(x if case["batched"] else x[0], w, b, **args)
    if not case["batched"]:
        expected = expected[0]
    assert fast.shape == expected.shape
    np.testing.assert_allclose(fast, expected, **tolerance(case["dtype"]))


@given(i=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 3),
       d=st.integers(1, 3), data=st.data())
def test_transposed_output_size_inverts_output_size(i, k, s, p, d, data):
    op = data.draw(st.integers(0, max(s, d) - 1))
    o = (i - 1) * s - 2 * p + d * (k - 1) + op + 1      # PyTorch's documented formula
    if o < 1:
        with pytest.raises(ValueError, match="crops the whole output away"):
            convlab.transposed_output_size(i, k, s, p, op, d)
        return
    assert convlab.transposed_output_size(i, k, s, p, op, d) == o
    # a convolution with the same arguments maps the transposed output back to i
    # (output_padding only adds rows a strided window cannot reach)
    if op < s:
        assert convlab.output_size(o, k, s, p, d) == i


@given(h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 3), kw=st.integers(1, 3),
       s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 2),
       seed=st.integers(0, 2**32 - 1))
def test_conv_transpose2d_is_the_adjoint_of_conv2d(h, w, kh, kw, s, p, d, seed):
    # <conv2d(x, W), y> == <x, conv_transpose2d(y, W)>: the defining property of a transpose
    assume(h + 2 * p >= d * (kh - 1) + 1 and w + 2 * p >= d * (kw - 1) + 1)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, h, w))
    weight = rng.standard_normal((4, 3, kh, kw))
    y_shape = convlab.conv2d(x, weight, stride=s, padding=p, dilation=d).shape
    y = rng.standard_normal(y_shape)
    # output_padding brings back the rows a stride remainder left out
    op = ((h + 2 * p - d * (kh - 1) - 1) % s, (w + 2 * p - d * (kw - 1) - 1) % s)
    back = convlab.conv_transpose2d(y, weight, stride=s, padding=p, output_padding=op, dilation=d)
    assert back.shape == x.shape
    lhs = np.vdot(convlab.conv2d(x, weight, stride=s, padding=p, dilation=d), y)
    np.testing.assert_allclose(lhs, np.vdot(x, back), rtol=1e-10)


def test_one_pixel_stamps_the_kernel_and_stride_spaces_the_stamps():
    k = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    np.testing.assert_array_equal(convlab.conv_transpose2d(np.ones((1, 1, 1)), k)[0],
                                  [[1, 2], [3, 4]])
    np.testing.assert_array_equal(convlab.conv_transpose2d(np.ones((1, 2, 2)), k, stride=3)[0],
                                  [[1, 2, 0, 1, 2], [3, 4, 0, 3, 4], [0, 0, 0, 0, 0],
                                   [1, 2, 0, 1, 2], [3, 4, 0, 3, 4]])


def test_dtypes():
    x32 = np.ones((1, 3, 3), np.float32)
    assert convlab.conv_transpose2d(x32, np.ones((1, 1, 2, 2), np.float32)).dtype == np.float32
    assert convlab.conv_transpose2d(np.ones((1, 3, 3), int),
                                    np.ones((1, 1, 2, 2), int)).dtype == np.float64


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(stride=2, output_padding=2), ValueError,
     r"output_padding must be smaller than either stride or dilation, got output_padding "
     r"\(2, 2\) with stride \(2, 2\)"),
    (dict(output_padding=1), ValueError, "output_padding must be smaller"),
    (dict(padding="same"), ValueError,
     "padding for a transposed convolution must be an int.*got 'same'.*conv2d_input"),
    (dict(padding=2.0), TypeError, r"padding must be an int.*got 2\.0"),
    (dict(padding=3), ValueError, "padding 3\\+3 along the height crops the whole output away"),
    (dict(stride=0), ValueError, "stride must be >= 1, got 0"),
    (dict(dilation=(1, 0)), ValueError, r"dilation\[1\] must be >= 1, got 0"),
    (dict(output_padding=-1), ValueError, "output_padding must be >= 0, got -1"),
    (dict(bias=np.ones(3)), ValueError, r"bias must have one value per output channel, "
                                        r"shape \(2,\), got shape \(3,\)"),
])
def test_errors_name_the_argument(kwargs, error, message):
    x = np.ones((1, 3, 3))
    weight = np.ones((1, 2, 3, 3))
    with pytest.raises(error, match=message):
        convlab.conv_transpose2d(x, weight, **kwargs)
    with pytest.raises(error, match=message):
        naive.conv_transpose2d(x, weight, **kwargs)


def test_weight_layout_errors():
    with pytest.raises(ValueError, match=r"weight must have 4 dimensions \(C_in, C_out, kH, kW\), "
                                         r"got 2 dimensions"):
        convlab.conv_transpose2d(np.ones((1, 3, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="weight expects 2 input channels .* x has 1 channels"):
        convlab.conv_transpose2d(np.ones((1, 3, 3)), np.ones((2, 1, 3, 3)))
    with pytest.raises(TypeError, match="x must be a numeric array"):
        convlab.conv_transpose2d("image", np.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        convlab.transposed_output_size(4, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="padding must be an int or a \\(before, after\\) pair"):
        convlab.transposed_output_size(4, 3, padding="same")
