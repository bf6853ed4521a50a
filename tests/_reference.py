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


@st.composite
def geometry(draw, max_size=10, max_kernel=4):
    """Input and kernel sizes, stride, padding, dilation, mode and dtype for one case."""
    return dict(
        input_hw=(draw(st.integers(1, max_size)), draw(st.integers(1, max_size))),
        kernel_hw=(draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))),
        stride=draw(ints_or_pairs),
        dilation=draw(ints_or_pairs),
        padding=draw(paddings),
        mode=draw(modes),
        dtype=draw(dtypes),
        seed=draw(st.integers(0, 2**32 - 1)),
    )
