"""Convolution variants: groups (grouped, depthwise), conv1d (causal too) and conv3d.

Two routes are compared: the fast path with its loop twin in
:mod:`convlab.naive` (these run without PyTorch), and the fast path with
``torch.nn.functional`` and ``torch.nn.grad`` (with the ``torch`` fixture),
over random shapes, strides, paddings, dilations and groupings.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convlab
from convlab import grad, naive

MODES = ["zeros", "reflect", "replicate", "circular"]
TORCH_MODE = {"reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def _rng(seed):
    return np.random.default_rng(seed)


@st.composite
def grouped(draw, dims=2, max_size=7):
    """A layer with groups: channels, filters, kernel, stride, dilation, padding per axis."""
    groups = draw(st.integers(1, 3))
    c = groups * draw(st.integers(1, 2))
    o = groups * draw(st.integers(1, 2))
    n = draw(st.integers(1, 2))
    spatial = tuple(draw(st.integers(1, max_size)) for _ in range(dims))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(dims))
    # the dilated kernel must fit in the padded input
    assume(all(d * (k - 1) + 1 <= i + 2 * p
               for i, k, d, p in zip(spatial, kernel, dilation, padding)))
    return dict(n=n, c=c, o=o, groups=groups, spatial=spatial, kernel=kernel, stride=stride,
                dilation=dilation, padding=padding, seed=draw(st.integers(0, 2 ** 16)),
                bias=draw(st.booleans()), batched=draw(st.booleans()))


def _layer_arrays(case, dtype=np.float64):
    rng = _rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"]) + case["spatial"]).astype(dtype)
    w = rng.standard_normal((case["o"], case["c"] // case["groups"]) + case["kernel"]).astype(dtype)
    b = rng.standard_normal(case["o"]).astype(dtype) if case["bias"] else None
    if not case["batched"]:
        x = x[0]
    return x, w, b


def _args(case):
    return dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"],
                groups=case["groups"])


FAST = {1: convlab.conv1d, 2: convlab.conv2d, 3: convlab.conv3d}
LOOP = {1: naive.conv1d, 2: naive.conv2d, 3: naive.conv3d}


# --- fast path == loop reference (no PyTorch needed) ---

@pytest.mark.parametrize("dims", [1, 2, 3])
@given(data=st.data())
def test_grouped_layers_equal_their_loops(dims, data):
    case = data.draw(grouped(dims, max_size=5 if dims == 3 else 7))
    x, w, b = _layer_arrays(case)
    fast = FAST[dims](x, w, b, **_args(case))
    loop = LOOP[dims](x, w, b, **_args(case))
    assert fast.shape == loop.shape and fast.dtype == loop.dtype
    np.testing.assert_allclose(fast, loop, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 3])
@given(data=st.data(), mode=st.sampled_from(MODES),
       padding=st.sampled_from(["valid", "same", "full", "causal"]))
def test_padding_modes_and_words_in_1d_and_3d_equal_the_loops(dims, data, mode, padding):
    assume(dims == 1 or padding != "causal")
    case = data.draw(grouped(dims, max_size=5))
    case["stride"] = (1,) * dims if padding == "same" else case["stride"]
    x, w, b = _layer_arrays(case)
    args = dict(_args(case), padding=padding, padding_mode=mode)
    try:
        loop = LOOP[dims](x, w, b, **args)
    except ValueError as error:  # a kernel that does not fit, a pad too wide: both refuse
        with pytest.raises(ValueError, match=re.escape(str(error))):
            FAST[dims](x, w, b, **args)
        return
    np.testing.assert_allclose(FAST[dims](x, w, b, **args), loop, rtol=1e-12, atol=1e-12)


@given(case=grouped(2))
def test_grouped_transposed_convolution_and_gradients_equal_their_loops(case):
    x, w, _ = _layer_arrays(dict(case, batched=True))
    args = _args(case)
    y = naive.conv2d(x, w, **args)
    g = _rng(case["seed"] + 1).standard_normal(y.shape)
    np.testing.assert_allclose(grad.conv2d_input(x.shape, w, g, **args),
                               naive.conv2d_input(x.shape, w, g, **args), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad.conv2d_weight(x, w.shape, g, **args),
                               naive.conv2d_weight(x, w.shape, g, **args), rtol=1e-12, atol=1e-12)
    # conv_transpose2d's weight is (C_in, C_out/groups, k): conv2d's weight, read transposed
    wt = _rng(case["seed"] + 2).standard_normal((case["c"], case["o"] // case["groups"])
                                                 + case["kernel"])
    targs = dict(stride=case["stride"], dilation=case["dilation"], groups=case["groups"])
    np.testing.assert_allclose(convlab.conv_transpose2d(x, wt, **targs),
                               naive.conv_transpose2d(x, wt, **targs), rtol=1e-12, atol=1e-12)


def test_depthwise_worked_example():
    # groups = channels: each channel meets its own kernel and nothing is summed across.
    x = np.stack([np.full((3, 3), 1.0), np.full((3, 3), 10.0)])
    w = np.stack([np.ones((1, 2, 2)), 2 * np.ones((1, 2, 2))])        # (O=2, C/groups=1, 2, 2)
    out = convlab.conv2d(x, w, groups=2)
    np.testing.assert_array_equal(out[0], 4.0)                        # 4 * 1 * 1
    np.testing.assert_array_equal(out[1], 80.0)                       # 4 * 10 * 2
    # and equal to correlating each channel on its own
    for c in range(2):
        np.testing.assert_array_equal(out[c], convlab.correlate2d(x[c], w[c, 0]))


def test_causal_output_sees_only_the_past():
    signal = np.zeros(10)
    signal[6] = 1.0                                                   # an impulse at t = 6
    out = convlab.conv1d(signal[None], np.ones((1, 1, 3)), padding="causal", dilation=2)[0]
    assert out.shape == (10,)
    # t sees t, t-2, t-4: the impulse shows at t = 6, 8 and never before it
    np.testing.assert_array_equal(np.nonzero(out)[0], [6, 8])


def test_conv1d_is_conv2d_on_a_one_pixel_high_image():
    rng = _rng(5)
    x, w = rng.standard_normal((2, 4, 13)), rng.standard_normal((6, 2, 3))
    via_2d = convlab.conv2d(x[:, :, None], w[:, :, None], stride=(1, 2), padding=(0, 1),
                            groups=2)[:, :, 0]
    np.testing.assert_allclose(convlab.conv1d(x, w, stride=2, padding=1, groups=2), via_2d,
                               rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("call, match", [
    (lambda: convlab.conv2d(np.ones((4, 5, 5)), np.ones((2, 2, 3, 3)), groups=3),
     r"groups=3 must divide both the input channels \(4"),
    (lambda: convlab.conv2d(np.ones((4, 5, 5)), np.ones((3, 2, 3, 3)), groups=2),
     r"groups=2 must divide both .* output channels \(3"),
    (lambda: convlab.conv2d(np.ones((4, 5, 5)), np.ones((2, 4, 3, 3)), groups=2),
     r"weight expects 8 input channels .*groups=2.* but x has 4 channels"),
    (lambda: convlab.conv2d(np.ones((4, 5, 5)), np.ones((2, 4, 3, 3)), groups=0),
     "groups must be >= 1, got 0"),
    (lambda: convlab.conv2d(np.ones((4, 5, 5)), np.ones((2, 4, 3, 3)), groups=1.0),
     "groups must be an int, got 1.0"),
    (lambda: convlab.conv_transpose2d(np.ones((3, 5, 5)), np.ones((3, 2, 3, 3)), groups=2),
     r"groups=2 must divide both the input channels \(3"),
    (lambda: grad.conv2d_input((4, 5, 5), np.ones((2, 4, 3, 3)), np.ones((2, 3, 3)), groups=2),
     r"weight expects 4 input channels per group, 8 in all"),
    (lambda: grad.conv2d_weight(np.ones((4, 5, 5)), (3, 2, 3, 3), np.ones((3, 3, 3)), groups=2),
     r"groups=2 must divide both .* output channels \(3"),
    (lambda: convlab.conv1d(np.ones((2, 8)), np.ones((1, 2, 3)), padding="past"),
     r"or one of 'valid', 'same', 'full' or 'causal', got 'past'"),
    (lambda: convlab.conv3d(np.ones((1, 4, 4, 4)), np.ones((1, 1, 2, 2, 2)), padding="causal"),
     r"one of 'valid', 'same', 'full', got 'causal'"),
    (lambda: convlab.conv3d(np.ones((1, 4, 4, 4)), np.ones((1, 1, 2, 2, 2)), stride=(1, 2)),
     r"stride must be an int or a tuple of 3 ints \(depth, height, width\)"),
    (lambda: convlab.conv1d(np.ones((2, 3)), np.ones((1, 2, 5))),
     r"weight of size 5 \(dilated 5\) does not fit in the padded input 3"),
    (lambda: convlab.conv1d(np.ones((2, 3, 4, 5)), np.ones((1, 2, 5))),
     r"x must have 2 or 3 dimensions \(C, L\) or \(N, C, L\), got 4"),
    (lambda: convlab.conv3d(np.ones((1, 4, 4, 4)), np.ones((1, 1, 2, 2))),
     r"weight must have 5 dimensions \(O, C, kD, kH, kW\), got 4"),
    (lambda: convlab.conv1d(np.ones((1, 4)), np.ones((1, 1, 2)), padding=4,
                            padding_mode="reflect"),
     r"padding 4 along the length is too large for mode 'reflect'"),
])
def test_bad_groupings_and_shapes_name_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_loops_refuse_what_the_fast_paths_refuse():
    x, w = np.ones((4, 5, 5)), np.ones((2, 2, 3, 3))
    for function in (convlab.conv2d, naive.conv2d):
        with pytest.raises(ValueError, match="groups=3 must divide"):
            function(x, w, groups=3)
    for function in (convlab.conv1d, naive.conv1d):
        with pytest.raises(ValueError, match="'causal', got 'past'"):
            function(np.ones((2, 8)), np.ones((1, 2, 3)), padding="past")


# --- against PyTorch ---

def _t(torch, a):
    return None if a is None else torch.from_numpy(np.ascontiguousarray(a))


@pytest.mark.parametrize("dims", [1, 2, 3])
@given(data=st.data())
def test_grouped_layers_match_torch(torch, dims, data):
    case = data.draw(grouped(dims, max_size=6 if dims == 3 else 9))
    x, w, b = _layer_arrays(case)
    function = getattr(torch.nn.functional, f"conv{dims}d")
    expected = function(_t(torch, x), _t(torch, w), _t(torch, b), case["stride"],
                        case["padding"], case["dilation"], case["groups"]).numpy()
    np.testing.assert_allclose(FAST[dims](x, w, b, **_args(case)), expected,
                               rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dims", [1, 2, 3])
@given(data=st.data(), mode=st.sampled_from(MODES), word=st.sampled_from(["valid", "same"]))
def test_padding_words_and_modes_match_torch_float32(torch, dims, data, mode, word):
    case = data.draw(grouped(dims, max_size=6))
    x, w, b = _layer_arrays(case, np.float32)
    F = torch.nn.functional
    function = getattr(F, f"conv{dims}d")
    if mode == "zeros":
        extents = [d * (k - 1) + 1 for k, d in zip(case["kernel"], case["dilation"])]
        assume(word == "same" or all(e <= i for e, i in zip(extents, case["spatial"])))
        stride = (1,) * dims if word == "same" else case["stride"]
        got = FAST[dims](x, w, b, stride=stride, padding=word, dilation=case["dilation"],
                         groups=case["groups"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)   # torch: 'same' with even kernels
            expected = function(_t(torch, x), _t(torch, w), _t(torch, b), stride, word,
                                case["dilation"], case["groups"]).numpy()
    else:
        pads = case["padding"]
        assume(all(p < s for p, s in zip(pads, case["spatial"])))   # reflect needs pad < size
        got = FAST[dims](x, w, b, stride=case["stride"], padding=pads,
                         dilation=case["dilation"], groups=case["groups"], padding_mode=mode)
        flat = [p for pad in reversed(pads) for p in (pad, pad)]
        xt = _t(torch, x if case["batched"] else x[None])
        xt = F.pad(xt, flat, mode=TORCH_MODE[mode])
        expected = function(xt, _t(torch, w), _t(torch, b), case["stride"], 0,
                            case["dilation"], case["groups"]).numpy()
        expected = expected if case["batched"] else expected[0]
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-4)


@given(case=grouped(1), dilation=st.integers(1, 3))
def test_causal_conv1d_matches_torch_left_padded(torch, case, dilation):
    x, w, b = _layer_arrays(case)
    k = case["kernel"][0]
    got = convlab.conv1d(x, w, b, padding="causal", dilation=dilation, groups=case["groups"])
    F = torch.nn.functional
    xt = _t(torch, x if case["batched"] else x[None])
    expected = F.conv1d(F.pad(xt, (dilation * (k - 1), 0)), _t(torch, w), _t(torch, b),
                        dilation=dilation, groups=case["groups"]).numpy()
    np.testing.assert_allclose(got, expected if case["batched"] else expected[0],
                               rtol=1e-10, atol=1e-10)
    assert got.shape[-1] == x.shape[-1]


@given(case=grouped(2), output_padding=st.integers(0, 1))
def test_grouped_transposed_convolution_matches_torch(torch, case, output_padding):
    rng = _rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"]) + case["spatial"])
    w = rng.standard_normal((case["c"], case["o"] // case["groups"]) + case["kernel"])
    b = rng.standard_normal(case["o"]) if case["bias"] else None
    stride, dilation = case["stride"], case["dilation"]
    op = tuple(min(output_padding, max(s, d) - 1) for s, d in zip(stride, dilation))
    # cropped from both ends, the padding must leave at least one row of the full output
    pads = tuple(min(p, ((i - 1) * s + d * (k - 1)) // 2) for p, i, s, d, k in
                 zip(case["padding"], case["spatial"], stride, dilation, case["kernel"]))
    expected = torch.nn.functional.conv_transpose2d(
        _t(torch, x), _t(torch, w), _t(torch, b), stride, pads, op, case["groups"],
        dilation).numpy()
    got = convlab.conv_transpose2d(x, w, b, stride, pads, op, case["groups"], dilation)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


@given(case=grouped(2))
def test_grouped_gradients_match_torch(torch, case):
    x, w, b = _layer_arrays(dict(case, batched=True))
    args = _args(case)
    xt = _t(torch, x).requires_grad_()
    wt = _t(torch, w).requires_grad_()
    y = torch.nn.functional.conv2d(xt, wt, None, case["stride"], case["padding"],
                                   case["dilation"], case["groups"])
    g = _rng(case["seed"] + 1).standard_normal(tuple(y.shape))
    y.backward(_t(torch, g))
    np.testing.assert_allclose(grad.conv2d_input(x.shape, w, g, **args), xt.grad.numpy(),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad.conv2d_weight(x, w.shape, g, **args), wt.grad.numpy(),
                               rtol=1e-10, atol=1e-10)


GRAD_INPUT = {1: grad.conv1d_input, 2: grad.conv2d_input, 3: grad.conv3d_input}
GRAD_WEIGHT = {1: grad.conv1d_weight, 2: grad.conv2d_weight, 3: grad.conv3d_weight}


@pytest.mark.parametrize("dims", [1, 3])
@given(data=st.data())
def test_1d_and_3d_gradients_equal_their_loops(dims, data):
    case = data.draw(grouped(dims, max_size=4 if dims == 3 else 7))
    x, w, _ = _layer_arrays(case)
    args = _args(case)
    g = _rng(case["seed"] + 1).standard_normal(FAST[dims](x, w, **args).shape)
    loop_input = getattr(naive, f"conv{dims}d_input")
    loop_weight = getattr(naive, f"conv{dims}d_weight")
    np.testing.assert_allclose(GRAD_INPUT[dims](x.shape, w, g, **args),
                               loop_input(x.shape, w, g, **args), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(GRAD_WEIGHT[dims](x, w.shape, g, **args),
                               loop_weight(x, w.shape, g, **args), rtol=1e-12, atol=1e-12)


@given(case=grouped(1))
def test_causal_conv1d_gradients_equal_their_loops(case):
    x, w, _ = _layer_arrays(case)
    args = dict(_args(case), padding="causal")
    g = _rng(case["seed"] + 1).standard_normal(convlab.conv1d(x, w, **args).shape)
    np.testing.assert_allclose(grad.conv1d_input(x.shape, w, g, **args),
                               naive.conv1d_input(x.shape, w, g, **args), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad.conv1d_weight(x, w.shape, g, **args),
                               naive.conv1d_weight(x, w.shape, g, **args), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 2, 3])
@given(data=st.data())
def test_gradients_of_grouped_layers_match_torch_autograd(torch, dims, data):
    case = data.draw(grouped(dims, max_size=6 if dims == 3 else 9))
    x, w, b = _layer_arrays(dict(case, batched=True))
    function = getattr(torch.nn.functional, f"conv{dims}d")
    xt, wt = _t(torch, x).requires_grad_(), _t(torch, w).requires_grad_()
    y = function(xt, wt, None, case["stride"], case["padding"], case["dilation"], case["groups"])
    g = _rng(case["seed"] + 1).standard_normal(tuple(y.shape))
    y.backward(_t(torch, g))
    args = _args(case)
    np.testing.assert_allclose(GRAD_INPUT[dims](x.shape, w, g, **args), xt.grad.numpy(),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(GRAD_WEIGHT[dims](x, w.shape, g, **args), wt.grad.numpy(),
                               rtol=1e-10, atol=1e-10)


def test_share_runs_every_part_once_in_order_and_raises_a_parts_error():
    from convlab._engine import share

    seen = []
    assert share(lambda part: seen.append(part) or part * part, range(20)) == \
        [p * p for p in range(20)]
    assert sorted(seen) == list(range(20))  # each part once, whichever thread took it

    def fails_on_seven(part):
        if part == 7:
            raise ValueError("part 7")
        return part

    with pytest.raises(ValueError, match="part 7"):
        share(fails_on_seven, range(20))


@pytest.mark.parametrize("fold_depth", [1, 10 ** 9], ids=["last-axis-folded", "all-gathered"])
@pytest.mark.parametrize("dims, groups", [(2, 1), (2, 4), (3, 1), (3, 2)])
def test_frames_split_into_short_runs_still_equal_the_loops(monkeypatch, dims, groups,
                                                            fold_depth):
    # The stride-1 frames path computes runs of positions; at their usual size the
    # test shapes fit in one run, so shrink the runs (64 positions) to cross plane
    # and image boundaries in the middle of a run and at its ends. Both ways of
    # making the product: the last kernel axis moved into its rows (what wide layers
    # do) and every tap gathered (what the test's few channels do by default).
    from convlab import _engine

    monkeypatch.setattr(_engine, "_RUN_BYTES", 1)
    monkeypatch.setattr(_engine, "_FOLD_DEPTH", fold_depth)
    monkeypatch.setattr(_engine, "_FRAMES_MIN_POSITIONS", 1)  # frames at these sizes too
    rng = _rng(11)
    spatial = (5, 9, 11)[-dims:]
    x = rng.standard_normal((3, 4) + spatial)
    w = rng.standard_normal((8, 4 // groups) + (3,) * dims)
    for padding, dilation in ((1, 1), (2, 2), (0, 1)):
        fast = FAST[dims](x, w, padding=padding, dilation=dilation, groups=groups)
        loop = LOOP[dims](x, w, padding=padding, dilation=dilation, groups=groups)
        np.testing.assert_allclose(fast, loop, rtol=1e-12, atol=1e-12)


def test_reused_buffers_never_leak_into_results():
    # The engine keeps its temporaries per thread between calls; a result must never
    # be one of them, nor hold another call's values (padding left from a wider one).
    rng = _rng(12)
    x1, w1 = rng.standard_normal((2, 6, 9, 9)), rng.standard_normal((6, 1, 5, 5))
    first = convlab.conv2d(x1, w1, padding=2, groups=6)
    kept = first.copy()
    x2, w2 = rng.standard_normal((2, 6, 7, 7)), rng.standard_normal((6, 1, 3, 3))
    for stride in (1, 2):
        second = convlab.conv2d(x2, w2, padding=1, stride=stride, groups=6)
        np.testing.assert_allclose(second, naive.conv2d(x2, w2, padding=1, stride=stride,
                                                        groups=6), rtol=1e-12, atol=1e-12)
    x3, w3 = rng.standard_normal((2, 4, 4, 6, 6)), rng.standard_normal((4, 4, 3, 3, 3))
    third = convlab.conv3d(x3, w3, padding=1)
    np.testing.assert_array_equal(first, kept)
    np.testing.assert_allclose(third, naive.conv3d(x3, w3, padding=1), rtol=1e-12, atol=1e-12)
    assert not np.shares_memory(first, second) and not np.shares_memory(second, third)


@pytest.mark.parametrize("dims", [2, 3])
@given(data=st.data(), fold_depth=st.sampled_from([1, 10 ** 9]))
def test_the_frames_path_equals_the_loops(dims, data, fold_depth):
    # Stride-1 layers run on frames from 32x32 outputs on; hypothesis's small shapes go
    # to im2col by default, so here the frames take every size, with the last kernel
    # axis folded into the product or every tap gathered, forward and input gradient.
    from unittest import mock

    from convlab import _engine

    case = data.draw(grouped(dims, max_size=5 if dims == 3 else 7))
    case["stride"] = (1,) * dims
    x, w, b = _layer_arrays(dict(case, batched=True))
    with mock.patch.object(_engine, "_FRAMES_MIN_POSITIONS", 1), \
            mock.patch.object(_engine, "_FOLD_DEPTH", fold_depth):
        fast = FAST[dims](x, w, b, **_args(case))
        if dims == 2:
            g = _rng(case["seed"] + 1).standard_normal(fast.shape)
            fast_grad = grad.conv2d_input(x.shape, w, g, **_args(case))
    np.testing.assert_allclose(fast, LOOP[dims](x, w, b, **_args(case)), rtol=1e-12, atol=1e-12)
    if dims == 2:
        np.testing.assert_allclose(fast_grad, naive.conv2d_input(x.shape, w, g, **_args(case)),
                                   rtol=1e-12, atol=1e-12)
