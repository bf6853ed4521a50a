"""convlab.draw: the numbers drawn are read back from the Text artists and checked."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.signal  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import convlab  # noqa: E402
from convlab import draw, kernels  # noqa: E402


def cell_values(ax):
    """The numbers written in the cells of ``ax``, in drawing order (row-major)."""
    return np.array([float(t.get_text().replace("\u2212", "-")) for t in ax.texts
                     if t.get_gid() == draw.CELL_GID and t.get_visible()])


def axes_row(n, figsize=(10, 3)):
    return Figure(figsize=figsize).subplots(1, n)


RNG = np.random.default_rng(3)
IMAGE = RNG.integers(0, 10, size=(6, 6))
KERNEL = RNG.integers(-2, 3, size=(3, 3))


@pytest.mark.parametrize("shape", [(5, 5), (8, 11), (12, 12)])
def test_grid_writes_every_value(shape):
    values = np.random.default_rng(0).integers(-20, 20, size=shape)
    ax = draw.grid(values, Figure().subplots())
    np.testing.assert_array_equal(cell_values(ax), values.ravel())


def test_grid_float_labels_round_to_two_decimals():
    values = np.array([[1 / 9, -0.5], [2.25, 10.0]])
    ax = draw.grid(values, Figure().subplots())
    np.testing.assert_allclose(cell_values(ax), values.ravel(), atol=0.005)
    assert [t.get_text() for t in ax.texts] == ["0.11", "\u22120.50", "2.25", "10.00"]


def test_grid_text_contrasts_with_its_cell():
    ax = draw.grid(np.array([[0, 100]]), Figure().subplots(), cmap="Greys")
    light, dark = ax.texts
    assert light.get_color() == "black" and dark.get_color() == "white"


def test_grid_highlight_outlines_the_cells():
    ax = draw.grid(np.zeros((4, 4)), Figure().subplots(), highlight=[(1, 2), (3, 0)])
    corners = sorted(p.get_xy() for p in ax.patches if p.get_edgecolor()[:3] != (0, 0, 0))
    assert corners == [(-0.5, 2.5), (1.5, 0.5)]


@pytest.mark.parametrize("bad, error, match", [
    # the messages of convlab._checks.as_array, shared with the core
    ("abc", TypeError, "values must be a numeric array"),
    (np.zeros((2, 2, 2)), ValueError,
     r"values must have 2 dimensions \(rows, cols\), got 3 dimensions \(shape \(2, 2, 2\)\)"),
    (np.zeros((0, 3)), ValueError, "must not be empty"),
    (np.array([["a"]]), TypeError, "real numbers"),
])
def test_grid_rejects_bad_values(bad, error, match):
    with pytest.raises(error, match=match):
        draw.grid(bad, Figure().subplots())


def test_grid_draws_into_the_given_axes_without_pyplot_figures():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    ax = Figure().subplots()
    assert draw.grid(np.eye(3), ax) is ax
    assert plt.get_fignums() == before


@pytest.mark.parametrize("padding, stride, dilation, position", [
    (0, 1, 1, (1, 2)), (1, 2, 1, (2, 1)), ("same", 1, 2, (0, 5)), ("full", 1, 1, (7, 0)),
])
def test_window_numbers_match_the_core(padding, stride, dilation, position):
    axes = draw.window(IMAGE, KERNEL, position, stride, padding, dilation, axes=axes_row(4))
    a_in, a_k, a_p, a_out = axes
    expected_out = convlab.correlate2d(IMAGE, KERNEL, stride, padding, dilation)
    np.testing.assert_allclose(cell_values(a_out), expected_out.ravel())
    np.testing.assert_allclose(cell_values(a_k), KERNEL.ravel())
    # the padded input and the products, computed independently with numpy
    pads = convlab.padding.resolve_padding(padding, IMAGE.shape, KERNEL.shape,
                                           (stride, stride), (dilation, dilation))
    padded = np.pad(IMAGE, pads)
    np.testing.assert_allclose(cell_values(a_in), padded.ravel())
    i, j = position
    win = padded[i * stride:, j * stride:][::dilation, ::dilation][:3, :3]
    np.testing.assert_allclose(cell_values(a_p), (win * KERNEL).ravel())
    # the written-out sum ends with the output value
    total = a_p.get_xlabel().rsplit("= ", 1)[1].replace("\u2212", "-")
    assert float(total) == expected_out[i, j] == (win * KERNEL).sum()


def test_window_matches_scipy_valid_correlation():
    axes = draw.window(IMAGE, KERNEL, (0, 0), axes=axes_row(4))
    expected = scipy.signal.correlate2d(IMAGE, KERNEL, mode="valid")
    np.testing.assert_allclose(cell_values(axes[3]), expected.ravel())


def test_window_rejects_position_outside_output():
    with pytest.raises(ValueError, match=r"position \(4, 0\) is outside the output of shape 4x4"):
        draw.window(IMAGE, KERNEL, (4, 0), axes=axes_row(4))


def test_window_passes_on_core_errors():
    with pytest.raises(ValueError, match="does not fit"):
        draw.window(np.zeros((2, 2)), KERNEL, (0, 0), axes=axes_row(4))


@pytest.mark.parametrize("mode, np_mode", [("zeros", "constant"), ("reflect", "reflect"),
                                           ("replicate", "edge"), ("circular", "wrap")])
def test_padding_ring_values(mode, np_mode):
    ax = draw.padding(IMAGE[:4, :5], 2, mode, Figure().subplots())
    np.testing.assert_array_equal(cell_values(ax), np.pad(IMAGE[:4, :5], 2, np_mode).ravel())
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 8 * 9 - 4 * 5


def test_channels_partials_and_output():
    x = RNG.integers(0, 5, size=(3, 5, 5))
    filt = RNG.integers(-1, 2, size=(3, 3, 3))
    axes = draw.channels(x, filt, bias=2, padding=1, position=(2, 3),
                         axes=Figure(figsize=(10, 8)).subplots(3, 4))
    for c in range(3):
        partial = scipy.signal.correlate2d(np.pad(x[c], 1), filt[c], mode="valid")
        np.testing.assert_allclose(cell_values(axes[c, 2]), partial.ravel())
        np.testing.assert_allclose(cell_values(axes[c, 1]), filt[c].ravel())
    np.testing.assert_allclose(cell_values(axes[0, 3]),
                               convlab.apply_filter(x, filt, 2, padding=1).ravel())
    assert not axes[1, 3].get_visible() and not axes[2, 3].get_visible()


def test_pooling_max_and_avg_numbers():
    x = RNG.integers(0, 10, size=(6, 6))
    blocks = x.reshape(3, 2, 3, 2).transpose(0, 2, 1, 3).reshape(3, 3, 4)
    axes = draw.pooling(x, 2, axes=axes_row(2))
    np.testing.assert_array_equal(cell_values(axes[1]), blocks.max(-1).ravel())
    axes = draw.pooling_comparison(x, 2, axes=axes_row(3))
    np.testing.assert_array_equal(cell_values(axes[1]), blocks.max(-1).ravel())
    np.testing.assert_allclose(cell_values(axes[2]), blocks.mean(-1).ravel(), atol=0.005)


def test_pooling_marks_every_winner():
    x = np.array([[1, 9, 0, 0], [2, 3, 0, 7], [5, 0, 1, 1], [0, 0, 1, 4]])
    axes = draw.pooling(x, 2, axes=axes_row(2))
    bold = {(round(t.get_position()[1]), round(t.get_position()[0])) for t in axes[0].texts
            if t.get_fontweight() == "bold"}
    assert bold == {(0, 1), (1, 3), (2, 0), (3, 3)}


def test_pooling_position_writes_the_window():
    x = np.arange(49).reshape(7, 7)
    axes = draw.pooling(x, 3, 2, mode="avg", position=(1, 2), axes=axes_row(2))
    assert axes[1].get_xlabel().endswith(f"= {x[2:5, 4:7].mean():.2f}")


def test_pooling_rejects_unknown_mode():
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg', got 'min'"):
        draw.pooling(np.zeros((4, 4)), 2, mode="min", axes=axes_row(2))


def test_cnn_shapes_follow_output_size():
    layers = [("conv", 6, 5), ("pool", 2), ("conv", 16, 5, 1, 2), ("pool", 3, 2), ("flatten",),
              ("dense", 10)]
    shapes = [s for _, s in draw.cnn_shapes((1, 28, 28), layers)]
    # by hand: 28-5+1 = 24; 24/2 = 12; 12+4-5+1 = 12; (12-3)//2+1 = 5; 16*5*5 = 400
    assert shapes == [(1, 28, 28), (6, 24, 24), (6, 12, 12), (16, 12, 12), (16, 5, 5), (400,),
                      (10,)]
    ax = draw.cnn(Figure(figsize=(12, 4)).subplots(), (1, 28, 28), layers)
    labels = {t.get_text() for t in ax.texts}
    assert {"1×28×28", "6×24×24", "16×5×5", "400", "10 classes"} <= labels


def test_kernel_gallery_rows_and_results():
    image = np.random.default_rng(1).random((20, 24))
    names = ["identity", "sharpen", "gaussian_blur_5x5"]
    axes = draw.kernel_gallery(image, names, axes=Figure(figsize=(8, 6)).subplots(3, 3))
    assert [a.texts[0].get_text() for a in axes[:, 0]] == ["identity", "sharpen",
                                                           "gaussian blur 5x5"]
    np.testing.assert_allclose(axes[0, 2].images[0].get_array(), image)
    # the 5x5 Gaussian is written as 1/256 x integers
    np.testing.assert_allclose(cell_values(axes[2, 1]) / 256, kernels.get("gaussian_blur_5x5").ravel())
    assert axes[2, 1].get_ylabel() == "1/256 ×"
    shown = axes[1, 2].images[0].get_array()
    sharpened = scipy.signal.correlate2d(np.pad(image, 1, mode="edge"), kernels.get("sharpen"),
                                         mode="valid")
    expected = np.clip(sharpened, image.min(), image.max())
    np.testing.assert_allclose(shown, expected)


def test_side_by_side_computes_the_result():
    axes = draw.side_by_side(np.eye(5), np.ones((3, 3)) / 9, axes=axes_row(3))
    expected = scipy.signal.correlate2d(np.pad(np.eye(5), 1, mode="edge"), np.ones((3, 3)) / 9,
                                        mode="valid")
    np.testing.assert_allclose(axes[2].images[0].get_array(), expected)
    assert axes[1].get_title() == "kernel (1/9 ×)"


def test_new_figures_are_opaque_white():
    import matplotlib.pyplot as plt

    ax = draw.grid(np.eye(3))
    try:
        assert ax.figure.patch.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    finally:
        plt.close(ax.figure)


def test_import_changes_no_global_matplotlib_state():
    # dict.items reads the raw values: RcParams["backend"] would itself import pyplot
    code = ("import sys, matplotlib as m; snap = lambda: {k: repr(v) for k, v in dict.items("
            "m.rcParams)}; before = snap(); "
            "import convlab.draw, convlab.animate, convlab.figures; "
            "assert snap() == before, 'rcParams changed'; "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("draw_it, match", [
    (lambda: draw.window(np.zeros((5, 5)), np.ones((3, 3)), (0, 0), stride=1.5), "stride"),
    (lambda: draw.window(np.zeros((5, 5)), np.ones((3, 3)), (0, 0), dilation=(1, 2.0)),
     r"dilation\[1\]"),
    (lambda: draw.pooling(np.zeros((4, 4)), 2.0), "kernel_size"),
    (lambda: draw.pooling_comparison(np.zeros((4, 4)), 2, stride=1.9), "stride"),
])
def test_a_float_where_an_int_belongs_is_refused_not_truncated(draw_it, match):
    with pytest.raises(TypeError, match=match + ".* must be an int"):
        draw_it()


def test_module_docstring_names_every_public_function_and_copies_no_signature():
    doc = draw.__doc__
    for name in draw.__all__:
        role = "func" if callable(getattr(draw, name)) else "data"
        assert f":{role}:`{name}`" in doc, name
        assert f"{name}(" not in doc, f"the signature of {name} is copied into the docstring"


def test_pooling_windows_and_outputs_share_a_letter_not_only_a_colour():
    x = RNG.integers(0, 10, size=(6, 4))
    for axes, outputs in ((draw.pooling(x, 2, axes=axes_row(2)), [1]),
                          (draw.pooling_comparison(x, 2, axes=axes_row(3)), [1, 2])):
        def letters(ax):
            return {t.get_text(): (round(t.get_position()[1] + 0.44),
                                   round(t.get_position()[0] + 0.44))
                    for t in ax.texts if t.get_gid() == draw.WINDOW_LETTER_GID}
        on_input = letters(axes[0])
        # window (r, c) of a 2x2 pool with stride 2 starts at input cell (2r, 2c)
        # windows of a 2x2 pool with stride 2 start at every other cell, lettered row by row
        assert on_input == {"A": (0, 0), "B": (0, 2), "C": (2, 0), "D": (2, 2), "E": (4, 0),
                            "F": (4, 2)}
        for a in outputs:
            assert letters(axes[a]) == {letter: (r // 2, c // 2) for letter, (r, c) in on_input.items()}


def test_overlapping_or_single_windows_get_no_letters():
    x = np.arange(49).reshape(7, 7)
    for axes in (draw.pooling(x, 3, 2, axes=axes_row(2)),
                 draw.pooling(x, 2, position=(1, 1), axes=axes_row(2))):
        assert not [t for a in axes for t in a.texts if t.get_gid() == draw.WINDOW_LETTER_GID]


# --------------------------------------------------------------------------- ceil_mode_windows

def verdicts(ax):
    return [t.get_text() for t in ax.texts if t.get_gid() == draw.WINDOW_VERDICT_GID]


def test_ceil_mode_windows_drops_a_last_window_starting_in_the_right_padding():
    # i=5, k=2, s=2, p=1: the padded row is 7 long; windows start at 0, 2, 4 and 6, and 6
    # is the right padding (indices 0 | 1..5 | 6), so the fourth is dropped: 3, not 4.
    said = verdicts(draw.ceil_mode_windows(5, 2, 2, 1, Figure().subplots()))
    assert [s.split(": ")[-1] for s in said] == ["kept", "kept", "kept", "dropped"]
    assert said[3].startswith("window 4, cells 6\u20137") and "right padding" in said[3]


def test_ceil_mode_windows_keeps_a_last_window_hanging_over_from_the_input():
    # i=6, k=3, s=2, p=1: the padded row is 8 long; the fourth window starts at 6, the last
    # input pixel (indices 0 | 1..6 | 7), and covers 6, 7 and 8, one past the end: kept.
    said = verdicts(draw.ceil_mode_windows(6, 3, 2, 1, Figure().subplots()))
    assert [s.split(": ")[-1] for s in said] == ["kept"] * 4
    assert "starts in the input, hangs over the end" in said[3]
    ax = draw.ceil_mode_windows(6, 3, 2, 1, Figure().subplots())
    assert [t.get_text() for t in ax.texts if t.get_gid() == draw.CELL_GID] == \
        [str(j) for j in range(9)]


@pytest.mark.parametrize("i, k, s, p", [(i, k, s, p) for i in range(3, 11) for k in (2, 3, 4)
                                        for s in (2, 3) for p in range(k // 2 + 1) if k <= i])
def test_ceil_mode_windows_keeps_as_many_as_torch_pools(torch, i, k, s, p):
    ax = draw.ceil_mode_windows(i, k, s, p, Figure().subplots())
    kept = sum(v.endswith(": kept") for v in verdicts(ax))
    pooled = torch.nn.functional.max_pool1d(torch.zeros(1, 1, i), k, s, p, ceil_mode=True)
    assert kept == pooled.shape[-1]
    # every sentence but possibly the last says the window fits inside the padded row
    assert all("inside the padded row" in v for v in verdicts(ax)[:-1])


def test_ceil_mode_windows_refuses_bad_sizes():
    with pytest.raises(TypeError, match="stride must be an int"):
        draw.ceil_mode_windows(5, 2, 2.0, 1)
    with pytest.raises(ValueError, match="input_size must be >= 1"):
        draw.ceil_mode_windows(0, 2, 2, 1)


# --------------------------------------------------------------------------- pointwise

def test_pointwise_writes_w_x_plus_b_for_the_pixel():
    x = RNG.integers(-3, 6, size=(3, 4, 5))
    w = np.array([[2, -1, 0], [1, 1, 1], [0, 3, -2], [1, 0, 0]])
    b = np.array([1, -2, 0, 5])
    for position in [(0, 0), (3, 4), (2, 1)]:
        ax = draw.pointwise(x, w, b, position, Figure().subplots())
        written = [float(t.get_text().replace("\u2212", "-")) for t in ax.texts
                   if t.get_gid() == draw.POINTWISE_OUTPUT_GID]
        r, c = position
        # the dense layer, written out: one sum of products per output channel
        by_hand = [sum(w[o, ch] * x[ch, r, c] for ch in range(3)) + b[o] for o in range(4)]
        assert written == by_hand
        # the input channels, the x column, W, b and the output channels are number grids
        # (y has its own gid); the output channels are W x + b at every pixel
        values = cell_values(ax)
        assert values.size == 3 * 20 + 3 + 12 + 4 + 4 * 20
        np.testing.assert_array_equal(values[:60], x.ravel())
        np.testing.assert_array_equal(values[-80:], (w @ x.reshape(3, 20) + b[:, None]).ravel())
        assert f"= {by_hand[0]:g};" in ax.get_title().replace("\u2212", "-")


def test_pointwise_takes_a_conv_weight_and_no_bias():
    x = np.arange(12).reshape(3, 2, 2)
    ax = draw.pointwise(x, np.array([[1, 0, -1], [1, 1, 1]])[:, :, None, None], None, (1, 1),
                        Figure().subplots())
    # pixel (1, 1) holds 3, 7, 11: 3 - 11 = -8 and 3 + 7 + 11 = 21
    assert [t.get_text() for t in ax.texts if t.get_gid() == draw.POINTWISE_OUTPUT_GID] == \
        ["\u22128", "21"]


@pytest.mark.parametrize("call, error, match", [
    (lambda: draw.pointwise(np.zeros((3, 2, 2)), np.ones((2, 4))), ValueError,
     r"weight must have one column per image channel, shape \(C_out, 3\), got \(2, 4\)"),
    (lambda: draw.pointwise(np.zeros((3, 2, 2)), np.ones((2, 3)), [1, 2, 3]), ValueError,
     r"bias must have one value per output channel, shape \(2,\)"),
    (lambda: draw.pointwise(np.zeros((3, 2, 2)), np.ones((2, 3)), None, (2, 0)), ValueError,
     "position"),
    (lambda: draw.pointwise(np.zeros((2, 2)), np.ones((2, 3))), ValueError, "image"),
])
def test_pointwise_refuses_mismatched_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
