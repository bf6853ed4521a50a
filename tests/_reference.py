"""Independent references the tests compare convlab with: PyTorch calls and geometry.

Nothing here uses convlab's own padding or size code, so a bug there cannot
hide by being copied into the expectation.
"""

import math

import numpy as np
from hypothesis import strategies as st

TORCH_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
                  "circular": "circular"}


def tf_same(i, k, s, d):
    """TensorFlow's documented 'SAME' rule: (before, after) for one axis."""
    out = math.ceil(i / s)
    total = max(0, (out - 1) * s + (k - 1) * d + 1 - i)
    return total // 2, total - total // 2


def explicit_pads(padding, input_hw, kernel_hw, stride, dilation):
    """A padding spec as ((top, bottom), (left, right)), computed independently."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "full":
        return tuple((dilation[a] * (kernel_hw[a] - 1),) * 2 for a in (0, 1))
    if padding == "same":
        return tuple(tf_same(input_hw[a], kernel_hw[a], stride[a], dilation[a]) for a in (0, 1))
    if isinstance(padding, int):
        return (padding, padding), (padding, padding)
    if isinstance(padding[0], int):
        return (padding[0], padding[0]), (padding[1], padding[1])
    return tuple(tuple(p) for p in padding)


def pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def torch_conv(torch, x, weight, bias, stride, pads, dilation, mode):
    """torch.nn.functional.conv2d on a (N, C, H, W) numpy input with explicit padding."""
    F = torch.nn.functional
    t = torch.from_numpy(np.ascontiguousarray(x))
    (top, bottom), (left, right) = pads
    if top or bottom or left or right:
        t = F.pad(t, (left, right, top, bottom), mode=TORCH_PAD_MODE[mode])
    b = None if bias is None else torch.from_numpy(np.ascontiguousarray(bias))
    return F.conv2d(t, torch.from_numpy(np.ascontiguousarray(weight)), b,
                    stride=stride, dilation=dilation).numpy()


def fits(input_hw, pads, kernel_hw, dilation, mode):
    """Whether the geometry is valid: the kernel fits and the pad mode allows the pad."""
    for a in (0, 1):
        if input_hw[a] + sum(pads[a]) < dilation[a] * (kernel_hw[a] - 1) + 1:
            return False
        if mode == "reflect" and max(pads[a]) >= input_hw[a]:
            return False
        if mode == "circular" and max(pads[a]) > input_hw[a]:
            return False
    return True


def tolerance(dtype):
    return dict(rtol=2e-4, atol=2e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)


small = st.integers(1, 3)
ints_or_pairs = st.one_of(small, st.tuples(small, small))
paddings = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.integers(0, 3),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.tuples(st.integers(0, 3), st.integers(0, 3)),
              st.tuples(st.integers(0, 3), st.integers(0, 3))),
)
modes = st.sampled_from(["zeros", "reflect", "replicate", "circular"])
dtypes = st.sampled_from([np.float32, np.float64])


def output_hw(case):
    """The output (height, width) of a convolution case, by the formula, computed here."""
    stride, dilation = pair(case["stride"]), pair(case["dilation"])
    pads = explicit_pads(case["padding"], case["input_hw"], case["kernel_hw"], stride, dilation)
    return tuple((case["input_hw"][a] + sum(pads[a]) - dilation[a] * (case["kernel_hw"][a] - 1)
                  - 1) // stride[a] + 1 for a in (0, 1))


@st.composite
def geometry(draw, max_size=10, max_kernel=4):
    """A valid case: input and kernel sizes, stride, padding, dilation, mode and dtype.

    The input is drawn large enough for the case to be valid by construction: the
    dilated kernel fits the padded input, a reflect pad is smaller than the input
    and a circular pad at most the input, so no example is spent on an error.
    Invalid cases come from :func:`bad_geometry`.
    """
    kernel_hw = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    stride, dilation = draw(ints_or_pairs), draw(ints_or_pairs)
    padding, mode = draw(paddings), draw(modes)
    input_hw = []
    for a in (0, 1):
        extent = pair(dilation)[a] * (kernel_hw[a] - 1) + 1
        if isinstance(padding, str):
            # 'same' and 'full' always fit; their pads are below the extent, so an input of
            # at least the extent keeps reflect and circular valid ('valid' needs it anyway)
            low = extent if padding == "valid" or mode in ("reflect", "circular") else 1
        else:
            before, after = explicit_pads(padding, (1, 1), kernel_hw, (1, 1), (1, 1))[a]
            low = max(1, extent - before - after)
            if mode == "reflect":
                low = max(low, before + 1, after + 1)
            elif mode == "circular":
                low = max(low, before, after)
        input_hw.append(draw(st.integers(low, max(low, max_size))))
    case = dict(input_hw=tuple(input_hw), kernel_hw=kernel_hw, stride=stride, dilation=dilation,
                padding=padding, mode=mode, dtype=draw(dtypes),
                seed=draw(st.integers(0, 2**32 - 1)))
    pads = explicit_pads(padding, case["input_hw"], kernel_hw, pair(stride), pair(dilation))
    assert fits(case["input_hw"], pads, kernel_hw, pair(dilation), mode)
    return case


@st.composite
def bad_geometry(draw, max_kernel=4):
    """An invalid case: the kernel does not fit, or the pad is too large for its mode."""
    kind = draw(st.sampled_from(["kernel", "reflect", "circular"]))
    axis = draw(st.integers(0, 1))
    kernel_hw = [draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))]
    stride, dilation = draw(ints_or_pairs), draw(ints_or_pairs)
    input_hw = [draw(st.integers(1, 10)), draw(st.integers(1, 10))]
    explicit = st.tuples(st.tuples(st.integers(0, 3), st.integers(0, 3)),
                         st.tuples(st.integers(0, 3), st.integers(0, 3)))
    if kind == "kernel":
        padding, mode = draw(st.one_of(st.just("valid"), explicit)), draw(modes)
        pads = explicit_pads(padding, (1, 1), kernel_hw, (1, 1), (1, 1))
        # a kernel whose dilated extent passes the padded input along `axis`
        kernel_hw[axis] = max_kernel + 4
        dilation = pair(dilation)
        input_hw[axis] = draw(st.integers(
            1, max(1, dilation[axis] * (kernel_hw[axis] - 1) - sum(pads[axis]))))
    else:
        mode = kind
        input_hw[axis] = draw(st.integers(1, 4))
        low = input_hw[axis] + (1 if kind == "circular" else 0)
        pads = [[draw(st.integers(0, 3)), draw(st.integers(0, 3))] for _ in (0, 1)]
        pads[axis][draw(st.integers(0, 1))] = draw(st.integers(low, low + 3))
        padding = tuple(tuple(p) for p in pads)
    case = dict(input_hw=tuple(input_hw), kernel_hw=tuple(kernel_hw), stride=stride,
                dilation=dilation, padding=padding, mode=mode, dtype=np.float64,
                seed=draw(st.integers(0, 2**32 - 1)))
    pads = explicit_pads(padding, case["input_hw"], case["kernel_hw"], pair(stride),
                         pair(dilation))
    assert not fits(case["input_hw"], pads, case["kernel_hw"], pair(dilation), mode)
    return case
